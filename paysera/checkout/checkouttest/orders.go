package checkouttest

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/paykit-go/paykit/internal/emulator"
)

// State is the state of an emulated order, the same words in every kit.
type State = emulator.State

// The states a Paysera Checkout order goes through: open once created;
// pending while a payment is pending_settlement or only part of the amount
// is paid; paid once the amount is paid; refunded once everything paid is
// refunded. A declined or canceled attempt leaves the order where it was:
// the payer may try again, or the merchant make a new link.
const (
	StateOpen     = emulator.StateOpen
	StatePending  = emulator.StatePending
	StatePaid     = emulator.StatePaid
	StateRefunded = emulator.StateRefunded
)

// Order is an emulated payment order.
type Order struct {
	ID, Reference, Currency string
	Amount, AmountPaid      int64
	// Status is Paysera's: pending_payment or paid.
	Status string
	// State is the order's state in the words every kit shares.
	State                                       State
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

// record is an order with its links and payments, kept in the Book under
// the order's id. Readers get shallow copies: a writer replaces the Links
// and Payments slices before changing an element (see link, payment) and
// only appends to the id lists.
type record struct {
	Order    Order
	Links    []Link
	Payments []Payment
}

// link returns the record's link with that id, writable, or nil.
func (r *record) link(id string) *Link {
	return writable(&r.Links, id, func(l Link) string { return l.ID })
}

// payment returns the record's payment with that id, writable, or nil.
func (r *record) payment(id string) *Payment {
	return writable(&r.Payments, id, func(p Payment) string { return p.ID })
}

// writable replaces *items by a copy, which readers holding the old slice
// do not see, and returns the item with that id in it, or nil.
func writable[T any](items *[]T, id string, idOf func(T) string) *T {
	i := slices.IndexFunc(*items, func(v T) bool { return idOf(v) == id })
	if i < 0 {
		return nil
	}
	*items = slices.Clone(*items)
	return &(*items)[i]
}

// Ids look like Paysera's UUIDs. Each carries its kind and its order's
// sequence number, so that a link or payment id finds its order in the
// Book without an index that would outgrow the cap.
const idFormat = "019ed0%02x-%04x-7%03x-8%03x-%012x"

// newIDOf returns a fresh id of a kind ('o', 'l', 'p', 'r') in order n.
func newIDOf(kind byte, order, seq int64) string {
	return fmt.Sprintf(idFormat, kind, order>>24&0xffff, order>>12&0xfff, order&0xfff, seq&0xffffffffffff)
}

// orderIDOf returns the id of the order an id of any kind belongs to.
func orderIDOf(id string) (string, bool) {
	var kind byte
	var hi, mid, lo, seq int64
	if len(id) != 36 {
		return "", false
	}
	if _, err := fmt.Sscanf(id, idFormat, &kind, &hi, &mid, &lo, &seq); err != nil {
		return "", false
	}
	n := hi<<24 | mid<<12 | lo
	return newIDOf('o', n, n), true
}

// newOrderID returns a fresh order id.
func (e *Emulator) newOrderID() string {
	n := e.newID()
	return newIDOf('o', n, n)
}

// childID returns a fresh id of a kind in the order with that id.
func (e *Emulator) childID(kind byte, orderID string) string {
	var hi, mid, lo, seq int64
	var k byte
	_, _ = fmt.Sscanf(orderID, idFormat, &k, &hi, &mid, &lo, &seq)
	return newIDOf(kind, hi<<24|mid<<12|lo, e.newID())
}

// update runs f on the record of the order an id belongs to, under the
// Book's lock.
func (e *Emulator) update(id string, f func(*record) error) (record, error) {
	oid, ok := orderIDOf(id)
	if !ok {
		return record{}, fmt.Errorf("%w: %q", ErrNotFound, id)
	}
	r, err := e.orders.Update(oid, f)
	if err == emulator.ErrNotFound {
		return r, fmt.Errorf("%w: %q", ErrNotFound, id)
	}
	return r, err
}

// Order returns the order with that Paysera id.
func (e *Emulator) Order(id string) (Order, bool) {
	r, ok := e.orders.Get(id)
	return r.Order, ok
}

// Orders returns every order kept, oldest first.
func (e *Emulator) Orders() []Order {
	rs := e.orders.List()
	out := make([]Order, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.Order)
	}
	return out
}

// Link returns the link with that id.
func (e *Emulator) Link(id string) (Link, bool) {
	return find(e, id, func(r *record) []Link { return r.Links }, func(l Link) string { return l.ID })
}

// Payment returns the payment attempt with that id.
func (e *Emulator) Payment(id string) (Payment, bool) {
	return find(e, id, func(r *record) []Payment { return r.Payments }, func(p Payment) string { return p.ID })
}

