package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/playvision"
	"github.com/paykit-go/paykit/playvision/playvisiontest"
)

// The shop's history-recording Store beside the bare MemoryStore it wraps:
// the cost of seeing duplicates, per replayed delivery.
func BenchmarkStoreReplay(b *testing.B) {
	fulfil := func(context.Context) ([]byte, error) { return []byte("OK"), nil }
	run := func(b *testing.B, s paykit.Store) {
		ctx := context.Background()
		if _, _, err := s.Do(ctx, "key", fulfil); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, _, err := s.Do(ctx, "key", fulfil); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("baseline=MemoryStore", func(b *testing.B) {
		run(b, paykit.NewMemoryStore(paykit.MemoryStoreOptions{}))
	})
	b.Run("historyStore", func(b *testing.B) {
		book := newOrderBook(nil)
		run(b, &historyStore{inner: paykit.NewMemoryStore(paykit.MemoryStoreOptions{}), replayed: book.replayed})
	})
}

// A duplicate Playvision order_status_change through the shop (shared
// hooks, history store, callback log) beside the bare playvision handler
// with no-op hooks.
func BenchmarkDuplicateCallback(b *testing.B) {
	s, err := New(Options{BaseURL: "http://127.0.0.1:1"})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	o := s.orders.create(catalog[0], paykit.Playvision, catalog[0].PriceIn(paykit.Playvision))
	signer := playvisiontest.Signer{Secret: demoPlayvisionSecret}
	params := playvisiontest.OrderStatusChange{UserID: 1, TransactionID: 5, Sum: o.Amount.Amount, ItemID: o.ItemKey()}.Params()
	bare, err := playvision.New(playvision.Config{AppID: demoPlayvisionApp, Secret: demoPlayvisionSecret})
	if err != nil {
		b.Fatal(err)
	}
	handlers := []struct {
		name, path string
		h          http.Handler
	}{
		{"baseline=playvision.Handler", "/", bare.Handler(paykit.Hooks{Event: func(context.Context, paykit.Notification) error { return nil }})},
		{"shop", "/callback/playvision", s.Handler()},
	}
	for _, c := range handlers {
		b.Run(c.name, func(b *testing.B) {
			c.h.ServeHTTP(httptest.NewRecorder(), signer.NewRequest(c.path, params)) // the first delivery
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				w := httptest.NewRecorder()
				c.h.ServeHTTP(w, signer.NewRequest(c.path, params))
				if w.Code != http.StatusOK || w.Body.String() != `{"status":"1","message":"success"}` {
					b.Fatal(w.Code, w.Body.String())
				}
			}
		})
	}
}
