package emulator

import (
	"container/heap"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Defaults of [Config].
const (
	DefaultWorkers       = 4
	DefaultMaxDeliveries = 10000
)

// Config configures an [Engine]. The zero value works: no retries, 2xx
// acknowledges.
type Config struct {
	// Client sends the notifications; nil means a client with a 10 s
	// timeout.
	Client *http.Client
	// Schedule is the delays between attempts of an unacknowledged
	// notification, each counted from the previous attempt. After the
	// last one the notification is given up (GaveUp).
	Schedule []time.Duration
	// Judge reads a merchant's answer when the Message has no Judge; nil
	// means Judge2xx.
	Judge func(status int, reply []byte) Verdict
	// Drop records every notification without sending it (Outcome
	// Dropped): what a provider whose callbacks never arrive looks like.
	// Messages sent Once (requests the emulator needs answered) and
	// Resend still send.
	Drop bool
	// Workers bounds the retries sent at once; 0 means DefaultWorkers.
	Workers int
	// MaxDeliveries bounds the delivery log, oldest forgotten first; 0
	// means DefaultMaxDeliveries.
	MaxDeliveries int
	// Now stamps the deliveries; nil means time.Now. Retry delays run on
	// the real clock.
	Now func() time.Time
}

// Engine delivers notifications with retries and keeps the delivery log.
// Its methods are safe for concurrent use. Close stops it.
type Engine struct {
	cfg    Config
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	wake   chan struct{}
	jobs   chan *message

	mu     sync.Mutex
	closed bool
	live   map[*message]struct{} // messages not final yet
	quiet  chan struct{}         // closed when live becomes empty
	due    dueHeap
	log    []logged // oldest first
	nextID int64
}

// message is a Message being delivered.
type message struct {
	Message
	sends int       // attempts so far, resends included
	tries int       // scheduled attempts so far
	due   time.Time // of the next scheduled attempt
}

// logged is one Delivery with the message it sent, for Resend.
type logged struct {
	d Delivery
	m *message
}

// New returns a running Engine; Close it when done.
func New(cfg Config) *Engine {
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Judge == nil {
		cfg.Judge = Judge2xx
	}
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.MaxDeliveries <= 0 {
		cfg.MaxDeliveries = DefaultMaxDeliveries
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.Schedule = append([]time.Duration(nil), cfg.Schedule...)
	e := &Engine{
		cfg: cfg, wake: make(chan struct{}, 1), jobs: make(chan *message),
		live: make(map[*message]struct{}), quiet: make(chan struct{}),
	}
	close(e.quiet)
	e.ctx, e.cancel = context.WithCancel(context.Background())
	e.wg.Add(1 + cfg.Workers)
	go e.dispatch()
	for range cfg.Workers {
		go e.work()
	}
	return e
}

// Send makes the first attempt of m now, in the caller's goroutine, and
// returns its record. An attempt that is not acknowledged is retried in
// the background on Config.Schedule. The only error is ErrClosed.
func (e *Engine) Send(ctx context.Context, m Message) (Delivery, error) {
	msg := &message{Message: m}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return Delivery{}, ErrClosed
	}
	if len(e.live) == 0 {
		e.quiet = make(chan struct{})
	}
	e.live[msg] = struct{}{}
	e.wg.Add(1)
	e.mu.Unlock()
	defer e.wg.Done()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(e.ctx, cancel)()
	return e.try(ctx, msg), nil
}

// try makes one scheduled attempt of msg, records it, tells msg.Update,
// then schedules the next attempt or ends the message.
func (e *Engine) try(ctx context.Context, msg *message) Delivery {
	d := e.attempt(ctx, &msg.Message, e.cfg.Drop && !msg.Once)
	e.mu.Lock()
	msg.tries++
	if d.Outcome == Retrying {
		if msg.Once || msg.tries > len(e.cfg.Schedule) || e.closed {
			d.Outcome = GaveUp
		} else {
			msg.due = time.Now().Add(e.cfg.Schedule[msg.tries-1])
		}
	}
	d = e.record(d, msg, false)
	e.mu.Unlock()
	if msg.Update != nil {
		msg.Update(ctx, d)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if d.Outcome == Retrying && !e.closed {
		heap.Push(&e.due, msg)
		select {
		case e.wake <- struct{}{}:
		default:
		}
		return d
	}
	e.end(msg)
	return d
}

// record gives d its id and attempt number and appends it to the log,
// forgetting the oldest beyond the cap; e.mu is held.
func (e *Engine) record(d Delivery, msg *message, resent bool) Delivery {
	e.nextID++
	msg.sends++
	d.ID, d.Attempt, d.Resent = strconv.FormatInt(e.nextID, 10), msg.sends, resent
	if len(e.log) >= e.cfg.MaxDeliveries {
		n := len(e.log) - e.cfg.MaxDeliveries + 1
		clear(e.log[:n])
		e.log = append(e.log[:0], e.log[n:]...)
	}
	e.log = append(e.log, logged{d: d, m: msg})
	return d
}

// end forgets a final message and wakes Wait when none is left; e.mu is
// held.
func (e *Engine) end(msg *message) {
	if _, ok := e.live[msg]; !ok {
		return
	}
	delete(e.live, msg)
	if len(e.live) == 0 {
		close(e.quiet)
	}
}

// Resend sends the notification of a recorded delivery once more, now and
// with exactly the same bytes, as a provider's duplicate would be, and
// returns the new record (Resent set; Outcome Delivered, Refused or
// Unanswered). It is never retried and ends no scheduled retries. Errors:
// ErrNotFound for an id not in the log, ErrClosed.
func (e *Engine) Resend(ctx context.Context, id string) (Delivery, error) {
	e.mu.Lock()
	var msg *message
	for i := len(e.log) - 1; i >= 0; i-- {
		if e.log[i].d.ID == id {
			msg = e.log[i].m
			break
		}
	}
	switch {
	case msg == nil:
		e.mu.Unlock()
		return Delivery{}, ErrNotFound
	case e.closed:
		e.mu.Unlock()
		return Delivery{}, ErrClosed
	}
	e.wg.Add(1)
	e.mu.Unlock()
	defer e.wg.Done()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(e.ctx, cancel)()
	d := e.attempt(ctx, &msg.Message, false)
	if d.Outcome == Retrying {
		d.Outcome = Unanswered
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.record(d, msg, true), nil
}

// dispatch hands due retries to the workers, in due order.
func (e *Engine) dispatch() {
	defer e.wg.Done()
	defer close(e.jobs)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		e.mu.Lock()
		var next *message
		wait := time.Hour
		if len(e.due) > 0 {
			if wait = time.Until(e.due[0].due); wait <= 0 {
				next = heap.Pop(&e.due).(*message)
			}
		}
		e.mu.Unlock()
		if next != nil {
			select {
			case e.jobs <- next:
			case <-e.ctx.Done():
				return
			}
			continue
		}
		timer.Reset(wait)
		select {
		case <-e.ctx.Done():
			return
		case <-e.wake:
		case <-timer.C:
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

// work makes the retries the dispatcher hands it.
func (e *Engine) work() {
	defer e.wg.Done()
	for msg := range e.jobs {
		e.try(e.ctx, msg)
	}
}

// Wait returns when no notification is in flight or scheduled for a retry
// ("waiting for quiet"), or with ctx's error when ctx ends first.
func (e *Engine) Wait(ctx context.Context) error {
	e.mu.Lock()
	quiet := e.quiet
	e.mu.Unlock()
	select {
	case <-quiet:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Pending returns the number of notifications in flight or scheduled.
func (e *Engine) Pending() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.live)
}

// Close stops the engine: scheduled retries are abandoned, attempts in
// flight are cancelled, and Close waits for every goroutine of the engine
// and every Send and Resend to return. Later calls fail with ErrClosed.
func (e *Engine) Close() {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return
	}
	e.closed = true
	e.mu.Unlock()
	e.cancel()
	e.wg.Wait()
	e.mu.Lock()
	defer e.mu.Unlock()
	for msg := range e.live {
		e.end(msg)
	}
	e.due = nil
}

// Deliveries returns the delivery log, oldest first.
func (e *Engine) Deliveries() []Delivery {
	return e.filter(func(Delivery) bool { return true })
}

// DeliveriesOf returns the deliveries about one order, oldest first.
func (e *Engine) DeliveriesOf(orderID string) []Delivery {
	return e.filter(func(d Delivery) bool { return d.OrderID == orderID })
}

func (e *Engine) filter(keep func(Delivery) bool) []Delivery {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []Delivery
	for _, l := range e.log {
		if keep(l.d) {
			out = append(out, l.d)
		}
	}
	return out
}

// dueHeap orders scheduled messages by due time.
type dueHeap []*message

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].due.Before(h[j].due) }
func (h dueHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)        { *h = append(*h, x.(*message)) }
func (h *dueHeap) Pop() any {
	old := *h
	m := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return m
}

// ResendLast resends the latest delivery about an order that keep accepts
// (nil accepts any): what an emulator page's "Send the callback again"
// button does. With none to resend it fails with ErrState.
func (e *Engine) ResendLast(ctx context.Context, orderID string, keep func(Delivery) bool) (Delivery, error) {
	d, ok := e.Latest(orderID, keep)
	if !ok {
		return Delivery{}, fmt.Errorf("%w: nothing was sent about order %s yet", ErrState, orderID)
	}
	return e.Resend(ctx, d.ID)
}

// Latest returns the latest delivery about an order that keep accepts
// (nil accepts any).
func (e *Engine) Latest(orderID string, keep func(Delivery) bool) (Delivery, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := len(e.log) - 1; i >= 0; i-- {
		if d := e.log[i].d; d.OrderID == orderID && (keep == nil || keep(d)) {
			return d, true
		}
	}
	return Delivery{}, false
}
