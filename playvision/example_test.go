package playvision_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/playvision"
	"github.com/paykit-go/paykit/playvision/playvisiontest"
)

// A merchant installs the handler at the app's "Payment link" and opens the
// purchase dialog with BuildPaymentURL. HandlerWith takes the options every
// provider's handler shares (here an error log and a hook deadline);
// Handler(hooks) is HandlerWith(hooks, HandlerOptions{}). Here a signed
// get_item, a duplicated order_status_change and a forged delivery from
// the test kit stand in for Playvision.
func Example() {
	client, err := playvision.New(playvision.Config{AppID: 7001, Secret: "app-secret"})
	if err != nil {
		log.Fatal(err)
	}
	hooks := paykit.Hooks{
		Item: func(ctx context.Context, req paykit.ItemRequest) (paykit.Item, error) {
			if req.Item != "gold_pack_100" { // req.Item comes from the buyer: look it up
				return paykit.Item{}, paykit.ErrUnknownItem
			}
			return paykit.Item{ID: "gold_100", Title: "100 gold", Price: 5}, nil
		},
		Event: func(ctx context.Context, n paykit.Notification) error {
			s := n.Summary()
			fmt.Printf("deliver order %s to user %s: %d\n", s.ID, s.UserID, s.Amount.Amount)
			return nil
		},
	}
	handler := client.HandlerWith(hooks, playvision.HandlerOptions{HandlerOptions: paykit.HandlerOptions{
		HookTimeout: 5 * time.Second, // within Playvision's playvision.ReplyTimeout (10 s)
		ErrorLog:    func(r *http.Request, err error) { fmt.Println("refused:", err) },
	}})
	// In a real server: http.Handle("/playvision", handler)

	// The game client opens the purchase dialog.
	u, _ := client.BuildPaymentURL(playvision.PaymentWindow{UserID: 131, Item: "gold_pack_100", Token: "user-token"})
	fmt.Println(u)

	// Playvision asks for the item, then reports the payment twice.
	pv := playvisiontest.Signer{Secret: "app-secret"}
	w := httptest.NewRecorder()
	handler.ServeHTTP(w, pv.NewRequest("/playvision", playvisiontest.GetItem{AppID: 7001, UserID: 131, Item: "gold_pack_100"}.Params()))
	fmt.Println(w.Body.String())
	order := playvisiontest.OrderStatusChange{UserID: 131, TransactionID: 555, Sum: 5, ItemID: "gold_100"}
	for i := 0; i < 2; i++ {
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, pv.NewRequest("/playvision", order.Params()))
		fmt.Println(w.Code, w.Body.String())
	}
	// Someone without the secret tries the same.
	w = httptest.NewRecorder()
	handler.ServeHTTP(w, playvisiontest.Signer{Secret: "guess"}.NewRequest("/playvision", order.Params()))
	fmt.Println(w.Code, w.Body.String())
	// Output:
	// https://api.playvision.ru/v1/payment.window?item=gold_pack_100&project_id=7001&token=user-token&user_id=131
	// {"item_id":"gold_100","item_title":"100 gold","item_price":"5"}
	// deliver order 555 to user 131: 5
	// 200 {"status":"1","message":"success"}
	// 200 {"status":"1","message":"success"}
	// refused: paykit: invalid signature
	// 200 {"status":"-1","message":"Invalid signature"}
}

func ExampleClient_BuildPaymentURL() {
	client, _ := playvision.New(playvision.Config{AppID: 3, Secret: "s", Domain: playvision.DomainPlayvis})
	u, err := client.BuildPaymentURL(playvision.PaymentWindow{UserID: 100, Item: "test_item", Token: "68d4dd4dca288a7656b421135dca6ea4"})
	fmt.Println(u, err)
	// Output:
	// https://api.playvis.com/v1/payment.window?item=test_item&project_id=3&token=68d4dd4dca288a7656b421135dca6ea4&user_id=100 <nil>
}

func ExampleClient_VerifyLaunch() {
	client, _ := playvision.New(playvision.Config{AppID: 7001, Secret: "app-secret"})
	// In the app's iframe handler: launch, err := client.VerifyLaunch(r.URL.Query())
	query := playvisiontest.Signer{Secret: "app-secret"}.LaunchQuery(playvisiontest.Launch{AppID: 7001, ViewerID: 131, Token: "user-token"})
	launch, err := client.VerifyLaunch(query)
	fmt.Println(launch.ViewerID, launch.Token, err)
	query.Set("viewer_id", "132")
	_, err = client.VerifyLaunch(query)
	fmt.Println(err)
	// Output:
	// 131 user-token <nil>
	// paykit: invalid signature
}

func ExampleClient_ParseCallback() {
	client, _ := playvision.New(playvision.Config{AppID: 7001, Secret: "app-secret"})
	r := playvisiontest.Signer{Secret: "app-secret"}.NewRequest("/playvision",
		playvisiontest.OrderStatusChange{UserID: 131, TransactionID: 555, Sum: 5, ItemID: "gold_100", Test: true}.Params())
	n, err := client.ParseCallback(r)
	if err != nil {
		fmt.Println(err)
		return
	}
	switch n := n.(type) {
	case *playvision.OrderStatusChange:
		fmt.Println(n.NotificationType, n.TransactionID, n.Sum, n.ItemID, n.Test)
	case *playvision.GetItem:
		fmt.Println("get_item", n.Item)
	}
	// Output:
	// order_status_change_test 555 5 gold_100 true
}
