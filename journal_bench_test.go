package paykit_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/deliverytest"
	"github.com/paykit-go/paykit/vkpay"
)

// BenchmarkJournalPaired delivers VK order_status_change notifications to
// three handlers in every iteration — without an observer, with an
// observer that does nothing (the cost of the record alone), and recording
// into a MemoryJournal — and reports their times as ratios to the first
// (bar, issue 17: the journal ≤ 1.3×). "fresh": a new order each time
// (verified, fulfilled, stored); "duplicate": one order again and again,
// answered from the Store — the cheapest path, where the journal's share is
// largest. Times are each thread's CPU clock, so a shared, noisy machine
// does not move the ratios.
func BenchmarkJournalPaired(b *testing.B) {
	for _, fresh := range []bool{true, false} {
		name := map[bool]string{true: "fresh", false: "duplicate"}[fresh]
		b.Run(name, func(b *testing.B) { benchJournalPaired(b, fresh) })
	}
}

func benchJournalPaired(b *testing.B, fresh bool) {
	c, err := vkpay.New(vkpay.Config{AppID: 7, Secret: "app-secret"})
	if err != nil {
		b.Fatal(err)
	}
	event := func(context.Context, paykit.Notification) error { return nil }
	plain := c.Handler(paykit.Hooks{Event: event})
	noop := c.Handler(paykit.Hooks{Event: event, Observer: paykit.ObserverFunc(func(context.Context, paykit.Delivery) {})})
	journaled := c.Handler(paykit.Hooks{Event: event, Observer: paykit.NewMemoryJournal(paykit.MemoryJournalOptions{})})
	once := func(h http.Handler, body string) time.Duration {
		r := httptest.NewRequest(http.MethodPost, "/vk", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		start := deliverytest.ThreadCPU()
		h.ServeHTTP(w, r)
		return deliverytest.ThreadCPU() - start
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var tp, tn, tj time.Duration
	body := vkBody("app-secret", "1042")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if fresh {
			i++
			body = vkBody("app-secret", strconv.Itoa(i))
		}
		tp += once(plain, body)
		tn += once(noop, body)
		tj += once(journaled, body)
	}
	b.ReportMetric(float64(tn)/float64(tp), "record/none")
	b.ReportMetric(float64(tj)/float64(tp), "journal/none")
	b.ReportMetric(float64(tp)/float64(b.N), "none-cpu-ns/op")
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
