package payseratest

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/paykit-go/paykit/internal/emulator"
	"github.com/paykit-go/paykit/paysera"
)

// DefaultRetrySchedule returns the delays between Paysera's attempts to
// send an unacknowledged callback, each counted from the previous attempt:
// 4 sends in total, at once and 1, 3 and 24 hours after the first. (The
// documentation lists the times after the first attempt; the emulator
// keeps those times.)
func DefaultRetrySchedule() []time.Duration {
	return []time.Duration{time.Hour, 2 * time.Hour, 21 * time.Hour}
}

// Options configures an [Emulator].
type Options struct {
	// ProjectID and Password are the one project the emulator serves.
	ProjectID int
	Password  string
	// Signer signs callbacks; nil means NewSigner(ProjectID, Password)
	// with a generated key.
	Signer *Signer
	// Prefix is the path the emulator is mounted at, e.g.
	// "/emulator/paysera/"; "" means "/". Mount it without StripPrefix:
	// mux.Handle(prefix, emulator).
	Prefix string
	// BaseURL is the emulator's externally visible URL including Prefix,
	// e.g. "http://localhost:8080/emulator/paysera"; give it to the client
	// as paysera.Config.BaseURL. NewServer sets it.
	BaseURL string
	// RetrySchedule is the delays between attempts to send an
	// unacknowledged callback, each counted from the previous attempt;
	// nil means DefaultRetrySchedule() (Paysera's). Tests shorten it, e.g.
	// {10ms, 10ms, 10ms}. After the last delay the callback is given up.
	RetrySchedule []time.Duration
	// Signatures chooses the callback signatures; 0 means ss1+ss2+ss3.
	Signatures Signatures
	// Encrypt sends AES-GCM encrypted callbacks (no signatures) instead.
	Encrypt bool
	// RejectTestPayments refuses test=1 requests with error 0x7, as a
	// project without "allow test payments" does.
	RejectTestPayments bool
	// HTTPClient sends callbacks; nil means a client with a 10 s timeout.
	HTTPClient *http.Client
	// Workers is how many retries are sent at once; 0 means 4.
	Workers int
	// DropCallbacks records callbacks without sending them, as if
	// Paysera's callbacks never reached the shop: the payment's status
	// changes at Paysera while the shop hears nothing. Resend still
	// sends.
	DropCallbacks bool
	// MaxOrders bounds the payments kept; the oldest is forgotten first.
	// 0 means 10,000.
	MaxOrders int
	// MethodsXML replaces the built-in payment-methods document.
	MethodsXML []byte
}

// Emulator emulates Paysera's payment page, callbacks, public key,
// payment-methods list and SMS answers for one project. It is an
// http.Handler (mount it at Options.Prefix) and has a Go API for tests.
// Close stops callback delivery and waits for its goroutines.
type Emulator struct {
	opts    Options
	prefix  string
	signer  *Signer
	certPEM []byte
	engine  *emulator.Engine
	orders  *emulator.Book[string, order]

	mu         sync.Mutex
	baseURL    string
	byOrder    map[string]string // the shop's orderid → the latest request id
	nextID     int
	smsAnswers []SMSAnswer
}

// State is a payment's state, the same in every kit.
type State = emulator.State

// The states of a Paysera payment: open while the payer has not chosen;
// pending after status 2 ("accepted, not executed"); paid after status 1;
// declined after status 0 ("not executed"); canceled when the payer left
// (no callback); refunded after status 5.
const (
	StateOpen     = emulator.StateOpen
	StatePending  = emulator.StatePending
	StatePaid     = emulator.StatePaid
	StateDeclined = emulator.StateDeclined
	StateCanceled = emulator.StateCanceled
	StateRefunded = emulator.StateRefunded
)

// Order is the emulator's view of one payment.
type Order struct {
	// RequestID is Paysera's id of the payment (requestid).
	RequestID string
	// Request holds the decoded request parameters.
	Request     url.Values
	OrderID     string
	Amount      int64 // minor units (cents)
	Currency    string
	Test        bool
	AcceptURL   string
	CancelURL   string
	CallbackURL string
	State       State
	// Status is the last status reported; "" while the payer has not
	// chosen, and after a cancel (which Paysera does not report).
	Status paysera.Status
}

