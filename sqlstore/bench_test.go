package sqlstore_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

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

// BenchmarkJournalObserve measures what recording a delivery costs on the
// handler's path: a Playvision payment answered from the in-memory store
// (the cheapest path, so the journal's share is the largest), through
// three handlers in each iteration — no observer, paykit's MemoryJournal,
// and a sqlstore Journal on the local PostgreSQL — reporting each one's
// time and their ratios to the first, so that a busy machine slows all
// three alike.
func BenchmarkJournalObserve(b *testing.B) {
	const secret = "bench-secret"
	client, err := playvision.New(playvision.Config{AppID: 1, Secret: secret})
	if err != nil {
		b.Fatal(err)
	}
	j, err := sqlstore.NewJournal(openDB(b, 4), sqlstore.JournalOptions{Table: "journal_" + tableName()})
	if err != nil {
		b.Fatal(err)
	}
	if err := j.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	handler := func(obs paykit.Observer) http.Handler {
		return client.Handler(paykit.Hooks{Event: func(context.Context, paykit.Notification) error { return nil }, Observer: obs})
	}
	handlers := []http.Handler{handler(nil), handler(paykit.NewMemoryJournal(paykit.MemoryJournalOptions{})), handler(j)}
	signer := playvisiontest.Signer{Secret: secret}
	params := playvisiontest.OrderStatusChange{UserID: 7, TransactionID: 1, Sum: 10}.Params()
	success := string(playvision.SuccessReply())
	serve := func(h http.Handler) time.Duration {
		w := httptest.NewRecorder()
		r := signer.NewRequest("/playvision", params)
		start := time.Now()
		h.ServeHTTP(w, r)
		took := time.Since(start)
		if w.Body.String() != success {
			b.Fatalf("answer %q", w.Body.String())
		}
		return took
	}
	for _, h := range handlers {
		serve(h) // fulfilled once; the loop replays
	}
	took := make([]time.Duration, len(handlers))
	b.ReportAllocs()
	for b.Loop() {
		for i, h := range handlers {
			took[i] += serve(h)
		}
	}
	b.ReportMetric(float64(took[0].Nanoseconds())/float64(b.N), "ns/no_observer")
	b.ReportMetric(float64(took[1])/float64(took[0]), "x_memory_journal")
	b.ReportMetric(float64(took[2])/float64(took[0]), "x_sqlstore_journal")
}
