package paykit

import (
	"context"
	"net/http"
	"time"
)

// Delivery is one request to a provider's callback handler and what the
// handler answered: the exact bytes received and sent, how verification
// went, what the hooks did. Every handler reports each delivery exactly
// once, after its reply is written, to [Hooks].Observer — accepted,
// refused, failed, replayed and over-cap requests alike.
//
// A Delivery never holds a secret: bodies are what the provider sent (no
// merchant secret is in them), error texts never contain one, and only the
// headers that matter to the provider are kept. Bodies do hold payers'
// personal data (names, emails, phone numbers); a [Journal] keeps them for a
// bounded time and takes a redaction function.
type Delivery struct {
	// ID identifies the delivery: 16 random bytes in hex, assigned when it
	// is received, shared by every observer (log line, span, journal).
	ID string
	// RunOf is the ID of the delivery this one runs again (the journal
	// page's "Run again"), else "".
	RunOf string
	// Reconciled is true for a notification found by asking the
	// provider's API (reconciliation) rather than delivered by the
	// provider: it has no request and no reply, only its outcome.
	Reconciled bool

	// Provider and Account are the handler's: the account (project, app,
	// merchant) that verified the delivery, or the handler's only account.
	Provider Provider
	Account  string

	ReceivedAt time.Time
	// Duration is from receipt to the reply written.
	Duration time.Duration

	// The request: the peer's address as net/http reports it, the method,
	// the URL path and raw query, the headers that matter to the provider
	// (content type, signature headers), and the raw body (nil for a GET,
	// whose input is the query, and for a body over the cap, which is not
	// kept).
	RemoteAddr string
	Method     string
	Path       string
	Query      string
	Header     http.Header
	Body       []byte

	// Verification is how verification went: [Verified] or why not.
	Verification Verification
	// Type and Summary describe the notification when it verified: the
	// provider's own type and the provider-neutral summary.
	Type    string
	Summary Summary
	// Notification is the verified notification, for observers in the
	// same process; nil when it did not verify. Journals do not keep it.
	Notification Notification

	// Outcome is what came of the delivery, and Error why it was not
	// acknowledged ("" when it was): a verification or hook error's text.
	Outcome Outcome
	Error   string

	// The reply written: status, content type and body.
	ReplyStatus      int
	ReplyContentType string
	ReplyBody        []byte

	// Key is the idempotency key the event was fulfilled under ("" for a
	// delivery that changes nothing — an item request, a user check — or
	// did not verify), and Replayed is true when its reply came from the
	// [Store] without running Event: a duplicate.
	Key      string
	Replayed bool
}

// Verification is how a delivery's verification went.
type Verification string

// The verifications. All but Verified name the root sentinel that refused
// the delivery; see [Verification.Err].
const (
	Verified Verification = "verified"
	// NotVerifiedMethod: an HTTP method the provider does not use; nothing
	// was read.
	NotVerifiedMethod Verification = "method_not_allowed"
	// The sentinels [ErrBodyTooLarge], [ErrMissingSignature],
	// [ErrInvalidSignature], [ErrWrongAccount], [ErrUnknownType] and
	// [ErrMalformed].
	NotVerifiedTooLarge         Verification = "body_too_large"
	NotVerifiedMissingSignature Verification = "missing_signature"
	NotVerifiedInvalidSignature Verification = "invalid_signature"
	NotVerifiedWrongAccount     Verification = "wrong_account"
	NotVerifiedUnknownType      Verification = "unknown_type"
	NotVerifiedMalformed        Verification = "malformed"
	// NotVerifiedUnavailable: verification could not be done now (a
	// provider's public key could not be fetched); the provider retries.
	NotVerifiedUnavailable Verification = "unavailable"
)

// Err returns the root sentinel v stands for (nil for Verified,
// NotVerifiedMethod and NotVerifiedUnavailable), so that a Delivery read
// back from a journal still answers errors.Is.
func (v Verification) Err() error {
	switch v {
	case NotVerifiedTooLarge:
		return ErrBodyTooLarge
	case NotVerifiedMissingSignature:
		return ErrMissingSignature
	case NotVerifiedInvalidSignature:
		return ErrInvalidSignature
	case NotVerifiedWrongAccount:
		return ErrWrongAccount
	case NotVerifiedUnknownType:
		return ErrUnknownType
	case NotVerifiedMalformed:
		return ErrMalformed
	}
	return nil
}

// Outcome is what came of a delivery.
type Outcome string

// The outcomes.
const (
	// OutcomeOK: acknowledged — fulfilled now, replayed from the Store, or
	// answered (an item request, a user check).
	OutcomeOK Outcome = "ok"
	// OutcomeRejected: refused for good — it did not verify, was
	// malformed, or a hook refused it ([ErrUnknownItem],
	// [ErrUnknownUser]).
	OutcomeRejected Outcome = "rejected"
	// OutcomeRetry: answered so that the provider delivers it again — a
	// [Temporary] error, a hook out of time, [ErrInProgress], no Event
	// hook installed.
	OutcomeRetry Outcome = "retry"
	// OutcomeFailed: a hook failed with an error that is not temporary.
	OutcomeFailed Outcome = "failed"
)

// Observer is told of every delivery through any handler, once, after its
// reply is written (see [Hooks].Observer). It runs in the handler's
// goroutine with a context that carries the request's values but is never
// cancelled; the provider already has its reply, so a slow observer delays
// nothing the provider sees, but it does hold the handler: keep it fast, or
// hand the work off.
type Observer interface {
	Observe(ctx context.Context, d Delivery)
}

// ObserverFunc adapts a function to [Observer].
type ObserverFunc func(ctx context.Context, d Delivery)

// Observe calls f.
func (f ObserverFunc) Observe(ctx context.Context, d Delivery) { f(ctx, d) }

// Observers returns an Observer that tells each of obs in turn; nil
// entries are skipped, and with none left it returns nil (nothing to
// observe costs nothing).
func Observers(obs ...Observer) Observer {
	var list multiObserver
	for _, o := range obs {
		if o != nil {
			list = append(list, o)
		}
	}
	switch len(list) {
	case 0:
		return nil
	case 1:
		return list[0]
	}
	return list
}

type multiObserver []Observer

func (m multiObserver) Observe(ctx context.Context, d Delivery) {
	for _, o := range m {
		o.Observe(ctx, d)
	}
}
