package emulator

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Outcome is what became of one delivery attempt.
type Outcome string

// The outcomes of a delivery attempt.
const (
	Delivered Outcome = "delivered" // acknowledged as the provider requires
	Refused   Outcome = "refused"   // a final refusal: never retried
	Retrying  Outcome = "retrying"  // not acknowledged; another attempt is due
	GaveUp    Outcome = "gave_up"   // not acknowledged and the schedule is over
	Dropped   Outcome = "dropped"   // recorded but not sent (Config.Drop)
	// Unanswered is a Resend that was not acknowledged: a resend is sent
	// once and never retried.
	Unanswered Outcome = "unanswered"
)

// Final reports whether no more attempts follow an outcome.
func (o Outcome) Final() bool { return o != Retrying }

// Delivery records one attempt to deliver a notification: what was sent
// and what the merchant answered. Every kit has this one shape.
type Delivery struct {
	// ID identifies the attempt in the emulator; Resend takes it.
	ID string
	// OrderID is the order the notification is about; "" for none.
	OrderID string
	// Event names the notification: its type, with the status where the
	// provider sends several under one type.
	Event string
	// Attempt counts the sends of this notification, 1 for the first;
	// resends count too.
	Attempt int
	// Resent is true for an attempt made by Resend (never retried).
	Resent bool
	At     time.Time
	Method string
	URL    string
	// Request is the signed body sent (for a GET, the URL carries it).
	Request string
	// Status is the merchant's HTTP status, 0 when it did not answer.
	Status int
	// Reply is the merchant's answer, at most 64 KiB.
	Reply   string
	Outcome Outcome
	// Err says why the attempt was not delivered; "" when it was.
	Err string
}

// OK reports whether the merchant acknowledged the attempt.
func (d Delivery) OK() bool { return d.Outcome == Delivered }

// Verdict is a provider's reading of a merchant's answer.
type Verdict struct {
	// Outcome is Delivered, Refused or Retrying.
	Outcome Outcome
	// Why says what was wrong; "" when delivered.
	Why string
}

// Judge2xx is the default reading: any 2xx status acknowledges, anything
// else is retried.
func Judge2xx(status int, _ []byte) Verdict {
	if status/100 == 2 {
		return Verdict{Outcome: Delivered}
	}
	return Verdict{Outcome: Retrying, Why: "HTTP " + strconv.Itoa(status)}
}

// Message is one notification to deliver.
type Message struct {
	OrderID string
	Event   string
	// Method is the HTTP method; "" means POST.
	Method string
	// URL is where to send it, query included.
	URL    string
	Header http.Header
	Body   []byte
	// Once sends the message a single time, never retried: a request
	// whose answer the emulator needs at once (VK's get_item). Not
	// acknowledged, it ends GaveUp.
	Once bool
	// Judge reads the merchant's answer; nil means Config.Judge.
	Judge func(status int, reply []byte) Verdict
	// Update, when set, is told the result of every scheduled attempt
	// (not of resends), in the goroutine that made it and with no lock of
	// the engine held; ctx is the attempt's. It may Send further messages
	// (a provider's next notification): Wait counts them before this one
	// ends.
	Update func(ctx context.Context, d Delivery)
}

// maxReply caps a merchant's answer read by the engine.
const maxReply = 64 << 10

// attempt makes one HTTP attempt of m (none when drop is set) and returns
// the delivery record, without ID, Attempt and Resent.
func (e *Engine) attempt(ctx context.Context, m *Message, drop bool) Delivery {
	method := m.Method
	if method == "" {
		method = http.MethodPost
	}
	d := Delivery{OrderID: m.OrderID, Event: m.Event, At: e.cfg.Now(), Method: method, URL: m.URL, Request: string(m.Body)}
	if drop {
		d.Outcome, d.Err = Dropped, "not sent: the emulator drops callbacks"
		return d
	}
	var body io.Reader
	if m.Body != nil {
		body = bytes.NewReader(m.Body)
	}
	req, err := http.NewRequestWithContext(ctx, method, m.URL, body)
	if err != nil {
		d.Outcome, d.Err = Retrying, err.Error()
		return d
	}
	for k, v := range m.Header {
		req.Header[k] = append([]string(nil), v...)
	}
	resp, err := e.cfg.Client.Do(req)
	if err != nil {
		d.Outcome, d.Err = Retrying, "no answer: "+err.Error()
		return d
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	d.Status, d.Reply = resp.StatusCode, string(reply)
	if err != nil {
		d.Outcome, d.Err = Retrying, "reading the answer: "+err.Error()
		return d
	}
	judge := m.Judge
	if judge == nil {
		judge = e.cfg.Judge
	}
	v := judge(resp.StatusCode, reply)
	d.Outcome, d.Err = v.Outcome, v.Why
	return d
}
