package checkouttest

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/paykit-go/paykit/internal/emulator"
)

// Delivery records one attempt to deliver a webhook and the merchant's
// answer; the same shape in every kit. Its Request is the signed JSON
// body and its Event the body's event.type/event.name.
type Delivery = emulator.Delivery

// judge reads the merchant's answer as Paysera does: any 2xx delivers, a
// 401 stops the retries at once, anything else is retried.
func judge(status int, reply []byte) emulator.Verdict {
	if status == http.StatusUnauthorized {
		return emulator.Verdict{Outcome: emulator.Refused, Why: "HTTP 401: Paysera stops retrying"}
	}
	return emulator.Judge2xx(status, reply)
}

// webhook is a signed webhook about an order, due at its callback URL.
type webhook struct {
	orderID, callback string
	body              []byte
}

// send delivers each webhook in order: its first attempt now, retries on
// the schedule until answered 2xx. An order without a callback_url gets
// none, as at Paysera.
func (e *Emulator) send(ctx context.Context, hooks []webhook) {
	for _, h := range hooks {
		if h.callback == "" {
			continue
		}
		var ev struct {
			Event struct{ Type, Name string } `json:"event"`
		}
		_ = json.Unmarshal(h.body, &ev)
		_, _ = e.engine.Send(ctx, emulator.Message{OrderID: h.orderID, Event: ev.Event.Type + "/" + ev.Event.Name,
			URL: h.callback, Header: e.signer.Header(h.body), Body: h.body})
	}
}

// sendAfter delivers hooks in the background, after the API reply that
// caused them, as Paysera's follow its replies; Wait waits for them too.
func (e *Emulator) sendAfter(hooks []webhook) {
	e.mu.Lock()
	if e.queued == 0 {
		e.idle = make(chan struct{})
	}
	e.queued++
	e.mu.Unlock()
	go func() {
		defer func() {
			e.mu.Lock()
			defer e.mu.Unlock()
			if e.queued--; e.queued == 0 {
				close(e.idle)
			}
		}()
		e.send(context.Background(), hooks)
	}()
}

// Deliveries returns every webhook attempt so far, oldest first; the
// newest 10,000 are kept.
func (e *Emulator) Deliveries() []Delivery { return e.engine.Deliveries() }

// Resend sends a recorded delivery once more, at once and with exactly the
// same signed body and headers, as the Merchant Area's manual resend (or a
// duplicate) would be, and returns the merchant's answer. It is never
// retried and changes no state; a handler should answer it from its store
// without fulfilling again. Errors: ErrNotFound for an unknown delivery
// id, ErrClosed; a merchant's refusal is not an error (see
// Delivery.Outcome).
func (e *Emulator) Resend(ctx context.Context, deliveryID string) (Delivery, error) {
	return e.engine.Resend(ctx, deliveryID)
}

// Wait returns when no webhook is being delivered or waiting for a retry
// ("quiet"), the webhooks that follow API replies included, or with ctx's
// error.
func (e *Emulator) Wait(ctx context.Context) error {
	for {
		e.mu.Lock()
		idle := e.idle
		e.mu.Unlock()
		select {
		case <-idle:
		case <-ctx.Done():
			return ctx.Err()
		}
		if err := e.engine.Wait(ctx); err != nil {
			return err
		}
		e.mu.Lock()
		quiet := e.queued == 0
		e.mu.Unlock()
		if quiet && e.engine.Pending() == 0 {
			return nil
		}
	}
}
