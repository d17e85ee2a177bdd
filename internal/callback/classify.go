package callback

import (
	"context"
	"errors"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/key"
)

// Class is why a delivery was not acknowledged; each provider renders each
// class in its own format.
type Class int

// The failure classes. The first six come from verifying and decoding a
// delivery, the last three from the merchant's hooks.
const (
	// TooLarge: the body is over the cap.
	TooLarge Class = iota + 1
	// MissingSignature: the delivery carries no signature.
	MissingSignature
	// InvalidSignature: the signature does not verify.
	InvalidSignature
	// WrongAccount: it verified but names another account.
	WrongAccount
	// UnknownType: it verified but its type is unknown.
	UnknownType
	// Malformed: the body or a field cannot be parsed.
	Malformed
	// Rejected: a hook refused (unknown item or user): final.
	Rejected
	// Retry: a temporary failure: answer so that the provider retries.
	Retry
	// Failed: a hook failed for good.
	Failed
)

// ClassifyParse maps an error of Protocol.Parse to its class. A temporary
// error (a key that could not be fetched) is Retry, so that nothing is
// lost; an error matching no sentinel is Malformed.
func ClassifyParse(err error) Class {
	switch {
	case paykit.IsTemporary(err):
		return Retry
	case errors.Is(err, paykit.ErrBodyTooLarge):
		return TooLarge
	case errors.Is(err, paykit.ErrMissingSignature):
		return MissingSignature
	case errors.Is(err, paykit.ErrInvalidSignature):
		return InvalidSignature
	case errors.Is(err, paykit.ErrWrongAccount):
		return WrongAccount
	case errors.Is(err, paykit.ErrUnknownType):
		return UnknownType
	default:
		return Malformed
	}
}

// ClassifyHook maps a hook's error to its class, the same way for every
// provider: [paykit.ErrUnknownItem] and [paykit.ErrUnknownUser] are
// Rejected, a [paykit.Temporary] error, [paykit.ErrInProgress] or a
// deadline is Retry, anything else Failed.
func ClassifyHook(err error) Class {
	switch {
	case errors.Is(err, paykit.ErrUnknownItem), errors.Is(err, paykit.ErrUnknownUser):
		return Rejected
	case paykit.IsTemporary(err):
		return Retry
	default:
		return Failed
	}
}

// Errors of hooks that are not configured.
var (
	// ErrNoEvent: Hooks.Event is nil. It is temporary, so the provider
	// keeps the notification until a hook is installed.
	ErrNoEvent = paykit.Temporary(errors.New("paykit: no Event hook configured"))
)

// Event runs hooks.Event, or answers [ErrNoEvent] when it is nil.
func Event(ctx context.Context, hooks paykit.Hooks, n paykit.Notification) error {
	if hooks.Event == nil {
		return ErrNoEvent
	}
	return hooks.Event(ctx, n)
}

// Item runs hooks.Item; a nil hook refuses every item with
// [paykit.ErrUnknownItem].
func Item(ctx context.Context, hooks paykit.Hooks, req paykit.ItemRequest) (paykit.Item, error) {
	if hooks.Item == nil {
		return paykit.Item{}, paykit.ErrUnknownItem
	}
	return hooks.Item(ctx, req)
}

// User runs hooks.User; a nil hook accepts every user.
func User(ctx context.Context, hooks paykit.Hooks, n paykit.Notification) error {
	if hooks.User == nil {
		return nil
	}
	return hooks.User(ctx, n)
}

// KeyParts returns the idempotency-key parts of n under provider and
// account: its Summary's test flag, kind, status and id — what
// paykit.IdempotencyKey builds on. The provider is the handler's own, never
// taken from the notification. A provider adds a Discriminator, or
// replaces a part, where its protocol has more than one event for them.
func KeyParts(provider paykit.Provider, account string, n paykit.Notification) key.Parts {
	s := n.Summary()
	return key.Parts{Provider: string(provider), Account: account, Test: s.Test,
		Kind: string(s.Kind), Status: string(s.Status), ID: s.ID}
}
