package paykit

import "time"

// Found is what reconciliation learnt about one payment: whether the
// provider knows it and, when it is settled, whether the merchant's
// fulfilment ran now or had already run.
type Found string

// The states of a [Reconciled] entry.
const (
	// FoundFulfilled: the provider reports the payment settled (paid or
	// refunded) and its callback had not been fulfilled; Hooks.Event ran
	// now, under the callback's idempotency key, so the late callback will
	// be answered from the Store.
	FoundFulfilled Found = "fulfilled"
	// FoundAlreadyFulfilled: settled, and its key was already fulfilled
	// (the callback came, or an earlier reconciliation found it);
	// Hooks.Event did not run again.
	FoundAlreadyFulfilled Found = "already_fulfilled"
	// FoundPending: the provider knows the payment but it is not settled
	// (created, processing, declined, cancelled before payment): nothing
	// to fulfil yet.
	FoundPending Found = "pending"
	// FoundUnknown: the provider knows no payment for the reference.
	FoundUnknown Found = "unknown"
	// FoundFailed: the lookup or the fulfilment failed; Err says why.
	// A failed fulfilment is not remembered by the Store, so the next
	// reconciliation or the provider's retry runs it again.
	FoundFailed Found = "failed"
)

// Reconciled is one entry of a [Reconciliation]: one payment (or one
// reference the provider knows nothing of).
type Reconciled struct {
	// Ref is the reference asked about: the merchant's order id or the
	// provider's id, as given to the reconciler; for a time window, the
	// provider's id of the payment found.
	Ref string
	// Found is what was found.
	Found Found
	// Summary describes the notification delivered (fulfilled, already
	// fulfilled), or what is known of a pending payment (at least
	// Provider and ID); zero for unknown references and failed lookups.
	Summary Summary
	// Notification is the notification delivered through the handler's
	// path, the same type its callback produces; nil when none was.
	Notification Notification
	// Err is why the entry failed; nil otherwise. It never contains a
	// secret.
	Err error
}

// Reconciliation is the report of one reconciliation run: what each
// reference turned out to be. Entries keep the order of the references
// (a reference the provider answers with several payments has several
// entries, in the provider's order).
type Reconciliation struct {
	Provider Provider
	// Account is the reconciling client's account (project, app).
	Account string
	// Started and Finished bound the run.
	Started, Finished time.Time
	Entries           []Reconciled
}

// Count returns how many entries were found in state f.
func (r Reconciliation) Count(f Found) int {
	n := 0
	for _, e := range r.Entries {
		if e.Found == f {
			n++
		}
	}
	return n
}

// ReconcilerOptions are the settings every provider's reconciler shares.
// Each provider package's ReconcilerOptions embeds it; the zero value
// gives the documented defaults.
type ReconcilerOptions struct {
	// Concurrency bounds how many references are looked up and delivered
	// at once. 0 means 4.
	Concurrency int
	// MinInterval is the least time between the starts of two calls to
	// the provider's API, across all workers, to stay under its rate
	// limit. 0 means 200 ms (at most 5 calls a second); a negative value
	// means no limit.
	MinInterval time.Duration
}
