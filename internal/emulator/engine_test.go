package emulator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// merchant answers with the statuses given, in turn, then 200; it records
// every body it receives.
type merchant struct {
	mu       sync.Mutex
	statuses []int
	bodies   []string
}

func (m *merchant) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.bodies = append(m.bodies, string(b))
	status := http.StatusOK
	if len(m.statuses) > 0 {
		status, m.statuses = m.statuses[0], m.statuses[1:]
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, "answer")
}

func (m *merchant) received() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.bodies...)
}

func newEngine(t *testing.T, cfg Config) *Engine {
	t.Helper()
	e := New(cfg)
	t.Cleanup(e.Close)
	return e
}

func waitQuiet(t *testing.T, e *Engine) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, e.Wait(ctx))
}

func TestEngine_RetriesOnTheScheduleUntilAcknowledged(t *testing.T) {
	m := &merchant{statuses: []int{500, 503}}
	srv := httptest.NewServer(m)
	defer srv.Close()
	e := newEngine(t, Config{Schedule: []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond}})
	var updates []Outcome
	var mu sync.Mutex
	d, err := e.Send(context.Background(), Message{OrderID: "o1", Event: "payment", URL: srv.URL, Body: []byte("signed"),
		Update: func(_ context.Context, d Delivery) { mu.Lock(); updates = append(updates, d.Outcome); mu.Unlock() }})
	require.NoError(t, err)
	assert.Equal(t, Retrying, d.Outcome)
	assert.Equal(t, "HTTP 500", d.Err)
	waitQuiet(t, e)
	got := e.DeliveriesOf("o1")
	require.Len(t, got, 3)
	for i, want := range []Outcome{Retrying, Retrying, Delivered} {
		assert.Equal(t, want, got[i].Outcome, i)
		assert.Equal(t, i+1, got[i].Attempt)
		assert.Equal(t, "signed", got[i].Request)
	}
	assert.Equal(t, []Outcome{Retrying, Retrying, Delivered}, updates)
	assert.Equal(t, []string{"signed", "signed", "signed"}, m.received())
}

func TestEngine_GivesUpAfterTheLastDelay(t *testing.T) {
	m := &merchant{statuses: []int{500, 500, 500, 500}}
	srv := httptest.NewServer(m)
	defer srv.Close()
	e := newEngine(t, Config{Schedule: []time.Duration{time.Millisecond, time.Millisecond}})
	_, err := e.Send(context.Background(), Message{OrderID: "o", URL: srv.URL})
	require.NoError(t, err)
	waitQuiet(t, e)
	got := e.Deliveries()
	require.Len(t, got, 3, "the first attempt and one per delay")
	assert.Equal(t, GaveUp, got[2].Outcome)
}

func TestEngine_RefusalIsFinal(t *testing.T) {
	m := &merchant{statuses: []int{400}}
	srv := httptest.NewServer(m)
	defer srv.Close()
	judge := func(status int, _ []byte) Verdict {
		if status/100 == 4 {
			return Verdict{Outcome: Refused, Why: "4xx"}
		}
		return Judge2xx(status, nil)
	}
	e := newEngine(t, Config{Schedule: []time.Duration{time.Millisecond}, Judge: judge})
	d, err := e.Send(context.Background(), Message{URL: srv.URL})
	require.NoError(t, err)
	assert.Equal(t, Refused, d.Outcome)
	waitQuiet(t, e)
	assert.Len(t, e.Deliveries(), 1)
}

