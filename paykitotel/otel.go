// Package paykitotel reports paykit's deliveries to OpenTelemetry: a span
// per delivery and counters and a histogram of them, for every provider's
// handler at once.
//
// It is the only package of paykit that imports OpenTelemetry, so only
// merchants who import it get that dependency. Set the [Observer] it
// returns as [paykit.Hooks].Observer, alone or beside a journal and a log
// through [paykit.Observers]:
//
//	obs, err := paykitotel.New(paykitotel.Options{}) // the otel global providers
//	if err != nil { … }
//	hooks := paykit.Hooks{Event: credit, Observer: paykit.Observers(obs, journal)}
//
// # Spans
//
// Each delivery is one span named "paykit.delivery <provider>" (for
// example "paykit.delivery vkpay"), of kind internal, from the moment the
// handler received the request to the moment its reply was written
// ([paykit.Delivery].ReceivedAt and Duration). The handler reports a
// delivery after its reply, with the request's context; when that context
// carries a span — the server span of otelhttp or of your router's
// middleware, or a remote span context extracted from the request's
// headers — the delivery's span is its child, so a trace shows the
// delivery inside the request.
//
// Its attributes have stable names, all under the "paykit." prefix:
//
//	paykit.delivery.id        the delivery's ID, as in the log and the journal
//	paykit.delivery.run_of    the delivery it runs again (only when set)
//	paykit.provider           "paysera", "vkpay", "xsolla", "playvision"
//	paykit.account            the project / app / merchant id
//	paykit.verification       "verified" or why not ("invalid_signature", …)
//	paykit.type               the provider's notification type (when verified)
//	paykit.kind               paykit.Kind (when verified)
//	paykit.status             paykit.Status (when verified)
//	paykit.test               the test / sandbox flag
//	paykit.outcome            "ok", "rejected", "retry", "failed"
//	paykit.replayed           the reply came from the Store (a duplicate)
//	paykit.reply.status_code  the HTTP status of the reply
//
// A delivery that failed or was answered for a retry (outcome "failed" or
// "retry") has the span status Error, described by its outcome and, when
// it did not verify, its verification ("retry: unavailable"); the others
// leave the status unset, as a refused request is the caller's error, not
// the merchant's.
//
// No attribute holds a body, a header, a secret or a payer's personal
// data. Nor is the error text recorded (a hook's error may quote
// anything), nor the order, provider and user ids: [paykit.LogDeliveries]
// logs them and a [paykit.Journal] keeps them, and paykit.delivery.id
// finds the log line and the journal's record of the span's delivery.
//
// # Metrics
//
// Three instruments, whose attributes are few and bounded so that they
// stay cheap to aggregate:
//
//	paykit.deliveries          counter, {delivery}: every delivery, by
//	                           paykit.provider and paykit.outcome
//	paykit.delivery.duration   histogram, s: from receipt to the reply
//	                           written, by paykit.provider and paykit.outcome
//	paykit.replays             counter, {delivery}: deliveries answered from
//	                           the Store without running Event, by
//	                           paykit.provider
//
// The duration is what the handler measures: reading and verifying the
// request, the Store and your hooks (Item, User, Event), and writing the
// reply. Verification and the in-memory store take microseconds, so for a
// delivery that reached your hooks it is, within that, their latency;
// the handler does not time the hooks apart.
package paykitotel

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/paykit-go/paykit"
)

// ScopeName is the instrumentation scope of the tracer and the meter.
const ScopeName = "github.com/paykit-go/paykit/paykitotel"

// The names of the span attributes and the metric attributes; see the
// package documentation.
const (
	AttrDeliveryID   = attribute.Key("paykit.delivery.id")
	AttrRunOf        = attribute.Key("paykit.delivery.run_of")
	AttrProvider     = attribute.Key("paykit.provider")
	AttrAccount      = attribute.Key("paykit.account")
	AttrVerification = attribute.Key("paykit.verification")
	AttrType         = attribute.Key("paykit.type")
	AttrKind         = attribute.Key("paykit.kind")
	AttrStatus       = attribute.Key("paykit.status")
	AttrTest         = attribute.Key("paykit.test")
	AttrOutcome      = attribute.Key("paykit.outcome")
	AttrReplayed     = attribute.Key("paykit.replayed")
	AttrReplyStatus  = attribute.Key("paykit.reply.status_code")
)

// The names of the instruments; see the package documentation.
const (
	MetricDeliveries = "paykit.deliveries"
	MetricDuration   = "paykit.delivery.duration"
	MetricReplays    = "paykit.replays"
)

// SpanNamePrefix starts every span's name; the provider follows.
const SpanNamePrefix = "paykit.delivery "

