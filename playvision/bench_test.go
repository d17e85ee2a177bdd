package playvision_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/playvision/playvisiontest"
)

// benchOrder is a typical order_status_change body.
func benchOrder() (body []byte, canonical []byte) {
	p := playvisiontest.OrderStatusChange{
		UserID: 1311234, SID: "2", TransactionID: 987654321, Sum: 500, ItemID: "gold_pack_500",
		Time: time.Unix(1700000000, 0),
	}.Params()
	return []byte(signer.Body(p)), []byte(playvisiontest.Canonical(p) + testSecret)
}

// BenchmarkBareMD5 is the baseline: one MD5 of the canonical string with
// the secret appended, nothing else.
func BenchmarkBareMD5(b *testing.B) {
	_, canonical := benchOrder()
	b.ReportAllocs()
	b.SetBytes(int64(len(canonical)))
	for i := 0; i < b.N; i++ {
		_ = md5.Sum(canonical)
	}
}

func BenchmarkParseBody(b *testing.B) {
	body, _ := benchOrder()
	c := newClient(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for i := 0; i < b.N; i++ {
		if _, err := c.ParseBody(body, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseCallback(b *testing.B) {
	body, _ := benchOrder()
	c := newClient(b)
	r, reset := reusableRequest(body)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for i := 0; i < b.N; i++ {
		reset()
		if _, err := c.ParseCallback(r); err != nil {
			b.Fatal(err)
		}
	}
}

// passThrough is a Store that fulfils every delivery, so that the benchmark
// measures the first-delivery path without the store growing.
type passThrough struct{}

func (passThrough) Do(ctx context.Context, _ string, f func(context.Context) ([]byte, error)) ([]byte, bool, error) {
	reply, err := f(ctx)
	return reply, false, err
}

// BenchmarkHandlerOrder is the whole handler path of an
// order_status_change: read, parse, verify, hook context, idempotency key,
// store, Event, reply.
func BenchmarkHandlerOrder(b *testing.B) {
	benchHandler(b, paykit.Hooks{Store: passThrough{}, Event: func(context.Context, paykit.Notification) error { return nil }})
}

// BenchmarkHandlerOrderReplay delivers the same notification again and
// again through the default MemoryStore: every delivery after the first is
// a replay.
func BenchmarkHandlerOrderReplay(b *testing.B) {
	benchHandler(b, paykit.Hooks{Event: func(context.Context, paykit.Notification) error { return nil }})
}

func BenchmarkHandlerGetItem(b *testing.B) {
	body := []byte(signer.Body(playvisiontest.GetItem{AppID: testAppID, UserID: 1311234, Item: "gold_pack_100"}.Params()))
	c := newClient(b)
	h := c.Handler(paykit.Hooks{Item: itemHook})
	r, reset := reusableRequest(body)
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		reset()
		w.reset()
		h.ServeHTTP(w, r)
	}
	if w.code != http.StatusOK || !bytes.Contains(w.last, []byte(`"item_price":"5"`)) {
		b.Fatalf("unexpected reply %d %s", w.code, w.last)
	}
}

func benchHandler(b *testing.B, hooks paykit.Hooks) {
	body, _ := benchOrder()
	h := newClient(b).Handler(hooks)
	r, reset := reusableRequest(body)
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for i := 0; i < b.N; i++ {
		reset()
		w.reset()
		h.ServeHTTP(w, r)
	}
	if w.code != http.StatusOK || string(w.last) != `{"status":"1","message":"success"}` {
		b.Fatalf("unexpected reply %d %s", w.code, w.last)
	}
}

// reusableRequest returns a POST request whose body reset rewinds, so that
// building requests is not measured.
func reusableRequest(body []byte) (*http.Request, func()) {
	rd := bytes.NewReader(body)
	r := &http.Request{
		Method: http.MethodPost, URL: &url.URL{Path: "/playvision"}, Header: http.Header{
			"Content-Type": {"application/x-www-form-urlencoded"},
		},
		Body: io.NopCloser(rd), ContentLength: int64(len(body)),
	}
	r = r.WithContext(context.Background())
	return r, func() { rd.Reset(body) }
}

// discard is a ResponseWriter that keeps only the last reply.
type discard struct {
	h    http.Header
	code int
	last []byte
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) WriteHeader(code int)        { d.code = code }
func (d *discard) Write(p []byte) (int, error) { d.last = append(d.last[:0], p...); return len(p), nil }
func (d *discard) reset()                      { clear(d.h) }
