package checkouttest_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/paysera/checkout"
	"github.com/paykit-go/paykit/paysera/checkout/checkouttest"
)

// A handler's test sends it a signed webhook, as Paysera would.
func ExampleSigner_NewRequest() {
	client, _ := checkout.New(checkout.Config{ClientID: "client-id", ClientSecret: "client-secret"})
	handler := client.Handler(paykit.Hooks{Event: func(ctx context.Context, n paykit.Notification) error {
		s := n.Summary()
		fmt.Println(s.Type, s.Kind, s.Status, s.OrderID)
		return nil
	}})
	body := checkouttest.OrderSnapshot{ID: "019ed03a-84f0-7ba0-874a-f7473738875b", Reference: "ORDER-7",
		Amount: 500, AmountPaid: 500, Currency: "EUR", Status: "paid"}.Body()
	signer := checkouttest.Signer{Secret: "client-secret"}

	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, signer.NewRequest("/paysera-checkout/webhook", body))
	fmt.Println(rec.Code)
	// Output:
	// order/amount_paid_updated payment paid ORDER-7
	// 200
}
