package checkouttest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"
)

// WebhookState is where a webhook's delivery stands.
type WebhookState string

// The states of a webhook.
const (
	// WebhookRetrying: not answered 2xx yet; attempts are scheduled.
	WebhookRetrying WebhookState = "retrying"
	// WebhookDelivered: answered 2xx.
	WebhookDelivered WebhookState = "delivered"
	// WebhookFailed: the schedule ran out, or the merchant answered 401
	// (which stops Paysera's retries at once), or there is no callback URL.
	WebhookFailed WebhookState = "failed"
)

// Webhook is one webhook the emulator sent, with its attempts.
type Webhook struct {
	ID      int
	OrderID string
	// Type and Name are the body's event.type and event.name.
	Type, Name string
	Body       []byte
	State      WebhookState
	Attempts   []Attempt
}

// Attempt is one delivery attempt.
type Attempt struct {
	At time.Time
	// Status is the merchant's HTTP status, 0 when the request failed.
	Status int
	// Body is the start of the answer (at most 1 KiB).
	Body string
	// Err says why the request failed.
	Err string
	// Manual marks a resend ([Emulator.Resend] or the page's button).
	Manual bool
}

// Webhooks returns every webhook sent, oldest first.
func (e *Emulator) Webhooks() []Webhook {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Webhook, 0, len(e.webhooks))
	for _, w := range e.webhooks {
		out = append(out, w.copy())
	}
	return out
}

func (w *Webhook) copy() Webhook {
	cp := *w
	cp.Attempts = slices.Clone(w.Attempts)
	return cp
}

// newHookLocked records a webhook of the order, to be delivered.
func (e *Emulator) newHookLocked(orderID string, body []byte) *Webhook {
	var ev struct {
		Event struct{ Type, Name string } `json:"event"`
	}
	decodeLoose(body, &ev)
	w := &Webhook{ID: len(e.webhooks) + 1, OrderID: orderID, Type: ev.Event.Type, Name: ev.Event.Name,
		Body: body, State: WebhookRetrying}
	e.webhooks = append(e.webhooks, w)
	return w
}

// deliverAll makes each webhook's first attempt now, in order, and
// schedules the retries of those not answered 2xx.
func (e *Emulator) deliverAll(ctx context.Context, hooks []*Webhook) {
	for _, w := range hooks {
		if e.attempt(ctx, w, false) == WebhookRetrying {
			e.scheduleRetries(w)
		}
	}
}

// maxAnswer caps how much of an answer the emulator reads.
const maxAnswer = 64 << 10

// attempt delivers w once and records the outcome; it returns w's state.
func (e *Emulator) attempt(ctx context.Context, w *Webhook, manual bool) WebhookState {
	e.mu.Lock()
	callback := e.orders[w.OrderID].Callback
	e.mu.Unlock()
	a := Attempt{At: e.now(), Manual: manual}
	if callback == "" {
		a.Err = "the order has no callback_url: Paysera sends no webhooks"
	} else {
		a.Status, a.Body, a.Err = e.post(ctx, callback, w.Body)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	w.Attempts = append(w.Attempts, a)
	switch {
	case a.Status/100 == 2:
		w.State = WebhookDelivered
	case callback == "" || (a.Status == http.StatusUnauthorized && !manual):
		w.State = WebhookFailed
	}
	e.notifyLocked()
	return w.State
}

func (e *Emulator) post(ctx context.Context, url string, body []byte) (int, string, string) {
	resp, err := e.signer.Send(ctx, e.client, url, body)
	if err != nil {
		return 0, "", fmt.Sprintf("not delivered: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	return resp.StatusCode, string(b[:min(len(b), 1024)]), ""
}

// scheduleRetries retries w on the schedule until it is delivered, fails,
// or the emulator closes; after the last attempt it has failed.
func (e *Emulator) scheduleRetries(w *Webhook) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return
	}
	select {
	case e.slots <- struct{}{}:
	default:
		w.State = WebhookFailed
		w.Attempts = append(w.Attempts, Attempt{At: e.now(), Err: "too many webhooks being retried"})
		e.notifyLocked()
		return
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer func() { <-e.slots }()
		for _, delay := range e.schedule {
			t := time.NewTimer(delay)
			select {
			case <-e.ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			e.mu.Lock()
			state := w.State
			e.mu.Unlock()
			if state != WebhookRetrying || e.attempt(e.ctx, w, false) != WebhookRetrying {
				return
			}
		}
		e.mu.Lock()
		if w.State == WebhookRetrying {
			w.State = WebhookFailed
			e.notifyLocked()
		}
		e.mu.Unlock()
	}()
}

// Resend delivers the order's last webhook once more, as the Merchant
// Area's manual resend does (one attempt, no retries), and returns it. A
// handler should answer it from its store, without fulfilling again.
func (e *Emulator) Resend(ctx context.Context, orderID string) (Webhook, error) {
	e.mu.Lock()
	var last *Webhook
	for _, w := range e.webhooks {
		if w.OrderID == orderID {
			last = w
		}
	}
	e.mu.Unlock()
	if last == nil {
		return Webhook{}, fmt.Errorf("%w: no webhook for order %q", ErrNotFound, orderID)
	}
	e.attempt(ctx, last, true)
	e.mu.Lock()
	defer e.mu.Unlock()
	return last.copy(), nil
}
