// Package deliverytest checks that a provider's handler reports every
// delivery to [paykit.Hooks].Observer exactly once, with a record that
// agrees with the reply the provider got. Each provider's tests give it
// their own signed requests; it serves them in order and checks.
package deliverytest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/paykit-go/paykit"
)

// Recorder is an Observer that keeps every delivery.
type Recorder struct {
	mu  sync.Mutex
	got []paykit.Delivery
}

// Observe keeps d.
func (r *Recorder) Observe(_ context.Context, d paykit.Delivery) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, d)
}

// Take returns the deliveries kept since the last Take.
func (r *Recorder) Take() []paykit.Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	got := r.got
	r.got = nil
	return got
}

// IDs of the notifications whose Event [Event] fails: FailID for good,
// RetryID temporarily. Each provider's test signs one of each.
const (
	FailID  = "7001"
	RetryID = "7002"
)

// ErrEvent is what [Event] returns for FailID.
var ErrEvent = errors.New("deliverytest: fulfilment failed")

// Event is an Event hook that fails for FailID, asks for a retry for
// RetryID and accepts every other notification.
func Event(_ context.Context, n paykit.Notification) error {
	switch n.Summary().ID {
	case FailID:
		return ErrEvent
	case RetryID:
		return paykit.Temporary(ErrEvent)
	}
	return nil
}

// Case is one delivery and the record it must produce.
type Case struct {
	Name         string
	Request      func() *http.Request
	Verification paykit.Verification
	Outcome      paykit.Outcome
	// Keyed: the delivery is fulfilled under an idempotency key.
	Keyed bool
	// Replayed: its reply comes from the Store.
	Replayed bool
}

// Check serves each case in order through h, whose Hooks.Observer is rec,
// and checks that each produced exactly one record, of provider p, that
// agrees with the case and with the reply written.
func Check(t *testing.T, p paykit.Provider, h http.Handler, rec *Recorder, cases []Case) {
	t.Helper()
	rec.Take()
	for _, c := range cases {
		r := c.Request()
		var read bytes.Buffer
		if r.Body != nil {
			r.Body = struct {
				io.Reader
				io.Closer
			}{io.TeeReader(r.Body, &read), r.Body}
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		got := rec.Take()
		if len(got) != 1 {
			t.Errorf("%s: %d records, want exactly 1", c.Name, len(got))
			continue
		}
		d := got[0]
		check := func(ok bool, what string, args ...any) {
			if !ok {
				t.Errorf("%s: "+what, append([]any{c.Name}, args...)...)
			}
		}
		check(d.Provider == p, "provider %q, want %q", d.Provider, p)
		check(d.Account != "", "no account")
		check(len(d.ID) == 32, "id %q", d.ID)
		check(d.Verification == c.Verification, "verification %q, want %q", d.Verification, c.Verification)
		check(d.Outcome == c.Outcome, "outcome %q, want %q (error %q)", d.Outcome, c.Outcome, d.Error)
		check((d.Key != "") == c.Keyed, "key %q, keyed want %t", d.Key, c.Keyed)
		check(d.Replayed == c.Replayed, "replayed %t, want %t", d.Replayed, c.Replayed)
		check(d.Method == r.Method && d.Path == r.URL.Path && d.Query == r.URL.RawQuery, "request line %s %s?%s", d.Method, d.Path, d.Query)
		check(d.ReplyStatus == w.Code, "reply status %d, the provider got %d", d.ReplyStatus, w.Code)
		check(string(d.ReplyBody) == w.Body.String(), "reply body %q, the provider got %q", d.ReplyBody, w.Body.String())
		check(d.ReplyContentType == w.Header().Get("Content-Type"), "reply content type %q, the provider got %q", d.ReplyContentType, w.Header().Get("Content-Type"))
		check((d.Outcome == paykit.OutcomeOK) == (d.Error == ""), "error %q with outcome %q", d.Error, d.Outcome)
		check((d.Verification == paykit.Verified) == (d.Notification != nil), "notification %v with verification %q", d.Notification, d.Verification)
		switch {
		case d.Verification == paykit.NotVerifiedTooLarge, d.Verification == paykit.NotVerifiedMethod, r.Method == http.MethodGet:
			check(d.Body == nil, "body %.40q kept", d.Body)
		default:
			check(bytes.Equal(d.Body, read.Bytes()), "body %.40q, sent %.40q", d.Body, read.Bytes())
		}
	}
}

// Oversized returns a POST of a body over every handler's default cap.
func Oversized() *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/callback", strings.NewReader("x="+strings.Repeat("a", 70<<10)))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}
