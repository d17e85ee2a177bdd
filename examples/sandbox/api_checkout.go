package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/paykit-go/paykit/paysera/checkout/checkouttest"
	"github.com/paykit-go/paykit/paysera/payseratest"
)

// checkoutAPI: Paysera Checkout (New). The application creates the order
// and its payment link through the emulated REST API (checkout.Client with
// BaseURL $SANDBOX/paysera-checkout); the API's order is that Paysera
// order, and its steps act on the order's last link (pay, pending,
// decline, cancel) or its last settled payment (refund). Webhooks go to
// the order's callback_url.
type checkoutAPI struct{ e *checkouttest.Emulator }

func (c checkoutAPI) view(o checkouttest.Order) apiOrder {
	v := apiOrder{ID: o.ID, Provider: "paysera_checkout", State: c.state(o), Amount: o.Amount, Currency: o.Currency,
		OrderID: o.Reference, Test: o.Test}
	if n := len(o.Links); n > 0 {
		v.Page = c.e.URL() + "/pay/" + o.Links[n-1]
	}
	return v
}

// state is the order's state in the words every kit shares: paid (or
// refunded once its payment is), else what the last link's last attempt
// says — canceled, declined, pending — or open.
func (c checkoutAPI) state(o checkouttest.Order) string {
	var last checkouttest.Payment
	link := checkouttest.Link{Status: "active"}
	if n := len(o.Links); n > 0 {
		link, _ = c.e.Link(o.Links[n-1])
		if m := len(link.Payments); m > 0 {
			last, _ = c.e.Payment(link.Payments[m-1])
		}
	}
	switch {
	case o.Status == "paid" && last.Refunded > 0:
		return "refunded"
	case o.Status == "paid":
		return "paid"
	case link.Status == "canceled":
		return "canceled"
	case last.Status == "rejected":
		return "declined"
	case last.Status == "pending_settlement":
		return "pending"
	}
	return "open"
}

// start finds the order the application created, by the link's payment
// URL, the link id or the order id: the emulator's orders exist as soon as
// the REST API has created them.
func (c checkoutAPI) start(_ context.Context, body []byte) (apiOrder, error) {
	var req struct {
		PaymentURL string `json:"payment_url"`
		LinkID     string `json:"link_id"`
		OrderID    string `json:"order_id"`
	}
	if err := decode(body, &req); err != nil {
		return apiOrder{}, err
	}
	id := req.OrderID
	link := req.LinkID
	if req.PaymentURL != "" {
		rest, ok := strings.CutPrefix(req.PaymentURL, c.e.URL()+"/pay/")
		if !ok || rest == "" {
			return apiOrder{}, fmt.Errorf("%w: payment_url is not a payment page of %s", errBadRequest, c.e.URL())
		}
		link = rest
	}
	if link != "" {
		l, ok := c.e.Link(link)
		if !ok {
			return apiOrder{}, fmt.Errorf("link %q: %w", link, payseratest.ErrNotFound)
		}
		id = l.OrderID
	}
	if id == "" {
		return apiOrder{}, fmt.Errorf("%w: give payment_url, link_id or order_id", errBadRequest)
	}
	o, ok := c.order(id)
	if !ok {
		return apiOrder{}, fmt.Errorf("order %q: %w", id, payseratest.ErrNotFound)
	}
	return o, nil
}

func (c checkoutAPI) order(id string) (apiOrder, bool) {
	o, ok := c.e.Order(id)
	return c.view(o), ok
}

func (c checkoutAPI) orders() []apiOrder {
	out := []apiOrder{}
	for _, o := range c.e.Orders() {
		out = append(out, c.view(o))
	}
	return out
}

// act runs a step on the order's last link, or refunds its last settled
// payment.
func (c checkoutAPI) act(ctx context.Context, id, step string) (apiOrder, error) {
	o, ok := c.e.Order(id)
	if !ok || len(o.Links) == 0 {
		return apiOrder{}, fmt.Errorf("order %q: %w", id, payseratest.ErrNotFound)
	}
	link := o.Links[len(o.Links)-1]
	var err error
	switch step {
	case "pay":
		_, err = c.e.Pay(ctx, link, "")
	case "pending":
		_, err = c.e.Pend(ctx, link, "")
	case "decline":
		_, err = c.e.Decline(ctx, link, "")
	case "cancel":
		_, err = c.e.Cancel(ctx, link)
	case "refund":
		err = c.refund(ctx, o)
	default:
		err = unsupported("paysera_checkout", step, "pay, pending, decline, cancel, refund")
	}
	if err != nil {
		return apiOrder{}, checkoutErr(err)
	}
	v, _ := c.order(id)
	return v, nil
}

// refund refunds the rest of the order's last settled payment.
func (c checkoutAPI) refund(ctx context.Context, o checkouttest.Order) error {
	for i := len(o.Links) - 1; i >= 0; i-- {
		l, _ := c.e.Link(o.Links[i])
		for j := len(l.Payments) - 1; j >= 0; j-- {
			if p, _ := c.e.Payment(l.Payments[j]); p.Status == "settled" {
				_, err := c.e.Refund(ctx, p.ID, 0)
				return err
			}
		}
	}
	return fmt.Errorf("order %s has no settled payment: %w", o.ID, payseratest.ErrState)
}

// checkoutErr maps the kit's errors to the API's statuses (writeError).
func checkoutErr(err error) error {
	switch {
	case errors.Is(err, checkouttest.ErrNotFound):
		return fmt.Errorf("%v: %w", err, payseratest.ErrNotFound)
	case errors.Is(err, checkouttest.ErrState):
		return fmt.Errorf("%v: %w", err, payseratest.ErrState)
	}
	return err
}

// deliveries lists every attempt of every webhook.
func (c checkoutAPI) deliveries() []apiDelivery { return deliveriesOf(c.e.Deliveries()) }

// resend delivers a webhook once more. Paysera resends an order's last
// webhook only (the Merchant Area's button): an earlier one is a 409.
func (c checkoutAPI) resend(ctx context.Context, id string) (apiDelivery, error) {
	ds := c.e.Deliveries()
	at := slices.IndexFunc(ds, func(d checkouttest.Delivery) bool { return d.ID == id })
	if at < 0 {
		return apiDelivery{}, fmt.Errorf("delivery %q: %w", id, payseratest.ErrNotFound)
	}
	for _, d := range ds[at+1:] {
		if d.OrderID == ds[at].OrderID && d.Request != ds[at].Request {
			return apiDelivery{}, fmt.Errorf("%w: Paysera Checkout resends only the order's last webhook (%s)", payseratest.ErrState, d.ID)
		}
	}
	d, err := c.e.Resend(ctx, id)
	if err != nil {
		return apiDelivery{}, checkoutErr(err)
	}
	return fromDelivery(d), nil
}

// wait returns once every webhook is delivered or given up.
func (c checkoutAPI) wait(ctx context.Context) error { return c.e.Wait(ctx) }
