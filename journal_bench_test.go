package paykit_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/vkpay"
)

// BenchmarkJournalPaired delivers one VK order_status_change to two
// handlers in every iteration — one without an observer, one recording
// into a MemoryJournal — and reports the journal's time as a ratio to the
// handler's alone (bar, issue 17: ≤ 1.3×). Each delivery is a duplicate
// answered from the Store, the cheapest path, so the journal's share is at
// its largest. Paired runs keep the ratio steady on a noisy machine.
func BenchmarkJournalPaired(b *testing.B) {
	c, err := vkpay.New(vkpay.Config{AppID: 7, Secret: "app-secret"})
	if err != nil {
		b.Fatal(err)
	}
	event := func(context.Context, paykit.Notification) error { return nil }
	plain := c.Handler(paykit.Hooks{Event: event})
	journaled := c.Handler(paykit.Hooks{Event: event, Observer: paykit.NewMemoryJournal(paykit.MemoryJournalOptions{})})
	body := vkBody("app-secret", "1042")
	once := func(h http.Handler) time.Duration {
		r := httptest.NewRequest(http.MethodPost, "/vk", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(w, r)
		return time.Since(start)
	}
	noop := c.Handler(paykit.Hooks{Event: event, Observer: paykit.ObserverFunc(func(context.Context, paykit.Delivery) {})})
	var tp, tj, tn time.Duration
	b.ReportAllocs()
	for b.Loop() {
		tp += once(plain)
		tj += once(journaled)
		tn += once(noop)
	}
	b.ReportMetric(float64(tj)/float64(tp), "journal/none")
	b.ReportMetric(float64(tn)/float64(tp), "record/none")
	b.ReportMetric(float64(tp)/float64(b.N), "none-ns/op")
}

// BenchmarkJournalObserve is MemoryJournal.Observe alone, at its cap.
func BenchmarkJournalObserve(b *testing.B) {
	j := paykit.NewMemoryJournal(paykit.MemoryJournalOptions{MaxEntries: 10_000})
	d := paykit.Delivery{ID: "x", Provider: paykit.VKPay, Account: "7", ReceivedAt: time.Now(), Method: "POST", Path: "/vk",
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, Body: []byte(vkBody("s", "1")),
		Verification: paykit.Verified, Outcome: paykit.OutcomeOK, ReplyStatus: 200, ReplyBody: []byte(`{"response":1}`),
		Summary: paykit.Summary{Provider: paykit.VKPay, ID: "1", Kind: paykit.KindPayment, Status: paykit.StatusPaid}}
	ids := make([]string, 20_000)
	for i := range ids {
		ids[i] = fmt.Sprintf("%032x", i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		d.ID = ids[i%len(ids)]
		i++
		j.Observe(context.Background(), d)
	}
}
