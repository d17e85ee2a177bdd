package checkout_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/paysera/checkout"
	"github.com/paykit-go/paykit/paysera/checkout/checkouttest"
)

func Example() {
	ctx := context.Background()
	// The emulator stands in for Paysera; in production leave BaseURL empty.
	emu, err := checkouttest.NewServer(checkouttest.Options{ClientID: "client-id", ClientSecret: "client-secret"})
	if err != nil {
		log.Fatal(err)
	}
	defer emu.Close()

	client, err := checkout.New(checkout.Config{ClientID: "client-id", ClientSecret: "client-secret", BaseURL: emu.URL})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/paysera-checkout/webhook", client.Handler(paykit.Hooks{
		Event: func(ctx context.Context, n paykit.Notification) error {
			s := n.Summary() // runs once per event; repeats are answered from the store
			if s.Kind == paykit.KindPayment && s.Status == paykit.StatusPaid {
				fmt.Println("fulfil", s.OrderID, s.Amount.Amount, s.Amount.Currency)
			}
			return nil
		},
	}))
	shop := httptest.NewServer(mux) // your server
	defer shop.Close()

	payURL, err := client.BuildPaymentURL(ctx, checkout.PaymentRequest{Order: checkout.OrderRequest{
		Reference:   "ORDER-1001",
		Amount:      paykit.Money{Amount: 2500, Currency: "EUR"}, // 25.00 EUR in cents
		SuccessURL:  "https://shop.example.com/paid",
		FailureURL:  "https://shop.example.com/failed",
		CallbackURL: shop.URL + "/paysera-checkout/webhook",
	}})
	if err != nil {
		log.Fatal(err) // a *paykit.FieldError, a *paykit.APIError or a *checkout.LinkError
	}
	fmt.Println(strings.HasPrefix(payURL, emu.URL)) // redirect the payer here

	// The payer pays on the page; the emulator's Pay does the same.
	order := emu.Orders()[0]
	if _, err := emu.Pay(ctx, order.Links[0], "swedbank"); err != nil {
		log.Fatal(err)
	}
	// Output:
	// true
	// fulfil ORDER-1001 2500 EUR
}
