package paykitotel_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/paykitotel"
)

// BenchmarkObserve measures what Observe costs per delivery: a no-op
// observer as the baseline, the Observer on OpenTelemetry's no-op
// providers (the globals before an SDK is installed), and on the SDK with
// every span sampled and exported (to a no-op exporter) and the metrics
// aggregated by a reader — each one under a request span, as behind
// otelhttp.
func BenchmarkObserve(b *testing.B) {
	d := paykit.Delivery{ID: "0123456789abcdef0123456789abcdef", Provider: paykit.VKPay, Account: "51234",
		ReceivedAt: time.Now(), Duration: 3 * time.Millisecond, Verification: paykit.Verified,
		Type: "order_status_change", Summary: paykit.Summary{Kind: paykit.KindPayment, Status: paykit.StatusPaid},
		Outcome: paykit.OutcomeOK, ReplyStatus: http.StatusOK, Key: "k", Replayed: true}
	sdk := sdktrace.NewTracerProvider(sdktrace.WithSyncer(tracetest.NewNoopExporter()))
	ctx, parent := sdk.Tracer("server").Start(context.Background(), "POST /vk")
	defer parent.End()

	noopObs, err := paykitotel.New(paykitotel.Options{})
	if err != nil {
		b.Fatal(err)
	}
	sdkObs, err := paykitotel.New(paykitotel.Options{TracerProvider: sdk,
		MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))})
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		obs  paykit.Observer
	}{
		{"noop_observer", paykit.ObserverFunc(func(context.Context, paykit.Delivery) {})},
		{"otel_noop_providers", noopObs},
		{"otel_sdk", sdkObs},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bc.obs.Observe(ctx, d)
			}
		})
	}
}

// BenchmarkHandler measures a VK payment delivery through the handler,
// answered from the Store (the cheapest path, so the observer's share is
// the largest), without an observer and with the Observer on the SDK,
// under a request span in both. Each iteration times one delivery of
// each, so that a busy machine slows both alike; it reports both and
// their ratio.
func BenchmarkHandler(b *testing.B) {
	sdk := sdktrace.NewTracerProvider(sdktrace.WithSyncer(tracetest.NewNoopExporter()))
	sdkObs, err := paykitotel.New(paykitotel.Options{TracerProvider: sdk,
		MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))})
	if err != nil {
		b.Fatal(err)
	}
	body := order(1).Encode()
	plain := withServerSpan(sdk, vkHandler(b, nil))
	observed := withServerSpan(sdk, vkHandler(b, sdkObs))
	serve := func(h http.Handler) time.Duration {
		w := httptest.NewRecorder()
		r := request(body)
		start := time.Now()
		h.ServeHTTP(w, r)
		took := time.Since(start)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
		return took
	}
	serve(plain) // fulfilled once; the loop replays
	serve(observed)
	var base, with time.Duration
	b.ReportAllocs()
	for b.Loop() {
		base += serve(plain)
		with += serve(observed)
	}
	b.ReportMetric(float64(base.Nanoseconds())/float64(b.N), "ns/no_observer")
	b.ReportMetric(float64(with.Nanoseconds())/float64(b.N), "ns/otel_sdk")
	b.ReportMetric(float64(with)/float64(base), "ratio")
}
