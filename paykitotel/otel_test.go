package paykitotel_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/paykitotel"
	"github.com/paykit-go/paykit/vkpay"
	"github.com/paykit-go/paykit/vkpay/vkpaytest"
)

// freshGlobalsEnv marks the fresh process TestGlobalProvidersInstalledLaterAreUsed runs in.
const freshGlobalsEnv = "PAYKITOTEL_TEST_FRESH_GLOBALS"

const (
	appID = 7100
	// secret is a canary: it must appear in no span and no metric.
	secret = "canary-secret-5fd1c0"
)

// telemetry is an Observer on in-memory SDK providers.
type telemetry struct {
	obs    *paykitotel.Observer
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
	tp     *sdktrace.TracerProvider
}

func newTelemetry(t *testing.T) *telemetry {
	t.Helper()
	te := &telemetry{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	te.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(te.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(te.reader))
	obs, err := paykitotel.New(paykitotel.Options{TracerProvider: te.tp, MeterProvider: mp})
	require.NoError(t, err)
	te.obs = obs
	return te
}

// metrics collects the instruments by name.
func (te *telemetry) metrics(t *testing.T) map[string]metricdata.Aggregation {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, te.reader.Collect(context.Background(), &rm))
	out := make(map[string]metricdata.Aggregation)
	for _, sm := range rm.ScopeMetrics {
		assert.Equal(t, paykitotel.ScopeName, sm.Scope.Name)
		for _, m := range sm.Metrics {
			out[m.Name] = m.Data
		}
	}
	return out
}

// withServerSpan is what otelhttp or a router's middleware does: a server
// span in the request's context around the handler.
func withServerSpan(tp trace.TracerProvider, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, span := tp.Tracer("server").Start(r.Context(), "POST /vk", trace.WithSpanKind(trace.SpanKindServer))
		defer span.End()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

var signer = vkpaytest.Signer{AppID: appID, Secret: secret}

func order(id int64) url.Values {
	return signer.OrderStatusChange(vkpaytest.OrderParams{ID: id, UserID: 501, Item: "gold", Price: 70,
		Date: time.Unix(1700000000, 0)}, vkpay.OrderChargeable)
}

// vkHandler is a vkpay handler whose Event hook fails for order 2
// (failed), asks for a retry for order 3, and fulfils every other order.
func vkHandler(t testing.TB, obs paykit.Observer) http.Handler {
	t.Helper()
	c, err := vkpay.New(vkpay.Config{AppID: appID, Secret: secret})
	require.NoError(t, err)
	return c.Handler(paykit.Hooks{
		Event: func(_ context.Context, n paykit.Notification) error {
			switch n.Summary().ID {
			case "2":
				return errors.New("out of gold")
			case "3":
				return paykit.Temporary(errors.New("database down"))
			}
			return nil
		},
		Observer: obs,
	})
}

// post sends params as they are (signed by the caller, or a near miss).
func post(h http.Handler, params url.Values) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, request(params.Encode()))
	return w
}

func request(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/vk", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

// lastByteOff changes the last hex digit of sig.
func lastByteOff(sig string) string {
	last := byte('0')
	if sig[len(sig)-1] == '0' {
		last = '1'
	}
	return sig[:len(sig)-1] + string(last)
}

func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := make(map[attribute.Key]attribute.Value)
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

func TestSpanIsAChildOfTheRequestSpan(t *testing.T) {
	te := newTelemetry(t)
	h := withServerSpan(te.tp, vkHandler(t, te.obs))
	require.Equal(t, http.StatusOK, post(h, order(1)).Code)

	ended := te.spans.Ended()
	require.Len(t, ended, 2, "the delivery's span and the server span")
	delivery, server := ended[0], ended[1]
	assert.Equal(t, "paykit.delivery vkpay", delivery.Name())
	assert.Equal(t, trace.SpanKindInternal, delivery.SpanKind())
	assert.Equal(t, server.SpanContext().SpanID(), delivery.Parent().SpanID())
	assert.Equal(t, server.SpanContext().TraceID(), delivery.SpanContext().TraceID())
	assert.False(t, delivery.StartTime().Before(server.StartTime()), "starts inside the request")
	assert.False(t, delivery.EndTime().After(server.EndTime()), "ends inside the request")
}

func TestSpanWithoutARequestSpanIsARoot(t *testing.T) {
	te := newTelemetry(t)
	require.Equal(t, http.StatusOK, post(vkHandler(t, te.obs), order(1)).Code)
	ended := te.spans.Ended()
	require.Len(t, ended, 1)
	assert.False(t, ended[0].Parent().IsValid())
}

func TestSpanOfARemoteParentFromTheHeaders(t *testing.T) {
	te := newTelemetry(t)
	parent := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1, 2, 3}, SpanID: trace.SpanID{4, 5, 6}, TraceFlags: trace.FlagsSampled, Remote: true})
	ctx := trace.ContextWithRemoteSpanContext(context.Background(), parent)
	te.obs.Observe(ctx, paykit.Delivery{ID: "d1", Provider: paykit.Xsolla, ReceivedAt: time.Now(), Outcome: paykit.OutcomeOK})
	ended := te.spans.Ended()
	require.Len(t, ended, 1)
	assert.Equal(t, parent.SpanID(), ended[0].Parent().SpanID())
	assert.Equal(t, parent.TraceID(), ended[0].SpanContext().TraceID())
}

