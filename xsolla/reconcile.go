package xsolla

import (
	"context"
	"fmt"
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
	// Handler must be the options your webhook handler was built with
	// ([Client.HandlerWith]): a reconciled payment runs through the same
	// checks (CheckAmount) and hooks.
	Handler HandlerOptions
}

// Reconciler finds payments whose webhook never arrived (or was refused)
// by asking Xsolla's transaction reports and fulfils them through the
// handler's path. Build it with [Client.Reconciler]; it is safe for
// concurrent use.
type Reconciler struct {
	c   *Client
	run *reconcile.Runner
}

// Reconciler returns a reconciler for c's project that runs every
// transaction it finds done or refunded through the same hooks, the same
// [Client.IdempotencyKey] and the same hooks.Store as the handler built
// with [Client.HandlerWith](hooks, opts.Handler): a payment fulfilled by
// reconciliation is answered from the Store when its payment (or
// order_paid) webhook comes late — hooks.Event does not run again — and
// one whose webhook came first is reported as already fulfilled.
// hooks.Store must be the Store the handler uses: a nil Store is refused,
// since each handler would get its own in-memory store and a polled
// payment and its webhook could each fulfil once. The client needs the
// merchant API ([Config.MerchantID], [Config.APIKey]).
func (c *Client) Reconciler(hooks paykit.Hooks, opts ReconcilerOptions) (*Reconciler, error) {
	if hooks.Store == nil {
		return nil, fmt.Errorf("xsolla: %w", reconcile.ErrNoStore)
	}
	if err := c.needMerchantAPI(); err != nil {
		return nil, err
	}
	h := callback.New(c.engine(hooks, opts.Handler))
	return &Reconciler{c: c, run: reconcile.New(paykit.Xsolla, c.Account(), opts.ReconcilerOptions, h.Deliver)}, nil
}

// Reconcile asks Xsolla about your orders — the external_id you gave the
// token ([TokenRequest].ExternalID) — one transaction search each, and
// delivers every transaction found done (as its *[Payment]) or refunded
// (as its *[Refund]) through the handler's path. The report has an entry
// per transaction of this project, in the order given (several for an
// order the buyer tried to pay more than once): fulfilled now, already
// fulfilled, pending (created, processing, review, error, canceled,
// awaitingRefund; Summary.Status pending or failed), or failed; an order
// with no transaction is unknown.
//
// A partially refunded transaction is delivered as its payment: Xsolla's
// reports name no id per partial refund, so a polled partial refund could
// not share its webhook's key and might be processed twice. Partial
// refunds reach you only through their webhook.
//
// The error is ctx's when it ended the run early, or an empty reference's.
func (r *Reconciler) Reconcile(ctx context.Context, externalIDs ...string) (paykit.Reconciliation, error) {
	jobs := make([]reconcile.Job, len(externalIDs))
	for i, ref := range externalIDs {
		if ref == "" {
			return paykit.Reconciliation{}, bad("external_id", "empty")
		}
		jobs[i] = reconcile.Job{Refs: []string{ref}, Look: func(ctx context.Context) ([]reconcile.Item, error) {
			recs, err := r.c.TransactionsByExternalID(ctx, ref)
			if err != nil {
				return nil, err
			}
			items := r.items(ref, recs)
			if len(items) == 0 {
				items = []reconcile.Item{{Ref: ref, Found: paykit.FoundUnknown}}
			}
			return items, nil
		}}
	}
	return r.run.Run(ctx, jobs)
}

// windowPage is how many records one search of ReconcileWindow asks for.
const windowPage = 100

// ReconcileWindow searches the project's transactions from from to to
// ([Client.FindTransactions], paged) and handles each like
// [Reconciler.Reconcile]; each entry's Ref is the transaction id. A zero
// to leaves the window open (up to now): Xsolla's datetime_to has whole
// seconds, so time.Now() as to would miss the payments of the current
// second.
func (r *Reconciler) ReconcileWindow(ctx context.Context, from, to time.Time) (paykit.Reconciliation, error) {
	if !to.IsZero() && to.Before(from) {
		return paykit.Reconciliation{}, bad("datetime_to", "before datetime_from")
	}
	var jobs []reconcile.Job
	for offset := 0; ; {
		if err := r.run.Limit.Wait(ctx); err != nil {
			return paykit.Reconciliation{}, err
		}
		page, err := r.c.FindTransactions(ctx, TransactionQuery{From: from, To: to, Offset: offset, Limit: windowPage})
		if err != nil {
			return paykit.Reconciliation{}, err
		}
		if len(page) == 0 {
			break
		}
		offset += len(page)
		for _, it := range r.items("", page) {
			jobs = append(jobs, reconcile.Found(it))
		}
	}
	return r.run.Run(ctx, jobs)
}

// items turns the records of this project into what to deliver or
// report; ref "" names each by its transaction id.
func (r *Reconciler) items(ref string, recs []TransactionRecord) []reconcile.Item {
	var items []reconcile.Item
	for _, rec := range recs {
		id, ok := canonicalID(rec.Transaction.ID)
		if pid, _ := canonicalID(rec.Transaction.Project.ID); !ok || pid != r.c.project {
			continue // not a transaction of this project
		}
		it := reconcile.Item{Ref: ref}
		if ref == "" {
			it.Ref = id
		}
		if rec.Transaction.Status == "partiallyRefunded" {
			rec.Transaction.Status = "done" // see Reconcile: the payment, keyed like its webhook
		}
		if n, ok := rec.Notification(); ok {
			it.Notification = n
		} else {
			it.Found, it.Summary = paykit.FoundPending, pendingSummary(id, rec)
		}
		items = append(items, it)
	}
	return items
}

// pendingSummary describes a transaction that is not settled.
func pendingSummary(id string, rec TransactionRecord) paykit.Summary {
	s := paykit.Summary{Provider: paykit.Xsolla, Type: rec.Transaction.Status, Kind: paykit.KindPayment,
		Status: paykit.StatusPending, ID: id, OrderID: string(rec.Transaction.ExternalID),
		UserID: string(rec.User.ID), Test: bool(rec.Transaction.DryRun)}
	switch rec.Transaction.Status {
	case "error", "canceled":
		s.Status = paykit.StatusFailed
	}
	return s
}

// Loop reconciles the orders pending returns (their external ids) every
// interval, the first time at once, until ctx is done, handing each
// report to report (which may be nil), and returns ctx's error. Start it
// once, e.g.
//
//	go rec.Loop(ctx, 5*time.Minute, shop.PendingXsollaOrders, logReport)
//
// report gets pending's error (that round is skipped) or Reconcile's.
// A round with no pending order makes no call; a run never overlaps the
// previous one.
func (r *Reconciler) Loop(ctx context.Context, every time.Duration,
	pending func(ctx context.Context) ([]string, error), report func(paykit.Reconciliation, error)) error {
	return reconcile.Loop(ctx, every, pending, r.Reconcile, report)
}
