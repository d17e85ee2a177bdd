package paykit_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
)

func TestMemoryStore_FiftyConcurrentDeliveriesFulfilOnce(t *testing.T) {
	const n = 50
	s := paykit.NewMemoryStore(paykit.MemoryStoreOptions{})
	// The first fulfilment is held until the other n-1 deliveries are
	// proven to be waiting for it, so the test exercises the waiter path
	// rather than sequential replays.
	var waiting atomic.Int32
	allWaiting := make(chan struct{})
	paykit.SetWaitHook(s, func(string) {
		if waiting.Add(1) == n-1 {
			close(allWaiting)
		}
	})
	var calls atomic.Int32
	release := make(chan struct{})
	twice := make(chan struct{})
	fulfil := func(context.Context) ([]byte, error) {
		if calls.Add(1) == 2 {
			close(twice) // a broken store: do not wait for waiters that never come
		}
		<-release
		return []byte(`{"response":{"order_id":1}}`), nil
	}

	var wg sync.WaitGroup
	replies := make([][]byte, n)
	replayed := make([]bool, n)
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			replies[i], replayed[i], errs[i] = s.Do(context.Background(), "k", fulfil)
		}(i)
	}
	select {
	case <-allWaiting:
	case <-twice:
		t.Error("a second delivery ran the fulfilment instead of waiting")
	}
	close(release)
	wg.Wait()

	assert.Equal(t, int32(1), calls.Load(), "fulfilment must run at most once")
	assert.Equal(t, int32(n-1), waiting.Load(), "each waiter waited once, for the one attempt")
	fresh := 0
	for i := range replies {
		require.NoError(t, errs[i])
		assert.Equal(t, `{"response":{"order_id":1}}`, string(replies[i]))
		if !replayed[i] {
			fresh++
		}
	}
	assert.Equal(t, 1, fresh, "exactly one delivery is the original")
}

func TestMemoryStore_RepeatGetsSameBytesWithoutFulfilling(t *testing.T) {
	s := paykit.NewMemoryStore(paykit.MemoryStoreOptions{})
	calls := 0
	fulfil := func(context.Context) ([]byte, error) { calls++; return []byte("OK"), nil }
	r1, rep1, err := s.Do(context.Background(), "k", fulfil)
	require.NoError(t, err)
	r2, rep2, err := s.Do(context.Background(), "k", fulfil)
	require.NoError(t, err)
	assert.Equal(t, "OK", string(r1))
	assert.Equal(t, r1, r2)
	assert.False(t, rep1)
	assert.True(t, rep2)
	assert.Equal(t, 1, calls)
	assert.Equal(t, 1, s.Len())
}

func TestMemoryStore_FailedAttemptIsNotRemembered(t *testing.T) {
	s := paykit.NewMemoryStore(paykit.MemoryStoreOptions{})
	boom := paykit.Temporary(errors.New("db down"))
	_, _, err := s.Do(context.Background(), "k", func(context.Context) ([]byte, error) { return nil, boom })
	assert.ErrorIs(t, err, boom)
	assert.Equal(t, 0, s.Len())

	reply, replayed, err := s.Do(context.Background(), "k", func(context.Context) ([]byte, error) { return []byte("OK"), nil })
	require.NoError(t, err)
	assert.False(t, replayed, "the retry runs the fulfilment again")
	assert.Equal(t, "OK", string(reply))
}

func TestMemoryStore_WaiterRunsFulfilmentWhenFirstAttemptFails(t *testing.T) {
	s := paykit.NewMemoryStore(paykit.MemoryStoreOptions{})
	entered := make(chan struct{})
	release := make(chan struct{})
	go func() {
		_, _, _ = s.Do(context.Background(), "k", func(context.Context) ([]byte, error) {
			close(entered)
			<-release
			return nil, errors.New("failed")
		})
	}()
	<-entered
	done := make(chan []byte)
	go func() {
		r, _, _ := s.Do(context.Background(), "k", func(context.Context) ([]byte, error) { return []byte("second"), nil })
		done <- r
	}()
	close(release)
	assert.Equal(t, "second", string(<-done))
}

func TestMemoryStore_WaiterGivesUpWithInProgressWhenContextEnds(t *testing.T) {
	s := paykit.NewMemoryStore(paykit.MemoryStoreOptions{})
	entered := make(chan struct{})
	release := make(chan struct{})
	defer close(release)
	go func() {
		_, _, _ = s.Do(context.Background(), "k", func(context.Context) ([]byte, error) {
			close(entered)
			<-release
			return []byte("OK"), nil
		})
	}()
	<-entered
	// The context ends once the delivery is proven to be waiting: no
	// timer decides which path is taken.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	waited := false
	paykit.SetWaitHook(s, func(string) { waited = true; cancel() })
	_, _, err := s.Do(ctx, "k", func(context.Context) ([]byte, error) { t.Error("must not run"); return nil, nil })
	assert.True(t, waited, "Do took the waiting path")
	assert.ErrorIs(t, err, paykit.ErrInProgress)
	assert.ErrorIs(t, err, context.Canceled)
	assert.True(t, paykit.IsTemporary(err))
}

func TestMemoryStore_PanicReleasesTheClaim(t *testing.T) {
	s := paykit.NewMemoryStore(paykit.MemoryStoreOptions{})
	func() {
		defer func() { assert.NotNil(t, recover()) }()
		_, _, _ = s.Do(context.Background(), "k", func(context.Context) ([]byte, error) { panic("hook bug") })
	}()
	reply, _, err := s.Do(context.Background(), "k", func(context.Context) ([]byte, error) { return []byte("OK"), nil })
	require.NoError(t, err)
	assert.Equal(t, "OK", string(reply))
}

func TestMemoryStore_ForgetsAfterRetention(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := paykit.NewMemoryStore(paykit.MemoryStoreOptions{Now: func() time.Time { return now }})
	calls := 0
	fulfil := func(context.Context) ([]byte, error) { calls++; return []byte("OK"), nil }
	_, _, _ = s.Do(context.Background(), "k", fulfil)

	now = now.Add(paykit.DefaultRetention - time.Second)
	_, replayed, _ := s.Do(context.Background(), "k", fulfil)
	assert.True(t, replayed, "still remembered inside the window")

	now = now.Add(2 * time.Second)
	_, replayed, _ = s.Do(context.Background(), "k", fulfil)
	assert.False(t, replayed, "forgotten after the window")
	assert.Equal(t, 2, calls)
	assert.GreaterOrEqual(t, paykit.DefaultRetention, 30*24*time.Hour)
}

func TestMemoryStore_SizeCapForgetsOldestFirst(t *testing.T) {
	s := paykit.NewMemoryStore(paykit.MemoryStoreOptions{MaxEntries: 3})
	for i := 0; i < 5; i++ {
		_, _, err := s.Do(context.Background(), fmt.Sprint(i), func(context.Context) ([]byte, error) { return []byte("OK"), nil })
		require.NoError(t, err)
	}
	assert.Equal(t, 3, s.Len())
	replayedOf := func(key string) bool {
		_, rep, _ := s.Do(context.Background(), key, func(context.Context) ([]byte, error) { return []byte("OK"), nil })
		return rep
	}
	assert.True(t, replayedOf("4"))
	assert.True(t, replayedOf("3"))
	assert.False(t, replayedOf("0"), "the oldest key was evicted")
}
