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

// A webhook Paysera never delivered: the order is paid at Paysera, the
// shop heard nothing. The reconciler, sharing the handler's hooks and
// Store, reads the order, fulfils it once, and the webhook that arrives
// late is answered from the Store. Paysera is emulated here.
func ExampleClient_Reconciler() {
	ctx := context.Background()
	emu, err := checkouttest.NewServer(checkouttest.Options{ClientID: "client-id", ClientSecret: "client-secret",
		DropCallbacks: true}) // Paysera's webhooks get lost
	if err != nil {
		log.Fatal(err)
	}
	defer emu.Close()
	client, err := checkout.New(checkout.Config{ClientID: "client-id", ClientSecret: "client-secret", BaseURL: emu.URL})
	if err != nil {
		log.Fatal(err)
	}
	hooks := paykit.Hooks{
		Event: func(_ context.Context, n paykit.Notification) error {
			if s := n.Summary(); s.Kind == paykit.KindPayment && s.Status == paykit.StatusPaid {
				fmt.Println("fulfil", s.OrderID, s.Amount.Amount, s.Amount.Currency)
			}
			return nil
		},
		Store: paykit.NewMemoryStore(paykit.MemoryStoreOptions{}), // or sqlstore: shared by both
	}
	shop := httptest.NewServer(client.Handler(hooks))
	defer shop.Close()
	rec, err := client.Reconciler(hooks, checkout.ReconcilerOptions{})
	if err != nil {
		log.Fatal(err)
	}

	// The checkout: create the order first and keep Paysera's order id
	// with yours — it is what the reconciler looks up.
	req := checkout.OrderRequest{Reference: "ORDER-1001", Amount: paykit.Money{Amount: 2500, Currency: "EUR"},
		CallbackURL: shop.URL}
	order, err := client.CreateOrder(ctx, req)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := client.BuildPaymentURL(ctx, checkout.PaymentRequest{Order: req, OrderID: order.ID}); err != nil {
		log.Fatal(err)
	}
	paid, _ := emu.Order(order.ID) // the payer pays; the webhooks are lost
	_, _ = emu.Pay(ctx, paid.Links[0], "swedbank")
	_ = emu.Wait(ctx)

	rep, err := rec.Reconcile(ctx, order.ID) // or: go rec.Loop(ctx, 5*time.Minute, pending, report)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range rep.Entries {
		fmt.Println("order", e.Ref == order.ID, e.Found, e.Summary.Status)
	}
	ds := emu.Deliveries()
	late, _ := emu.Resend(ctx, ds[len(ds)-1].ID) // the order snapshot webhook, late
	fmt.Println("late webhook answered:", late.OK())
	// Output:
	// fulfil ORDER-1001 2500 EUR
	// order true fulfilled paid
	// late webhook answered: true
}
