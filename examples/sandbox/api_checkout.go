package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
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
		_, err = c.e.Pending(ctx, link, "")
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

// deliveries lists every attempt of every webhook; a delivery's id is
// "<webhook>.<attempt>".
func (c checkoutAPI) deliveries() []apiDelivery {
	out := []apiDelivery{}
	for _, w := range c.e.Webhooks() {
		url := ""
		if o, ok := c.e.Order(w.OrderID); ok {
			url = o.Callback
		}
		for i, a := range w.Attempts {
			d := apiDelivery{ID: strconv.Itoa(w.ID) + "." + strconv.Itoa(i+1), OrderID: w.OrderID,
				Event: w.Type + "/" + w.Name, Attempt: i + 1, Resent: a.Manual, At: a.At, Method: http.MethodPost,
				URL: url, Request: string(w.Body), Status: a.Status, Reply: a.Body, Error: a.Err,
				Outcome: attemptOutcome(w, i)}
			out = append(out, d)
		}
	}
	return out
}

// attemptOutcome names an attempt's outcome in the words of the other
// providers' deliveries: delivered (2xx), refused (401, which ends
// Paysera's retries), retrying, gave_up (the schedule is over).
func attemptOutcome(w checkouttest.Webhook, i int) string {
	a := w.Attempts[i]
	switch {
	case a.Status/100 == 2:
		return "delivered"
	case a.Status == http.StatusUnauthorized:
		return "refused"
	case a.Manual:
		return "unanswered"
	case i == len(w.Attempts)-1 && w.State == checkouttest.WebhookFailed:
		return "gave_up"
	}
	return "retrying"
}

// resend delivers a webhook once more. Paysera resends an order's last
// webhook only (the Merchant Area's button): an earlier one is a 409.
func (c checkoutAPI) resend(ctx context.Context, id string) (apiDelivery, error) {
	hook, _, _ := strings.Cut(id, ".")
	n, err := strconv.Atoi(hook)
	ws := c.e.Webhooks()
	if err != nil || n < 1 || n > len(ws) {
		return apiDelivery{}, fmt.Errorf("delivery %q: %w", id, payseratest.ErrNotFound)
	}
	order := ws[n-1].OrderID
	for _, w := range ws[n:] {
		if w.OrderID == order {
			return apiDelivery{}, fmt.Errorf("%w: Paysera Checkout resends only the order's last webhook (%d)", payseratest.ErrState, w.ID)
		}
	}
	w, err := c.e.Resend(ctx, order)
	if err != nil {
		return apiDelivery{}, checkoutErr(err)
	}
	for _, d := range c.deliveries() {
		if d.ID == strconv.Itoa(w.ID)+"."+strconv.Itoa(len(w.Attempts)) {
			return d, nil
		}
	}
	return apiDelivery{}, fmt.Errorf("delivery of webhook %d: %w", w.ID, payseratest.ErrNotFound)
}

// wait returns once every order's webhooks are delivered or given up.
func (c checkoutAPI) wait(ctx context.Context) error {
	for _, o := range c.e.Orders() {
		if _, err := c.e.Wait(ctx, o.ID); err != nil {
			return err
		}
	}
	return nil
}