func TestEngine_ResendSendsTheSameBytesOnceAndIsNotRetried(t *testing.T) {
	m := &merchant{}
	srv := httptest.NewServer(m)
	defer srv.Close()
	e := newEngine(t, Config{Schedule: []time.Duration{time.Millisecond}})
	first, err := e.Send(context.Background(), Message{OrderID: "o", Event: "payment", URL: srv.URL, Body: []byte("b1")})
	require.NoError(t, err)
	m.mu.Lock()
	m.statuses = []int{500}
	m.mu.Unlock()
	again, err := e.Resend(context.Background(), first.ID)
	require.NoError(t, err)
	assert.True(t, again.Resent)
	assert.Equal(t, Unanswered, again.Outcome)
	assert.Equal(t, 2, again.Attempt)
	assert.NotEqual(t, first.ID, again.ID)
	waitQuiet(t, e)
	assert.Equal(t, []string{"b1", "b1"}, m.received())
	last, ok := e.Latest("o", nil)
	require.True(t, ok)
	assert.Equal(t, again.ID, last.ID)

	_, err = e.Resend(context.Background(), "no-such-id")
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestEngine_DropRecordsWithoutSendingButResendSends(t *testing.T) {
	m := &merchant{}
	srv := httptest.NewServer(m)
	defer srv.Close()
	e := newEngine(t, Config{Drop: true, Schedule: []time.Duration{time.Millisecond}})
	d, err := e.Send(context.Background(), Message{URL: srv.URL, Body: []byte("x")})
	require.NoError(t, err)
	assert.Equal(t, Dropped, d.Outcome)
	waitQuiet(t, e)
	assert.Empty(t, m.received())
	again, err := e.Resend(context.Background(), d.ID)
	require.NoError(t, err)
	assert.Equal(t, Delivered, again.Outcome)
	assert.Equal(t, []string{"x"}, m.received())
}

func TestEngine_WaitCountsNotificationsSentFromUpdate(t *testing.T) {
	m := &merchant{statuses: []int{500}}
	srv := httptest.NewServer(m)
	defer srv.Close()
	e := newEngine(t, Config{Schedule: []time.Duration{time.Millisecond}})
	next := Message{OrderID: "o", Event: "second", URL: srv.URL}
	_, err := e.Send(context.Background(), Message{OrderID: "o", Event: "first", URL: srv.URL,
		Update: func(ctx context.Context, d Delivery) {
			if d.Outcome == Delivered {
				_, _ = e.Send(ctx, next)
			}
		}})
	require.NoError(t, err)
	waitQuiet(t, e)
	var events []string
	for _, d := range e.Deliveries() {
		events = append(events, d.Event)
	}
	assert.Equal(t, []string{"first", "first", "second"}, events)
}

func TestEngine_WaitEndsWithTheContext(t *testing.T) {
	e := newEngine(t, Config{Schedule: []time.Duration{time.Hour}})
	_, err := e.Send(context.Background(), Message{URL: "http://127.0.0.1:1/unreachable"})
	require.NoError(t, err)
	assert.Equal(t, 1, e.Pending())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, e.Wait(ctx), context.Canceled)
}

func TestEngine_CloseAbandonsRetriesAndRefusesLaterCalls(t *testing.T) {
	e := New(Config{Schedule: []time.Duration{time.Hour}})
	d, err := e.Send(context.Background(), Message{URL: "http://127.0.0.1:1/unreachable"})
	require.NoError(t, err)
	e.Close()
	require.NoError(t, e.Wait(context.Background()), "nothing is pending after Close")
	_, err = e.Send(context.Background(), Message{URL: "http://127.0.0.1:1/"})
	assert.ErrorIs(t, err, ErrClosed)
	_, err = e.Resend(context.Background(), d.ID)
	assert.ErrorIs(t, err, ErrClosed)
	e.Close() // twice is harmless
}

func TestEngine_LogIsBoundedOldestFirst(t *testing.T) {
	m := &merchant{}
	srv := httptest.NewServer(m)
	defer srv.Close()
	e := newEngine(t, Config{MaxDeliveries: 3})
	var ids []string
	for i := range 5 {
		d, err := e.Send(context.Background(), Message{OrderID: fmt.Sprint(i), URL: srv.URL})
		require.NoError(t, err)
		ids = append(ids, d.ID)
	}
	got := e.Deliveries()
	require.Len(t, got, 3)
	assert.Equal(t, ids[2:], []string{got[0].ID, got[1].ID, got[2].ID})
	_, err := e.Resend(context.Background(), ids[0])
	assert.ErrorIs(t, err, ErrNotFound, "a forgotten delivery cannot be resent")
}

