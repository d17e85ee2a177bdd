package vkpaytest

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/paykit-go/paykit/internal/emulator"
	"github.com/paykit-go/paykit/vkpay"
)

// Order returns a snapshot of an order.
func (e *Emulator) Order(id int64) (Order, bool) { return e.orders.Get(id) }

// Orders returns snapshots of the orders kept (Options.MaxOrders), oldest
// first.
func (e *Emulator) Orders() []Order { return e.orders.List() }

// Open does what VK does when a mini app calls VKWebAppShowOrderBox for
// item: it asks the merchant with get_item and, on a valid answer, returns
// the open order the buyer sees. userID 0 means Options.UserID. A refusal
// returns the declined order and an error matching [ErrDeclined].
func (e *Emulator) Open(ctx context.Context, item string, userID int64) (Order, error) {
	if userID == 0 {
		userID = e.opts.UserID
	}
	id := e.newID()
	e.orders.Add(id, Order{ID: id, UserID: userID, Item: item, State: StateOpen, Created: e.opts.Now()})
	m := e.message(id, e.signer.GetItem(item, userID, id, e.opts.Lang))
	m.Once = true
	d, err := e.engine.Send(ctx, m)
	if err != nil {
		return Order{}, err
	}
	var r struct {
		Title      string `json:"title"`
		Price      int64  `json:"price"`
		ItemID     string `json:"item_id"`
		PhotoURL   string `json:"photo_url"`
		Discount   int64  `json:"discount"`
		Expiration int64  `json:"expiration"`
	}
	if d.OK() {
		if err := json.Unmarshal(response(d.Reply), &r); err != nil || r.Title == "" || r.Price <= 0 {
			d.Err = "get_item answer lacks title or price"
		}
	}
	o, _ := e.orders.Update(id, func(o *Order) error {
		if d.Err != "" {
			o.State, o.LastError = StateDeclined, d.Err
			return nil
		}
		o.Title, o.Price, o.ItemID, o.PhotoURL, o.Discount, o.Expiration = r.Title, r.Price, r.ItemID, r.PhotoURL, r.Discount, r.Expiration
		return nil
	})
	switch {
	case d.OK() && d.Err != "":
		return o, fmt.Errorf("%w: %s", ErrBadAnswer, d.Err)
	case !d.OK():
		return o, fmt.Errorf("%w: get_item: %s", ErrDeclined, d.Err)
	}
	return o, nil
}

// Pay does what VK does when the buyer pays: it sends
// order_status_change with status chargeable. The returned order is paid,
// declined (error matching [ErrDeclined]), or pending when the answer was
// missing or temporary — then it is resent on the schedule in the
// background (see [Emulator.Wait]).
func (e *Emulator) Pay(ctx context.Context, id int64) (Order, error) {
	return e.orderChange(ctx, id, vkpay.OrderChargeable)
}

// Cancel does what VK does when the buyer closes the purchase window: the
// open order is canceled and nothing is sent.
func (e *Emulator) Cancel(_ context.Context, id int64) (Order, error) {
	return emulator.Advance(e.orders, id, stateOf, StateOpen, StateCanceled)
}

func stateOf(o *Order) *State { return &o.State }

// Refund refunds a paid order: order_status_change with status refunded,
// resent like Pay.
func (e *Emulator) Refund(ctx context.Context, id int64) (Order, error) {
	return e.orderChange(ctx, id, vkpay.OrderRefunded)
}

func (e *Emulator) orderChange(ctx context.Context, id int64, status vkpay.OrderStatus) (Order, error) {
	from, to := StateOpen, StatePending
	if status == vkpay.OrderRefunded {
		from, to = StatePaid, StateRefunding
	}
	o, err := e.orders.Update(id, func(o *Order) error {
		if o.State != from {
			return fmt.Errorf("%w: the order is %s", ErrState, o.State)
		}
		o.State, o.Attempts, o.LastError = to, 0, ""
		return nil
	})
	if err != nil {
		return o, err
	}
	m := e.message(id, e.signer.OrderStatusChange(OrderParams{ID: o.ID, UserID: o.UserID, Item: o.Item, ItemID: o.ItemID,
		Title: o.Title, PhotoURL: o.PhotoURL, Price: o.Price, Discount: o.Discount, Date: o.Created}, status))
	m.Judge = judgeOrder(id)
	m.Update = func(_ context.Context, d Delivery) { e.applyOrder(id, status, d) }
	d, err := e.engine.Send(ctx, m)
	if err != nil {
		return o, err
	}
	o, _ = e.orders.Get(id)
	if d.Outcome == emulator.Refused {
		return o, fmt.Errorf("%w: %s", ErrDeclined, d.Err)
	}
	return o, nil
}

// applyOrder records the outcome of one delivery of a status change.
func (e *Emulator) applyOrder(id int64, status vkpay.OrderStatus, d Delivery) {
	refund := status == vkpay.OrderRefunded
	_, _ = e.orders.Update(id, func(o *Order) error {
		o.Attempts++
		o.LastError = d.Err
		switch d.Outcome {
		case emulator.Delivered, emulator.Dropped:
			var r struct {
				AppOrderID int64 `json:"app_order_id"`
			}
			_ = json.Unmarshal(response(d.Reply), &r)
			o.AppOrderID = r.AppOrderID
			o.State = pick(refund, StateRefunded, StatePaid)
		case emulator.Refused:
			// A refund happened at VK whatever the merchant says.
			o.State = pick(refund, StateRefunded, StateDeclined)
		case emulator.GaveUp:
			o.State = pick(refund, StateRefunded, StateFailed)
		}
		return nil
	})
}

func pick(refund bool, ifRefund, otherwise State) State {
	if refund {
		return ifRefund
	}
	return otherwise
}
