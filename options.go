package paykit

import (
	"net/http"
	"time"
)

// HandlerOptions are the settings every provider's handler shares. Each
// provider package's own HandlerOptions embeds it beside that provider's
// extras; the zero value gives the documented defaults.
type HandlerOptions struct {
	// MaxBodyBytes caps a delivery's body (or query string); a larger one
	// is refused with [ErrBodyTooLarge], never truncated. 0 means 64 KiB,
	// far above any notification of the four providers.
	MaxBodyBytes int64
	// HookTimeout is how long hooks may run for one delivery. 0 means the
	// provider's reply timeout (the ReplyTimeout constant of its package)
	// less a margin of a fifth, at least 500 ms, for writing the reply. A
	// hook that runs out of time is answered so that the provider retries.
	HookTimeout time.Duration
	// ErrorLog, when set, is told why a delivery was not acknowledged: a
	// refused signature, a malformed body, a hook error. The error never
	// contains a secret.
	ErrorLog func(r *http.Request, err error)
}
