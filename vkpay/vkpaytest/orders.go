package vkpaytest

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"

	"github.com/paykit-go/paykit/vkpay"
)

// Order returns a snapshot of an order.
func (e *Emulator) Order(id int64) (Order, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.orders[id]
	if !ok {
		return Order{}, false
	}
	return *o, true
}

// Orders returns snapshots of every order, oldest first.
func (e *Emulator) Orders() []Order {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Order, 0, len(e.orders))
	for _, o := range e.orders {
		out = append(out, *o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Open does what VK does when a mini app calls VKWebAppShowOrderBox for
// item: it asks the merchant with get_item and, on a valid answer, returns
// the open order the buyer sees. userID 0 means Options.UserID. A refusal
// returns the declined order and an error matching [ErrDeclined].
func (e *Emulator) Open(ctx context.Context, item string, userID int64) (Order, error) {
	if userID == 0 {
		userID = e.opts.UserID
	}
	e.mu.Lock()
	e.nextID++
	id := e.nextID
	o := &Order{ID: id, UserID: userID, Item: item, State: OrderOpen, Created: e.opts.Now()}
	e.orders[id] = o
	e.mu.Unlock()

	res := e.send(ctx, e.signer.GetItem(item, userID, id, e.opts.Lang))
	e.mu.Lock()
	defer e.mu.Unlock()
	if res.outcome != outcomeOK {
		o.State, o.LastError = OrderDeclined, res.msg
		return *o, fmt.Errorf("%w: get_item: %s", ErrDeclined, res.msg)
	}
	var r struct {
		Title      string `json:"title"`
		Price      int64  `json:"price"`
		ItemID     string `json:"item_id"`
		PhotoURL   string `json:"photo_url"`
		Discount   int64  `json:"discount"`
		Expiration int64  `json:"expiration"`
	}
	if err := json.Unmarshal(res.response, &r); err != nil || r.Title == "" || r.Price <= 0 {
		o.State, o.LastError = OrderDeclined, "get_item answer lacks title or price"
		return *o, fmt.Errorf("%w: get_item answer lacks title or price", ErrBadAnswer)
	}
	o.Title, o.Price, o.ItemID, o.PhotoURL, o.Discount, o.Expiration = r.Title, r.Price, r.ItemID, r.PhotoURL, r.Discount, r.Expiration
	return *o, nil
}

// Confirm does what VK does when the buyer pays: it sends
// order_status_change with status chargeable. The returned order is
// charged, declined (error matching [ErrDeclined]), or pending when the
// answer was missing or temporary — then it is resent on the schedule in
// the background (see [Emulator.Idle]).
func (e *Emulator) Confirm(ctx context.Context, orderID int64) (Order, error) {
	return e.orderChange(ctx, orderID, vkpay.OrderChargeable)
}

// Cancel does what VK does when the buyer closes the purchase window: the
// open order is cancelled and nothing is sent.
func (e *Emulator) Cancel(orderID int64) (Order, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.orders[orderID]
	if !ok {
		return Order{}, ErrNotFound
	}
	if o.State != OrderOpen {
		return *o, ErrState
	}
	o.State = OrderCancelled
	return *o, nil
}

// Refund refunds a charged order: order_status_change with status
// refunded, resent like Confirm.
func (e *Emulator) Refund(ctx context.Context, orderID int64) (Order, error) {
	return e.orderChange(ctx, orderID, vkpay.OrderRefunded)
}

// Buy is Open followed by Confirm.
func (e *Emulator) Buy(ctx context.Context, item string, userID int64) (Order, error) {
	o, err := e.Open(ctx, item, userID)
	if err != nil {
		return o, err
	}
	return e.Confirm(ctx, o.ID)
}

func (e *Emulator) orderChange(ctx context.Context, id int64, status vkpay.OrderStatus) (Order, error) {
	key := "o:" + strconv.FormatInt(id, 10)
	e.mu.Lock()
	o, ok := e.orders[id]
	switch {
	case !ok:
		e.mu.Unlock()
		return Order{}, ErrNotFound
	case e.busy[key],
		status == vkpay.OrderChargeable && o.State != OrderOpen,
		status == vkpay.OrderRefunded && o.State != OrderCharged:
		snap := *o
		e.mu.Unlock()
		return snap, ErrState
	}
	params := e.signer.OrderStatusChange(OrderParams{ID: o.ID, UserID: o.UserID, Item: o.Item, ItemID: o.ItemID,
		Title: o.Title, PhotoURL: o.PhotoURL, Price: o.Price, Discount: o.Discount, Date: o.Created}, status)
	o.Attempts = 0
	e.last[id] = params
	e.mu.Unlock()
	j := &job{key: key, params: params, apply: func(e *Emulator, res result) { e.applyOrder(id, status, res) }}
	err := e.deliver(ctx, j)
	snap, _ := e.Order(id)
	return snap, err
}

// applyOrder records the outcome of an order status change; e.mu is held.
func (e *Emulator) applyOrder(id int64, status vkpay.OrderStatus, res result) {
	o := e.orders[id]
	o.Attempts++
	o.LastError = res.msg
	if res.outcome == outcomeOK {
		var r struct {
			OrderID    int64 `json:"order_id"`
			AppOrderID int64 `json:"app_order_id"`
		}
		if err := json.Unmarshal(res.response, &r); err != nil || r.OrderID != id {
			res = result{outcome: outcomeRetry, msg: "answer does not echo order_id"}
			o.LastError = res.msg
		} else {
			o.AppOrderID = r.AppOrderID
		}
	}
	refund := status == vkpay.OrderRefunded
	switch res.outcome {
	case outcomeOK:
		o.State = OrderCharged
		if refund {
			o.State = OrderRefunded
		}
	case outcomeCritical:
		o.State = OrderDeclined
		if refund {
			// The refund happened at VK whatever the merchant says.
			o.State = OrderRefunded
		}
	case outcomeRetry:
		o.State = OrderPending
		if refund {
			o.State = OrderRefundPending
		}
	case outcomeGiveUp:
		o.State = OrderFailed
	}
}