// find returns the item with that id among its order's items.
func find[T any](e *Emulator, id string, items func(*record) []T, idOf func(T) string) (T, bool) {
	var out T
	_, err := e.update(id, func(r *record) error {
		i := slices.IndexFunc(items(r), func(v T) bool { return idOf(v) == id })
		if i < 0 {
			return ErrNotFound
		}
		out = items(r)[i]
		return nil
	})
	return out, err == nil
}

// Pay settles a payment through the link, as if the payer paid with
// method ("" means the link's method, else "swedbank"): a payment left
// pending on the link is settled, else a new one is made for the link's
// amount. The order's amount paid grows (state and status paid once it
// reaches the amount, pending before), the link completes, and two
// webhooks go out — payment/status_updated and the order snapshot — each
// delivered once now and retried on the schedule until answered 2xx. It
// returns the payment.
func (e *Emulator) Pay(ctx context.Context, linkID, method string) (Payment, error) {
	return e.attempt(ctx, linkID, method, func(r *record, l *Link, p *Payment) ([]webhook, error) {
		o := &r.Order
		to := StatePaid
		if o.AmountPaid+p.Amount < o.Amount {
			to = StatePending
		}
		if err := emulator.Move(o.State, to); err != nil {
			return nil, err
		}
		p.Status, p.Updated = "settled", e.now()
		o.AmountPaid += p.Amount
		o.State = to
		if to == StatePaid {
			o.Status = "paid"
		}
		o.Updated, l.Status = p.Updated, "completed"
		return []webhook{e.statusHook(r, p), e.snapshotHook(r)}, nil
	})
}

// Pend starts a payment through the link that stays pending_settlement (a
// bank transfer not settled yet), moves the order to pending and sends
// the payment's payment/status_updated. A later Pay on the link settles
// it.
func (e *Emulator) Pend(ctx context.Context, linkID, method string) (Payment, error) {
	return e.attempt(ctx, linkID, method, func(r *record, _ *Link, p *Payment) ([]webhook, error) {
		if err := emulator.Move(r.Order.State, StatePending); err != nil {
			return nil, err
		}
		r.Order.State = StatePending
		p.Status, p.Updated = "pending_settlement", e.now()
		return []webhook{e.statusHook(r, p)}, nil
	})
}

// Decline makes a payment attempt through the link that the bank
// rejects (a payment left pending is the one rejected), and sends its
// payment/status_updated. The link stays active and the order open (or
// pending while part of it is paid): the payer may try again.
func (e *Emulator) Decline(ctx context.Context, linkID, method string) (Payment, error) {
	return e.attempt(ctx, linkID, method, func(r *record, _ *Link, p *Payment) ([]webhook, error) {
		if err := emulator.Move(r.Order.State, emulator.StateDeclined); err != nil {
			return nil, err
		}
		if r.Order.AmountPaid == 0 {
			r.Order.State = StateOpen
		}
		p.Status, p.Updated = "rejected", e.now()
		return []webhook{e.statusHook(r, p)}, nil
	})
}

// Cancel is the payer leaving the payment page with "cancel": an attempt
// is recorded as canceled (payment/status_updated sent) and the link is
// canceled, as PUT …/cancel does. The order stays as it was: the merchant
// may offer a new link.
func (e *Emulator) Cancel(ctx context.Context, linkID string) (Payment, error) {
	return e.attempt(ctx, linkID, "", func(r *record, l *Link, p *Payment) ([]webhook, error) {
		if err := emulator.Move(r.Order.State, emulator.StateCanceled); err != nil {
			return nil, err
		}
		if r.Order.AmountPaid == 0 {
			r.Order.State = StateOpen
		}
		p.Status, p.Updated, l.Status = "canceled", e.now(), "canceled"
		return []webhook{e.statusHook(r, p)}, nil
	})
}

// attempt runs verb on the link's pending payment, or a new attempt for
// the link's amount, then sends the webhooks verb returns. Nothing changes
// when verb fails.
func (e *Emulator) attempt(ctx context.Context, linkID, method string,
	verb func(*record, *Link, *Payment) ([]webhook, error)) (Payment, error) {
	if err := e.open(); err != nil {
		return Payment{}, err
	}
	var out Payment
	var hooks []webhook
	_, err := e.update(linkID, func(r *record) error {
		cp := *r
		l := cp.link(linkID)
		if l == nil {
			return fmt.Errorf("%w: link %q", ErrNotFound, linkID)
		}
		if l.Status != "active" {
			return fmt.Errorf("%w: link is %s", ErrState, l.Status)
		}
		var p *Payment
		if n := len(l.Payments); n > 0 {
			if q := cp.payment(l.Payments[n-1]); q.Status == "pending_settlement" {
				p = q
			}
		}
		if p == nil {
			if method == "" {
				method = first(l.MethodKey, "swedbank")
			}
			now := e.now()
			cp.Payments = append(slices.Clip(cp.Payments), Payment{ID: e.childID('p', cp.Order.ID), OrderID: cp.Order.ID,
				LinkID: l.ID, Method: method, Amount: l.Amount, Currency: cp.Order.Currency, Created: now, Updated: now})
			p = &cp.Payments[len(cp.Payments)-1]
			if p.Amount == 0 {
				p.Amount = cp.Order.Amount - cp.Order.AmountPaid
			}
			l.Payments = append(slices.Clip(l.Payments), p.ID)
		}
		var err error
		if hooks, err = verb(&cp, l, p); err != nil {
			return err
		}
		out, *r = *p, cp
		return nil
	})
	if err != nil {
		return Payment{}, err
	}
	e.send(ctx, hooks)
	return out, nil
}

