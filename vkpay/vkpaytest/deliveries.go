package vkpaytest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Deliveries returns every notification sent so far, in order.
func (e *Emulator) Deliveries() []Delivery {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Delivery(nil), e.deliveries...)
}

// Resend sends the last status change of an order or subscription
// (order_status_change or subscription_status_change) once more, at once
// and with exactly the same signed parameters, as a duplicate delivery
// from VK would be, and returns the merchant's answer. It is not resent on
// failure and changes no state; the attempt is recorded in Deliveries.
// id is an order's or a subscription's id. It fails with ErrNotFound,
// ErrState when no status change was sent yet, or ErrClosed; a merchant's
// refusal is not an error (see Delivery.Status and Delivery.Body).
func (e *Emulator) Resend(ctx context.Context, id int64) (Delivery, error) {
	e.mu.Lock()
	_, isOrder := e.orders[id]
	_, isSub := e.subs[id]
	params := e.last[id]
	e.mu.Unlock()
	switch {
	case !isOrder && !isSub:
		return Delivery{}, ErrNotFound
	case params == nil:
		return Delivery{}, ErrState
	case e.ctx.Err() != nil:
		return Delivery{}, ErrClosed
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(e.ctx, cancel)
	defer stop()
	d, _ := e.sendRecord(ctx, params)
	return d, nil
}

// deliver sends j now and queues resends while the answer is missing or
// temporary. It returns an error matching ErrDeclined on a critical error.
func (e *Emulator) deliver(ctx context.Context, j *job) error {
	e.mu.Lock()
	if e.ctx.Err() != nil {
		e.mu.Unlock()
		return ErrClosed
	}
	e.busy[j.key] = true
	e.mu.Unlock()
	res := e.send(ctx, j.params)
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.settle(j, res)
}

// settle applies res to j's object and queues a resend when needed; e.mu
// is held.
func (e *Emulator) settle(j *job, res result) error {
	if res.outcome == outcomeRetry {
		if j.attempt >= len(e.opts.RetrySchedule) || e.ctx.Err() != nil {
			res.outcome = outcomeGiveUp
		} else {
			j.due = e.opts.Now().Add(e.opts.RetrySchedule[j.attempt])
			j.attempt++
			j.apply(e, res)
			e.queue = append(e.queue, j)
			select {
			case e.wake <- struct{}{}:
			default:
			}
			return nil
		}
	}
	j.apply(e, res)
	delete(e.busy, j.key)
	e.idle.Broadcast()
	if res.outcome == outcomeCritical {
		return fmt.Errorf("%w: %s", ErrDeclined, res.msg)
	}
	return nil
}

// resendLoop is the emulator's only background goroutine: it resends due
// jobs one at a time until Close.
func (e *Emulator) resendLoop() {
	defer e.wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		e.mu.Lock()
		var next *job
		idx := -1
		for i, j := range e.queue {
			if next == nil || j.due.Before(next.due) {
				next, idx = j, i
			}
		}
		wait := time.Hour
		if next != nil {
			wait = next.due.Sub(e.opts.Now())
		}
		if next != nil && wait <= 0 {
			e.queue = append(e.queue[:idx], e.queue[idx+1:]...)
			e.mu.Unlock()
			res := e.send(e.ctx, next.params)
			e.mu.Lock()
			_ = e.settle(next, res)
			e.mu.Unlock()
			continue
		}
		e.mu.Unlock()
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(wait)
		select {
		case <-e.ctx.Done():
			return
		case <-e.wake:
		case <-timer.C:
		}
	}
}

type outcome int

const (
	outcomeOK outcome = iota
	outcomeCritical
	outcomeRetry
	outcomeGiveUp
)

type result struct {
	outcome  outcome
	response json.RawMessage
	msg      string
}

// send posts params to the merchant and classifies the answer as VK does:
// {"response":…} is success, a critical error is final, anything else —
// no answer, a timeout, an HTTP error, a non-critical error, garbage — is
// retried.
func (e *Emulator) send(ctx context.Context, params url.Values) result {
	_, res := e.sendRecord(ctx, params)
	return res
}

// sendRecord is send returning the recorded delivery too.
func (e *Emulator) sendRecord(ctx context.Context, params url.Values) (Delivery, result) {
	e.mu.Lock()
	target := e.opts.NotifyURL
	e.mu.Unlock()
	d := Delivery{Type: params.Get("notification_type"), Params: params, At: e.opts.Now()}
	res := e.post(ctx, target, params, &d)
	if res.outcome != outcomeOK && d.Err == "" {
		d.Err = res.msg
	}
	e.mu.Lock()
	e.deliveries = append(e.deliveries, d)
	e.mu.Unlock()
	return d, res
}

func (e *Emulator) post(ctx context.Context, target string, params url.Values, d *Delivery) result {
	if target == "" {
		return result{outcome: outcomeRetry, msg: "no NotifyURL configured"}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(params.Encode()))
	if err != nil {
		return result{outcome: outcomeRetry, msg: err.Error()}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := e.client.Do(req)
	if err != nil {
		d.Err = err.Error()
		return result{outcome: outcomeRetry, msg: "no answer: " + err.Error()}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	d.Status, d.Body = resp.StatusCode, string(body)
	return classify(resp.StatusCode, body)
}

func classify(status int, body []byte) result {
	if status != http.StatusOK {
		return result{outcome: outcomeRetry, msg: "HTTP " + strconv.Itoa(status)}
	}
	var env struct {
		Response json.RawMessage `json:"response"`
		Error    *struct {
			Code     int    `json:"error_code"`
			Msg      string `json:"error_msg"`
			Critical bool   `json:"critical"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return result{outcome: outcomeRetry, msg: "answer is not JSON"}
	}
	switch {
	case env.Error != nil:
		msg := fmt.Sprintf("error %d: %s", env.Error.Code, env.Error.Msg)
		if env.Error.Critical {
			return result{outcome: outcomeCritical, msg: msg}
		}
		return result{outcome: outcomeRetry, msg: msg}
	case len(env.Response) == 0 || string(env.Response) == "null":
		return result{outcome: outcomeRetry, msg: "answer has neither response nor error"}
	}
	return result{outcome: outcomeOK, response: env.Response}
}
