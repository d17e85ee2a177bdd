package playvisiontest

import (
	"context"
	"errors"
	"time"
)

// State is an emulated order's state.
type State string

// The states of an emulated order.
const (
	// StateOpen: the dialog shows the item; the buyer has not confirmed.
	StateOpen State = "open"
	// StateDelivering: confirmed; order_status_change not yet answered
	// with status 1, resends are scheduled.
	StateDelivering State = "delivering"
	// StateDelivered: the app answered status 1.
	StateDelivered State = "delivered"
	// StateFailed: resends exhausted (or could not be scheduled).
	StateFailed State = "failed"
	// StateCanceled: the buyer closed the dialog.
	StateCanceled State = "canceled"
)

// Order is an emulated purchase.
type Order struct {
	TransactionID int64
	UserID        int64
	// Item is what payment.window was called with.
	Item string
	// ItemID, Title, PhotoURL and Price are the app's get_item answer.
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

// OpenWindow does what the payment.window call does: it checks the token,
// asks the app with get_item and, when the app answers with an item,
// opens an order the buyer can confirm. An app that refuses or answers
// badly gives an error describing the answer.
func (e *Emulator) OpenWindow(ctx context.Context, userID int64, item, token string) (Order, error) {
	if userID <= 0 {
		return Order{}, errors.New("playvisiontest: user_id must be positive")
	}
	if item == "" || len([]rune(item)) > 64 {
		return Order{}, errors.New("playvisiontest: item must have 1 to 64 characters")
	}
	if token != e.Token(userID) {
		return Order{}, ErrToken
	}
	params := GetItem{AppID: e.opts.AppID, UserID: userID, Item: item, Test: e.opts.Test}.Params()
	d := e.send(ctx, params)
	if d.Err != nil {
		return Order{}, d.Err
	}
	ans, err := parseItem(d.Body)
	if err != nil {
		return Order{}, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	o := &Order{
		TransactionID: e.nextID, UserID: userID, Item: item,
		ItemID: ans.id, Title: ans.title, PhotoURL: ans.photo, Price: ans.price,
		Test: e.opts.Test, State: StateOpen, Created: e.now(), ReturnURL: e.opts.ReturnURL,
	}
	e.nextID++
	e.orders[o.TransactionID] = o
	e.order = append(e.order, o.TransactionID)
	e.notifyLocked()
	return *o, nil
}

// Confirm is the buyer pressing "Pay": it sends order_status_change once
// and, unless the app answered status 1, schedules resends. It returns the
// order after the first delivery.
func (e *Emulator) Confirm(ctx context.Context, id int64) (Order, error) {
	e.mu.Lock()
	o, ok := e.orders[id]
	switch {
	case !ok:
		e.mu.Unlock()
		return Order{}, ErrNotFound
	case o.State != StateOpen:
		e.mu.Unlock()
		return *o, ErrState
	}
	o.State = StateDelivering
	o.Time = e.now()
	e.notifyLocked()
	e.mu.Unlock()

	if d := e.deliver(ctx, id); !d.OK {
		e.scheduleResends(id)
	}
	o2, _ := e.Order(id)
	return o2, nil
}

// Cancel is the buyer closing the dialog of an open order.
func (e *Emulator) Cancel(id int64) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.orders[id]
	if !ok {
		return ErrNotFound
	}
	if o.State != StateOpen {
		return ErrState
	}
	o.State = StateCanceled
	e.notifyLocked()
	return nil
}

// Resend sends the order_status_change of a confirmed order once more, at
// once and with the same signed parameters, as a platform retry or
// duplicate would, and returns the app's answer. A delivered order stays
// delivered whatever the answer. It fails with ErrNotFound, or ErrState
// for an open or canceled order.
func (e *Emulator) Resend(ctx context.Context, id int64) (Delivery, error) {
	e.mu.Lock()
	o, ok := e.orders[id]
	var st State
	if ok {
		st = o.State
	}
	e.mu.Unlock()
	switch {
	case !ok:
		return Delivery{}, ErrNotFound
	case st == StateOpen || st == StateCanceled:
		return Delivery{}, ErrState
	}
	return e.deliver(ctx, id), nil
}

// Order returns a copy of the order with transaction id id.
func (e *Emulator) Order(id int64) (Order, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.orders[id]
	if !ok {
		return Order{}, false
	}
	return *o, true
}

// Orders returns copies of all orders, oldest first.
func (e *Emulator) Orders() []Order {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Order, 0, len(e.order))
	for _, id := range e.order {
		out = append(out, *e.orders[id])
	}
	return out
}

// Wait blocks until the order is delivered, failed or canceled, or ctx
// ends, and returns it.
func (e *Emulator) Wait(ctx context.Context, id int64) (Order, error) {
	for {
		e.mu.Lock()
		o, ok := e.orders[id]
		if !ok {
			e.mu.Unlock()
			return Order{}, ErrNotFound
		}
		cp, ch := *o, e.changed
		e.mu.Unlock()
		if cp.State == StateDelivered || cp.State == StateFailed || cp.State == StateCanceled {
			return cp, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return cp, ctx.Err()
		}
	}
}

// notifyLocked wakes every Wait.
func (e *Emulator) notifyLocked() {
	close(e.changed)
	e.changed = make(chan struct{})
}

func (e *Emulator) setState(id int64, s State) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if o := e.orders[id]; o != nil && o.State == StateDelivering {
		o.State = s
		e.notifyLocked()
	}
}