// Refund refunds amount (0: everything not yet refunded) of a settled
// payment, as the refunds endpoint does, and sends refund/status_updated
// with status refunded. The order is refunded once everything paid is.
func (e *Emulator) Refund(ctx context.Context, paymentID string, amount int64) (Refund, error) {
	ref, hook, err := e.refund(paymentID, amount)
	if err != nil {
		return Refund{}, err
	}
	e.send(ctx, []webhook{hook})
	return ref, nil
}

// refund records a refund and returns it with its webhook, not sent.
func (e *Emulator) refund(paymentID string, amount int64) (Refund, webhook, error) {
	var ref Refund
	var hook webhook
	if err := e.open(); err != nil {
		return ref, hook, err
	}
	_, err := e.update(paymentID, func(r *record) error {
		cp := *r
		p := cp.payment(paymentID)
		if p == nil {
			return fmt.Errorf("%w: payment %q", ErrNotFound, paymentID)
		}
		if p.Status != "settled" && p.Status != "refunded" {
			return fmt.Errorf("%w: payment is %s", ErrState, p.Status)
		}
		left := p.Amount - p.Refunded
		if amount == 0 {
			amount = left
		}
		if amount <= 0 || amount > left {
			return fmt.Errorf("%w: %d of %d refundable", ErrState, amount, left)
		}
		now := e.now()
		ref = Refund{ID: e.childID('r', cp.Order.ID), PaymentID: p.ID, Status: "refunded", Amount: amount, Created: now}
		p.Refunds = append(slices.Clip(p.Refunds), ref)
		p.Refunded += amount
		if p.Refunded == p.Amount {
			p.Status = "refunded"
		}
		p.Updated = now
		var refunded int64
		for _, q := range cp.Payments {
			refunded += q.Refunded
		}
		if o := &cp.Order; refunded >= o.AmountPaid && emulator.Move(o.State, StateRefunded) == nil {
			o.State = StateRefunded
		}
		hook = webhook{orderID: cp.Order.ID, callback: cp.Order.Callback,
			body: StatusUpdate{Refund: true, OrderID: cp.Order.ID, Reference: cp.Order.Reference,
				ID: ref.ID, Status: ref.Status, Amount: ref.Amount, Currency: p.Currency, Time: now}.Body()}
		*r = cp
		return nil
	})
	return ref, hook, err
}

func (e *Emulator) statusHook(r *record, p *Payment) webhook {
	o := &r.Order
	return webhook{orderID: o.ID, callback: o.Callback, body: StatusUpdate{OrderID: o.ID, Reference: o.Reference,
		ID: p.ID, Status: p.Status, Amount: p.Amount, Currency: p.Currency, Time: e.now()}.Body()}
}

func (e *Emulator) snapshotHook(r *record) webhook {
	o := &r.Order
	s := OrderSnapshot{ID: o.ID, Reference: o.Reference, Source: o.Source, Amount: o.Amount,
		AmountPaid: o.AmountPaid, Currency: o.Currency, Status: o.Status, Created: o.Created,
		Updated: o.Updated, MerchantData: o.MerchantData}
	for _, l := range r.Links {
		ls := LinkSnapshot{ID: l.ID, Name: l.Name, PayerName: l.PayerName, PayerEmail: l.PayerEmail,
			Created: l.Created, Updated: o.Updated}
		for _, p := range r.Payments {
			if p.LinkID != l.ID {
				continue
			}
			ls.Payments = append(ls.Payments, PaymentSnapshot{ID: p.ID, Method: p.Method, Status: p.Status,
				Purpose: first(l.Purpose, l.Name), Country: first(l.Country, "LT"), Currency: p.Currency,
				Amount: p.Amount, Created: p.Created, Updated: p.Updated})
		}
		s.Links = append(s.Links, ls)
	}
	return webhook{orderID: o.ID, callback: o.Callback, body: s.Body()}
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
