package playvision_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/playvision"
	"github.com/paykit-go/paykit/playvision/playvisiontest"
)

// arrivalStore is a Store that counts the deliveries that reached Do and
// closes arrived when want of them have, then delegates to a MemoryStore.
// A test that holds the first fulfilment until arrived is closed proves
// that every delivery was inside the store while the event was being
// fulfilled: they contended, rather than ran one after another.
type arrivalStore struct {
	paykit.Store
	want    int32
	n       atomic.Int32
	arrived chan struct{}
}

func newArrivalStore(want int) *arrivalStore {
	return &arrivalStore{
		Store:   paykit.NewMemoryStore(paykit.MemoryStoreOptions{}),
		want:    int32(want),
		arrived: make(chan struct{}),
	}
}

func (s *arrivalStore) Do(ctx context.Context, key string, fulfil func(context.Context) ([]byte, error)) ([]byte, bool, error) {
	if s.n.Add(1) == s.want {
		close(s.arrived)
	}
	return s.Store.Do(ctx, key, fulfil)
}

// concurrentDeliveries sends body n times at once to a Handler whose Event
// hook blocks until all n deliveries have reached the store, and returns
// the reply bodies and how many times Event ran.
func concurrentDeliveries(t *testing.T, n int, body string) (replies []string, events int32) {
	t.Helper()
	store := newArrivalStore(n)
	var calls atomic.Int32
	h := newClient(t).Handler(paykit.Hooks{Store: store, Event: func(ctx context.Context, _ paykit.Notification) error {
		calls.Add(1)
		select {
		case <-store.arrived:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}})
	replies = make([]string, n)
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range replies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := serve(h, postForm(body))
			replies[i], codes[i] = w.Body.String(), w.Code
		}()
	}
	wg.Wait()
	for _, c := range codes {
		require.Equal(t, http.StatusOK, c)
	}
	return replies, calls.Load()
}

func TestHandler_ThousandConcurrentIdenticalDeliveriesFulfilOnce(t *testing.T) {
	const n = 1000
	body := signer.Body(playvisiontest.OrderStatusChange{UserID: 131, TransactionID: 424242, Sum: 500, ItemID: "gold_100"}.Params())
	replies, events := concurrentDeliveries(t, n, body)

	assert.EqualValues(t, 1, events, "Event runs exactly once")
	distinct := map[string]int{}
	for _, r := range replies {
		distinct[r]++
	}
	assert.Len(t, distinct, 1, "every delivery gets the same bytes: %v", distinct)
	assert.Equal(t, n, distinct[string(playvision.SuccessReply())])
}
