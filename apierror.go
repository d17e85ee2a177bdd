package paykit

import (
	"fmt"
	"net/http"
	"strconv"
)

// APIError is the error every provider's outbound client returns when the
// provider's API answers with an error: an HTTP status of 400 or more, or
// an error envelope in a 200 reply. It matches [ErrAPI] with errors.Is;
// [IsTemporary] reports true for it when [APIError.Temporary] does, so a
// hook that returns it has the provider retry.
//
// Body is the raw reply with every credential the request carried (keys,
// passwords, signatures, Basic and Bearer credentials) replaced by
// "[redacted]", so it is safe to log even when a server or proxy echoes
// the request.
type APIError struct {
	// Provider is the provider whose API answered.
	Provider Provider
	// StatusCode is the HTTP status of the reply.
	StatusCode int
	// Code is the provider's own error code, as text ("" when none).
	Code string
	// Message is the provider's error message ("" when none).
	Message string
	// Body is the raw reply, credentials redacted.
	Body []byte
	// Retryable is set by the client for replies the provider documents
	// as retryable beyond 429 and 5xx (for example VK's "too many
	// requests per second" in a 200 reply).
	Retryable bool
}

// Error describes the failure without echoing the body.
func (e *APIError) Error() string {
	s := "paykit: " + string(e.Provider) + " API error"
	if e.StatusCode != 0 {
		s += " (HTTP " + strconv.Itoa(e.StatusCode) + ")"
	}
	if e.Code != "" {
		s += fmt.Sprintf(": code %s", e.Code)
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Is makes an APIError match [ErrAPI].
func (e *APIError) Is(target error) bool { return target == ErrAPI }

// Temporary reports whether the same call may succeed later: HTTP 429,
// any 5xx, or a reply the client marked Retryable.
func (e *APIError) Temporary() bool {
	return e.Retryable || e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500
}
