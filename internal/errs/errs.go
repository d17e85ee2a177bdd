// Package errs holds paykit's sentinel errors at the bottom of the import
// graph, so that package signature and the internal helpers can return
// errors that match the root package's sentinels without importing it. The
// root package re-exports every value here under its documented name.
package errs

import "errors"

// The sentinels; see the root package for what each means.
var (
	ErrMissingSignature = errors.New("paykit: missing signature")
	ErrInvalidSignature = errors.New("paykit: invalid signature")
	ErrMalformed        = errors.New("paykit: malformed callback")
	ErrUnknownType      = errors.New("paykit: unknown notification type")
	ErrWrongAccount     = errors.New("paykit: notification for another account")
	ErrBodyTooLarge     = errors.New("paykit: body too large")
	ErrInvalidRequest   = errors.New("paykit: invalid request")
	ErrUnknownItem      = errors.New("paykit: unknown item")
	ErrUnknownUser      = errors.New("paykit: unknown user")
	ErrInProgress       = errors.New("paykit: delivery already in progress")
	ErrAPI              = errors.New("paykit: provider API error")
)