func TestEngine_ConcurrentSendsAndResends(t *testing.T) {
	// The merchant fails the first request it gets for each order (the
	// scheduled attempt or the resend, whichever comes first) and accepts
	// every later one: each order's scheduled chain meets at most one
	// failure, whatever the interleaving, so it must end Delivered. (Failing
	// every third request across all orders let one order draw every
	// failure on a loaded machine and give up.)
	var failed sync.Map
	var failures atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if _, seen := failed.LoadOrStore(string(body), true); !seen {
			failures.Add(1)
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	defer srv.Close()
	e := newEngine(t, Config{Schedule: []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond}})
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := e.Send(context.Background(), Message{OrderID: fmt.Sprint(i), URL: srv.URL, Body: []byte(fmt.Sprint(i))})
			if assert.NoError(t, err) {
				_, err = e.Resend(context.Background(), d.ID)
				assert.NoError(t, err)
			}
			_ = e.Deliveries()
		}()
	}
	wg.Wait()
	waitQuiet(t, e)
	for i := range 16 {
		ds := e.DeliveriesOf(fmt.Sprint(i))
		require.NotEmpty(t, ds)
		var scheduled []Delivery
		for _, d := range ds {
			if !d.Resent {
				scheduled = append(scheduled, d)
			}
		}
		assert.Equal(t, Delivered, scheduled[len(scheduled)-1].Outcome, "order %d", i)
	}
	assert.EqualValues(t, 16, failures.Load(), "every order met one failure")
}

func TestEngine_TransportErrorIsRetriedAndNamed(t *testing.T) {
	e := newEngine(t, Config{})
	d, err := e.Send(context.Background(), Message{URL: "http://127.0.0.1:1/"})
	require.NoError(t, err)
	assert.Equal(t, GaveUp, d.Outcome, "no schedule: the first failure is the last")
	assert.Contains(t, d.Err, "no answer")
	assert.Zero(t, d.Status)
	assert.False(t, d.OK())
}

func TestMove_FollowsThePaymentStateMachine(t *testing.T) {
	for _, tc := range []struct {
		from, to State
		ok       bool
	}{
		{StateOpen, StatePaid, true},
		{StateOpen, StatePending, true},
		{StatePending, StatePaid, true},
		{StatePaid, StateRefunded, true},
		{StatePaid, StateRefunding, true},
		{StateRefunding, StateRefunded, true},
		{StateOpen, StateRefunded, false},
		{StatePaid, StatePaid, false},
		{StateCanceled, StatePaid, false},
		{StateRefunded, StateRefunded, false},
		{StateDeclined, StatePaid, false},
	} {
		err := Move(tc.from, tc.to)
		if tc.ok {
			assert.NoError(t, err, "%s → %s", tc.from, tc.to)
		} else {
			assert.True(t, errors.Is(err, ErrState), "%s → %s", tc.from, tc.to)
		}
	}
	assert.True(t, StateRefunded.Final())
	assert.False(t, StatePaid.Final())
}

func TestEngine_OnceIsNeverRetried(t *testing.T) {
	m := &merchant{statuses: []int{500}}
	srv := httptest.NewServer(m)
	defer srv.Close()
	e := newEngine(t, Config{Schedule: []time.Duration{time.Millisecond}})
	d, err := e.Send(context.Background(), Message{URL: srv.URL, Once: true})
	require.NoError(t, err)
	assert.Equal(t, GaveUp, d.Outcome)
	waitQuiet(t, e)
	assert.Len(t, m.received(), 1)
}

func TestEngine_ResendLastPicksTheLatestKeptDelivery(t *testing.T) {
	m := &merchant{}
	srv := httptest.NewServer(m)
	defer srv.Close()
	e := newEngine(t, Config{})
	_, err := e.ResendLast(context.Background(), "o", nil)
	assert.ErrorIs(t, err, ErrState, "nothing sent yet")
	for _, ev := range []string{"change", "query"} {
		_, err := e.Send(context.Background(), Message{OrderID: "o", Event: ev, URL: srv.URL, Body: []byte(ev)})
		require.NoError(t, err)
	}
	d, err := e.ResendLast(context.Background(), "o", func(d Delivery) bool { return d.Event == "change" })
	require.NoError(t, err)
	assert.Equal(t, "change", d.Request)
	d, err = e.ResendLast(context.Background(), "o", nil)
	require.NoError(t, err)
	assert.Equal(t, "change", d.Request, "the resend itself is now the latest")
}