func TestSpanTimesAreTheDeliverysOwn(t *testing.T) {
	te := newTelemetry(t)
	at := time.Date(2026, 11, 30, 4, 0, 0, 0, time.UTC)
	te.obs.Observe(context.Background(), paykit.Delivery{ID: "d1", Provider: paykit.Paysera, ReceivedAt: at,
		Duration: 1500 * time.Millisecond, Outcome: paykit.OutcomeOK})
	s := te.spans.Ended()[0]
	assert.True(t, s.StartTime().Equal(at))
	assert.True(t, s.EndTime().Equal(at.Add(1500*time.Millisecond)))
}

func TestSpanAttributesByOutcome(t *testing.T) {
	te := newTelemetry(t)
	h := vkHandler(t, te.obs)
	bad := order(4)
	bad.Set(vkpay.SigParam, lastByteOff(bad.Get(vkpay.SigParam))) // a near miss
	for _, p := range []url.Values{order(1), order(1), order(2), order(3), bad} {
		post(h, p)
	}
	ended := te.spans.Ended()
	require.Len(t, ended, 5)
	for _, tc := range []struct {
		name         string
		span         int
		outcome      string
		verification string
		replayed     bool
		reply        int64
		status       codes.Code
		statusText   string
	}{
		{"fulfilled", 0, "ok", "verified", false, 200, codes.Unset, ""},
		{"replayed", 1, "ok", "verified", true, 200, codes.Unset, ""},
		{"hook failed", 2, "failed", "verified", false, 200, codes.Error, "failed"},
		{"hook asked for a retry", 3, "retry", "verified", false, 200, codes.Error, "retry"},
		{"bad signature", 4, "rejected", "invalid_signature", false, 200, codes.Unset, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := ended[tc.span]
			a := attrs(s)
			assert.Equal(t, tc.outcome, a[paykitotel.AttrOutcome].AsString())
			assert.Equal(t, tc.verification, a[paykitotel.AttrVerification].AsString())
			assert.Equal(t, tc.replayed, a[paykitotel.AttrReplayed].AsBool())
			assert.Equal(t, tc.reply, a[paykitotel.AttrReplyStatus].AsInt64())
			assert.Equal(t, "vkpay", a[paykitotel.AttrProvider].AsString())
			assert.Equal(t, "7100", a[paykitotel.AttrAccount].AsString())
			assert.Len(t, a[paykitotel.AttrDeliveryID].AsString(), 32)
			assert.Equal(t, tc.status, s.Status().Code)
			assert.Equal(t, tc.statusText, s.Status().Description)
			if tc.verification == "verified" {
				assert.Equal(t, "order_status_change", a[paykitotel.AttrType].AsString())
				assert.Equal(t, "payment", a[paykitotel.AttrKind].AsString())
				assert.Equal(t, "paid", a[paykitotel.AttrStatus].AsString())
				assert.False(t, a[paykitotel.AttrTest].AsBool())
			}
			_, hasRunOf := a[paykitotel.AttrRunOf]
			assert.False(t, hasRunOf, "run_of only when set")
		})
	}
}

