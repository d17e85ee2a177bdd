package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/examples/internal/emulators"
	"github.com/paykit-go/paykit/paysera/checkout/checkouttest"
)

// checkoutProvider is Paysera Checkout (New).
const checkoutProvider = string(paykit.PayseraCheckout)

// checkoutEvent builds one Paysera Checkout webhook body from the command
// line, with the header set (generation) Paysera signs it with.
type checkoutEvent struct {
	build func(c checkoutWebhook) []byte
	// status is the -status default; statuses lists the documented ones.
	status   string
	statuses []string
	gen      checkouttest.Generation
}

// orderStatuses are an order snapshot's statuses.
var orderStatuses = []string{"pending_payment", "paid", "canceled", "closed"}

// checkoutEvents are the webhook types trigger sends: the order snapshot
// under every name the current checkout-modern reference gives it
// (order.created, order.status_updated, …, each a full snapshot), the
// names package checkout's spec reads (the snapshot's amount_paid_updated
// and the thin payment and refund events), and the checkout-v3
// generation's order.* and payment_link.* events, with v3's header set.
var checkoutEvents = map[string]checkoutEvent{
	"order/amount_paid_updated": {build: checkoutWebhook.snapshot, status: "paid", statuses: orderStatuses},
	"payment/status_updated": {build: thinEvent(false), status: "settled",
		statuses: []string{"initiated", "awaiting_authorization", "authorized", "processing", "pending_settlement",
			"on_hold", "settled", "failed", "rejected", "canceled", "expired", "refunded", "chargeback"}},
	"refund/status_updated": {build: thinEvent(true), status: "refunded",
		statuses: []string{"pending", "processing", "completed", "refunded", "failed"}},
	"order.created":                         {build: namedSnapshot("order.created"), status: "pending_payment", statuses: orderStatuses},
	"order.status_updated":                  {build: namedSnapshot("order.status_updated"), status: "paid", statuses: orderStatuses},
	"order.reference_updated":               {build: namedSnapshot("order.reference_updated"), status: "pending_payment", statuses: orderStatuses},
	"order.amount_updated":                  {build: namedSnapshot("order.amount_updated"), status: "pending_payment", statuses: orderStatuses},
	"order.amount_paid_updated":             {build: namedSnapshot("order.amount_paid_updated"), status: "paid", statuses: orderStatuses},
	"order.payment_link.expired_at_updated": {build: namedSnapshot("order.payment_link.expired_at_updated"), status: "pending_payment", statuses: orderStatuses},
	"order.paid":                            {build: v3Order("paid"), gen: checkouttest.V3},
	"order.pending_payment":                 {build: v3Order("pending_payment"), gen: checkouttest.V3},
	"order.canceled":                        {build: v3Order("canceled"), gen: checkouttest.V3},
	"payment_link.completed":                {build: v3Link("completed"), gen: checkouttest.V3},
	"payment_link.expired":                  {build: v3Link("expired"), gen: checkouttest.V3},
	"payment_link.canceled":                 {build: v3Link("canceled"), gen: checkouttest.V3},
}

