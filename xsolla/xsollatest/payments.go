package xsollatest

import (
	"context"
	"fmt"
	"net/http"

	"github.com/paykit-go/paykit/internal/emulator"
	"github.com/paykit-go/paykit/xsolla"
)

// judge reads a merchant's answer as Xsolla does: 2xx acknowledges, 4xx is
// a final refusal, anything else (5xx, no answer) is retried.
func judge(status int, _ []byte) emulator.Verdict {
	switch status / 100 {
	case 2:
		return emulator.Verdict{Outcome: emulator.Delivered}
	case 4:
		return emulator.Verdict{Outcome: emulator.Refused, Why: fmt.Sprintf("HTTP %d: a final refusal", status)}
	}
	return emulator.Verdict{Outcome: emulator.Retrying, Why: fmt.Sprintf("HTTP %d", status)}
}

// webhook is a signed webhook about order token; next, when set, is sent
// once this one is acknowledged (Xsolla's order of webhooks).
func (e *Emulator) webhook(token, typ string, body []byte, next func(context.Context)) emulator.Message {
	m := emulator.Message{OrderID: token, Event: typ, URL: e.opts.WebhookURL, Body: body,
		Header: http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"},
			"Authorization": {Sign(body, e.opts.WebhookSecret)}}}
	if next != nil {
		m.Update = func(ctx context.Context, d Delivery) {
			if d.OK() || d.Outcome == emulator.Dropped {
				next(ctx)
			}
		}
	}
	return m
}

// send delivers m unless there is no WebhookURL, and maps a first attempt
// refused (4xx) to ErrRejected.
func (e *Emulator) send(ctx context.Context, m emulator.Message) (Delivery, error) {
	if e.opts.WebhookURL == "" {
		return Delivery{Outcome: emulator.Delivered}, nil
	}
	d, err := e.engine.Send(ctx, m)
	if err == nil && (d.Outcome == emulator.Refused || (m.Once && !d.OK())) {
		err = fmt.Errorf("%w: %s answered %d", ErrRejected, m.Event, d.Status)
	}
	return d, err
}

// claim moves the order of token from one state to another.
func (e *Emulator) claim(token string, from, to State) (Order, error) {
	return emulator.Advance(e.orders, token, func(s *Order) *State { return &s.State }, from, to)
}

// Pay pays the order of token as if the user clicked Pay: it asks
// user_validation (a refusal, or no answer, declines the payment with
// ErrRejected), then the payment goes through and sends payment, then
// order_paid when items were bought, each retried on 5xx per the retry
// schedule in the background. It returns the order once the payment
// webhook's first attempt is answered; a 4xx to it is ErrRejected (the
// order stays paid: the money moved at Xsolla).
func (e *Emulator) Pay(ctx context.Context, token string) (Order, error) {
	s, err := e.claim(token, StateOpen, StateOpen)
	if err != nil {
		return s, err
	}
	uv := e.webhook(token, xsolla.TypeUserValidation, e.userValidationBody(s), nil)
	uv.Once = true
	if _, err := e.send(ctx, uv); err != nil {
		s, _ = e.orders.Update(token, func(s *Order) error { s.State = StateDeclined; return nil })
		return s, err
	}
	tx := e.newID(&e.nextTx)
	s, err = e.orders.Update(token, func(s *Order) error {
		if s.State != StateOpen {
			return fmt.Errorf("%w: the order is %s", ErrState, s.State)
		}
		s.State, s.TransactionID, s.PaidAt = StatePaid, tx, e.opts.Now()
		return nil
	})
	if err != nil {
		return s, err
	}
	var then func(context.Context)
	if len(s.Items) > 0 {
		paid := s
		then = func(ctx context.Context) {
			_, _ = e.send(ctx, e.webhook(token, xsolla.TypeOrderPaid, e.orderBody(paid, "paid"), nil))
		}
	}
	_, err = e.send(ctx, e.webhook(token, xsolla.TypePayment, e.paymentBody(s, tx, xsolla.TypePayment), then))
	return s, err
}

// Decline is the payment declined at Xsolla (the user's card refused): the
// order is declined and no webhook is sent.
func (e *Emulator) Decline(_ context.Context, token string) (Order, error) {
	return e.claim(token, StateOpen, StateDeclined)
}

// Cancel closes Pay Station for token without paying; no webhook is sent.
func (e *Emulator) Cancel(_ context.Context, token string) (Order, error) {
	return e.claim(token, StateOpen, StateCanceled)
}

// Refund refunds a paid order: it sends refund, then order_canceled when
// the order was one (v3, or v2 with items), with the same retry rules as
// Pay. A 4xx to refund's first attempt is ErrRejected; the order is
// refunded at Xsolla either way.
func (e *Emulator) Refund(ctx context.Context, token string) (Order, error) {
	s, err := e.claim(token, StatePaid, StateRefunded)
	if err != nil {
		return s, err
	}
	var then func(context.Context)
	if s.OrderID != 0 {
		then = func(ctx context.Context) {
			_, _ = e.send(ctx, e.webhook(token, xsolla.TypeOrderCanceled, e.orderBody(s, "canceled"), nil))
		}
	}
	_, err = e.send(ctx, e.webhook(token, xsolla.TypeRefund, e.paymentBody(s, s.TransactionID, xsolla.TypeRefund), then))
	return s, err
}

// Resend sends a recorded webhook once more, at once and exactly as
// before (the same body and signature), as a duplicate delivery from
// Xsolla would be, and returns the merchant's answer. It is not retried
// and changes no order. Errors: ErrNotFound for an unknown delivery id,
// ErrClosed; a merchant's refusal is not an error (see Delivery.Status).
func (e *Emulator) Resend(ctx context.Context, deliveryID string) (Delivery, error) {
	return e.engine.Resend(ctx, deliveryID)
}

// Wait returns when no webhook is in flight or waiting for a retry
// ("quiet"), or with ctx's error.
func (e *Emulator) Wait(ctx context.Context) error { return e.engine.Wait(ctx) }
