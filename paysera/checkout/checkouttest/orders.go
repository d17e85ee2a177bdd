package checkouttest

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Order is an emulated payment order.
type Order struct {
	ID, Reference, Currency string
	Amount, AmountPaid      int64
	// Status is pending_payment or paid.
	Status                                      string
	SuccessURL, FailureURL, CancelURL, Callback string
	Source                                      string
	Metadata, MerchantData                      map[string]string
	Test                                        bool
	Created, Updated                            time.Time
	// Links are the ids of the order's links, in creation order.
	Links []string
}

// Link is an emulated payment link.
type Link struct {
	ID, OrderID, Name, Language, Flow string
	MethodKey, Purpose, Country       string
	PayerName, PayerEmail             string
	Amount                            int64
	// Status is active, completed, expired or canceled.
	Status           string
	Created, Expires time.Time
	// Payments are the ids of the payment attempts, in order.
	Payments []string
}

// Payment is an emulated payment attempt.
type Payment struct {
	ID, OrderID, LinkID, Method string
	// Status is a Paysera payment status: pending_settlement, settled,
	// rejected, canceled, refunded, chargeback.
	Status   string
	Amount   int64
	Currency string
	Created  time.Time
	Updated  time.Time
	// Refunded is the amount refunded so far; Refunds lists them.
	Refunded int64
	Refunds  []Refund
}

// Refund is an emulated refund.
type Refund struct {
	ID, PaymentID, Status string
	Amount                int64
	Created               time.Time
}

// Order returns the order with that Paysera id.
func (e *Emulator) Order(id string) (Order, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.orders[id]
	if !ok {
		return Order{}, false
	}
	return o.copy(), true
}

// Orders returns every order in creation order.
func (e *Emulator) Orders() []Order {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Order, 0, len(e.orderIDs))
	for _, id := range e.orderIDs {
		out = append(out, e.orders[id].copy())
	}
	return out
}

// Link returns the link with that id.
func (e *Emulator) Link(id string) (Link, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	l, ok := e.links[id]
	if !ok {
		return Link{}, false
	}
	cp := *l
	cp.Payments = slices.Clone(l.Payments)
	return cp, true
}

// Payment returns the payment attempt with that id.
func (e *Emulator) Payment(id string) (Payment, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p, ok := e.payments[id]
	if !ok {
		return Payment{}, false
	}
	cp := *p
	cp.Refunds = slices.Clone(p.Refunds)
	return cp, true
}

func (o *Order) copy() Order {
	cp := *o
	cp.Links = slices.Clone(o.Links)
	return cp
}

// Pay settles a payment through the link, as if the payer paid with
// method ("" means "swedbank"): a payment left pending on the link is
// settled, else a new one is made for the link's amount. The order's
// amount paid grows (status paid once it reaches the amount), the link
// completes, and two webhooks go out — payment/status_updated and the
// order snapshot — each delivered once now and retried on the schedule
// until answered 2xx. It returns the payment.
func (e *Emulator) Pay(ctx context.Context, linkID, method string) (Payment, error) {
	e.mu.Lock()
	l, p, err := e.attemptLocked(linkID, method)
	if err != nil {
		e.mu.Unlock()
		return Payment{}, err
	}
	o := e.orders[l.OrderID]
	p.Status, p.Updated = "settled", e.now()
	o.AmountPaid += p.Amount
	if o.AmountPaid >= o.Amount {
		o.Status = "paid"
	}
	o.Updated, l.Status = p.Updated, "completed"
	hooks := []*Webhook{e.statusHookLocked(o, p, false), e.snapshotHookLocked(o)}
	cp := *p
	e.notifyLocked()
	e.mu.Unlock()
	e.deliverAll(ctx, hooks)
	return cp, nil
}

// Pending starts a payment through the link that stays
// pending_settlement (a bank transfer not settled yet) and sends its
// payment/status_updated. A later Pay on the link settles it.
func (e *Emulator) Pending(ctx context.Context, linkID, method string) (Payment, error) {
	return e.finish(ctx, linkID, method, "pending_settlement", "")
}

// Decline makes a payment attempt through the link that the bank
// rejects, and sends its payment/status_updated. The link stays active.
func (e *Emulator) Decline(ctx context.Context, linkID, method string) (Payment, error) {
	return e.finish(ctx, linkID, method, "rejected", "")
}

// Cancel is the payer leaving the payment page with "cancel": an attempt
// is recorded as canceled (payment/status_updated sent) and the link is
// canceled, as PUT …/cancel does.
func (e *Emulator) Cancel(ctx context.Context, linkID string) (Payment, error) {
	return e.finish(ctx, linkID, "", "canceled", "canceled")
}

// finish records a payment attempt ending in status, optionally moving
// the link to linkStatus, and sends its payment webhook.
func (e *Emulator) finish(ctx context.Context, linkID, method, status, linkStatus string) (Payment, error) {
	e.mu.Lock()
	l, p, err := e.attemptLocked(linkID, method)
	if err != nil {
		e.mu.Unlock()
		return Payment{}, err
	}
	p.Status, p.Updated = status, e.now()
	if linkStatus != "" {
		l.Status = linkStatus
	}
	hooks := []*Webhook{e.statusHookLocked(e.orders[l.OrderID], p, false)}
	cp := *p
	e.notifyLocked()
	e.mu.Unlock()
	e.deliverAll(ctx, hooks)
	return cp, nil
}

