package reconcile

import (
	"context"
	"sync"
	"time"
)

// Limiter spaces calls: each Wait returns at least gap after the previous
// one did, across goroutines. A gap <= 0 never waits.
type Limiter struct {
	gap time.Duration
	// now and sleep are the clock; tests replace them so that they never
	// sleep.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error

	mu   sync.Mutex
	next time.Time // the earliest start of the next call
}

// NewLimiter returns a Limiter on the real clock.
func NewLimiter(gap time.Duration) *Limiter {
	return &Limiter{gap: gap, now: time.Now, sleep: sleepCtx}
}

// Wait blocks until the next call may start or ctx is done.
func (l *Limiter) Wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if l.gap <= 0 {
		return nil
	}
	l.mu.Lock()
	now := l.now()
	at := l.next
	if at.Before(now) {
		at = now
	}
	l.next = at.Add(l.gap)
	l.mu.Unlock()
	if d := at.Sub(now); d > 0 {
		return l.sleep(ctx, d)
	}
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
