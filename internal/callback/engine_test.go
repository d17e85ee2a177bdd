package callback_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/callback"
)

// note is a notification of the fake protocol.
type note struct {
	id    string
	query bool // answered afresh, not stored
}

func (n note) Summary() paykit.Summary {
	return paykit.Summary{Provider: "fake", Kind: paykit.KindPayment, Status: paykit.StatusPaid, ID: n.id}
}

// fake is a Protocol whose body is "id=<id>" (or "q=<id>" for a query),
// "sig=bad" for a bad signature, and anything else is malformed.
type fake struct {
	answer   func(ctx context.Context, n paykit.Notification) ([]byte, error)
	parseErr error
	answers  atomic.Int64
}

func (f *fake) Parse(_ *http.Request, input []byte) (paykit.Notification, error) {
	if f.parseErr != nil {
		return nil, f.parseErr
	}
	s := string(input)
	switch {
	case strings.HasPrefix(s, "id="):
		return note{id: s[3:]}, nil
	case strings.HasPrefix(s, "q="):
		return note{id: s[2:], query: true}, nil
	case s == "sig=bad":
		return nil, fmt.Errorf("%w: near miss", paykit.ErrInvalidSignature)
	}
	return nil, fmt.Errorf("%w: no id", paykit.ErrMalformed)
}

func (f *fake) Key(n paykit.Notification) string {
	if n.(note).query {
		return ""
	}
	return "k:" + n.(note).id
}

func (f *fake) Answer(ctx context.Context, n paykit.Notification) ([]byte, error) {
	f.answers.Add(1)
	if f.answer != nil {
		return f.answer(ctx, n)
	}
	return []byte("ok " + n.(note).id), nil
}

func (f *fake) Success(_ paykit.Notification, body []byte) callback.Reply {
	return callback.Reply{Status: http.StatusOK, ContentType: "text/plain", Body: body}
}

func (f *fake) Failure(c callback.Class, n paykit.Notification, _ error) callback.Reply {
	return callback.Reply{Status: 400 + int(c), ContentType: "text/plain", Body: []byte(fmt.Sprintf("class %d, verified %t", c, n != nil))}
}

func post(h http.Handler, body string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/cb", strings.NewReader(body)))
	return w
}

func TestHandler_OnlyTheProvidersMethods(t *testing.T) {
	f := &fake{}
	var logged []error
	h := callback.New(f, callback.Settings{Methods: []string{http.MethodPost},
		Options: paykit.HandlerOptions{ErrorLog: func(_ *http.Request, err error) { logged = append(logged, err) }}})
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(m, "/cb?id=1", strings.NewReader("id=1")))
		assert.Equal(t, http.StatusMethodNotAllowed, w.Code, m)
		assert.Equal(t, "POST", w.Header().Get("Allow"), m)
	}
	assert.Zero(t, f.answers.Load(), "no other method reaches the hooks")
	assert.Len(t, logged, 4)
}

func TestHandler_GetReadsTheQuery(t *testing.T) {
	f := &fake{}
	h := callback.New(f, callback.Settings{Methods: []string{http.MethodGet, http.MethodPost}})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/cb?id=7", nil))
	assert.Equal(t, "ok 7", w.Body.String())
	// The query of a POST is ignored: only the body counts.
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/cb?id=7", strings.NewReader("id=8")))
	assert.Equal(t, "ok 8", w.Body.String())
}

