package callback_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/callback"
)

// recorder is an Observer that keeps every delivery with the context it
// was told in.
type recorder struct {
	mu   sync.Mutex
	got  []paykit.Delivery
	ctxs []context.Context
}

func (r *recorder) Observe(ctx context.Context, d paykit.Delivery) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, d)
	r.ctxs = append(r.ctxs, ctx)
}

func (r *recorder) take(t *testing.T) paykit.Delivery {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	require.Len(t, r.got, 1, "exactly one record per delivery")
	d := r.got[0]
	r.got = r.got[:0]
	return d
}

type ctxKey struct{}

func TestObserver_OneRecordPerDeliveryWhateverItsFate(t *testing.T) {
	errBoom := errors.New("boom")
	f := &fake{answer: func(_ context.Context, n paykit.Notification) ([]byte, error) {
		switch n.(note).id {
		case "fail":
			return nil, errBoom
		case "later":
			return nil, paykit.Temporary(errBoom)
		case "item":
			return nil, paykit.ErrUnknownItem
		}
		return []byte("ok " + n.(note).id), nil
	}}
	rec := &recorder{}
	h := callback.New(f, callback.Settings{Provider: paykit.VKPay, Account: "app:1",
		Methods: []string{http.MethodPost, http.MethodGet}, Headers: []string{"X-Signature"},
		Options: paykit.HandlerOptions{MaxBodyBytes: 16}, Observer: rec})

	tests := []struct {
		name, method, target, body string
		verification               paykit.Verification
		outcome                    paykit.Outcome
		key                        string
		replayed                   bool
		status                     int
	}{
		{"accepted", "POST", "/cb", "id=1", paykit.Verified, paykit.OutcomeOK, "k:1", false, 200},
		{"duplicate", "POST", "/cb", "id=1", paykit.Verified, paykit.OutcomeOK, "k:1", true, 200},
		{"answered afresh", "GET", "/cb?q=7", "", paykit.Verified, paykit.OutcomeOK, "", false, 200},
		{"bad signature", "POST", "/cb", "sig=bad", paykit.NotVerifiedInvalidSignature, paykit.OutcomeRejected, "", false, 400 + int(callback.InvalidSignature)},
		{"malformed", "POST", "/cb", "what", paykit.NotVerifiedMalformed, paykit.OutcomeRejected, "", false, 400 + int(callback.Malformed)},
		{"over the cap", "POST", "/cb", "id=" + strings.Repeat("9", 20), paykit.NotVerifiedTooLarge, paykit.OutcomeRejected, "", false, 400 + int(callback.TooLarge)},
		{"another method", "PUT", "/cb", "id=1", paykit.NotVerifiedMethod, paykit.OutcomeRejected, "", false, 405},
		{"hook fails", "POST", "/cb", "id=fail", paykit.Verified, paykit.OutcomeFailed, "k:fail", false, 400 + int(callback.Failed)},
		{"hook asks for a retry", "POST", "/cb", "id=later", paykit.Verified, paykit.OutcomeRetry, "k:later", false, 400 + int(callback.Retry)},
		{"hook refuses", "POST", "/cb", "id=item", paykit.Verified, paykit.OutcomeRejected, "k:item", false, 400 + int(callback.Rejected)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("X-Signature", "s")
			r.Header.Set("Cookie", "session=secret")
			r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, "request value"))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			d := rec.take(t)

			assert.Len(t, d.ID, 32)
			assert.Equal(t, paykit.VKPay, d.Provider)
			assert.Equal(t, "app:1", d.Account)
			assert.Equal(t, tt.method, d.Method)
			assert.Equal(t, "/cb", d.Path)
			assert.Equal(t, r.URL.RawQuery, d.Query)
			assert.Equal(t, r.RemoteAddr, d.RemoteAddr)
			assert.False(t, d.ReceivedAt.IsZero())
			assert.Positive(t, d.Duration)
			assert.Equal(t, tt.verification, d.Verification)
			assert.Equal(t, tt.outcome, d.Outcome)
			assert.Equal(t, tt.key, d.Key)
			assert.Equal(t, tt.replayed, d.Replayed)
			assert.Equal(t, http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "X-Signature": {"s"}}, d.Header,
				"only the headers that matter to the provider")

			// The record's reply is what the provider got, whole.
			assert.Equal(t, tt.status, w.Code)
			assert.Equal(t, w.Code, d.ReplyStatus)
			assert.Equal(t, w.Body.String(), string(d.ReplyBody))
			assert.Equal(t, w.Header().Get("Content-Type"), d.ReplyContentType)
			assert.Equal(t, fmt.Sprint(w.Body.Len()), w.Header().Get("Content-Length"))
			assert.True(t, w.Flushed, "the reply is out before the observer runs")

			switch {
			case tt.verification == paykit.NotVerifiedTooLarge:
				assert.Nil(t, d.Body, "a body over the cap is not kept")
			case tt.method == "GET":
				assert.Nil(t, d.Body, "a GET's input is its query")
			case tt.verification == paykit.NotVerifiedMethod:
				assert.Nil(t, d.Body, "nothing is read for another method")
			default:
				assert.Equal(t, tt.body, string(d.Body))
			}
			if tt.verification == paykit.Verified {
				require.NotNil(t, d.Notification)
				assert.Equal(t, d.Notification.Summary(), d.Summary)
			} else {
				assert.Nil(t, d.Notification)
				assert.Zero(t, d.Summary)
			}
			if tt.outcome == paykit.OutcomeOK {
				assert.Empty(t, d.Error)
			} else {
				assert.NotEmpty(t, d.Error)
			}

			rec.mu.Lock()
			ctx := rec.ctxs[len(rec.ctxs)-1]
			rec.mu.Unlock()
			assert.Equal(t, "request value", ctx.Value(ctxKey{}), "the observer gets the request's values")
			assert.NoError(t, ctx.Err(), "and a context that is not cancelled")
		})
	}
}