// attemptLocked returns the link's pending payment, or a new attempt.
func (e *Emulator) attemptLocked(linkID, method string) (*Link, *Payment, error) {
	l, ok := e.links[linkID]
	if !ok {
		return nil, nil, fmt.Errorf("%w: link %q", ErrNotFound, linkID)
	}
	if l.Status != "active" {
		return nil, nil, fmt.Errorf("%w: link is %s", ErrState, l.Status)
	}
	if n := len(l.Payments); n > 0 {
		if p := e.payments[l.Payments[n-1]]; p.Status == "pending_settlement" {
			return l, p, nil
		}
	}
	if method == "" {
		method = first(l.MethodKey, "swedbank")
	}
	o := e.orders[l.OrderID]
	p := &Payment{ID: e.nextIDLocked('p'), OrderID: o.ID, LinkID: l.ID, Method: method,
		Amount: l.Amount, Currency: o.Currency, Created: e.now(), Updated: e.now()}
	if p.Amount == 0 {
		p.Amount = o.Amount - o.AmountPaid
	}
	e.payments[p.ID] = p
	l.Payments = append(l.Payments, p.ID)
	return l, p, nil
}

// Refund refunds amount (0: everything not yet refunded) of a settled
// payment, as the refunds endpoint does, and sends refund/status_updated
// with status refunded.
func (e *Emulator) Refund(ctx context.Context, paymentID string, amount int64) (Refund, error) {
	e.mu.Lock()
	r, hook, err := e.refundLocked(paymentID, amount)
	e.mu.Unlock()
	if err != nil {
		return Refund{}, err
	}
	e.deliverAll(ctx, []*Webhook{hook})
	return r, nil
}

func (e *Emulator) refundLocked(paymentID string, amount int64) (Refund, *Webhook, error) {
	p, ok := e.payments[paymentID]
	if !ok {
		return Refund{}, nil, fmt.Errorf("%w: payment %q", ErrNotFound, paymentID)
	}
	if p.Status != "settled" && p.Status != "refunded" {
		return Refund{}, nil, fmt.Errorf("%w: payment is %s", ErrState, p.Status)
	}
	left := p.Amount - p.Refunded
	if amount == 0 {
		amount = left
	}
	if amount <= 0 || amount > left {
		return Refund{}, nil, fmt.Errorf("%w: %d of %d refundable", ErrState, amount, left)
	}
	r := Refund{ID: e.nextIDLocked('r'), PaymentID: p.ID, Status: "refunded", Amount: amount, Created: e.now()}
	p.Refunds = append(p.Refunds, r)
	p.Refunded += amount
	if p.Refunded == p.Amount {
		p.Status = "refunded"
	}
	p.Updated = e.now()
	o := e.orders[p.OrderID]
	hook := e.newHookLocked(o.ID, StatusUpdate{Refund: true, OrderID: o.ID, Reference: o.Reference,
		ID: r.ID, Status: r.Status, Amount: r.Amount, Currency: p.Currency, Time: e.now()}.Body())
	e.notifyLocked()
	return r, hook, nil
}

// Wait blocks until every webhook of the order sent so far is delivered
// (answered 2xx) or has failed for good, or ctx ends, and returns the
// order.
func (e *Emulator) Wait(ctx context.Context, orderID string) (Order, error) {
	for {
		e.mu.Lock()
		o, ok := e.orders[orderID]
		if !ok {
			e.mu.Unlock()
			return Order{}, fmt.Errorf("%w: order %q", ErrNotFound, orderID)
		}
		busy := false
		for _, w := range e.webhooks {
			busy = busy || (w.OrderID == orderID && w.State == WebhookRetrying)
		}
		cp, ch := o.copy(), e.changed
		e.mu.Unlock()
		if !busy {
			return cp, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return cp, ctx.Err()
		}
	}
}

func (e *Emulator) statusHookLocked(o *Order, p *Payment, refund bool) *Webhook {
	return e.newHookLocked(o.ID, StatusUpdate{Refund: refund, OrderID: o.ID, Reference: o.Reference,
		ID: p.ID, Status: p.Status, Amount: p.Amount, Currency: p.Currency, Time: e.now()}.Body())
}

func (e *Emulator) snapshotHookLocked(o *Order) *Webhook {
	s := OrderSnapshot{ID: o.ID, Reference: o.Reference, Source: o.Source, Amount: o.Amount,
		AmountPaid: o.AmountPaid, Currency: o.Currency, Status: o.Status, Created: o.Created,
		Updated: o.Updated, MerchantData: o.MerchantData}
	for _, id := range o.Links {
		l := e.links[id]
		ls := LinkSnapshot{ID: l.ID, Name: l.Name, PayerName: l.PayerName, PayerEmail: l.PayerEmail,
			Created: l.Created, Updated: o.Updated}
		for _, pid := range l.Payments {
			p := e.payments[pid]
			ls.Payments = append(ls.Payments, PaymentSnapshot{ID: p.ID, Method: p.Method, Status: p.Status,
				Purpose: first(l.Purpose, l.Name), Country: first(l.Country, "LT"), Currency: p.Currency,
				Amount: p.Amount, Created: p.Created, Updated: p.Updated})
		}
		s.Links = append(s.Links, ls)
	}
	return e.newHookLocked(o.ID, s.Body())
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func uuidLike(kind byte, seq int64) string {
	return fmt.Sprintf("019ed0%02x-%04x-7%03x-8%03x-%012x", kind, seq>>48&0xffff, 0, 0, seq&0xffffffffffff)
}