// Delivery records one callback attempt and the shop's answer; the same
// shape in every kit. Its URL carries the signed callback.
type Delivery = emulator.Delivery

// SMSAnswer is a deferred SMS answer the emulator received.
type SMSAnswer struct {
	SMSID, Text string
}

// PageError is Paysera's refusal of a payment request, with its error code
// (e.g. "0x14" for a wrong sign).
type PageError struct {
	Code    string
	Message string
}

// Error returns the code and message.
func (e *PageError) Error() string { return "paysera error " + e.Code + ": " + e.Message }

// order is an Order with the callback fields it is reported with.
type order struct {
	Order
	fields Fields // the callback fields, status empty
}

// New returns an Emulator, with its delivery goroutines running, to mount
// at Options.Prefix; Close it when done. ProjectID and Password are
// required; invalid options are an error. Without Options.Signer it
// generates an RSA-2048 key, which is slow (about a second under -race):
// tests that create many emulators share one Signer.
func New(opts Options) (*Emulator, error) {
	if opts.ProjectID <= 0 || opts.Password == "" {
		return nil, errors.New("payseratest: ProjectID and Password are required")
	}
	if opts.Signer != nil && opts.Signer.Key == nil {
		return nil, errors.New("payseratest: Options.Signer has no Key")
	}
	for _, d := range opts.RetrySchedule {
		if d < 0 {
			return nil, errors.New("payseratest: negative delay in RetrySchedule")
		}
	}
	if opts.BaseURL != "" {
		if u, err := url.Parse(opts.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, errors.New("payseratest: BaseURL must be an absolute http(s) URL")
		}
	}
	signer := opts.Signer
	if signer == nil {
		var err error
		if signer, err = NewSigner(opts.ProjectID, opts.Password); err != nil {
			return nil, err
		}
	}
	cert, err := signer.CertificatePEM()
	if err != nil {
		return nil, err
	}
	prefix := emulator.Prefix(opts.Prefix)
	schedule := append([]time.Duration(nil), opts.RetrySchedule...)
	if opts.RetrySchedule == nil {
		schedule = DefaultRetrySchedule()
	}
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	e := &Emulator{
		opts: opts, prefix: prefix, signer: signer, certPEM: cert,
		engine: emulator.New(emulator.Config{Client: client, Schedule: schedule, Judge: judgeOK,
			Drop: opts.DropCallbacks, Workers: opts.Workers}),
		orders:  emulator.NewBook[string, order](opts.MaxOrders),
		baseURL: strings.TrimRight(opts.BaseURL, "/"), byOrder: map[string]string{}, nextID: 1000,
	}
	return e, nil
}

// judgeOK reads a shop's answer as Paysera does: acknowledged when HTTP 200
// with a body starting "OK", else retried.
func judgeOK(status int, body []byte) emulator.Verdict {
	if status == http.StatusOK && bytes.HasPrefix(body, []byte("OK")) {
		return emulator.Verdict{Outcome: emulator.Delivered}
	}
	return emulator.Verdict{Outcome: emulator.Retrying, Why: fmt.Sprintf("HTTP %d, the answer does not start with OK", status)}
}

// Close stops delivering callbacks (pending retries are dropped) and waits
// for the emulator's goroutines to end.
func (e *Emulator) Close() { e.engine.Close() }

// Signer returns the signer whose key signs the callbacks.
func (e *Emulator) Signer() *Signer { return e.signer }

// URL returns the emulator's externally visible base URL, prefix
// included and without a trailing slash (Options.BaseURL; NewServer
// sets it): the paysera.Config.BaseURL of a client that uses it.
func (e *Emulator) URL() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.baseURL
}

// PublicKeyPEM returns the certificate the emulator serves at
// download/public.key.
func (e *Emulator) PublicKeyPEM() []byte { return append([]byte(nil), e.certPEM...) }

// Server is an Emulator listening on a local port, like httptest.Server.
type Server struct {
	*Emulator
	// URL is the emulator's base URL, prefix included, no trailing slash:
	// the paysera.Config.BaseURL to use.
	URL string
	srv *httptest.Server
}

