package paykit_test

import (
	"context"
	"runtime"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
)

// TestMemoryStore_FloodOfDistinctKeysStaysWithinCap sends 10^6 distinct
// events (10^5 under the race detector, 10^4 with -short) through a store
// capped at 1,000 replies: the number remembered never exceeds the cap,
// and the newest are the ones kept.
func TestMemoryStore_FloodOfDistinctKeysStaysWithinCap(t *testing.T) {
	const maxEntries = 1000
	n := 1_000_000
	switch {
	case testing.Short():
		n = 10_000
	case raceEnabled:
		n = 100_000
	}
	s := paykit.NewMemoryStore(paykit.MemoryStoreOptions{MaxEntries: maxEntries})
	reply := []byte(`{"status":"1","message":"success"}`)
	fulfil := func(context.Context) ([]byte, error) { return reply, nil }
	ctx := context.Background()
	for i := 0; i < n; i++ {
		_, replayed, err := s.Do(ctx, floodKey(i), fulfil)
		require.NoError(t, err)
		require.False(t, replayed, "key %d is new", i)
		if i%997 == 0 {
			require.LessOrEqual(t, s.Len(), maxEntries, "after %d keys", i+1)
		}
	}
	require.Equal(t, maxEntries, s.Len())
	_, replayed, err := s.Do(ctx, floodKey(n-1), fulfil)
	require.NoError(t, err)
	require.True(t, replayed, "the newest key is remembered")
	_, replayed, err = s.Do(ctx, floodKey(n-maxEntries-1), fulfil)
	require.NoError(t, err)
	require.False(t, replayed, "a key older than the cap is forgotten")
}

// floodKey is a realistic key: Playvision, app 7001, a payment.
func floodKey(i int) string {
	return paykit.IdempotencyKey("7001", floodNote(strconv.Itoa(100000000+i)))
}

type floodNote string

func (n floodNote) Summary() paykit.Summary {
	return paykit.Summary{Provider: paykit.Playvision, Kind: paykit.KindPayment, Status: paykit.StatusPaid, ID: string(n)}
}

// BenchmarkMemoryStore_BytesPerEntry measures the live heap a MemoryStore
// holds per remembered reply: the key (a Playvision payment key, 56 bytes),
// the entry, its list element and its map slot, plus the reply. Reported as
// "B/entry" for a reply shared by every entry (how the Playvision and VK
// handlers store their fixed success bodies) and "B/entry+reply" for a
// 34-byte reply allocated per entry.
func BenchmarkMemoryStore_BytesPerEntry(b *testing.B) {
	const entries = 100_000
	keys := make([]string, entries)
	for i := range keys {
		keys[i] = floodKey(i)
	}
	shared := []byte(`{"status":"1","message":"success"}`)
	for _, c := range []struct {
		name  string
		reply func() []byte
	}{
		{"shared reply", func() []byte { return shared }},
		{"own 34-byte reply", func() []byte { return append([]byte(nil), shared...) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			var perEntry float64
			for i := 0; i < b.N; i++ {
				perEntry = heapPerEntry(keys, c.reply)
			}
			b.ReportMetric(perEntry, "B/entry")
		})
	}
}

// heapPerEntry fills a fresh store with one reply per key and returns the
// growth of the live heap divided by the number of keys. The keys exist
// before and after, as in a handler, where the key is built per delivery
// and then kept by the store; their bytes are added back, since a handler's
// key lives only as long as the store keeps it.
func heapPerEntry(keys []string, reply func() []byte) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := paykit.NewMemoryStore(paykit.MemoryStoreOptions{MaxEntries: len(keys)})
	ctx := context.Background()
	for _, k := range keys {
		r := reply()
		_, _, _ = s.Do(ctx, k, func(context.Context) ([]byte, error) { return r, nil })
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	keyBytes := 0
	for _, k := range keys {
		keyBytes += len(k)
	}
	runtime.KeepAlive(s)
	return float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)+int64(keyBytes)) / float64(len(keys))
}
