package paykit

import (
	"context"
	"log/slog"
)

// LogDeliveries returns an [Observer] that writes one structured record per
// delivery to l (nil means slog.Default()), at a level by outcome: Info
// when acknowledged, Warn when refused (a bad or missing signature,
// another account, a malformed body, an unknown item) or answered for a
// retry, Error when a hook failed.
//
// The record carries no body and no header — bodies hold payers' personal
// data, keep them in a [Journal] — and never a secret: error texts are
// redacted by the handler. Its message is "paykit delivery" and its
// attributes have these stable names: delivery_id, run_of (when set),
// provider, account, method, path, remote_addr, verification, type, kind,
// status, provider_id, order_id, amount, currency, test, outcome, error
// (when set), reply_status, replayed, key, duration.
func LogDeliveries(l *slog.Logger) Observer {
	if l == nil {
		l = slog.Default()
	}
	return ObserverFunc(func(ctx context.Context, d Delivery) {
		level := logLevel(d.Outcome)
		if !l.Enabled(ctx, level) {
			return
		}
		attrs := make([]slog.Attr, 0, 24)
		attrs = append(attrs, slog.String("delivery_id", d.ID))
		if d.RunOf != "" {
			attrs = append(attrs, slog.String("run_of", d.RunOf))
		}
		s := d.Summary
		attrs = append(attrs,
			slog.String("provider", string(d.Provider)),
			slog.String("account", d.Account),
			slog.String("method", d.Method),
			slog.String("path", d.Path),
			slog.String("remote_addr", d.RemoteAddr),
			slog.String("verification", string(d.Verification)),
			slog.String("type", d.Type),
			slog.String("kind", string(s.Kind)),
			slog.String("status", string(s.Status)),
			slog.String("provider_id", s.ID),
			slog.String("order_id", s.OrderID),
			slog.Int64("amount", s.Amount.Amount),
			slog.String("currency", s.Amount.Currency),
			slog.Bool("test", s.Test),
			slog.String("outcome", string(d.Outcome)),
		)
		if d.Error != "" {
			attrs = append(attrs, slog.String("error", d.Error))
		}
		attrs = append(attrs,
			slog.Int("reply_status", d.ReplyStatus),
			slog.Bool("replayed", d.Replayed),
			slog.String("key", d.Key),
			slog.Duration("duration", d.Duration),
		)
		l.LogAttrs(ctx, level, "paykit delivery", attrs...)
	})
}

func logLevel(o Outcome) slog.Level {
	switch o {
	case OutcomeOK:
		return slog.LevelInfo
	case OutcomeFailed:
		return slog.LevelError
	}
	return slog.LevelWarn
}