// NewServer starts an Emulator on a loopback port, like
// httptest.NewServer. Options.Prefix is honoured; Options.BaseURL is set
// to the server's URL plus prefix. Invalid options are an error. Close it
// when done.
func NewServer(opts Options) (*Server, error) {
	e, srv, err := emulator.Start(opts.Prefix, &opts.BaseURL, func() (*Emulator, error) { return New(opts) })
	if err != nil {
		return nil, err
	}
	return &Server{Emulator: e, URL: e.URL(), srv: srv}, nil
}

// Close shuts the server down, stops callback deliveries and retries and
// waits for the emulator's goroutines.
func (s *Server) Close() {
	s.srv.Close()
	s.Emulator.Close()
}

// Open handles a payment request the way the payment page does when the
// payer follows paymentURL (a link from Client.BuildPaymentURL): it checks
// the sign and parameters and returns the new payment's request id, or a
// *PageError with Paysera's error code. Only the query is read, so the
// URL may point anywhere.
func (e *Emulator) Open(paymentURL string) (string, error) {
	u, err := url.Parse(paymentURL)
	if err != nil {
		return "", &PageError{Code: "0x15", Message: "unreadable request"}
	}
	q := u.Query()
	return e.OpenForm(q.Get("data"), q.Get("sign"))
}

var timeLimitRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$`)

// OpenForm is [Emulator.Open] for the data and sign of a POST form.
func (e *Emulator) OpenForm(data, sign string) (string, error) {
	raw, err := decodeData(data)
	if err != nil {
		return "", &PageError{Code: "0x12", Message: "projectid not received (data cannot be decoded)"}
	}
	v, err := url.ParseQuery(raw)
	if err != nil {
		return "", &PageError{Code: "0x15", Message: "some parameters are invalid"}
	}
	switch pid := v.Get("projectid"); {
	case pid == "":
		return "", &PageError{Code: "0x12", Message: "projectid not received"}
	case pid != strconv.Itoa(e.opts.ProjectID):
		return "", &PageError{Code: "0x6", Message: "unknown projectid"}
	}
	sum := md5.Sum([]byte(data + e.opts.Password))
	if !strings.EqualFold(sign, hex.EncodeToString(sum[:])) {
		return "", &PageError{Code: "0x14", Message: "wrong sign"}
	}
	orderID := v.Get("orderid")
	if orderID == "" || orderID == "0" {
		return "", &PageError{Code: "0x10", Message: "empty or invalid orderid"}
	}
	if v.Get("repeat_request") == "1" {
		e.mu.Lock()
		id, ok := e.byOrder[orderID]
		e.mu.Unlock()
		if _, kept := e.orders.Get(id); !ok || !kept {
			return "", &PageError{Code: "0x10", Message: "no payment for this orderid"}
		}
		return id, nil
	}
	amount, err := strconv.ParseInt(v.Get("amount"), 10, 64)
	if err != nil || v.Get("currency") == "" {
		return "", &PageError{Code: "0x4", Message: "amount or currency missing"}
	}
	if v.Get("test") == "1" && e.opts.RejectTestPayments {
		return "", &PageError{Code: "0x7", Message: "test payments are not allowed for this project"}
	}
	for _, k := range []string{"accepturl", "cancelurl", "callbackurl"} {
		if u, err := url.Parse(v.Get(k)); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "", &PageError{Code: "0x15x0", Message: k + " is invalid"}
		}
	}
	if tl := v.Get("time_limit"); tl != "" && !timeLimitRE.MatchString(tl) {
		return "", &PageError{Code: "0x15x1", Message: "invalid time_limit"}
	}
	return e.create(v, orderID, amount), nil
}

func decodeData(data string) (string, error) {
	s := strings.TrimRight(strings.NewReplacer("+", "-", "/", "_").Replace(data), "=")
	b, err := base64.RawURLEncoding.DecodeString(s)
	return string(b), err
}

func (e *Emulator) create(v url.Values, orderID string, amount int64) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if id, ok := e.byOrder[orderID]; ok {
		if p, kept := e.orders.Get(id); kept && p.State == StateOpen {
			return id // the payer opened the same order again
		}
	}
	e.nextID++
	id := strconv.Itoa(e.nextID)
	e.orders.Add(id, order{Order: Order{
		RequestID: id, Request: v, OrderID: orderID, Amount: amount, Currency: v.Get("currency"),
		Test: v.Get("test") == "1", AcceptURL: v.Get("accepturl"), CancelURL: v.Get("cancelurl"),
		CallbackURL: v.Get("callbackurl"), State: StateOpen,
	}, fields: callbackFields(e.opts.ProjectID, id, v)})
	if len(e.byOrder) >= 2*max(e.opts.MaxOrders, emulator.DefaultMaxOrders) {
		clear(e.byOrder) // bounded like the payments; repeat requests of forgotten ones fail anyway
	}
	e.byOrder[orderID] = id
	return id
}

// callbackFields are the fields of a macro callback for a request.
func callbackFields(projectID int, id string, v url.Values) Fields {
	payment := v.Get("payment")
	if payment == "" {
		payment = "card"
	}
	test := v.Get("test")
	if test == "" {
		test = "0"
	}
	lang := v.Get("lang")
	if lang == "" {
		lang = "ENG"
	}
	paytext := v.Get("paytext")
	if paytext == "" {
		paytext = "Payment for goods and services (for nb. [order_nr]) ([site_name])"
	}
	final := strings.NewReplacer("[order_nr]", v.Get("orderid"), "[site_name]", "emulator", "[owner_name]", "emulator").Replace(paytext)
	f := Fields{
		{"projectid", strconv.Itoa(projectID)}, {"orderid", v.Get("orderid")}, {"lang", lang},
		{"amount", v.Get("amount")}, {"currency", v.Get("currency")}, {"payment", payment},
		{"country", v.Get("country")}, {"paytext", final}, {"original_paytext", paytext},
		{"name", strings.ToUpper(v.Get("p_firstname"))}, {"surename", strings.ToUpper(v.Get("p_lastname"))},
		{"status", ""}, {"test", test}, {"p_email", v.Get("p_email")}, {"requestid", id},
		{"payamount", v.Get("amount")}, {"paycurrency", v.Get("currency")}, {"version", v.Get("version")},
		{"type", paysera.TypeMacro},
	}
	return f
}

// Errors of the emulator's Go API: the same values in every kit.
var (
	// ErrNotFound: no payment or delivery has this id.
	ErrNotFound = emulator.ErrNotFound
	// ErrState: the payment's state does not allow the action.
	ErrState = emulator.ErrState
	// ErrClosed: the emulator was closed.
	ErrClosed = emulator.ErrClosed
)

// Pay completes a payment as paid: status 1, sent to its callbackurl and
// retried on the schedule until the shop answers "OK". It returns the
// payment after the first attempt.
func (e *Emulator) Pay(ctx context.Context, requestID string) (Order, error) {
	return e.Complete(ctx, requestID, paysera.StatusSuccess)
}

// Pend reports a payment as accepted but not executed yet (status 2), as
// for a bank transfer still on its way; Pay or Decline it later.
func (e *Emulator) Pend(ctx context.Context, requestID string) (Order, error) {
	return e.Complete(ctx, requestID, paysera.StatusAccepted)
}

// Decline reports the payment as not executed (status 0): the payer's bank
// refused, or the payment expired.
func (e *Emulator) Decline(ctx context.Context, requestID string) (Order, error) {
	return e.Complete(ctx, requestID, paysera.StatusNotExecuted)
}

// Cancel records that the payer left the payment page. Like an abandoned
// payment page it sends no callback; Decline sends status 0.
func (e *Emulator) Cancel(_ context.Context, requestID string) (Order, error) {
	p, err := e.orders.Update(requestID, func(p *order) error {
		if err := emulator.Move(p.State, StateCanceled); err != nil {
			return err
		}
		p.State = StateCanceled
		return nil
	})
	return p.Order, err
}

// Refund refunds a paid payment in full: a status 5 callback with the
// refund_* fields.
func (e *Emulator) Refund(ctx context.Context, requestID string) (Order, error) {
	p, ok := e.Order(requestID)
	if !ok {
		return Order{}, ErrNotFound
	}
	return e.Complete(ctx, requestID, paysera.StatusRefunded,
		Field{"refund_timestamp", strconv.FormatInt(time.Now().Unix(), 10)},
		Field{"refund_amount", strconv.FormatInt(p.Amount, 10)}, Field{"refund_currency", p.Currency},
		Field{"refund_commission_amount", "0"}, Field{"refund_commission_currency", p.Currency})
}

// stateOf is the state a status moves a payment to.
var stateOf = map[paysera.Status]State{
	paysera.StatusSuccess:     StatePaid,
	paysera.StatusAccepted:    StatePending,
	paysera.StatusNotExecuted: StateDeclined,
	paysera.StatusRefunded:    StateRefunded,
}

// Complete reports a status for a payment (extra fields are appended) and
// sends the signed callback to its callbackurl, retried on the schedule.
// Statuses 1, 2, 0 and 5 move the payment as Pay, Pend, Decline and Refund
// do and are refused (ErrState) where the state does not allow them; other
// statuses (3, 4) only send. It returns the payment after the first
// attempt.
func (e *Emulator) Complete(ctx context.Context, requestID string, status paysera.Status, extra ...Field) (Order, error) {
	var fields Fields
	p, err := e.orders.Update(requestID, func(p *order) error {
		if to, ok := stateOf[status]; ok {
			if err := emulator.Move(p.State, to); err != nil {
				return err
			}
			p.State = to
		}
		p.Status = status
		fields = append(Fields(nil), p.fields...)
		return nil
	})
	if err != nil {
		return p.Order, err
	}
	for i := range fields {
		if fields[i].Key == "status" {
			fields[i].Value = string(status)
		}
	}
	if _, err := e.send(ctx, requestID, "macro:"+string(status), p.CallbackURL, append(fields, extra...)); err != nil {
		return p.Order, err
	}
	return p.Order, nil
}

// SendSMS emulates an SMS keyword payment: it sends m as a micro callback
// to callbackURL, retried like a payment's. The shop's answer ("OK <text>")
// is in the returned Delivery.
func (e *Emulator) SendSMS(ctx context.Context, callbackURL string, m Micro) (Delivery, error) {
	return e.send(ctx, m.ID, "micro", callbackURL, m.Fields(e.opts.ProjectID))
}

// send signs fields (or encrypts them) and delivers them to target.
func (e *Emulator) send(ctx context.Context, id, event, target string, fields Fields) (Delivery, error) {
	var params url.Values
	var err error
	if e.opts.Encrypt {
		params, err = e.signer.Encrypt(fields)
	} else {
		params, err = e.signer.Sign(fields, e.opts.Signatures)
	}
	if err != nil {
		return Delivery{}, err
	}
	return e.engine.Send(ctx, emulator.Message{OrderID: id, Event: event, Method: http.MethodGet, URL: CallbackURL(target, params)})
}

// Resend sends a recorded callback once more, at once and exactly as
// before (the same signed parameters), as a duplicate delivery from
// Paysera would be, and returns the shop's answer. It is not retried and
// changes no payment. Errors: ErrNotFound for an unknown delivery id,
// ErrClosed; a shop that does not acknowledge is not an error (see
// Delivery.OK).
func (e *Emulator) Resend(ctx context.Context, deliveryID string) (Delivery, error) {
	return e.engine.Resend(ctx, deliveryID)
}

// Wait returns when no callback is in flight or waiting for a retry
// ("quiet"), or with ctx's error.
func (e *Emulator) Wait(ctx context.Context) error { return e.engine.Wait(ctx) }

// Order returns a copy of the payment with requestID.
func (e *Emulator) Order(requestID string) (Order, bool) {
	p, ok := e.orders.Get(requestID)
	return p.copy(), ok
}

// Orders returns copies of the payments kept (Options.MaxOrders), oldest
// first.
func (e *Emulator) Orders() []Order {
	ps := e.orders.List()
	out := make([]Order, len(ps))
	for i, p := range ps {
		out[i] = p.copy()
	}
	return out
}

func (p order) copy() Order {
	c := p.Order
	c.Request = url.Values{}
	for k, v := range p.Request {
		c.Request[k] = append([]string(nil), v...)
	}
	return c
}

// Deliveries returns every callback attempt so far (payments and SMS),
// oldest first; the newest 10,000 are kept.
func (e *Emulator) Deliveries() []Delivery { return e.engine.Deliveries() }

// SMSAnswers returns the deferred SMS answers received at psms/respond/.
func (e *Emulator) SMSAnswers() []SMSAnswer {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]SMSAnswer(nil), e.smsAnswers...)
}
