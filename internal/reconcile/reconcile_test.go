package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
)

type note struct{ id string }

func (n note) Summary() paykit.Summary {
	return paykit.Summary{Provider: "test", Kind: paykit.KindPayment, Status: paykit.StatusPaid, ID: n.id}
}

// fakeClock is a Limiter clock whose sleeps advance it at once.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	return ctx.Err()
}

func TestLimiter_SpacesCallsByTheGap(t *testing.T) {
	c := &fakeClock{now: time.Unix(1000, 0)}
	l := &Limiter{gap: time.Second, now: c.Now, sleep: c.Sleep}
	for range 3 {
		require.NoError(t, l.Wait(context.Background()))
	}
	assert.Equal(t, []time.Duration{time.Second, 2 * time.Second}, c.sleeps,
		"the first call at once, each next one a gap after the one before")

	c.now = c.now.Add(10 * time.Second)
	require.NoError(t, l.Wait(context.Background()))
	assert.Len(t, c.sleeps, 2, "after a long pause no wait")
}

func TestLimiter_NegativeGapNeverWaitsAndDoneContextStops(t *testing.T) {
	c := &fakeClock{now: time.Unix(1000, 0)}
	l := &Limiter{gap: -1, now: c.Now, sleep: c.Sleep}
	require.NoError(t, l.Wait(context.Background()))
	require.NoError(t, l.Wait(context.Background()))
	assert.Empty(t, c.sleeps)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, l.Wait(ctx), context.Canceled)
}

func TestRun_EntriesKeepTheOrderOfTheJobsAndSayWhatWasFound(t *testing.T) {
	delivered := map[string]bool{"paid-before": true}
	var mu sync.Mutex
	r := New("test", "acct", paykit.ReconcilerOptions{Concurrency: 3, MinInterval: -1},
		func(_ context.Context, n paykit.Notification) (bool, error) {
			mu.Lock()
			defer mu.Unlock()
			id := n.Summary().ID
			if id == "broken" {
				return false, errors.New("db down")
			}
			was := delivered[id]
			delivered[id] = true
			return was, nil
		})
	lookFail := errors.New("provider down")
	jobs := []Job{
		{Refs: []string{"a"}, Look: func(context.Context) ([]Item, error) {
			return []Item{{Ref: "a", Notification: note{"a"}}}, nil
		}},
		{Refs: []string{"b", "c"}, Look: func(context.Context) ([]Item, error) { return nil, lookFail }},
		{Refs: []string{"d"}, Look: func(context.Context) ([]Item, error) {
			return []Item{{Ref: "d", Notification: note{"paid-before"}}, {Ref: "d", Found: paykit.FoundPending,
				Summary: paykit.Summary{ID: "d2", Status: paykit.StatusPending}}}, nil
		}},
		Found(Item{Ref: "e", Found: paykit.FoundUnknown}),
		Found(Item{Ref: "f", Notification: note{"broken"}}),
	}
	rep, err := r.Run(context.Background(), jobs)
	require.NoError(t, err)
	type got struct {
		ref   string
		found paykit.Found
	}
	var gots []got
	for _, e := range rep.Entries {
		gots = append(gots, got{e.Ref, e.Found})
	}
	assert.Equal(t, []got{{"a", paykit.FoundFulfilled}, {"b", paykit.FoundFailed}, {"c", paykit.FoundFailed},
		{"d", paykit.FoundAlreadyFulfilled}, {"d", paykit.FoundPending}, {"e", paykit.FoundUnknown},
		{"f", paykit.FoundFailed}}, gots)
	assert.ErrorIs(t, rep.Entries[1].Err, lookFail)
	assert.EqualError(t, rep.Entries[6].Err, "db down")
	assert.Equal(t, "d2", rep.Entries[4].Summary.ID)
	assert.Equal(t, "a", rep.Entries[0].Summary.ID)
	assert.Equal(t, paykit.Provider("test"), rep.Provider)
	assert.Equal(t, "acct", rep.Account)
	assert.False(t, rep.Finished.Before(rep.Started))
}

