package playvisiontest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/paykit-go/paykit/internal/emulator"
)

// State is an emulated order's state, the same in every kit.
type State = emulator.State

// The states of a Playvision order: open while the dialog shows the item;
// pending once the buyer paid and order_status_change is not yet
// answered with status 1 (resends are scheduled); paid once the app
// answered status 1; failed when resends were exhausted; canceled when
// the buyer closed the dialog.
const (
	StateOpen     = emulator.StateOpen
	StatePending  = emulator.StatePending
	StatePaid     = emulator.StatePaid
	StateFailed   = emulator.StateFailed
	StateCanceled = emulator.StateCanceled
)

// Delivery records one notification the emulator sent and the app's
// answer; the same shape in every kit. Its Request is the signed form
// body.
type Delivery = emulator.Delivery

// Order is an emulated purchase.
type Order struct {
	TransactionID int64
	UserID        int64
	// Item is what payment.window was called with.
	Item string
	// ItemID, Title, PhotoURL and Price (PlayGold) are the app's get_item
	// answer.
	ItemID, Title, PhotoURL string
	Price                   int64
	Test                    bool
	State                   State
	Created                 time.Time
	// Attempts counts order_status_change deliveries.
	Attempts int
	// LastReply is the app's last answer body (at most 1 KiB), LastError
	// what was wrong with it ("" when it was status 1).
	LastReply, LastError string
	// Time is the "time" sent in order_status_change.
	Time time.Time
	// ReturnURL is where the dialog sends the buyer back to
	// (Options.ReturnURL or payment.window's return_url); "" for none.
	ReturnURL string
}

// Open does what the payment.window call does: it checks the token, asks
// the app with get_item and, when the app answers with an item, opens an
// order the buyer can pay. An app that refuses or answers badly gives an
// error describing the answer.
func (e *Emulator) Open(ctx context.Context, userID int64, item, token string) (Order, error) {
	if userID <= 0 {
		return Order{}, errors.New("playvisiontest: user_id must be positive")
	}
	if item == "" || len([]rune(item)) > 64 {
		return Order{}, errors.New("playvisiontest: item must have 1 to 64 characters")
	}
	if token != e.Token(userID) {
		return Order{}, ErrToken
	}
	e.mu.Lock()
	id := e.nextID
	e.nextID++
	e.mu.Unlock()
	m := e.message(id, GetItem{AppID: e.opts.AppID, UserID: userID, Item: item, Test: e.opts.Test}.Params())
	m.Once, m.Judge = true, emulator.Judge2xx
	d, err := e.engine.Send(ctx, m)
	switch {
	case err != nil:
		return Order{}, err
	case d.Status == 0:
		return Order{}, fmt.Errorf("playvisiontest: get_item not delivered: %s", d.Err)
	}
	ans, err := parseItem([]byte(d.Reply))
	if err != nil {
		return Order{}, err
	}
	o := Order{
		TransactionID: id, UserID: userID, Item: item,
		ItemID: ans.id, Title: ans.title, PhotoURL: ans.photo, Price: ans.price,
		Test: e.opts.Test, State: StateOpen, Created: e.now(), ReturnURL: e.opts.ReturnURL,
	}
	e.orders.Add(id, o)
	return o, nil
}

// Pay is the buyer pressing "Pay": it sends order_status_change once and,
// unless the app answered status 1, resends it on the schedule. It returns
// the order after the first delivery: paid, or pending.
func (e *Emulator) Pay(ctx context.Context, id int64) (Order, error) {
	o, err := e.orders.Update(id, func(o *Order) error {
		if o.State != StateOpen {
			return fmt.Errorf("%w: the order is %s", ErrState, o.State)
		}
		o.State, o.Time = StatePending, e.now()
		return nil
	})
	if err != nil {
		return o, err
	}
	m := e.message(id, OrderStatusChange{
		UserID: o.UserID, SID: e.opts.SID, TransactionID: o.TransactionID,
		Sum: o.Price, ItemID: o.ItemID, Time: o.Time, Test: o.Test, Extra: e.opts.Extra,
	}.Params())
	m.Update = func(_ context.Context, d Delivery) { e.apply(id, d) }
	if _, err := e.engine.Send(ctx, m); err != nil {
		return o, err
	}
	o, _ = e.orders.Get(id)
	return o, nil
}

// apply records one delivery of an order's order_status_change.
func (e *Emulator) apply(id int64, d Delivery) {
	_, _ = e.orders.Update(id, func(o *Order) error {
		o.Attempts++
		o.LastReply = d.Reply[:min(len(d.Reply), 1024)]
		o.LastError = d.Err
		switch d.Outcome {
		case emulator.Delivered, emulator.Dropped:
			o.State = StatePaid
		case emulator.GaveUp:
			o.State = StateFailed
		}
		return nil
	})
}

// Cancel is the buyer closing the dialog of an open order; nothing is
// sent.
func (e *Emulator) Cancel(_ context.Context, id int64) (Order, error) {
	return emulator.Advance(e.orders, id, func(o *Order) *State { return &o.State }, StateOpen, StateCanceled)
}

// Resend sends a recorded delivery once more, at once and with the same
// signed parameters, as a platform duplicate would, and returns the app's
// answer. It changes no order. Errors: ErrNotFound for an unknown
// delivery id, ErrClosed.
func (e *Emulator) Resend(ctx context.Context, deliveryID string) (Delivery, error) {
	return e.engine.Resend(ctx, deliveryID)
}

// Wait returns when no order_status_change is being delivered or waiting
// for a resend ("quiet"), or with ctx's error.
func (e *Emulator) Wait(ctx context.Context) error { return e.engine.Wait(ctx) }

// Deliveries returns every notification sent (get_item included), oldest
// first; the newest 10,000 are kept.
func (e *Emulator) Deliveries() []Delivery { return e.engine.Deliveries() }

// Order returns a copy of the order with transaction id id.
func (e *Emulator) Order(id int64) (Order, bool) { return e.orders.Get(id) }

// Orders returns copies of the orders kept (Options.MaxOrders), oldest
// first.
func (e *Emulator) Orders() []Order { return e.orders.List() }

// message is a signed notification about order id for the engine.
func (e *Emulator) message(id int64, params url.Values) emulator.Message {
	return emulator.Message{
		OrderID: strconv.FormatInt(id, 10), Event: params.Get("notification_type"), URL: e.opts.CallbackURL,
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=UTF-8"}},
		Body:   []byte(e.signer.Body(params)),
	}
}

// judge reads an order_status_change answer: delivered only for status 1
// (string or number).
func judge(_ int, body []byte) emulator.Verdict {
	if err := parseStatus(body); err != nil {
		return emulator.Verdict{Outcome: emulator.Retrying, Why: err.Error()}
	}
	return emulator.Verdict{Outcome: emulator.Delivered}
}
