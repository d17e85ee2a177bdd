package paykit

import (
	"context"
	"errors"
	"fmt"

	"github.com/paykit-go/paykit/internal/errs"
)

// Errors returned by the provider packages. Every error from a ParseCallback
// matches one of the first six with [errors.Is]; request builders return
// errors that match [ErrInvalidRequest]. No error text ever contains a
// secret, a password or an expected signature.
var (
	// ErrMissingSignature: the callback carries no signature.
	ErrMissingSignature = errs.ErrMissingSignature
	// ErrInvalidSignature: the signature does not verify with any
	// configured secret or key.
	ErrInvalidSignature = errs.ErrInvalidSignature
	// ErrMalformed: the body or a field cannot be parsed (including
	// duplicate form keys and missing required fields).
	ErrMalformed = errs.ErrMalformed
	// ErrUnknownType: the notification verified but its type is not one
	// this package knows.
	ErrUnknownType = errs.ErrUnknownType
	// ErrWrongAccount: the notification verified but names another
	// project, app or merchant than the configured one.
	ErrWrongAccount = errs.ErrWrongAccount
	// ErrBodyTooLarge: the request body exceeds the configured cap.
	ErrBodyTooLarge = errs.ErrBodyTooLarge
	// ErrInvalidRequest: a request builder was given invalid input; the
	// error is a *[FieldError] naming the field.
	ErrInvalidRequest = errs.ErrInvalidRequest
)

// Errors returned by hooks; handlers translate them into the provider's
// "unknown item" or "unknown user" answer.
var (
	ErrUnknownItem = errs.ErrUnknownItem
	ErrUnknownUser = errs.ErrUnknownUser
)

// ErrAPI matches every [*APIError]: a provider's API answered a call with
// an error.
var ErrAPI = errs.ErrAPI

// ErrInProgress is returned by a [Store] when another delivery of the same
// key is being fulfilled elsewhere (another replica) and this one should be
// retried later. It is temporary: [IsTemporary] reports true for it.
var ErrInProgress = errs.ErrInProgress

type temporaryError struct{ err error }

func (e temporaryError) Error() string { return e.err.Error() }
func (e temporaryError) Unwrap() error { return e.err }

// Temporary marks a hook error as retryable: the handler answers so that the
// provider delivers the notification again later. Temporary(nil) is nil.
func Temporary(err error) error {
	if err == nil {
		return nil
	}
	return temporaryError{err}
}

// IsTemporary reports whether err was marked with [Temporary], is
// [ErrInProgress], is a context deadline (a hook that ran out of time
// should be retried, not refused), or is an [*APIError] whose Temporary
// method reports true.
func IsTemporary(err error) bool {
	var t temporaryError
	var api *APIError
	return errors.As(err, &t) || errors.Is(err, ErrInProgress) ||
		errors.Is(err, context.DeadlineExceeded) ||
		(errors.As(err, &api) && api.Temporary())
}

// FieldError is a validation error of a request builder. It matches
// [ErrInvalidRequest] with errors.Is.
type FieldError struct {
	// Field is the provider's name of the parameter, e.g. "orderid".
	Field string
	// Reason says what is wrong, without echoing secrets.
	Reason string
}

// Error names the field and the reason; it never echoes a secret.
func (e *FieldError) Error() string {
	return fmt.Sprintf("paykit: invalid request: %s: %s", e.Field, e.Reason)
}

// Is makes a FieldError match [ErrInvalidRequest].
func (e *FieldError) Is(target error) bool { return target == ErrInvalidRequest }
