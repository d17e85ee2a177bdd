package playvisiontest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Delivery is the outcome of sending one notification.
type Delivery struct {
	// HTTPStatus is the app's status code, 0 when the request failed.
	HTTPStatus int
	// Body is the app's answer, at most 64 KiB.
	Body []byte
	// OK is true when the answer had status 1.
	OK bool
	// Err says why the delivery is not OK.
	Err error
}

// deliver sends the order's order_status_change once and records the
// outcome.
func (e *Emulator) deliver(ctx context.Context, id int64) Delivery {
	e.mu.Lock()
	o := e.orders[id]
	params := OrderStatusChange{
		UserID: o.UserID, SID: e.opts.SID, TransactionID: o.TransactionID,
		Sum: o.Price, ItemID: o.ItemID, Time: o.Time, Test: o.Test, Extra: e.opts.Extra,
	}.Params()
	e.mu.Unlock()

	d := e.send(ctx, params)
	if d.Err == nil {
		d.Err = parseStatus(d.Body)
	}
	d.OK = d.Err == nil

	e.mu.Lock()
	defer e.mu.Unlock()
	o.Attempts++
	o.LastReply = string(d.Body[:min(len(d.Body), 1024)])
	o.LastError = ""
	if d.Err != nil {
		o.LastError = d.Err.Error()
	}
	if d.OK && (o.State == StateDelivering || o.State == StateFailed) {
		o.State = StateDelivered
	}
	e.notifyLocked()
	return d
}

// scheduleResends starts the order's resend loop, or fails the order when
// too many are running.
func (e *Emulator) scheduleResends(id int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return
	}
	select {
	case e.slots <- struct{}{}:
	default:
		if o := e.orders[id]; o.State == StateDelivering {
			o.State, o.LastError = StateFailed, "too many orders being resent"
			e.notifyLocked()
		}
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
			if o, _ := e.Order(id); o.State != StateDelivering {
				return // delivered by a manual resend meanwhile
			}
			if e.deliver(e.ctx, id).OK {
				return
			}
		}
		if e.ctx.Err() == nil {
			e.setState(id, StateFailed)
		}
	}()
}

// maxAnswer caps an app's answer read by the emulator.
const maxAnswer = 64 << 10

// send POSTs a signed notification to the callback URL.
func (e *Emulator) send(ctx context.Context, params url.Values) Delivery {
	body := e.signer.Body(params)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.opts.CallbackURL, strings.NewReader(body))
	if err != nil {
		return Delivery{Err: fmt.Errorf("playvisiontest: %w", err)}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
	resp, err := e.client.Do(req)
	if err != nil {
		return Delivery{Err: fmt.Errorf("playvisiontest: notification not delivered: %w", err)}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	d := Delivery{HTTPStatus: resp.StatusCode, Body: b}
	if err != nil {
		d.Err = fmt.Errorf("playvisiontest: reading answer: %w", err)
	}
	return d
}
