package xsolla_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/xsolla"
	"github.com/paykit-go/paykit/xsolla/xsollatest"
)

// The whole flow against the emulator: create a token, send the buyer to
// Pay Station, and fulfil the order once from the verified webhooks.
func Example() {
	ctx := context.Background()
	shop := http.NewServeMux()
	srv := httptest.NewServer(shop)
	defer srv.Close()

	// In production: xsolla.New(xsolla.Config{MerchantID: …, ProjectID: …,
	// APIKey: …, WebhookSecret: …}). Here the emulator supplies a config
	// pointing at itself.
	emu, err := xsollatest.NewServer(xsollatest.Options{
		MerchantID: 2340, ProjectID: 18404, APIKey: "api-key", WebhookSecret: "webhook-secret",
		WebhookURL: srv.URL + "/xsolla/webhook",
		Catalog:    map[string]paykit.Money{"gems_500": {Amount: 499, Currency: "USD"}},
	})
	if err != nil {
		panic(err)
	}
	defer emu.Close()
	cfg := emu.ClientConfig()
	cfg.Sandbox = true
	client, err := xsolla.New(cfg)
	if err != nil {
		panic(err)
	}

	shop.Handle("/xsolla/webhook", client.Handler(paykit.Hooks{
		User: func(ctx context.Context, n paykit.Notification) error {
			return nil // look the user up; return paykit.ErrUnknownUser to refuse
		},
		Event: func(ctx context.Context, n paykit.Notification) error {
			s := n.Summary()
			amount, _ := xsolla.FormatAmount(s.Amount)
			fmt.Printf("%s %s: order %s, %s %s, test=%v\n", s.Kind, s.Status, s.OrderID, amount, s.Amount.Currency, s.Test)
			return nil
		},
	}))

	payURL, err := client.BuildPaymentURL(ctx, xsolla.TokenRequest{
		UserID:     "player-42",
		ExternalID: "order-1001",
		Items:      []xsolla.ItemQuantity{{SKU: "gems_500", Quantity: 1}}, // priced in Xsolla's catalog
		Country:    "US",                                                  // or UserIP: the buyer's address
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.HasPrefix(payURL, emu.URL+"/paystation4/?token="))

	// The buyer pays on the Pay Station page; the emulator sends the webhooks.
	token := payURL[strings.Index(payURL, "token=")+len("token="):]
	if _, err := emu.Pay(ctx, token); err != nil {
		panic(err)
	}
	// Output:
	// true
	// payment paid: order order-1001, 4.99 USD, test=true
}

func ExampleClient_ParseCallback() {
	client, _ := xsolla.New(xsolla.Config{ProjectID: 18404, WebhookSecret: "webhook-secret"})
	body := []byte(`{"notification_type":"payment","settings":{"project_id":18404},` +
		`"user":{"id":"player-42"},"transaction":{"id":87654321,"external_id":"order-1001","dry_run":1},` +
		`"payment_details":{"payment":{"currency":"USD","amount":4.99}}}`)
	r := xsollatest.Signer{Secret: "webhook-secret"}.NewRequest("/xsolla/webhook", body)

	n, err := client.ParseCallback(r)
	if err != nil {
		fmt.Println(err)
		return
	}
	switch n := n.(type) {
	case *xsolla.Payment:
		m, _ := n.Money()
		fmt.Println(n.Transaction.ID, n.Transaction.ExternalID, m.Amount, m.Currency, n.IsDryRun())
	}
	// Output: 87654321 order-1001 499 USD true
}

func ExampleClient_HandlerWith() {
	client, _ := xsolla.New(xsolla.Config{ProjectID: 18404, WebhookSecret: "webhook-secret"})
	h := client.HandlerWith(paykit.Hooks{
		Event: func(context.Context, paykit.Notification) error { return nil },
	}, xsolla.HandlerOptions{
		// Shared options: a smaller body cap and a log of refused deliveries.
		HandlerOptions: paykit.HandlerOptions{
			MaxBodyBytes: 16 << 10,
			ErrorLog: func(_ *http.Request, err error) {
				fmt.Println("refused:", err)
			},
		},
		// Refuse payments that do not match your order record.
		CheckAmount: func(_ context.Context, n paykit.Notification) error {
			if n.Summary().Amount != (paykit.Money{Amount: 500, Currency: "USD"}) {
				return xsolla.ErrIncorrectAmount
			}
			return nil
		},
		UserSearch: func(_ context.Context, n *xsolla.UserSearch) (xsolla.UserInfo, error) {
			return xsolla.UserInfo{ID: "player-42", PublicID: n.User.PublicID.String()}, nil
		},
	})
	signer := xsollatest.Signer{Secret: "webhook-secret"}
	for _, body := range []string{
		`{"notification_type":"payment","transaction":{"id":1},"payment_details":{"payment":{"currency":"USD","amount":4.99}}}`,
		`{"notification_type":"user_search","user":{"public_id":"ABC"}}`,
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, signer.NewRequest("/xsolla/webhook", []byte(body)))
		fmt.Println(w.Code, w.Body.String())
	}
	// Output:
	// refused: xsolla: incorrect amount
	// 400 {"error":{"code":"INCORRECT_AMOUNT","message":"Incorrect amount"}}
	// 200 {"user":{"id":"player-42","public_id":"ABC"}}
}

