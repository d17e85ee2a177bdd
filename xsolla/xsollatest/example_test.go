package xsollatest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/xsolla"
	"github.com/paykit-go/paykit/xsolla/xsollatest"
)

// An items purchase through the store v3 token, then a refund: the
// emulator delivers user_validation, payment and order_paid, then refund
// and order_canceled, to the handler under test. payment and order_paid
// are one purchase, refund and order_canceled one refund: Event runs once
// for each, and the second webhook of each pair is answered from the store.
func ExampleNewServer() {
	mux := http.NewServeMux()
	shop := httptest.NewServer(mux)
	defer shop.Close()

	emu, err := xsollatest.NewServer(xsollatest.Options{
		MerchantID: 2340, ProjectID: 18404, APIKey: "api-key", WebhookSecret: "webhook-secret",
		WebhookURL: shop.URL,
		Catalog:    map[string]paykit.Money{"gems_500": {Amount: 499, Currency: "USD"}},
	})
	if err != nil {
		panic(err)
	}
	defer emu.Close()
	client, _ := xsolla.New(emu.ClientConfig())
	mux.Handle("/", client.Handler(paykit.Hooks{
		Event: func(_ context.Context, n paykit.Notification) error {
			s := n.Summary()
			fmt.Println(s.Type, s.Kind, s.Status, s.Amount.Amount, s.Amount.Currency)
			return nil
		},
	}))

	ctx := context.Background()
	pt, err := client.CreatePaymentToken(ctx, xsolla.TokenRequest{
		UserID: "player-42", Country: "US", Items: []xsolla.ItemQuantity{{SKU: "gems_500", Quantity: 2}},
	})
	if err != nil {
		panic(err)
	}
	if _, err := emu.Pay(ctx, pt.Token); err != nil {
		panic(err)
	}
	if _, err := emu.Refund(ctx, pt.Token); err != nil {
		panic(err)
	}
	if err := emu.Wait(ctx); err != nil { // every webhook answered
		panic(err)
	}
	for _, d := range emu.Deliveries() {
		fmt.Print(d.Event, " ", d.Status, "; ")
	}
	fmt.Println()
	// Output:
	// payment payment paid 998 USD
	// refund refund refunded 998 USD
	// user_validation 204; payment 204; order_paid 204; refund 204; order_canceled 204;
}

func ExampleSigner() {
	body := []byte(`{"notification_type": "payment"}`)
	fmt.Println(xsollatest.Signer{Secret: "PROJECT_SECRET_KEY"}.Header(body))
	// Output: Signature 89404631c86da9f508954da7b50799199a6b1d3a
}
