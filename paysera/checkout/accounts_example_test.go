package checkout_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/paysera/checkout"
	"github.com/paykit-go/paykit/paysera/checkout/checkouttest"
)

// One webhook URL for two projects: each webhook is verified with the
// secret of the project whose client verifies it (Paysera's webhooks do
// not name their project) and keyed under that project.
func ExampleNewAccounts() {
	shop, err := checkout.New(checkout.Config{ClientID: "shop-client", ClientSecret: "shop-secret",
		ProjectID: "01990618-2c90-7103-9169-752bdaac7a52"})
	if err != nil {
		log.Fatal(err)
	}
	games, err := checkout.New(checkout.Config{ClientID: "games-client", ClientSecret: "games-secret",
		ProjectID: "01990618-2c90-7103-9169-752bdaac7b99"})
	if err != nil {
		log.Fatal(err)
	}
	projects, err := checkout.NewAccounts(shop, games)
	if err != nil {
		log.Fatal(err)
	}
	h := projects.Handler(paykit.Hooks{
		Event: func(ctx context.Context, n paykit.Notification) error {
			if o, ok := n.(*checkout.OrderEvent); ok && o.Order.Paid() {
				fmt.Println("fulfil", o.Order.Reference, "of project", o.Account)
			}
			return nil
		},
	})

	body := checkouttest.OrderSnapshot{ID: "019ed03a-84f0-7ba0-874a-f7473738875b", Reference: "GAME-7",
		Amount: 500, AmountPaid: 500, Currency: "EUR", Status: "paid"}.Body()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, checkouttest.Signer{Secret: "games-secret"}.NewRequest("/paysera-checkout/webhook", body))
	fmt.Println(w.Code)
	// Output:
	// fulfil GAME-7 of project 01990618-2c90-7103-9169-752bdaac7b99
	// 200
}
