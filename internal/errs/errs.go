// Package errs holds paykit's sentinel errors at the bottom of the import
// graph, so that package signature and the internal helpers can return
// errors that match the root package's sentinels without importing it. The
// root package re-exports every value here under its documented name.
package errs

import "errors"

// The sentinels; see the root package for what each means.
var (
	MissingSignature = errors.New("paykit: missing signature")
	InvalidSignature = errors.New("paykit: invalid signature")
	Malformed        = errors.New("paykit: malformed callback")
	UnknownType      = errors.New("paykit: unknown notification type")
	WrongAccount     = errors.New("paykit: notification for another account")
	BodyTooLarge     = errors.New("paykit: body too large")
	InvalidRequest   = errors.New("paykit: invalid request")
	UnknownItem      = errors.New("paykit: unknown item")
	UnknownUser      = errors.New("paykit: unknown user")
	InProgress       = errors.New("paykit: delivery already in progress")
	API              = errors.New("paykit: provider API error")
)
