package checkouttest_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

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

// A test pays through the emulator and reads what the merchant was sent.
func ExampleNewServer() {
	client, _ := checkout.New(checkout.Config{ClientID: "client-id", ClientSecret: "client-secret"})
	shop := httptest.NewServer(client.Handler(paykit.Hooks{Event: func(context.Context, paykit.Notification) error {
		return nil // the merchant fulfils the order here
	}}))
	defer shop.Close()
	emu, err := checkouttest.NewServer(checkouttest.Options{ClientID: "client-id", ClientSecret: "client-secret",
		RetrySchedule: []time.Duration{}}) // a test wants no retries an hour later
	if err != nil {
		panic(err)
	}
	defer emu.Close()
	client, _ = checkout.New(checkout.Config{ClientID: "client-id", ClientSecret: "client-secret", BaseURL: emu.URL})

	ctx := context.Background()
	if _, err := client.BuildPaymentURL(ctx, checkout.PaymentRequest{Order: checkout.OrderRequest{Reference: "ORDER-7",
		Amount: paykit.Money{Amount: 500, Currency: "EUR"}, CallbackURL: shop.URL}}); err != nil {
		panic(err)
	}
	order := emu.Orders()[0]
	if _, err := emu.Pay(ctx, order.Links[0], "seb"); err != nil {
		panic(err)
	}
	if err := emu.Wait(ctx); err != nil {
		panic(err)
	}
	order, _ = emu.Order(order.ID)
	fmt.Println(order.State, order.Status, order.AmountPaid)
	for _, d := range emu.Deliveries() {
		fmt.Println(d.Event, d.Outcome)
	}
	// Output:
	// paid paid 500
	// payment/status_updated delivered
	// order/amount_paid_updated delivered
}
