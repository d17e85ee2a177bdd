package vkpay

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/callback"
	"github.com/paykit-go/paykit/internal/reconcile"
)

// ReconcilerOptions configures [Client.Reconciler].
type ReconcilerOptions struct {
	// ReconcilerOptions are the options every provider's reconciler
	// shares: concurrency and the least interval between API calls.
	paykit.ReconcilerOptions
	// Handler must be the options your callback handler was built with
	// ([Client.HandlerWith]): a reconciled order is answered by the same
	// code (OrderReply, Refund), and the stored answer is what its late
	// notification gets.
	Handler HandlerOptions
	// TestMode looks up test orders (payment testers'), which VK keeps
	// apart from production ones.
	TestMode bool
}

// Reconciler finds orders whose order_status_change never arrived (or was
// not answered) by asking VK (orders.getById, orders.get) and fulfils them
// through the handler's path. Build it with [Client.Reconciler]; it is
// safe for concurrent use.
type Reconciler struct {
	c    *Client
	test bool
	run  *reconcile.Runner
}

// Reconciler returns a reconciler for c's orders that runs every order it
// finds paid or refunded through the same hooks, the same
// [Client.IdempotencyKey] and the same hooks.Store as the handler built
// with [Client.HandlerWith](hooks, opts.Handler): an order fulfilled by
// reconciliation is answered from the Store when its notification comes
// late (hooks.Event does not run again), and one whose notification came
// first is reported as already fulfilled. hooks.Store must be the Store
// the handler uses — a nil Store is refused, since each handler would get
// its own in-memory store and a polled order and its notification could
// each fulfil once. The client needs [Config.AccessToken].
func (c *Client) Reconciler(hooks paykit.Hooks, opts ReconcilerOptions) (*Reconciler, error) {
	if hooks.Store == nil {
		return nil, fmt.Errorf("vkpay: %w", reconcile.ErrNoStore)
	}
	if c.token == "" {
		return nil, errors.New("vkpay: reconciliation needs Config.AccessToken (the orders API)")
	}
	h := callback.New(c.engine(hooks, opts.Handler))
	return &Reconciler{c: c, test: opts.TestMode,
		run: reconcile.New(paykit.VKPay, c.Account(), opts.ReconcilerOptions, h.Deliver)}, nil
}

// Reconcile asks VK about the given orders (VK's order ids, as in
// order_status_change; up to [MaxOrdersByID] per API call) and delivers
// each paid (charged, or chargeable: paid but unconfirmed) or refunded one
// through the handler's path. The report has one entry per order id, in
// the order given: fulfilled now, already fulfilled, pending (created,
// declined, cancelled: nothing to fulfil; Summary.Status is pending or
// failed), unknown to VK, or failed. A chargeable order stays chargeable
// at VK until you confirm it with [Client.ChangeOrderState]
// ([OrderCharge]). The error is ctx's when it ended the run early, or a
// bad order id's.
func (r *Reconciler) Reconcile(ctx context.Context, orderIDs ...int64) (paykit.Reconciliation, error) {
	for _, id := range orderIDs {
		if id <= 0 {
			return paykit.Reconciliation{}, &paykit.FieldError{Field: "order_ids", Reason: "must be positive order ids"}
		}
	}
	var jobs []reconcile.Job
	for len(orderIDs) > 0 {
		n := min(len(orderIDs), MaxOrdersByID)
		ids := orderIDs[:n:n]
		orderIDs = orderIDs[n:]
		jobs = append(jobs, r.byID(ids))
	}
	return r.run.Run(ctx, jobs)
}

func (r *Reconciler) byID(ids []int64) reconcile.Job {
	refs := make([]string, len(ids))
	for i, id := range ids {
		refs[i] = strconv.FormatInt(id, 10)
	}
	return reconcile.Job{Refs: refs, Look: func(ctx context.Context) ([]reconcile.Item, error) {
		orders, err := r.c.GetOrdersByID(ctx, OrdersByIDRequest{OrderIDs: ids, TestMode: r.test})
		if err != nil {
			return nil, err
		}
		got := make(map[int64]*Order, len(orders))
		for i := range orders {
			got[orders[i].ID] = &orders[i]
		}
		items := make([]reconcile.Item, len(ids))
		for i, id := range ids {
			if o, ok := got[id]; ok {
				items[i] = item(refs[i], o)
			} else {
				items[i] = reconcile.Item{Ref: refs[i], Found: paykit.FoundUnknown}
			}
		}
		return items, nil
	}}
}

// ReconcileWindow asks VK for the app's orders created from from to to
// (orders.get, newest first, paged by [MaxOrdersCount]) and handles each
// like [Reconciler.Reconcile]; entries are the orders found, newest first.
// A zero to means now. The pages are read one after the other; the
// deliveries share the reconciler's concurrency.
func (r *Reconciler) ReconcileWindow(ctx context.Context, from, to time.Time) (paykit.Reconciliation, error) {
	if !to.IsZero() && to.Before(from) {
		return paykit.Reconciliation{}, &paykit.FieldError{Field: "to", Reason: "before from"}
	}
	var jobs []reconcile.Job
	for offset := 0; ; offset += MaxOrdersCount {
		if err := r.run.Limit.Wait(ctx); err != nil {
			return paykit.Reconciliation{}, err
		}
		page, err := r.c.GetOrders(ctx, OrdersRequest{Offset: offset, Count: MaxOrdersCount, TestMode: r.test})
		if err != nil {
			return paykit.Reconciliation{}, err
		}
		older := false
		for i := range page {
			o := &page[i]
			switch {
			case o.Date.Before(from):
				older = true
			case to.IsZero() || !o.Date.After(to):
				it := item(strconv.FormatInt(o.ID, 10), o)
				jobs = append(jobs, reconcile.Found(it))
			}
		}
		if older || len(page) < MaxOrdersCount {
			break
		}
	}
	return r.run.Run(ctx, jobs)
}

// item is what an order found through the API gives to deliver.
func item(ref string, o *Order) reconcile.Item {
	n, err := o.StatusChange()
	if err == nil {
		return reconcile.Item{Ref: ref, Notification: n}
	}
	s := paykit.Summary{Provider: paykit.VKPay, Type: string(o.Status), Kind: paykit.KindPayment,
		Status: paykit.StatusFailed, ID: strconv.FormatInt(o.ID, 10), UserID: strconv.FormatInt(o.UserID, 10),
		Amount: paykit.Money{Amount: o.Amount}, Test: o.Test}
	if o.Status == OrderStateCreated {
		s.Status = paykit.StatusPending
	}
	return reconcile.Item{Ref: ref, Found: paykit.FoundPending, Summary: s}
}

// Loop reconciles the orders pending returns every interval (the first
// time at once) until ctx is done, handing each report to report (which
// may be nil), and returns ctx's error. Start it once, e.g.
//
//	go rec.Loop(ctx, 5*time.Minute, shop.PendingVKOrders, logReport)
//
// report gets pending's error (that round is skipped) or Reconcile's.
// A round with no pending order makes no call; a run never overlaps the
// previous one.
func (r *Reconciler) Loop(ctx context.Context, every time.Duration,
	pending func(ctx context.Context) ([]int64, error), report func(paykit.Reconciliation, error)) error {
	return reconcile.Loop(ctx, every, pending, r.Reconcile, report)
}
