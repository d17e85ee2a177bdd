package emulator

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type order struct {
	ID    int
	State State
}

func TestBook_EvictsTheOldestBeyondTheCap(t *testing.T) {
	b := NewBook[int, order](3)
	for i := 1; i <= 5; i++ {
		b.Add(i, order{ID: i})
	}
	assert.Equal(t, 3, b.Len())
	assert.Equal(t, []order{{ID: 3}, {ID: 4}, {ID: 5}}, b.List())
	_, ok := b.Get(1)
	assert.False(t, ok, "the oldest is forgotten first")
	_, err := b.Update(2, func(*order) error { return nil })
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestBook_StaysBoundedUnderManyAdds(t *testing.T) {
	b := NewBook[int, order](0)
	for i := range 20000 {
		b.Add(i, order{ID: i})
	}
	assert.Equal(t, DefaultMaxOrders, b.Len())
	assert.LessOrEqual(t, len(b.keys), 2*DefaultMaxOrders+1, "the key list is compacted")
	first := b.List()[0]
	assert.Equal(t, 20000-DefaultMaxOrders, first.ID)
}

func TestBook_AddReplacesInPlace(t *testing.T) {
	b := NewBook[string, order](2)
	b.Add("a", order{ID: 1})
	b.Add("b", order{ID: 2})
	b.Add("a", order{ID: 3})
	assert.Equal(t, []order{{ID: 3}, {ID: 2}}, b.List())
}

func TestBook_UpdateReturnsTheOrderAndTheError(t *testing.T) {
	b := NewBook[string, order](0)
	b.Add("a", order{ID: 1, State: StateOpen})
	got, err := b.Update("a", func(o *order) error {
		if err := Move(o.State, StatePaid); err != nil {
			return err
		}
		o.State = StatePaid
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, StatePaid, got.State)
	got, err = b.Update("a", func(o *order) error { return Move(o.State, StatePaid) })
	assert.True(t, errors.Is(err, ErrState))
	assert.Equal(t, StatePaid, got.State)
}

func TestBook_ConcurrentUse(t *testing.T) {
	b := NewBook[string, order](50)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				k := fmt.Sprint(g, "-", i)
				b.Add(k, order{ID: i})
				_, _ = b.Update(k, func(o *order) error { o.State = StatePaid; return nil })
				_, _ = b.Get(k)
				_ = b.List()
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 50, b.Len())
}
