package checkouttest_test

import (
	"context"
	"testing"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/paysera/checkout"
	"github.com/paykit-go/paykit/paysera/checkout/checkouttest"
)

// GET order answers from the emulator's state after every verb, and what
// it says of a paid order is what the order snapshot webhook said: the
// reconciler relies on both.
func TestGetOrder_FollowsTheOrderAndAgreesWithItsWebhook(t *testing.T) {
	ctx := context.Background()
	emu, err := checkouttest.NewServer(checkouttest.Options{ClientID: "id", ClientSecret: "s", DropCallbacks: true})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	c, err := checkout.New(checkout.Config{ClientID: "id", ClientSecret: "s", BaseURL: emu.URL})
	if err != nil {
		t.Fatal(err)
	}
	req := checkout.OrderRequest{Reference: "R-GET", Amount: paykit.Money{Amount: 3000, Currency: "EUR"},
		CallbackURL: "https://shop.example/wh"}
	o, err := c.CreateOrder(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.BuildPaymentURL(ctx, checkout.PaymentRequest{Order: req, OrderID: o.ID}); err != nil {
		t.Fatal(err)
	}
	link := func() string { e, _ := emu.Order(o.ID); return e.Links[len(e.Links)-1] }
	steps := []struct {
		name   string
		verb   func() error
		status string
		paid   int64
	}{
		{"created", func() error { return nil }, "pending_payment", 0},
		{"declined", func() error { _, err := emu.Decline(ctx, link(), ""); return err }, "pending_payment", 0},
		{"left pending", func() error { _, err := emu.Pend(ctx, link(), ""); return err }, "pending_payment", 0},
		{"paid", func() error { _, err := emu.Pay(ctx, link(), ""); return err }, "paid", 3000},
		{"refunded", func() error {
			l, _ := emu.Link(link())
			_, err := emu.Refund(ctx, l.Payments[len(l.Payments)-1], 0)
			return err
		}, "paid", 3000},
	}
	for _, s := range steps {
		if err := s.verb(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		got, err := c.GetOrder(ctx, o.ID)
		if err != nil || got.ID != o.ID || got.Status != s.status || got.AmountPaid != s.paid ||
			got.Amount != 3000 || got.Reference != "R-GET" || got.Currency != "EUR" {
			t.Fatalf("%s: GET order %+v %v", s.name, got, err)
		}
	}
	var snapshot string
	for _, d := range emu.Deliveries() {
		if d.Event == "order/amount_paid_updated" {
			snapshot = d.Request
		}
	}
	wh, err := c.ParseBody([]byte(snapshot), checkouttest.Signer{Secret: "s"}.Header([]byte(snapshot)))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := c.GetOrder(ctx, o.ID)
	w := wh.(*checkout.OrderEvent).Order
	if w.ID != got.ID || w.Status != got.Status || w.AmountPaid != got.AmountPaid || w.Amount != got.Amount ||
		w.Reference != got.Reference || w.Currency != got.Currency {
		t.Fatalf("webhook %+v, GET %+v", w, got)
	}
}
