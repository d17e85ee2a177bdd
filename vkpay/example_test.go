package vkpay_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/vkpay"
	"github.com/paykit-go/paykit/vkpay/vkpaytest"
)

// A merchant's VK payments endpoint with the provider-neutral hooks.
func Example() {
	client, err := vkpay.New(vkpay.Config{AppID: 12345678, Secret: "s3cr3tKey_for_tests"})
	if err != nil {
		log.Fatal(err)
	}
	handler := client.Handler(paykit.Hooks{
		Item: func(ctx context.Context, req paykit.ItemRequest) (paykit.Item, error) {
			if req.Item != "gold_100" { // the key comes from the browser: look it up
				return paykit.Item{}, paykit.ErrUnknownItem
			}
			return paykit.Item{ID: "gold_100", Title: "100 gold", Price: 7}, nil
		},
		Event: func(ctx context.Context, n paykit.Notification) error {
			s := n.Summary()
			fmt.Println("fulfil:", s.Kind, s.Status, "order", s.ID, s.Amount.Amount, "votes")
			return nil // grant the goods here, in your database, using ctx
		},
	})
	mux := http.NewServeMux()
	mux.Handle("/vk/payments", handler) // then http.ListenAndServe(addr, mux)

	// What VK sends (signed here as VK would sign it):
	for _, p := range []url.Values{
		{"notification_type": {"get_item"}, "app_id": {"12345678"}, "user_id": {"1"}, "receiver_id": {"1"},
			"order_id": {"55"}, "item": {"gold_100"}, "lang": {"ru_RU"}},
		{"notification_type": {"order_status_change"}, "app_id": {"12345678"}, "user_id": {"1"}, "receiver_id": {"1"},
			"order_id": {"55"}, "date": {"1656358147"}, "status": {"chargeable"}, "item": {"gold_100"},
			"item_price": {"7"}, "item_id": {"gold_100"}},
	} {
		p.Set("sig", vkpay.Sign(p, "s3cr3tKey_for_tests"))
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, httptest.NewRequest("POST", "/vk/payments", strings.NewReader(p.Encode())))
		fmt.Println(w.Body.String())
	}
	// Output:
	// {"response":{"title":"100 gold","price":7,"item_id":"gold_100"}}
	// fulfil: payment paid order 55 7 votes
	// {"response":{"order_id":55}}
}

// The VK-specific surface: your own app_order_id in the answer, refunds
// handled apart from payments, and the shared options (hook deadline,
// error log).
func ExampleClient_HandlerWith() {
	client, _ := vkpay.New(vkpay.Config{AppID: 12345678, Secret: "s3cr3tKey_for_tests"})
	handler := client.HandlerWith(paykit.Hooks{
		Event: func(ctx context.Context, n paykit.Notification) error {
			fmt.Println("grant order", n.Summary().ID)
			return nil // grant the goods and store your order id, using ctx
		},
	}, vkpay.HandlerOptions{
		HandlerOptions: paykit.HandlerOptions{
			HookTimeout: 5 * time.Second,
			ErrorLog:    func(r *http.Request, err error) { log.Println("vk:", err) },
		},
		OrderReply: func(ctx context.Context, n *vkpay.OrderStatusChange) (vkpay.OrderReply, error) {
			return vkpay.OrderReply{AppOrderID: 9000 + n.OrderID}, nil // your order id for it
		},
		Refund: func(ctx context.Context, n *vkpay.OrderStatusChange) error {
			return nil // take the goods back
		},
	})
	p := url.Values{"notification_type": {"order_status_change_test"}, "app_id": {"12345678"}, "user_id": {"1"},
		"receiver_id": {"1"}, "order_id": {"56"}, "date": {"1656358147"}, "status": {"chargeable"},
		"item": {"gold_100"}, "item_price": {"7"}}
	p.Set("sig", vkpay.Sign(p, "s3cr3tKey_for_tests"))
	for i := 0; i < 2; i++ { // VK resends: the answer is the same bytes, the goods go once
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, httptest.NewRequest("POST", "/", strings.NewReader(p.Encode())))
		fmt.Println(w.Body.String())
	}
	// Output:
	// grant order 56
	// {"response":{"order_id":56,"app_order_id":9056}}
	// {"response":{"order_id":56,"app_order_id":9056}}
}