func TestHandler_FailureClasses(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		parseErr  error
		hookErr   error
		wantClass callback.Class
		verified  bool
	}{
		{"malformed", "junk", nil, nil, callback.Malformed, false},
		{"bad signature", "sig=bad", nil, nil, callback.InvalidSignature, false},
		{"missing signature", "id=1", paykit.ErrMissingSignature, nil, callback.MissingSignature, false},
		{"wrong account", "id=1", paykit.ErrWrongAccount, nil, callback.WrongAccount, false},
		{"unknown type", "id=1", paykit.ErrUnknownType, nil, callback.UnknownType, false},
		{"key not fetched: retry", "id=1", paykit.Temporary(errors.New("no key")), nil, callback.Retry, false},
		{"unknown item", "id=1", nil, paykit.ErrUnknownItem, callback.Rejected, true},
		{"unknown user", "id=1", nil, fmt.Errorf("x: %w", paykit.ErrUnknownUser), callback.Rejected, true},
		{"temporary", "id=1", nil, paykit.Temporary(errors.New("db down")), callback.Retry, true},
		{"in progress", "id=1", nil, paykit.ErrInProgress, callback.Retry, true},
		{"deadline", "id=1", nil, context.DeadlineExceeded, callback.Retry, true},
		{"failed", "id=1", nil, errors.New("boom"), callback.Failed, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fake{parseErr: tt.parseErr}
			if tt.hookErr != nil {
				f.answer = func(context.Context, paykit.Notification) ([]byte, error) { return nil, tt.hookErr }
			}
			var logged error
			h := callback.New(f, callback.Settings{Methods: []string{http.MethodPost},
				Options: paykit.HandlerOptions{ErrorLog: func(_ *http.Request, err error) { logged = err }}})
			w := post(h, tt.body)
			assert.Equal(t, 400+int(tt.wantClass), w.Code)
			assert.Equal(t, fmt.Sprintf("class %d, verified %t", tt.wantClass, tt.verified), w.Body.String())
			assert.Error(t, logged, "every failure is reported")
		})
	}
}

func TestHandler_BodyCap(t *testing.T) {
	f := &fake{}
	h := callback.New(f, callback.Settings{Methods: []string{http.MethodPost, http.MethodGet},
		Options: paykit.HandlerOptions{MaxBodyBytes: 8}})
	assert.Equal(t, 400+int(callback.TooLarge), post(h, "id=123456").Code)
	assert.Equal(t, http.StatusOK, post(h, "id=12345").Code)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/cb?id=123456", nil))
	assert.Equal(t, 400+int(callback.TooLarge), w.Code, "the query of a GET is capped too")
	assert.EqualValues(t, 1, f.answers.Load())
}

func TestHandler_RepeatIsReplayedWithoutAnsweringAgain(t *testing.T) {
	var n atomic.Int64
	f := &fake{answer: func(_ context.Context, no paykit.Notification) ([]byte, error) {
		return []byte(fmt.Sprintf("first answer %d", n.Add(1))), nil
	}}
	h := callback.New(f, callback.Settings{Methods: []string{http.MethodPost}})
	first := post(h, "id=1")
	second := post(h, "id=1")
	assert.Equal(t, "first answer 1", first.Body.String())
	assert.Equal(t, first.Body.String(), second.Body.String())
	assert.Equal(t, "first answer 2", post(h, "id=2").Body.String(), "another id is another event")
	assert.EqualValues(t, 2, f.answers.Load())
	// Unkeyed notifications are answered afresh each time.
	post(h, "q=1")
	post(h, "q=1")
	assert.EqualValues(t, 4, f.answers.Load())
	assert.Equal(t, "no-store", first.Header().Get("Cache-Control"))
}

func TestHandler_FailedAttemptIsNotRemembered(t *testing.T) {
	fail := true
	f := &fake{answer: func(context.Context, paykit.Notification) ([]byte, error) {
		if fail {
			return nil, paykit.Temporary(errors.New("db down"))
		}
		return []byte("done"), nil
	}}
	h := callback.New(f, callback.Settings{Methods: []string{http.MethodPost}})
	assert.Equal(t, 400+int(callback.Retry), post(h, "id=1").Code)
	fail = false
	assert.Equal(t, "done", post(h, "id=1").Body.String())
}

// nilStore answers neither a reply nor an error.
type nilStore struct{}

func (nilStore) Do(context.Context, string, func(context.Context) ([]byte, error)) ([]byte, bool, error) {
	return nil, false, nil
}

func TestHandler_StoreWithoutReplyIsRetried(t *testing.T) {
	h := callback.New(&fake{}, callback.Settings{Methods: []string{http.MethodPost}, Store: nilStore{}})
	assert.Equal(t, 400+int(callback.Retry), post(h, "id=1").Code)
}