func TestRun_NeverMoreLookupsAtOnceThanTheConcurrency(t *testing.T) {
	var inFlight, most atomic.Int64
	gate := make(chan struct{})
	var open sync.Once
	r := New("test", "", paykit.ReconcilerOptions{Concurrency: 3, MinInterval: -1},
		func(context.Context, paykit.Notification) (bool, error) { return false, nil })
	var jobs []Job
	for i := range 20 {
		ref := strconv.Itoa(i)
		jobs = append(jobs, Job{Refs: []string{ref}, Look: func(context.Context) ([]Item, error) {
			n := inFlight.Add(1)
			for {
				m := most.Load()
				if n <= m || most.CompareAndSwap(m, n) {
					break
				}
			}
			if n == 3 {
				open.Do(func() { close(gate) }) // the third worker frees the others
			}
			<-gate
			inFlight.Add(-1)
			return []Item{{Ref: ref, Notification: note{ref}}}, nil
		}})
	}
	rep, err := r.Run(context.Background(), jobs)
	require.NoError(t, err)
	assert.Equal(t, 20, rep.Count(paykit.FoundFulfilled))
	assert.EqualValues(t, 3, most.Load())
}

func TestRun_DoneContextFailsWhatIsLeft(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r := New("test", "", paykit.ReconcilerOptions{Concurrency: 1, MinInterval: -1},
		func(context.Context, paykit.Notification) (bool, error) { return false, nil })
	jobs := []Job{
		{Refs: []string{"a"}, Look: func(context.Context) ([]Item, error) {
			cancel()
			return []Item{{Ref: "a", Notification: note{"a"}}}, nil
		}},
		{Refs: []string{"b"}, Look: func(context.Context) ([]Item, error) {
			t.Error("looked up after the context ended")
			return nil, nil
		}},
	}
	rep, err := r.Run(ctx, jobs)
	assert.ErrorIs(t, err, context.Canceled)
	require.Len(t, rep.Entries, 2)
	for _, e := range rep.Entries {
		assert.Equal(t, paykit.FoundFailed, e.Found)
		assert.ErrorIs(t, e.Err, context.Canceled)
	}
}

func TestNew_ZeroOptionsAreTheDefaults(t *testing.T) {
	r := New("test", "", paykit.ReconcilerOptions{}, nil)
	assert.Equal(t, DefaultConcurrency, r.Concurrency)
	assert.Equal(t, DefaultMinInterval, r.Limit.gap)
}

func TestEvery_RunsAtOnceThenEveryIntervalUntilDone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	runs := 0
	err := Every(ctx, time.Millisecond, func(context.Context) {
		runs++
		if runs == 3 {
			cancel()
		}
	})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 3, runs)
	assert.Error(t, Every(context.Background(), 0, func(context.Context) { t.Error("ran") }))
}

// When ctx ends while the interval has already passed, both of the loop's
// cases are ready; a select picks either at random, so without a look at
// ctx first a run could start after the caller cancelled. An interval of
// a nanosecond has always passed by the time once returns.
func TestEvery_NoRunAfterTheContextEnds(t *testing.T) {
	for range 1000 {
		ctx, cancel := context.WithCancel(context.Background())
		runs := 0
		err := Every(ctx, time.Nanosecond, func(context.Context) {
			runs++
			cancel()
		})
		require.ErrorIs(t, err, context.Canceled)
		require.Equal(t, 1, runs, "no run after cancel")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, Every(ctx, time.Hour, func(context.Context) { t.Error("ran on a done context") }), context.Canceled)
}

func TestLoop_SkipsEmptyRoundsReportsPendingErrorsAndReconcilesTheRest(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	rounds := [][]int{nil, {1, 2}, nil, {3}}
	errDB := errors.New("db down")
	round := 0
	pending := func(context.Context) ([]int, error) {
		round++
		switch {
		case round == 3:
			return nil, errDB
		case round > len(rounds):
			cancel()
			return nil, nil
		}
		return rounds[round-1], nil
	}
	var reconciled [][]int
	reconcile := func(_ context.Context, refs ...int) (paykit.Reconciliation, error) {
		reconciled = append(reconciled, refs)
		return paykit.Reconciliation{Entries: make([]paykit.Reconciled, len(refs))}, nil
	}
	var reports []string
	err := Loop(ctx, time.Nanosecond, pending, reconcile, func(r paykit.Reconciliation, err error) {
		reports = append(reports, fmt.Sprint(len(r.Entries), err))
	})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, [][]int{{1, 2}, {3}}, reconciled, "an empty round calls nothing")
	assert.Equal(t, []string{"2 <nil>", "0 db down", "1 <nil>"}, reports)

	// A nil report is allowed.
	ctx, cancel = context.WithCancel(context.Background())
	assert.ErrorIs(t, Loop(ctx, time.Nanosecond, func(context.Context) ([]int, error) { cancel(); return []int{1}, nil }, reconcile, nil), context.Canceled)
}