// durationBuckets are the histogram's bucket boundaries in seconds: from a
// replay answered in a millisecond to the 10 s VK and Playvision allow.
var durationBuckets = []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 7.5, 10}

// Options configures [New]. The zero value uses OpenTelemetry's global
// providers, which delegate: an Observer made before your setup installs
// them (otel.SetTracerProvider, otel.SetMeterProvider) reports to them
// from then on.
type Options struct {
	// TracerProvider makes the spans; nil means otel.GetTracerProvider().
	TracerProvider trace.TracerProvider
	// MeterProvider makes the instruments; nil means
	// otel.GetMeterProvider().
	MeterProvider metric.MeterProvider
}

// Observer is a [paykit.Observer] that reports each delivery as a span and
// in the metrics. It is safe for concurrent use; a nil *Observer observes
// nothing.
type Observer struct {
	tracer     trace.Tracer
	deliveries metric.Int64Counter
	duration   metric.Float64Histogram
	replays    metric.Int64Counter

	sets attrCache
}

var _ paykit.Observer = (*Observer)(nil)

// New returns an Observer on the providers of opts. It fails only when the
// meter provider refuses to make an instrument.
func New(opts Options) (*Observer, error) {
	tp, mp := opts.TracerProvider, opts.MeterProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	meter := mp.Meter(ScopeName)
	o := &Observer{tracer: tp.Tracer(ScopeName)}
	var err error
	if o.deliveries, err = meter.Int64Counter(MetricDeliveries, metric.WithUnit("{delivery}"),
		metric.WithDescription("Deliveries to paykit's callback handlers, by provider and outcome.")); err != nil {
		return nil, fmt.Errorf("paykitotel: %s: %w", MetricDeliveries, err)
	}
	if o.duration, err = meter.Float64Histogram(MetricDuration, metric.WithUnit("s"),
		metric.WithDescription("Time from receiving a delivery to its reply written, hooks included."),
		metric.WithExplicitBucketBoundaries(durationBuckets...)); err != nil {
		return nil, fmt.Errorf("paykitotel: %s: %w", MetricDuration, err)
	}
	if o.replays, err = meter.Int64Counter(MetricReplays, metric.WithUnit("{delivery}"),
		metric.WithDescription("Deliveries answered from the Store without running Event, by provider.")); err != nil {
		return nil, fmt.Errorf("paykitotel: %s: %w", MetricReplays, err)
	}
	return o, nil
}

// Observe records d as a span, a child of the span in ctx when there is
// one, and counts it.
func (o *Observer) Observe(ctx context.Context, d paykit.Delivery) {
	if o == nil {
		return
	}
	o.span(ctx, &d)
	m := o.sets.get(d.Provider, d.Outcome)
	o.deliveries.Add(ctx, 1, m.byOutcome)
	o.duration.Record(ctx, d.Duration.Seconds(), m.byOutcome)
	if d.Replayed {
		o.replays.Add(ctx, 1, m.byProvider)
	}
}

func (o *Observer) span(ctx context.Context, d *paykit.Delivery) {
	_, span := o.tracer.Start(ctx, SpanNamePrefix+string(d.Provider),
		trace.WithTimestamp(d.ReceivedAt), trace.WithSpanKind(trace.SpanKindInternal))
	if !span.IsRecording() {
		span.End()
		return
	}
	s := d.Summary
	attrs := make([]attribute.KeyValue, 0, 12)
	attrs = append(attrs, AttrDeliveryID.String(d.ID))
	if d.RunOf != "" {
		attrs = append(attrs, AttrRunOf.String(d.RunOf))
	}
	attrs = append(attrs,
		AttrProvider.String(string(d.Provider)),
		AttrAccount.String(d.Account),
		AttrVerification.String(string(d.Verification)),
		AttrType.String(d.Type),
		AttrKind.String(string(s.Kind)),
		AttrStatus.String(string(s.Status)),
		AttrTest.Bool(s.Test),
		AttrOutcome.String(string(d.Outcome)),
		AttrReplayed.Bool(d.Replayed),
		AttrReplyStatus.Int(d.ReplyStatus),
	)
	span.SetAttributes(attrs...)
	if d.Outcome == paykit.OutcomeFailed || d.Outcome == paykit.OutcomeRetry {
		span.SetStatus(codes.Error, statusText(d))
	}
	span.End(trace.WithTimestamp(d.ReceivedAt.Add(d.Duration)))
}

// statusText describes a failed or retried delivery without its error
// text: the outcome, and the verification when it did not verify.
func statusText(d *paykit.Delivery) string {
	if d.Verification == paykit.Verified || d.Verification == "" {
		return string(d.Outcome)
	}
	return string(d.Outcome) + ": " + string(d.Verification)
}
