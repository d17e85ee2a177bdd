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

// A duplicate Playvision order_status_change through the shop (shared
// hooks, recorded in the journal) beside the bare playvision handler with
// no-op hooks.
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
