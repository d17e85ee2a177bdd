package payseratest

import (
	"bytes"
	"container/heap"
	"context"
	"io"
	"net/http"
	"time"
)

// dispatch owns the retry schedule: it hands due deliveries to the
// workers and reschedules failed ones. With the workers it is the whole
// set of goroutines of an Emulator, so their number is fixed.
func (e *Emulator) dispatch(jobs chan<- *delivery, results <-chan *delivery) {
	defer e.wg.Done()
	defer close(jobs)
	var waiting dueHeap
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		var next *delivery
		var out chan<- *delivery
		if len(waiting) > 0 {
			if wait := time.Until(waiting[0].due); wait <= 0 {
				next, out = waiting[0], jobs
			} else {
				resetTimer(timer, wait)
			}
		}
		select {
		case <-e.ctx.Done():
			for range waiting {
				e.done()
			}
			return
		case d := <-e.queue:
			heap.Push(&waiting, d)
		case out <- next:
			heap.Pop(&waiting)
		case d := <-results:
			if d.attempt <= len(e.schedule) {
				delay := e.schedule[d.attempt-1]
				d.due = time.Now().Add(delay)
				if e.rescheduled != nil {
					e.rescheduled(d.attempt, delay)
				}
				d.attempt++
				heap.Push(&waiting, d)
			} else {
				e.done()
			}
		case <-timer.C:
		}
	}
}

func resetTimer(t *time.Timer, d time.Duration) {
	if !t.Stop() {
		select {
		case <-t.C:
		default:
		}
	}
	t.Reset(d)
}

// work sends callbacks. A delivery that failed goes back to the
// dispatcher for a retry; a successful one is finished here.
func (e *Emulator) work(jobs <-chan *delivery, results chan<- *delivery) {
	defer e.wg.Done()
	for d := range jobs {
		if e.send(e.ctx, d).OK {
			e.done()
			continue
		}
		select {
		case results <- d:
		case <-e.ctx.Done():
			e.done()
		}
	}
}

// send makes one callback attempt and records it.
func (e *Emulator) send(ctx context.Context, d *delivery) Delivery {
	rec := Delivery{RequestID: d.requestID, Status: d.status, Attempt: d.attempt, At: time.Now()}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, CallbackURL(d.target, d.params), nil)
	if err == nil {
		var resp *http.Response
		resp, err = e.client.Do(req)
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
			resp.Body.Close()
			rec.HTTPStatus, rec.Body = resp.StatusCode, string(body)
			rec.OK = resp.StatusCode == http.StatusOK && bytes.HasPrefix(body, []byte("OK"))
		}
	}
	if err != nil {
		rec.Err = err.Error()
	}
	e.mu.Lock()
	e.log = append(e.log, rec)
	if p, ok := e.payments[d.requestID]; ok && d.status != "" {
		p.Deliveries = append(p.Deliveries, rec)
	}
	e.mu.Unlock()
	return rec
}

// dueHeap orders deliveries by due time.
type dueHeap []*delivery

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].due.Before(h[j].due) }
func (h dueHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)        { *h = append(*h, x.(*delivery)) }
func (h *dueHeap) Pop() any {
	old := *h
	d := old[len(old)-1]
	*h = old[:len(old)-1]
	return d
}
