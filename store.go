package paykit

import (
	"container/list"
	"context"
	"fmt"
	"sync"
	"time"
)

// Store makes fulfilment idempotent. For one key it runs the fulfilment at
// most once, remembers the exact reply bytes, and gives every repeat —
// sequential or concurrent — those bytes back. A failed attempt is not
// remembered, so the provider's retry runs it again.
//
// Handlers call Do with a key from [IdempotencyKey] and a fulfil function
// that runs the merchant's hook and renders the success reply. The context
// passed to fulfil is the one the hook must use: a database-backed store
// puts its transaction there so that the merchant's writes and the stored
// reply commit together.
type Store interface {
	// Do returns the stored reply for key with replayed true, without
	// calling fulfil, when one exists. Otherwise it calls fulfil; on
	// success it stores and returns the reply, on error it stores nothing
	// and returns fulfil's error unchanged.
	//
	// When another delivery of key is being fulfilled at the same time, Do
	// either waits for it and replays its reply, or returns an error
	// matching [ErrInProgress] so that the provider retries later.
	Do(ctx context.Context, key string, fulfil func(ctx context.Context) ([]byte, error)) (reply []byte, replayed bool, err error)
}

// Defaults of [MemoryStore].
const (
	// DefaultRetention is how long a MemoryStore remembers a reply: longer
	// than any of the four providers keeps retrying a notification.
	DefaultRetention = 30 * 24 * time.Hour
	// DefaultMaxEntries caps the number of remembered replies.
	DefaultMaxEntries = 1 << 20
)

// MemoryStoreOptions configures a [MemoryStore]. The zero value gives the
// defaults.
type MemoryStoreOptions struct {
	// Retention is how long a reply is remembered; 0 means
	// [DefaultRetention].
	Retention time.Duration
	// MaxEntries caps the number of remembered replies; 0 means
	// [DefaultMaxEntries]. When the cap is reached the oldest replies are
	// forgotten first, so set it above the number of events you expect
	// within Retention.
	MaxEntries int
	// Now is the clock; nil means time.Now. Tests set it.
	Now func() time.Time
}

// MemoryStore is the in-process [Store] used when [Hooks.Store] is nil. It
// keeps replies for a bounded time and number (see [MemoryStoreOptions]);
// concurrent deliveries of one key wait for the first and get its reply.
//
// Memory: each remembered reply costs about 290 bytes of bookkeeping plus
// its key (about 56 bytes for a Playvision payment) and its reply bytes
// unless they are shared: about 350 bytes per entry with Playvision's fixed
// success body, about 395 with a 34-byte reply of its own (measured by
// BenchmarkMemoryStore_BytesPerEntry, go1.26, amd64). At
// DefaultMaxEntries that is roughly 360 MiB: lower MaxEntries where memory
// matters.
//
// It protects one process only: merchants running several replicas need a
// shared store such as package sqlstore.
type MemoryStore struct {
	retention time.Duration
	max       int
	now       func() time.Time

	// onWait, when set, is called each time Do is about to wait for
	// another attempt of key. It lets tests prove that deliveries reached
	// the waiting path, not merely that they ran; nil outside tests.
	onWait func(key string)

	mu      sync.Mutex
	entries map[string]*memEntry
	order   list.List // of *memEntry with a reply, oldest first
}

type memEntry struct {
	key   string
	done  chan struct{} // closed when the running attempt ends
	reply []byte        // set when the attempt succeeded
	ok    bool
	at    time.Time
	elem  *list.Element
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore(opts MemoryStoreOptions) *MemoryStore {
	s := &MemoryStore{
		retention: opts.Retention,
		max:       opts.MaxEntries,
		now:       opts.Now,
		entries:   make(map[string]*memEntry),
	}
	if s.retention <= 0 {
		s.retention = DefaultRetention
	}
	if s.max <= 0 {
		s.max = DefaultMaxEntries
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Len reports how many replies are remembered.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.order.Len()
}

// Do implements [Store]. A concurrent delivery of a key that is being
// fulfilled waits for the first attempt: it replays the reply if that
// attempt succeeded and runs fulfil itself if it failed. If ctx ends while
// waiting, Do returns an error matching [ErrInProgress].
func (s *MemoryStore) Do(ctx context.Context, key string, fulfil func(context.Context) ([]byte, error)) ([]byte, bool, error) {
	for {
		e, owner, reply := s.claim(key)
		if owner {
			return s.run(ctx, e, fulfil)
		}
		if reply != nil {
			return reply, true, nil
		}
		if s.onWait != nil {
			s.onWait(key)
		}
		select {
		case <-e.done:
			// Loop: either the reply is there now, or the attempt failed
			// and its entry is gone, so this delivery may claim the key.
		case <-ctx.Done():
			return nil, false, fmt.Errorf("%w: %w", ErrInProgress, ctx.Err())
		}
	}
}

// claim returns the entry for key, creating it (owner true) when absent,
// and its stored reply if it has one, read under the lock.
func (s *MemoryStore) claim(key string) (e *memEntry, owner bool, reply []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLocked()
	if e, found := s.entries[key]; found {
		if e.ok {
			return e, false, e.reply
		}
		return e, false, nil
	}
	e = &memEntry{key: key, done: make(chan struct{})}
	s.entries[key] = e
	return e, true, nil
}

func (s *MemoryStore) run(ctx context.Context, e *memEntry, fulfil func(context.Context) ([]byte, error)) (reply []byte, replayed bool, err error) {
	ok := false
	// The deferred finish also runs if fulfil panics, so that waiters are
	// released and the key can be claimed again.
	defer func() { s.finish(e, reply, ok) }()
	reply, err = fulfil(ctx)
	if err != nil {
		return nil, false, err
	}
	if reply == nil {
		reply = []byte{}
	}
	ok = true
	return reply, false, nil
}

func (s *MemoryStore) finish(e *memEntry, reply []byte, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ok {
		e.reply, e.ok, e.at = reply, true, s.now()
		e.elem = s.order.PushBack(e)
		for s.order.Len() > s.max {
			s.removeLocked(s.order.Front().Value.(*memEntry))
		}
	} else {
		delete(s.entries, e.key)
	}
	close(e.done)
}

// expireLocked forgets replies older than the retention window. Replies are
// kept in completion order, so it stops at the first young one.
func (s *MemoryStore) expireLocked() {
	cutoff := s.now().Add(-s.retention)
	for f := s.order.Front(); f != nil; f = s.order.Front() {
		e := f.Value.(*memEntry)
		if e.at.After(cutoff) {
			return
		}
		s.removeLocked(e)
	}
}

func (s *MemoryStore) removeLocked(e *memEntry) {
	s.order.Remove(e.elem)
	delete(s.entries, e.key)
}