func ExampleClient_PaymentURL() {
	client, _ := xsolla.New(xsolla.Config{ProjectID: 18404, Sandbox: true})
	fmt.Println(client.PaymentURL("tok_123"))
	// Output: https://sandbox-secure.xsolla.com/paystation4/?token=tok_123
}

func ExampleClient_WidgetHTML() {
	client, _ := xsolla.New(xsolla.Config{ProjectID: 18404, Sandbox: true})
	html, _ := client.WidgetHTML("tok_123", xsolla.WidgetOptions{ButtonText: "Buy gems", Lightbox: &xsolla.Lightbox{Width: "740px"}})
	fmt.Print(html)
	// Output:
	// <button type="button" data-xpaystation-widget-open>Buy gems</button>
	// <script src="https://cdn.xsolla.net/embed/paystation/1.2.9/widget.min.js"></script>
	// <script>XPayStationWidget.init({"access_token":"tok_123","lightbox":{"width":"740px"},"payment_url":"https://sandbox-secure.xsolla.com/paystation4/?token=tok_123","sandbox":true});</script>
}

func ExampleClient_PaymentFormHTML() {
	client, _ := xsolla.New(xsolla.Config{ProjectID: 18404})
	html, _ := client.PaymentFormHTML("tok_123", "Pay now")
	fmt.Print(html)
	// Output:
	// <form method="get" action="https://secure.xsolla.com/paystation4/"><input type="hidden" name="token" value="tok_123"><button type="submit">Pay now</button></form>
}

func ExampleParseAmount() {
	m, _ := xsolla.ParseAmount("4.99", "USD")
	jpy, _ := xsolla.ParseAmount("500", "JPY")
	_, err := xsolla.ParseAmount("4.999", "USD")
	fmt.Println(m.Amount, jpy.Amount, err != nil)
	// Output: 499 500 true
}

func ExampleVerify() {
	body := []byte(`{"notification_type": "payment"}`)
	err := xsolla.Verify(body, "Signature 89404631c86da9f508954da7b50799199a6b1d3a", "PROJECT_SECRET_KEY")
	fmt.Println(err)
	// Output: <nil>
}

// Quickstart: a webhook handler and a checkout link. The signed delivery
// at the end stands in for Xsolla.
func ExampleClient_Handler() {
	client, err := xsolla.New(xsolla.Config{
		MerchantID: 2340, ProjectID: 18404, Sandbox: true,
		APIKey: "api-key", WebhookSecret: "webhook-secret",
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/xsolla/webhook", client.Handler(paykit.Hooks{
		User: func(ctx context.Context, n paykit.Notification) error { return nil }, // or paykit.ErrUnknownUser
		Event: func(ctx context.Context, n paykit.Notification) error {
			s := n.Summary() // runs once per purchase (payment or order_paid), refund, …
			fmt.Println(s.Kind, s.ID, s.OrderID, s.Amount.Amount, s.Amount.Currency, s.Test)
			return nil
		},
	}))
	// At checkout: url, err := client.BuildPaymentURL(ctx, xsolla.TokenRequest{UserID: "player-42",
	//	ExternalID: "order-1001", Items: []xsolla.ItemQuantity{{SKU: "gems_500", Quantity: 1}}, UserIP: buyerIP})

	body := []byte(`{"notification_type":"payment","settings":{"project_id":18404,"merchant_id":2340},"user":{"id":"player-42"},` +
		`"transaction":{"id":87654321,"external_id":"order-1001","dry_run":1},"payment_details":{"payment":{"currency":"USD","amount":4.99}}}`)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, xsollatest.Signer{Secret: "webhook-secret"}.NewRequest("/xsolla/webhook", body))
	fmt.Println(w.Code)
	// Output:
	// payment 87654321 order-1001 499 USD true
	// 204
}

// Reconciliation: a payment whose webhook never arrived is found with the
// merchant API and fulfilled through the same idempotency key the webhook
// would have used (here against the emulator, which answers like Xsolla).
func ExampleClient_Transaction() {
	ctx := context.Background()
	emu, err := xsollatest.NewServer(xsollatest.Options{
		MerchantID: 2340, ProjectID: 18404, APIKey: "api-key",
		Catalog: map[string]paykit.Money{"gems_500": {Amount: 499, Currency: "USD"}},
	})
	if err != nil {
		panic(err)
	}
	defer emu.Close()
	client, _ := xsolla.New(emu.ClientConfig())
	pt, _ := client.CreatePaymentToken(ctx, xsolla.TokenRequest{UserID: "player-42", ExternalID: "order-1001",
		Country: "US", Items: []xsolla.ItemQuantity{{SKU: "gems_500", Quantity: 1}}})
	paid, _ := emu.Pay(ctx, pt.Token) // no webhook URL: the webhook is lost

	records, err := client.TransactionsByExternalID(ctx, "order-1001")
	if err != nil {
		panic(err)
	}
	for _, r := range records {
		if n, ok := r.Notification(); ok {
			s := n.Summary()
			fmt.Println(s.Kind, s.Status, s.OrderID, s.Amount.Amount, s.Amount.Currency, s.ID == fmt.Sprint(paid.TransactionID))
			// Fulfil n under client.IdempotencyKey(n): the key of its webhook.
		}
	}
	// Output: payment paid order-1001 499 USD true
}