// checkoutTypes lists checkoutEvents' types, sorted.
func checkoutTypes() []string {
	out := make([]string, 0, len(checkoutEvents))
	for t := range checkoutEvents {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// checkoutWebhook is what every body is built from.
type checkoutWebhook struct {
	c        config
	status   string
	amount   int64
	currency string
	now      time.Time
}

// orderID is Paysera's id of the order in events about something else (a
// payment, a refund, a link): derived from your order id. Order events
// carry -id instead.
func (w checkoutWebhook) orderID() string { return "paysera-order-" + w.c.order }

// checkoutRequest builds a Paysera Checkout webhook: a JSON POST whose raw
// bytes are signed with HMAC-SHA256 under the client secret.
func checkoutRequest(ctx context.Context, c config) (*http.Request, error) {
	typ := orDefault(c.typ, "order/amount_paid_updated")
	ev, ok := checkoutEvents[typ]
	if !ok {
		return nil, fmt.Errorf("paysera_checkout types are %s, not %q", strings.Join(checkoutTypes(), ", "), c.typ)
	}
	if c.order == "" {
		return nil, fmt.Errorf("-order (your order id, merchant_order_id) is required for paysera_checkout")
	}
	w := checkoutWebhook{c: c, status: orDefault(c.status, ev.status), amount: amountOr(c, emulators.DemoPrice),
		currency: currencyOf(c, emulators.DemoCurrency), now: time.Now()}
	if ev.statuses == nil && c.status != "" {
		return nil, fmt.Errorf("%s takes no -status: its name says it", typ)
	}
	if ev.statuses != nil && !contains(ev.statuses, w.status) {
		return nil, fmt.Errorf("%s statuses are %s, not %q", typ, strings.Join(ev.statuses, ", "), w.status)
	}
	body := ev.build(w)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	signer := checkouttest.Signer{Secret: orDefault(c.secret, emulators.DemoPayseraCheckoutClientSecret), Generation: ev.gen}
	req.Header = signer.Header(body)
	return req, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// snapshot is order/amount_paid_updated: the order's state, paid in full
// when its status is paid or closed.
func (w checkoutWebhook) snapshot() []byte { return w.snapshotOf().Body() }

func (w checkoutWebhook) snapshotOf() checkouttest.OrderSnapshot {
	paid := int64(0)
	if w.status == "paid" || w.status == "closed" {
		paid = w.amount
	}
	return checkouttest.OrderSnapshot{ID: w.c.id, Reference: w.c.order, Source: "checkout_page", Amount: w.amount,
		AmountPaid: paid, Currency: w.currency, Status: w.status, Created: w.now, Updated: w.now}
}

// namedSnapshot is the order snapshot under the event name given.
func namedSnapshot(name string) func(checkoutWebhook) []byte {
	return func(w checkoutWebhook) []byte {
		s := w.snapshotOf()
		s.Name = name
		return s.Body()
	}
}

// thinEvent is payment/status_updated, or refund/status_updated.
func thinEvent(refund bool) func(checkoutWebhook) []byte {
	return func(w checkoutWebhook) []byte {
		return checkouttest.StatusUpdate{Refund: refund, OrderID: w.orderID(), Reference: w.c.order, ID: w.c.id,
			Status: w.status, Amount: w.amount, Currency: w.currency, Time: w.now}.Body()
	}
}

// v3Object is the checkout-v3 generation's camelCase order.
func (w checkoutWebhook) v3Object(id, status string, paid int64) map[string]any {
	return map[string]any{"id": id, "status": status, "amount": w.amount, "currency": w.currency,
		"reference": w.c.order, "amountPaid": paid, "balanceDue": w.amount - paid,
		"createdAt": w.now.Unix(), "updatedAt": w.now.Unix()}
}

// v3Order is a checkout-v3 order.<status> event.
func v3Order(status string) func(checkoutWebhook) []byte {
	return func(w checkoutWebhook) []byte {
		paid := int64(0)
		if status == "paid" {
			paid = w.amount
		}
		return mustJSON(map[string]any{
			"event": map[string]any{"name": "order." + status, "type": "order", "timestamp": w.now.Unix()},
			"order": w.v3Object(w.c.id, status, paid),
		})
	}
}

// v3Link is a checkout-v3 payment_link.<status> event.
func v3Link(status string) func(checkoutWebhook) []byte {
	return func(w checkoutWebhook) []byte {
		orderStatus, paid := "pending_payment", int64(0)
		if status == "completed" {
			orderStatus, paid = "paid", w.amount
		}
		return mustJSON(map[string]any{
			"event":       map[string]any{"name": "payment_link." + status, "type": "payment_link", "timestamp": w.now.Unix()},
			"order":       w.v3Object(w.orderID(), orderStatus, paid),
			"paymentLink": map[string]any{"id": w.c.id, "status": status},
		})
	}
}

// mustJSON encodes maps of strings and numbers, which cannot fail.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("trigger: " + err.Error())
	}
	return b
}
