package emulator

import (
	"fmt"
	"sync"
)

// DefaultMaxOrders is the number of orders a [Book] keeps when its cap is
// left at zero.
const DefaultMaxOrders = 10000

// Book keeps an emulator's orders in creation order, at most a fixed number
// of them: adding one beyond the cap forgets the oldest first. Its methods
// are safe for concurrent use; the functions given to Update run under its
// lock and must not call back into the Book.
type Book[K comparable, T any] struct {
	mu    sync.Mutex
	max   int
	items map[K]*T
	keys  []K // creation order; keys[head:] are live
	head  int
}

// NewBook returns a Book holding at most max orders; max <= 0 means
// [DefaultMaxOrders].
func NewBook[K comparable, T any](max int) *Book[K, T] {
	if max <= 0 {
		max = DefaultMaxOrders
	}
	return &Book[K, T]{max: max, items: make(map[K]*T)}
}

// Add stores v under k as the newest order, replacing any order with the
// same key in place, and forgets the oldest orders beyond the cap.
func (b *Book[K, T]) Add(k K, v T) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if p, ok := b.items[k]; ok {
		*p = v
		return
	}
	b.items[k] = &v
	b.keys = append(b.keys, k)
	for len(b.items) > b.max {
		delete(b.items, b.keys[b.head])
		var zero K
		b.keys[b.head] = zero
		b.head++
	}
	if b.head > len(b.keys)/2 {
		b.keys = append(b.keys[:0], b.keys[b.head:]...)
		b.head = 0
	}
}

// Get returns a copy of the order stored under k.
func (b *Book[K, T]) Get(k K) (T, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	p, ok := b.items[k]
	if !ok {
		var zero T
		return zero, false
	}
	return *p, true
}

// Update runs f on the order stored under k, under the Book's lock, and
// returns the order as f left it with f's error. A missing order is
// [ErrNotFound] and f does not run.
func (b *Book[K, T]) Update(k K, f func(*T) error) (T, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	p, ok := b.items[k]
	if !ok {
		var zero T
		return zero, ErrNotFound
	}
	err := f(p)
	return *p, err
}

// List returns copies of every order, oldest first.
func (b *Book[K, T]) List() []T {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]T, 0, len(b.items))
	for _, k := range b.keys[b.head:] {
		out = append(out, *b.items[k])
	}
	return out
}

// Len returns the number of orders kept.
func (b *Book[K, T]) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.items)
}

// Advance moves the order under k from state from to state to, under the
// Book's lock; at reaches the order's state. An order in another state is
// ErrState (and unchanged), a missing one ErrNotFound.
func Advance[K comparable, T any](b *Book[K, T], k K, at func(*T) *State, from, to State) (T, error) {
	return b.Update(k, func(o *T) error {
		if s := at(o); *s != from {
			return fmt.Errorf("%w: the order is %s", ErrState, *s)
		}
		*at(o) = to
		return nil
	})
}
