// Package reconcile is the provider-neutral runner behind every provider's
// Reconciler: it looks payments up through the provider's API with bounded
// concurrency and a rate limit between calls, delivers each settled one
// through the callback engine's [callback.Handler.Deliver] (the same key,
// Store and hooks as its callback), and reports what it found.
package reconcile

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/paykit-go/paykit"
)

// ErrNoStore is returned by a provider's Reconciler constructor for hooks
// without a Store.
var ErrNoStore = errors.New("hooks.Store is nil: a reconciler must share the callback handler's Store, " +
	"or a payment found by polling and its late callback would each fulfil once (twice in all)")

// Defaults of [paykit.ReconcilerOptions].
const (
	DefaultConcurrency = 4
	DefaultMinInterval = 200 * time.Millisecond
)

// Item is one payment a lookup found, or a reference it did not find.
type Item struct {
	// Ref is the reference the entry reports on.
	Ref string
	// Notification is the settled payment to deliver; nil when there is
	// nothing to fulfil (then Found says pending or unknown).
	Notification paykit.Notification
	// Found is FoundPending or FoundUnknown when Notification is nil.
	Found paykit.Found
	// Summary describes a pending payment (ignored with a Notification,
	// whose Summary is used).
	Summary paykit.Summary
}

// Job is one call to the provider's API for one or more references.
type Job struct {
	// Refs are the references the call is about; a failed call gives each
	// a failed entry.
	Refs []string
	// Look makes the call.
	Look func(ctx context.Context) ([]Item, error)
	// NoCall says that Look calls no API (what it returns was found
	// already, e.g. by a time window's listing): the limiter is skipped.
	NoCall bool
}

// Found is the job of delivering an item already found.
func Found(it Item) Job {
	return Job{Refs: []string{it.Ref}, NoCall: true,
		Look: func(context.Context) ([]Item, error) { return []Item{it}, nil }}
}

// Runner runs jobs. Deliver is the handler's [callback.Handler.Deliver].
type Runner struct {
	Provider    paykit.Provider
	Account     string
	Concurrency int
	Limit       *Limiter
	Deliver     func(ctx context.Context, n paykit.Notification) (replayed bool, err error)
}

// New returns a Runner with the options' defaults applied.
func New(p paykit.Provider, account string, o paykit.ReconcilerOptions,
	deliver func(context.Context, paykit.Notification) (bool, error)) *Runner {
	c := o.Concurrency
	if c <= 0 {
		c = DefaultConcurrency
	}
	gap := o.MinInterval
	if gap == 0 {
		gap = DefaultMinInterval
	}
	return &Runner{Provider: p, Account: account, Concurrency: c, Limit: NewLimiter(gap), Deliver: deliver}
}

// Run runs every job, at most Concurrency at once, each provider call
// after the limiter lets it, and returns the report with the entries in
// job order. A job not started when ctx is done fails with ctx's error;
// Run's error is ctx's error then, else nil.
func (r *Runner) Run(ctx context.Context, jobs []Job) (paykit.Reconciliation, error) {
	rep := paykit.Reconciliation{Provider: r.Provider, Account: r.Account, Started: time.Now()}
	out := make([][]paykit.Reconciled, len(jobs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(r.Concurrency, len(jobs)) { // no worker for no job
		wg.Go(func() {
			for i := range next {
				out[i] = r.job(ctx, jobs[i])
			}
		})
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, es := range out {
		rep.Entries = append(rep.Entries, es...)
	}
	rep.Finished = time.Now()
	return rep, ctx.Err()
}

// job looks one job up and delivers what it found.
func (r *Runner) job(ctx context.Context, j Job) []paykit.Reconciled {
	items, err := r.look(ctx, j)
	if err != nil {
		es := make([]paykit.Reconciled, len(j.Refs))
		for i, ref := range j.Refs {
			es[i] = paykit.Reconciled{Ref: ref, Found: paykit.FoundFailed, Err: err}
		}
		return es
	}
	es := make([]paykit.Reconciled, len(items))
	for i, it := range items {
		es[i] = r.deliver(ctx, it)
	}
	return es
}

func (r *Runner) look(ctx context.Context, j Job) ([]Item, error) {
	if j.NoCall {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	} else if err := r.Limit.Wait(ctx); err != nil {
		return nil, err
	}
	return j.Look(ctx)
}

// deliver runs a settled item through the handler's path.
func (r *Runner) deliver(ctx context.Context, it Item) paykit.Reconciled {
	if it.Notification == nil {
		return paykit.Reconciled{Ref: it.Ref, Found: it.Found, Summary: it.Summary}
	}
	e := paykit.Reconciled{Ref: it.Ref, Summary: it.Notification.Summary(), Notification: it.Notification}
	if err := ctx.Err(); err != nil {
		e.Found, e.Err = paykit.FoundFailed, err
		return e
	}
	replayed, err := r.Deliver(ctx, it.Notification)
	switch {
	case err != nil:
		e.Found, e.Err = paykit.FoundFailed, err
	case replayed:
		e.Found = paykit.FoundAlreadyFulfilled
	default:
		e.Found = paykit.FoundFulfilled
	}
	return e
}

// Loop is every provider's Reconciler.Loop: every interval (the first
// time at once) it asks pending for the references still unsettled and,
// unless there are none, reconciles them, handing the report to report
// (which may be nil). pending's error is reported instead and that round
// is skipped. It returns ctx's error; see [Every] for the schedule.
func Loop[Ref any](ctx context.Context, every time.Duration,
	pending func(ctx context.Context) ([]Ref, error),
	reconcile func(ctx context.Context, refs ...Ref) (paykit.Reconciliation, error),
	report func(paykit.Reconciliation, error)) error {
	return Every(ctx, every, func(ctx context.Context) {
		refs, err := pending(ctx)
		if err == nil && len(refs) == 0 {
			return
		}
		var rep paykit.Reconciliation
		if err == nil {
			rep, err = reconcile(ctx, refs...)
		}
		if report != nil {
			report(rep, err)
		}
	})
}

// Every calls once every interval until ctx is done, the first time at
// once, and returns ctx's error. A run is never started while the last
// one is still going, nor once ctx is done: when the interval has passed
// by the time ctx ends, the select below could pick either, so the
// context is looked at before each run. An interval <= 0 is an error.
func Every(ctx context.Context, every time.Duration, once func(ctx context.Context)) error {
	if every <= 0 {
		return errors.New("reconcile: the loop's interval must be positive")
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		once(ctx)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
