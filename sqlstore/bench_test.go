package sqlstore_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/playvision"
	"github.com/paykit-go/paykit/playvision/playvisiontest"
	"github.com/paykit-go/paykit/sqlstore"
)

// BenchmarkDelivery measures deliveries per second of new Playvision
// payments (parse, verify, claim, hook, store the reply, answer) through
// the playvision Handler, with the in-memory store as the baseline beside
// sqlstore on the local PostgreSQL in both modes, and the replay of an
// already answered payment. Many deliveries run at once, as behind a load
// balancer; the hook does nothing, so the figures are the stores' cost.
func BenchmarkDelivery(b *testing.B) {
	b.Run("memory", func(b *testing.B) { benchDelivery(b, paykit.NewMemoryStore(paykit.MemoryStoreOptions{}), false) })
	b.Run("sqlstore_lease", func(b *testing.B) { benchDelivery(b, benchStore(b, sqlstore.Options{LeaseMode: true}), false) })
	b.Run("sqlstore_same_tx", func(b *testing.B) { benchDelivery(b, benchStore(b, sqlstore.Options{}), false) })
	b.Run("replay/memory", func(b *testing.B) { benchDelivery(b, paykit.NewMemoryStore(paykit.MemoryStoreOptions{}), true) })
	b.Run("replay/sqlstore_lease", func(b *testing.B) { benchDelivery(b, benchStore(b, sqlstore.Options{LeaseMode: true}), true) })
	b.Run("replay/sqlstore_same_tx", func(b *testing.B) { benchDelivery(b, benchStore(b, sqlstore.Options{}), true) })
}

func benchStore(b *testing.B, opts sqlstore.Options) paykit.Store {
	db := openDB(b, 16)
	opts.Table = tableName()
	s, err := sqlstore.New(db, opts)
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	return s
}

func benchDelivery(b *testing.B, store paykit.Store, replay bool) {
	const secret = "bench-secret"
	client, err := playvision.New(playvision.Config{AppID: 1, Secret: secret})
	if err != nil {
		b.Fatal(err)
	}
	h := client.Handler(paykit.Hooks{Store: store, Event: func(context.Context, paykit.Notification) error { return nil }})
	signer := playvisiontest.Signer{Secret: secret}
	success := string(playvision.SuccessReply())
	var next atomic.Int64
	payment := func() *http.Request {
		id := int64(1)
		if !replay {
			id = next.Add(1)
		}
		return signer.NewRequest("/playvision", playvisiontest.OrderStatusChange{UserID: 7, TransactionID: id, Sum: 10}.Params())
	}
	if replay { // answer it once, so that every timed delivery replays
		h.ServeHTTP(httptest.NewRecorder(), payment())
	}
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, payment())
			if w.Body.String() != success {
				b.Errorf("answer %q", w.Body.String())
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
}
