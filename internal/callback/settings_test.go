package callback_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/callback"
)

// With no HookTimeout configured, hooks get the provider's budget: a live
// context with a deadline, not one that has already expired.
func TestHandler_ZeroHookTimeoutGivesHooksALiveContext(t *testing.T) {
	for _, reply := range []time.Duration{0, 10 * time.Second} {
		errs := make(chan error, 1)
		f := &fake{answer: func(ctx context.Context, _ paykit.Notification) ([]byte, error) {
			_, ok := ctx.Deadline()
			require.True(t, ok, "hooks always run under a deadline")
			errs <- ctx.Err()
			return []byte("ok"), nil
		}}
		h := callback.New(f, callback.Settings{Methods: []string{http.MethodPost}, ReplyTimeout: reply})
		w := post(h, "id=1")
		assert.Equal(t, http.StatusOK, w.Code, reply)
		assert.NoError(t, <-errs, "ReplyTimeout %v: the hook's context is alive", reply)
	}
}

// The budget is the reply timeout less its margin while that leaves
// something; at exactly the 500 ms margin nothing is left, so hooks get
// the whole timeout rather than none.
func TestHookBudget_AtExactlyTheMargin(t *testing.T) {
	assert.Equal(t, 500*time.Millisecond, callback.HookBudget(500*time.Millisecond))
	assert.Equal(t, time.Millisecond, callback.HookBudget(501*time.Millisecond))
	assert.Equal(t, 499*time.Millisecond, callback.HookBudget(499*time.Millisecond))
}

// json is a fake protocol whose replies carry their own content type, or
// none.
type typed struct {
	fake
	contentType string
}

func (p *typed) Success(_ paykit.Notification, body []byte) callback.Reply {
	return callback.Reply{Status: http.StatusOK, ContentType: p.contentType, Body: body}
}

// The reply's content type is written as the protocol gives it; an empty
// one sets no Content-Type header of the engine's own.
func TestHandler_WritesTheProtocolsContentType(t *testing.T) {
	p := &typed{contentType: "application/json"}
	h := callback.New(p, callback.Settings{Methods: []string{http.MethodPost}})
	w := post(h, "id=1")
	assert.Equal(t, []string{"application/json"}, w.Header().Values("Content-Type"))

	p = &typed{}
	h = callback.New(p, callback.Settings{Methods: []string{http.MethodPost}})
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/cb", strings.NewReader("id=2")))
	assert.Equal(t, "ok 2", w.Body.String())
	assert.NotContains(t, w.Header(), "Content-Type", "no header of the engine's own")
}

// The failure classes start at 1: the zero Class is no class at all, so a
// Class left unset is never mistaken for a real outcome.
func TestClass_ZeroIsNoClass(t *testing.T) {
	classes := []callback.Class{callback.TooLarge, callback.MissingSignature, callback.InvalidSignature,
		callback.WrongAccount, callback.UnknownType, callback.Malformed, callback.Rejected, callback.Retry, callback.Failed}
	for i, c := range classes {
		assert.Equal(t, callback.Class(i+1), c)
	}
}