func TestSpanNamesTheRunAgainAndItsRetryStatus(t *testing.T) {
	te := newTelemetry(t)
	te.obs.Observe(context.Background(), paykit.Delivery{ID: "d2", RunOf: "d1", Provider: paykit.Paysera,
		ReceivedAt: time.Now(), Verification: paykit.NotVerifiedUnavailable, Outcome: paykit.OutcomeRetry})
	s := te.spans.Ended()[0]
	assert.Equal(t, "d1", attrs(s)[paykitotel.AttrRunOf].AsString())
	assert.Equal(t, codes.Error, s.Status().Code)
	assert.Equal(t, "retry: unavailable", s.Status().Description)
}

// TestNothingPersonalOrSecretIsRecorded delivers notifications carrying a
// canary secret (in the signature), payer data and an error text, and
// finds none of them in any span or metric.
func TestNothingPersonalOrSecretIsRecorded(t *testing.T) {
	te := newTelemetry(t)
	h := vkHandler(t, te.obs)
	p := order(2) // the hook fails with "out of gold"
	p.Set("item_title", "Alice Payer alice@example.com +37060000000")
	post(h, signer.Sign(p))
	te.obs.Observe(context.Background(), paykit.Delivery{ID: "d", Provider: paykit.Xsolla, ReceivedAt: time.Now(),
		Body: []byte(`{"user":{"email":"bob@example.com"}}`), Header: http.Header{"Authorization": {"Signature " + secret}},
		Error: "hook: bob@example.com " + secret, Summary: paykit.Summary{OrderID: "order-bob", UserID: "user-bob"},
		Outcome: paykit.OutcomeFailed})

	var seen strings.Builder
	for _, s := range te.spans.Ended() {
		seen.WriteString(s.Name() + " " + s.Status().Description)
		for _, kv := range s.Attributes() {
			if kv.Key != paykitotel.AttrDeliveryID { // random hex
				seen.WriteString(" " + string(kv.Key) + "=" + kv.Value.String())
			}
		}
		for _, e := range s.Events() {
			seen.WriteString(" " + e.Name)
		}
	}
	for name, data := range te.metrics(t) {
		seen.WriteString(" " + name)
		if sum, ok := data.(metricdata.Sum[int64]); ok {
			for _, dp := range sum.DataPoints {
				for _, kv := range dp.Attributes.ToSlice() {
					seen.WriteString(" " + kv.Value.String())
				}
			}
		}
	}
	got := seen.String()
	for _, leak := range []string{secret, "alice", "Alice", "bob", "+370", "out of gold", "order-bob", "user-bob", "501", "gold"} {
		assert.NotContains(t, got, leak)
	}
}

func TestMetricsCountAMixOfOutcomes(t *testing.T) {
	te := newTelemetry(t)
	h := vkHandler(t, te.obs)
	bad := order(4)
	bad.Set(vkpay.SigParam, bad.Get(vkpay.SigParam)[:31]) // a near miss: truncated
	for _, p := range []url.Values{order(1), order(1), order(1), order(5), order(2), order(3), order(3), bad} {
		post(h, p)
	}
	te.obs.Observe(context.Background(), paykit.Delivery{ID: "x", Provider: paykit.Xsolla, Outcome: paykit.OutcomeOK,
		ReceivedAt: time.Now(), Duration: 3 * time.Second, Replayed: true})

	m := te.metrics(t)
	type key struct{ provider, outcome string }
	counts := map[key]int64{}
	for _, dp := range m[paykitotel.MetricDeliveries].(metricdata.Sum[int64]).DataPoints {
		p, _ := dp.Attributes.Value(paykitotel.AttrProvider)
		o, _ := dp.Attributes.Value(paykitotel.AttrOutcome)
		counts[key{p.AsString(), o.AsString()}] += dp.Value
		assert.Equal(t, 2, dp.Attributes.Len(), "provider and outcome only")
	}
	assert.Equal(t, map[key]int64{
		{"vkpay", "ok"}: 4, {"vkpay", "failed"}: 1, {"vkpay", "retry"}: 2, {"vkpay", "rejected"}: 1,
		{"xsolla", "ok"}: 1,
	}, counts)

	replays := map[string]int64{}
	for _, dp := range m[paykitotel.MetricReplays].(metricdata.Sum[int64]).DataPoints {
		p, _ := dp.Attributes.Value(paykitotel.AttrProvider)
		replays[p.AsString()] += dp.Value
	}
	assert.Equal(t, map[string]int64{"vkpay": 2, "xsolla": 1}, replays)

	hist := m[paykitotel.MetricDuration].(metricdata.Histogram[float64])
	var n uint64
	for _, dp := range hist.DataPoints {
		n += dp.Count
		o, _ := dp.Attributes.Value(paykitotel.AttrOutcome)
		p, _ := dp.Attributes.Value(paykitotel.AttrProvider)
		if p.AsString() == "xsolla" {
			assert.Equal(t, "ok", o.AsString())
			assert.InDelta(t, 3.0, dp.Sum, 1e-9, "seconds")
			assert.Equal(t, []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 7.5, 10}, dp.Bounds)
		}
	}
	assert.Equal(t, uint64(9), n, "one duration per delivery")
}

