package checkout

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/callback"
	"github.com/paykit-go/paykit/internal/form"
	"github.com/paykit-go/paykit/internal/reconcile"
)

// ReconcilerOptions configures [Client.Reconciler].
type ReconcilerOptions struct {
	// ReconcilerOptions are the options every provider's reconciler
	// shares: concurrency and the least interval between API calls.
	paykit.ReconcilerOptions
	// Handler must be the options your webhook handler was built with
	// ([Client.HandlerWith]): a reconciled order runs under the same hook
	// deadline and is reported to the same error log.
	Handler HandlerOptions
}

// Reconciler finds orders whose webhook never arrived (or was not
// answered 2xx) by reading them from Paysera (GET order, [Client.GetOrder])
// and fulfils them through the handler's path. Build it with
// [Client.Reconciler]; it is safe for concurrent use.
type Reconciler struct {
	c   *Client
	run *reconcile.Runner
}

// Reconciler returns a reconciler for c's orders that runs every order it
// finds paid through the same hooks, the same [Client.IdempotencyKey] and
// the same hooks.Store as the handler built with [Client.HandlerWith](hooks,
// opts.Handler) — or as an [Accounts] handler of which c is a member: an
// order fulfilled by reconciliation is answered from the Store when its
// webhook comes late (hooks.Event does not run again), and one whose
// webhook came first is reported as already fulfilled. hooks.Store must be
// the Store the handler uses: a nil Store is refused, since each handler
// would get its own in-memory store and a polled order and its webhook
// could each fulfil once.
func (c *Client) Reconciler(hooks paykit.Hooks, opts ReconcilerOptions) (*Reconciler, error) {
	if hooks.Store == nil {
		return nil, fmt.Errorf("checkout: %w", reconcile.ErrNoStore)
	}
	h := callback.New(c.engine(hooks, opts.Handler))
	return &Reconciler{c: c,
		run: reconcile.New(paykit.PayseraCheckout, c.Account(), opts.ReconcilerOptions, h.Deliver)}, nil
}

// Reconcile reads the given orders (Paysera's order ids, Order.ID, as
// [Client.CreateOrder] returned them), one GET each, and delivers each
// order found paid in full as the *[OrderEvent] its
// order/amount_paid_updated webhook carries: the same type, Summary and
// idempotency key (amount paid and status as read), so the late webhook
// is a duplicate. The report has one entry per order id, in the order
// given: fulfilled now, already fulfilled, pending (pending_payment, also
// partly paid; canceled, closed: Summary says which), unknown (GET order
// answers 404), or failed (the token request or the lookup failed: the
// error is a *paykit.APIError with credentials redacted, or a reply about
// another order or project). One generation of Paysera's docs said there
// is no public GET order; the current one lists it "for reconciliation".
// Were it missing for a project, every order would come back unknown or
// failed — never fulfilled.
//
// The delivered event's Test is Config.TestMode, as the webhook's: the
// order snapshot webhook carries no is_test, so a GET reply's is_test is
// kept in Order.Test only. Set Config.TestMode for a project in test mode.
//
// The error is ctx's when it ended the run early, or an empty order id's.
func (r *Reconciler) Reconcile(ctx context.Context, orderIDs ...string) (paykit.Reconciliation, error) {
	jobs := make([]reconcile.Job, len(orderIDs))
	for i, id := range orderIDs {
		if id == "" {
			return paykit.Reconciliation{}, &paykit.FieldError{Field: "order_ids", Reason: "must be Paysera order ids, not empty"}
		}
		jobs[i] = reconcile.Job{Refs: []string{id}, Look: func(ctx context.Context) ([]reconcile.Item, error) {
			// The token first: its endpoint's 404 (a wrong BaseURL) must
			// fail the entry, not report the order unknown.
			if _, err := r.c.accessToken(ctx); err != nil {
				return nil, err
			}
			o, err := r.c.GetOrder(ctx, id)
			var ae *paykit.APIError
			if errors.As(err, &ae) && ae.StatusCode == http.StatusNotFound {
				return []reconcile.Item{{Ref: id, Found: paykit.FoundUnknown}}, nil
			}
			if err != nil {
				return nil, err
			}
			it, err := r.c.orderItem(id, o)
			if err != nil {
				return nil, err
			}
			return []reconcile.Item{it}, nil
		}}
	}
	return r.run.Run(ctx, jobs)
}

// orderItem is what an order read through the API gives to deliver: the
// order snapshot webhook it stands for when the order is paid, else what
// is known of it. A reply about another order or another project, or
// with impossible amounts, is an error: nothing is delivered on it.
func (c *Client) orderItem(ref string, o *Order) (reconcile.Item, error) {
	switch {
	case o.ID == "":
		o.ID = ref // the order asked for; webhooks carry the same id
	case !strings.EqualFold(o.ID, ref):
		return reconcile.Item{}, fmt.Errorf("%w: GET order %s answered about order %s",
			paykit.ErrMalformed, form.Clip(ref), form.Clip(o.ID))
	}
	if o.ProjectID != "" && c.cfg.ProjectID != "" && !strings.EqualFold(o.ProjectID, c.cfg.ProjectID) {
		return reconcile.Item{}, fmt.Errorf("%w: order %s belongs to another project", paykit.ErrWrongAccount, form.Clip(ref))
	}
	if o.Status == "" {
		return reconcile.Item{}, fmt.Errorf("%w: order %s has no status", paykit.ErrMalformed, form.Clip(ref))
	}
	if err := checkMoney(o.Amount, o.AmountPaid, o.Currency); err != nil {
		return reconcile.Item{}, err
	}
	n := &OrderEvent{Event: Event{Type: "order", Name: "amount_paid_updated"}, Order: *o,
		Test: c.cfg.TestMode, Account: c.Account()}
	if o.Paid() {
		return reconcile.Item{Ref: ref, Notification: n}, nil
	}
	return reconcile.Item{Ref: ref, Found: paykit.FoundPending, Summary: n.Summary()}, nil
}

// Loop reconciles the orders pending returns (Paysera order ids) every
// interval, the first time at once, until ctx is done, handing each
// report to report (which may be nil), and returns ctx's error. Start it
// once, e.g.
//
//	go rec.Loop(ctx, 5*time.Minute, shop.PendingPayseraOrders, logReport)
//
// report gets pending's error (that round is skipped) or Reconcile's.
// A round with no pending order makes no call; a run never overlaps the
// previous one.
func (r *Reconciler) Loop(ctx context.Context, every time.Duration,
	pending func(ctx context.Context) ([]string, error), report func(paykit.Reconciliation, error)) error {
	return reconcile.Loop(ctx, every, pending, r.Reconcile, report)
}