func TestHandler_EachHandlerWithoutAStoreGetsItsOwn(t *testing.T) {
	f := &fake{}
	a := callback.New(f, callback.Settings{Methods: []string{http.MethodPost}})
	b := callback.New(f, callback.Settings{Methods: []string{http.MethodPost}})
	post(a, "id=1")
	post(b, "id=1")
	post(a, "id=1")
	assert.EqualValues(t, 2, f.answers.Load(), "a's reply is not b's")

	shared := paykit.NewMemoryStore(paykit.MemoryStoreOptions{})
	g := &fake{}
	c := callback.New(g, callback.Settings{Methods: []string{http.MethodPost}, Store: shared})
	d := callback.New(g, callback.Settings{Methods: []string{http.MethodPost}, Store: shared})
	post(c, "id=1")
	post(d, "id=1")
	assert.EqualValues(t, 1, g.answers.Load(), "handlers sharing a Store share replies")
}

func TestHandler_HookDeadline(t *testing.T) {
	deadlines := make(chan time.Duration, 2)
	f := &fake{answer: func(ctx context.Context, _ paykit.Notification) ([]byte, error) {
		d, ok := ctx.Deadline()
		require.True(t, ok)
		deadlines <- time.Until(d)
		return []byte("ok"), nil
	}}
	callback.New(f, callback.Settings{Methods: []string{http.MethodPost}, ReplyTimeout: 10 * time.Second}).
		ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/", strings.NewReader("id=1")))
	callback.New(f, callback.Settings{Methods: []string{http.MethodPost}, ReplyTimeout: 10 * time.Second,
		Options: paykit.HandlerOptions{HookTimeout: time.Second}}).
		ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/", strings.NewReader("id=2")))
	assert.LessOrEqual(t, <-deadlines, 8*time.Second, "the provider's limit less a fifth")
	assert.LessOrEqual(t, <-deadlines, time.Second, "HookTimeout overrides")
}

func TestHookBudget(t *testing.T) {
	for _, tt := range []struct{ limit, want time.Duration }{
		{10 * time.Second, 8 * time.Second},
		{3 * time.Second, 2400 * time.Millisecond},
		{time.Second, 500 * time.Millisecond},
		{400 * time.Millisecond, 400 * time.Millisecond},
		{0, 10 * time.Second},
	} {
		assert.Equal(t, tt.want, callback.HookBudget(tt.limit), tt.limit)
	}
}

func TestHandler_ConcurrentDuplicatesAnswerOnce(t *testing.T) {
	release := make(chan struct{})
	f := &fake{answer: func(context.Context, paykit.Notification) ([]byte, error) {
		<-release
		return []byte("once"), nil
	}}
	h := callback.New(f, callback.Settings{Methods: []string{http.MethodPost}})
	const n = 50
	var wg sync.WaitGroup
	bodies := make([]string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bodies[i] = post(h, "id=1").Body.String()
		}()
	}
	close(release)
	wg.Wait()
	for _, b := range bodies {
		assert.Equal(t, "once", b)
	}
	assert.EqualValues(t, 1, f.answers.Load())
}

func TestHooksWhenNil(t *testing.T) {
	ctx := context.Background()
	err := callback.Event(ctx, paykit.Hooks{}, note{id: "1"})
	assert.True(t, paykit.IsTemporary(err), "a nil Event keeps the notification at the provider")
	_, err = callback.Item(ctx, paykit.Hooks{}, paykit.ItemRequest{})
	assert.ErrorIs(t, err, paykit.ErrUnknownItem)
	assert.NoError(t, callback.User(ctx, paykit.Hooks{}, note{}))
}

func TestKeyParts_TheHandlersProviderAndTheSummary(t *testing.T) {
	p := callback.KeyParts(paykit.VKPay, "app1", note{id: "7"})
	assert.Equal(t, "vkpay", p.Provider, "never the notification's own word")
	assert.Equal(t, "app1", p.Account)
	assert.Equal(t, string(paykit.KindPayment), p.Kind)
	assert.Equal(t, string(paykit.StatusPaid), p.Status)
	assert.Equal(t, "7", p.ID)
	assert.Empty(t, p.Discriminator)
}