// A listed header the request does not carry is left out of the record,
// not kept as an empty entry: a journal read back, or a Run again, must
// not invent a header the provider never sent.
func TestObserver_AbsentListedHeadersAreNotRecorded(t *testing.T) {
	rec := &recorder{}
	h := callback.New(&fake{}, callback.Settings{Methods: []string{http.MethodPost},
		Headers: []string{"X-Signature", "Authorization"}, Observer: rec})

	r := httptest.NewRequest(http.MethodPost, "/cb", strings.NewReader("id=1"))
	r.Header.Set("X-Signature", "s")
	h.ServeHTTP(httptest.NewRecorder(), r)
	assert.Equal(t, http.Header{"X-Signature": {"s"}}, rec.take(t).Header, "only the listed headers sent")

	r = httptest.NewRequest(http.MethodPost, "/cb", strings.NewReader("id=2"))
	h.ServeHTTP(httptest.NewRecorder(), r)
	assert.Nil(t, rec.take(t).Header, "no listed header sent, no header map")
}

func TestObserver_TemporaryParseFailureIsUnavailable(t *testing.T) {
	rec := &recorder{}
	h := callback.New(&fake{parseErr: paykit.Temporary(errors.New("key download failed"))},
		callback.Settings{Methods: []string{http.MethodPost}, Observer: rec})
	post(h, "id=1")
	d := rec.take(t)
	assert.Equal(t, paykit.NotVerifiedUnavailable, d.Verification)
	assert.Equal(t, paykit.OutcomeRetry, d.Outcome)
	assert.Nil(t, d.Verification.Err())
}

func TestObserver_RunAgainIsLinkedToTheOriginal(t *testing.T) {
	rec := &recorder{}
	h := callback.New(&fake{}, callback.Settings{Methods: []string{http.MethodPost}, Observer: rec})
	r := httptest.NewRequest(http.MethodPost, "/cb", strings.NewReader("id=1"))
	h.ServeHTTP(httptest.NewRecorder(), r.WithContext(callback.WithRunOf(r.Context(), "0123")))
	assert.Equal(t, "0123", rec.take(t).RunOf)
	post(h, "id=2")
	assert.Empty(t, rec.take(t).RunOf)
}

func TestObserver_ErrorTextIsRedacted(t *testing.T) {
	rec := &recorder{}
	f := &fake{answer: func(context.Context, paykit.Notification) ([]byte, error) {
		return nil, errors.New(`upstream echoed "Authorization: Basic bWVyY2hhbnQ6c2VjcmV0LWNhbmFyeQ==" and secret-canary`)
	}}
	h := callback.New(f, callback.Settings{Methods: []string{http.MethodPost}, Observer: rec,
		Secrets: []string{"secret-canary", "bWVyY2hhbnQ6c2VjcmV0LWNhbmFyeQ=="}})
	post(h, "id=1")
	d := rec.take(t)
	assert.NotContains(t, d.Error, "bWVyY2hhbnQ6c2VjcmV0LWNhbmFyeQ")
	assert.NotContains(t, d.Error, "secret-canary")
	assert.Contains(t, d.Error, "upstream echoed")
}

func TestObserver_EachDeliveryHasItsOwnID(t *testing.T) {
	rec := &recorder{}
	h := callback.New(&fake{}, callback.Settings{Methods: []string{http.MethodPost}, Observer: rec})
	seen := map[string]bool{}
	for i := range 100 {
		post(h, fmt.Sprintf("id=%d", i%3))
		d := rec.take(t)
		assert.False(t, seen[d.ID], "IDs are unique")
		seen[d.ID] = true
	}
}

func TestObserver_NoneWritesNoContentLength(t *testing.T) {
	// Without an observer the reply is written as before: nothing extra.
	w := post(callback.New(&fake{}, callback.Settings{Methods: []string{http.MethodPost}}), "id=1")
	assert.Equal(t, 200, w.Code)
	assert.Empty(t, w.Header().Get("Content-Length"))
	assert.False(t, w.Flushed)
}