func TestNilIsSafe(t *testing.T) {
	var o *paykitotel.Observer
	assert.NotPanics(t, func() { o.Observe(context.Background(), paykit.Delivery{ID: "d"}) })

	global, err := paykitotel.New(paykitotel.Options{}) // the otel globals: no-op until set
	require.NoError(t, err)
	assert.NotPanics(t, func() {
		global.Observe(context.Background(), paykit.Delivery{})
		global.Observe(context.Background(), paykit.Delivery{ID: "d", Provider: paykit.VKPay, Outcome: paykit.OutcomeFailed})
	})
	te := newTelemetry(t)
	te.obs.Observe(context.Background(), paykit.Delivery{}) // a zero delivery: still one span, one count
	assert.Len(t, te.spans.Ended(), 1)
}

func TestUnsampledDeliveriesAreStillCounted(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()), sdktrace.WithSpanProcessor(spans))
	reader := sdkmetric.NewManualReader()
	obs, err := paykitotel.New(paykitotel.Options{TracerProvider: tp,
		MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))})
	require.NoError(t, err)
	obs.Observe(context.Background(), paykit.Delivery{ID: "d", Provider: paykit.VKPay, Outcome: paykit.OutcomeOK})
	assert.Empty(t, spans.Ended())
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	require.Len(t, rm.ScopeMetrics, 1)
	found := false
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if m.Name == paykitotel.MetricDeliveries {
			found = true
			assert.Equal(t, int64(1), m.Data.(metricdata.Sum[int64]).DataPoints[0].Value)
		}
	}
	assert.True(t, found)
}

// TestGlobalProvidersInstalledLaterAreUsed: an Observer made before the
// merchant's setup installs the global providers reports to them once
// they are installed, as OpenTelemetry's globals delegate.
//
// OpenTelemetry's globals delegate to the first providers installed in a
// process only, so the test runs in a fresh process of this test binary:
// in this one, -count=N or another test that installs providers first
// would leave nothing to delegate.
func TestGlobalProvidersInstalledLaterAreUsed(t *testing.T) {
	if os.Getenv(freshGlobalsEnv) == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestGlobalProvidersInstalledLaterAreUsed$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), freshGlobalsEnv+"=1")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "in a fresh process:\n%s", out)
		require.Contains(t, string(out), "--- PASS: TestGlobalProvidersInstalledLaterAreUsed", "the fresh process ran the test")
		return
	}
	obs, err := paykitotel.New(paykitotel.Options{})
	require.NoError(t, err)

	spans := tracetest.NewSpanRecorder()
	reader := sdkmetric.NewManualReader()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)))
	otel.SetMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)))
	t.Cleanup(func() {
		otel.SetTracerProvider(tracenoop.NewTracerProvider())
		otel.SetMeterProvider(metricnoop.NewMeterProvider())
	})

	obs.Observe(context.Background(), paykit.Delivery{ID: "d", Provider: paykit.Playvision, Outcome: paykit.OutcomeOK, ReceivedAt: time.Now()})
	require.Len(t, spans.Ended(), 1)
	assert.Equal(t, "paykit.delivery playvision", spans.Ended()[0].Name())
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	require.Len(t, rm.ScopeMetrics, 1)
	assert.NotEmpty(t, rm.ScopeMetrics[0].Metrics)
}
