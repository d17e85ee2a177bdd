package paykitotel_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/paykitotel"
	"github.com/paykit-go/paykit/vkpay"
	"github.com/paykit-go/paykit/vkpay/vkpaytest"
)

// A VK handler reports its deliveries to OpenTelemetry beside a journal.
// In production leave Options empty to use the otel global providers set up
// by your exporter; here in-memory ones show what is recorded.
func Example() {
	spans := tracetest.NewSpanRecorder()
	reader := sdkmetric.NewManualReader()
	obs, err := paykitotel.New(paykitotel.Options{
		TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)),
		MeterProvider:  sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)),
	})
	if err != nil {
		log.Fatal(err)
	}
	journal := paykit.NewMemoryJournal(paykit.MemoryJournalOptions{})

	client, err := vkpay.New(vkpay.Config{AppID: 51234, Secret: "app-secret"})
	if err != nil {
		log.Fatal(err)
	}
	handler := client.Handler(paykit.Hooks{
		Event:    func(context.Context, paykit.Notification) error { return nil },
		Observer: paykit.Observers(obs, journal),
	})

	// VK notifies a payment, then delivers it again.
	signer := vkpaytest.Signer{AppID: 51234, Secret: "app-secret"}
	payment := signer.OrderStatusChange(vkpaytest.OrderParams{ID: 77, UserID: 1, Item: "gold", Price: 10,
		Date: time.Unix(1700000000, 0)}, vkpay.OrderChargeable)
	for range 2 {
		handler.ServeHTTP(httptest.NewRecorder(), signer.NewRequest("/vk/callback", payment))
	}

	for _, s := range spans.Ended() {
		fmt.Print(s.Name())
		for _, kv := range s.Attributes() {
			if kv.Key == paykitotel.AttrReplayed || kv.Key == paykitotel.AttrOutcome {
				fmt.Printf(" %s=%s", kv.Key, kv.Value.String())
			}
		}
		fmt.Println()
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		log.Fatal(err)
	}
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if sum, ok := m.Data.(metricdata.Sum[int64]); ok {
			fmt.Println(m.Name, sum.DataPoints[0].Value)
		}
	}
	// Output:
	// paykit.delivery vkpay paykit.outcome=ok paykit.replayed=false
	// paykit.delivery vkpay paykit.outcome=ok paykit.replayed=true
	// paykit.deliveries 2
	// paykit.replays 1
}

// In production the Observer uses the otel global providers that your
// exporter's setup installed, beside a journal and a log.
func ExampleNew() {
	obs, err := paykitotel.New(paykitotel.Options{}) // the otel global providers
	if err != nil {
		log.Fatal(err)
	}
	journal := paykit.NewMemoryJournal(paykit.MemoryJournalOptions{})
	client, err := vkpay.New(vkpay.Config{AppID: 51234, Secret: os.Getenv("VK_SECRET")})
	if err != nil {
		log.Fatal(err)
	}
	http.Handle("/vk/callback", client.Handler(paykit.Hooks{
		Event:    fulfil,
		Observer: paykit.Observers(obs, journal, paykit.LogDeliveries(nil)),
	}))
}

func fulfil(context.Context, paykit.Notification) error { return nil }