// Parsing a notification yourself.
func ExampleClient_ParseCallback() {
	client, _ := vkpay.New(vkpay.Config{AppID: 12345678, Secret: "s3cr3tKey_for_tests"})
	body := "app_id=12345678&item=sale_item_1&lang=ru_RU&notification_type=get_item_test&order_id=2044594&receiver_id=1&user_id=1&version=5.132"
	r := httptest.NewRequest("POST", "/", strings.NewReader(body+"&sig=wrong"))
	_, err := client.ParseCallback(r)
	fmt.Println(err)

	p, _ := url.ParseQuery(body)
	r = httptest.NewRequest("POST", "/", strings.NewReader(body+"&sig="+vkpay.Sign(p, "s3cr3tKey_for_tests")))
	n, err := client.ParseCallback(r)
	if err != nil {
		log.Fatal(err)
	}
	item := n.(*vkpay.GetItem)
	fmt.Println(item.Type(), item.Test, item.Item, item.Lang)
	// Output:
	// paykit: invalid signature
	// get_item true sale_item_1 ru_RU
}

// Trusting vk_user_id at launch: the mini app sends its launch parameters
// (window.location.search) to the server, which verifies them before
// anything else.
func ExampleClient_VerifyLaunch() {
	client, _ := vkpay.New(vkpay.Config{AppID: 6736218, Secret: "wvl68m4dR1UpLrVRli"})
	// The example of VK's documentation, with the sign computed by VK's rule:
	search := "?vk_user_id=494075&vk_app_id=6736218&vk_is_app_user=1&vk_are_notifications_enabled=1" +
		"&vk_language=ru&vk_access_token_settings=&vk_platform=android&sign=htQFduJpLxz7ribXRZpDFUH-XEUhC9rBPTJkjUFEkRA"
	query, err := url.ParseQuery(strings.TrimPrefix(search, "?"))
	if err != nil {
		log.Fatal(err)
	}
	launch, err := client.VerifyLaunch(query)
	if err != nil {
		log.Fatal(err) // paykit.ErrInvalidSignature, ErrWrongAccount, …: refuse the session
	}
	fmt.Println("user", launch.UserID, "on", launch.Platform, "in", launch.Language)

	query.Set("vk_user_id", "1") // a tampered user
	_, err = client.VerifyLaunch(query)
	fmt.Println(err)
	// Output:
	// user 494075 on android in ru
	// paykit: invalid signature
}

// Reconciliation with the payments API: an order whose notification never
// reached the shop is found with orders.getById and fulfilled through the
// same code and key as its notification. VK is emulated here.
func ExampleClient_GetOrdersByID() {
	ctx := context.Background()
	vk, err := vkpaytest.NewServer(vkpaytest.Options{AppID: 12345678, Secret: "s3cr3tKey_for_tests",
		AccessToken: "service-token", DropCallbacks: true}) // VK's notifications get lost
	if err != nil {
		log.Fatal(err)
	}
	defer vk.Close()
	client, err := vkpay.New(vkpay.Config{AppID: 12345678, Secret: "s3cr3tKey_for_tests",
		AccessToken: "service-token", APIBaseURL: vk.URL}) // APIBaseURL "" is VK itself
	if err != nil {
		log.Fatal(err)
	}
	fulfil := func(ctx context.Context, n paykit.Notification) error {
		s := n.Summary()
		fmt.Println("fulfil:", s.Kind, s.Status, s.Amount.Amount, "votes, key", client.IdempotencyKey(n) != "")
		return nil
	}
	shop := httptest.NewServer(client.Handler(paykit.Hooks{
		Item: func(ctx context.Context, req paykit.ItemRequest) (paykit.Item, error) {
			return paykit.Item{ID: "gold_100", Title: "100 gold", Price: 7}, nil
		},
		Event: fulfil,
	}))
	defer shop.Close()
	_ = vk.SetNotifyURL(shop.URL)
	open, _ := vk.Open(ctx, "gold_100", 1)
	_, _ = vk.Pay(ctx, open.ID) // paid at VK; the shop heard nothing

	orders, err := client.GetOrdersByID(ctx, vkpay.OrdersByIDRequest{OrderIDs: []int64{open.ID}})
	if err != nil {
		log.Fatal(err) // a *paykit.APIError; vkpay.APIErrorCode(err) is VK's error_code
	}
	for _, o := range orders {
		fmt.Println("order", o.Status, o.Amount, "votes")
		if n, err := o.StatusChange(); err == nil {
			_ = fulfil(ctx, n) // in production, Client.Reconciler runs it through the handler's Store and key
		}
	}
	// Output:
	// order charged 7 votes
	// fulfil: payment paid 7 votes, key true
}
