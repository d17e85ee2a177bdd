package payseratest

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

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
	// Workers is how many callbacks are sent at once; 0 means 4.
	Workers int
	// MethodsXML replaces the built-in payment-methods document.
	MethodsXML []byte
}

// Emulator emulates Paysera's payment page, callbacks, public key,
// payment-methods list and SMS answers for one project. It is an
// http.Handler (mount it at Options.Prefix) and has a Go API for tests.
// Close stops callback delivery and waits for its goroutines.
type Emulator struct {
	opts     Options
	prefix   string
	signer   *Signer
	certPEM  []byte
	schedule []time.Duration
	client   *http.Client

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	queue  chan *delivery

	mu         sync.Mutex
	baseURL    string
	payments   map[string]*payment
	order      []string // request ids in creation order
	byOrder    map[string]string
	nextID     int
	pending    int // deliveries queued or in flight
	smsAnswers []SMSAnswer
	log        []Delivery
	closed     bool

	// rescheduled, when set before the first callback is queued, is
	// called by the dispatcher each time it puts a failed delivery back
	// in line for a retry, with the attempt that failed and the delay
	// before the next: tests use it to know a retry is pending, and
	// which delay it got, instead of polling or timing.
	rescheduled func(failed int, delay time.Duration)
}

// Payment is the emulator's view of one payment.
type Payment struct {
	RequestID string
	// Request holds the decoded request parameters.
	Request     url.Values
	OrderID     string
	Amount      int64
	Currency    string
	Test        bool
	AcceptURL   string
	CancelURL   string
	CallbackURL string
	// Status is the last status reported; "" while the payer has not
	// chosen.
	Status paysera.Status
	// Canceled is set when the payer cancelled.
	Canceled bool
	// Deliveries lists every callback attempt.
	Deliveries []Delivery
}

// Delivery is one callback attempt.
type Delivery struct {
	// RequestID is the payment (or, for SMS, the SMS id).
	RequestID string
	Status    paysera.Status
	Attempt   int
	At        time.Time
	// HTTPStatus and Body are the merchant's answer (Body cut to 1 KiB);
	// Err the transport error, if any.
	HTTPStatus int
	Body       string
	Err        string
	// OK is true when the answer was HTTP 200 with a body starting "OK".
	OK bool
}

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

type payment struct {
	Payment
	fields Fields // the callback fields, without status
	// last is the last callback queued for the payment: what Resend
	// sends again.
	last *delivery
}

type delivery struct {
	requestID string
	status    paysera.Status
	target    string
	params    url.Values
	attempt   int
	due       time.Time
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
	prefix := "/" + strings.Trim(opts.Prefix, "/") + "/"
	if prefix == "//" {
		prefix = "/"
	}
	schedule := append([]time.Duration(nil), opts.RetrySchedule...)
	if opts.RetrySchedule == nil {
		schedule = DefaultRetrySchedule()
	}
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = 4
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &Emulator{
		opts: opts, prefix: prefix, signer: signer, certPEM: cert, schedule: schedule, client: client,
		ctx: ctx, cancel: cancel, queue: make(chan *delivery),
		baseURL: strings.TrimRight(opts.BaseURL, "/"), payments: map[string]*payment{}, byOrder: map[string]string{},
		nextID: 1000,
	}
	jobs := make(chan *delivery)
	results := make(chan *delivery)
	e.wg.Add(1 + workers)
	go e.dispatch(jobs, results)
	for i := 0; i < workers; i++ {
		go e.work(jobs, results)
	}
	return e, nil
}

// Close stops delivering callbacks (pending retries are dropped) and waits
// for the emulator's goroutines to end.
func (e *Emulator) Close() {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	e.cancel()
	e.wg.Wait()
}

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
	e, err := New(opts)
	if err != nil {
		return nil, err
	}
	srv := httptest.NewServer(e)
	base := srv.URL + strings.TrimRight(e.prefix, "/")
	e.mu.Lock()
	e.baseURL = base
	e.mu.Unlock()
	return &Server{Emulator: e, URL: base, srv: srv}, nil
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
		if !ok {
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
		if p := e.payments[id]; p.Status == "" && !p.Canceled {
			return id // the payer opened the same order again
		}
	}
	e.nextID++
	id := strconv.Itoa(e.nextID)
	p := &payment{Payment: Payment{
		RequestID: id, Request: v, OrderID: orderID, Amount: amount, Currency: v.Get("currency"),
		Test: v.Get("test") == "1", AcceptURL: v.Get("accepturl"), CancelURL: v.Get("cancelurl"),
		CallbackURL: v.Get("callbackurl"),
	}}
	p.fields = callbackFields(e.opts.ProjectID, id, v)
	e.payments[id] = p
	e.byOrder[orderID] = id
	e.order = append(e.order, id)
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

// ErrUnknownPayment: no payment has this request id.
var ErrUnknownPayment = errors.New("payseratest: unknown payment")

// Pay completes a payment as paid (status 1) and sends the callback.
func (e *Emulator) Pay(requestID string) error { return e.Complete(requestID, paysera.StatusSuccess) }

// Pend reports a payment as accepted but not executed (status 2).
func (e *Emulator) Pend(requestID string) error { return e.Complete(requestID, paysera.StatusAccepted) }

// Cancel records that the payer cancelled. Like an abandoned payment page,
// it sends no callback; use Complete with StatusNotExecuted for one.
func (e *Emulator) Cancel(requestID string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	p, ok := e.payments[requestID]
	if !ok {
		return ErrUnknownPayment
	}
	p.Canceled = true
	return nil
}

// Complete reports any status for a payment (extra fields, e.g. refund_*,
// are appended) and queues the signed callback to its callbackurl.
func (e *Emulator) Complete(requestID string, status paysera.Status, extra ...Field) error {
	e.mu.Lock()
	p, ok := e.payments[requestID]
	if !ok {
		e.mu.Unlock()
		return ErrUnknownPayment
	}
	p.Status = status
	fields := append(Fields(nil), p.fields...)
	target := p.CallbackURL
	e.mu.Unlock()
	for i := range fields {
		if fields[i].Key == "status" {
			fields[i].Value = string(status)
		}
	}
	fields = append(fields, extra...)
	return e.enqueue(requestID, status, target, fields)
}

// Refund reports a refund of amount (minor units) as a status 5 callback.
func (e *Emulator) Refund(requestID string, amount int64) error {
	p, ok := e.Payment(requestID)
	if !ok {
		return ErrUnknownPayment
	}
	return e.Complete(requestID, paysera.StatusRefunded,
		Field{"refund_timestamp", strconv.FormatInt(time.Now().Unix(), 10)},
		Field{"refund_amount", strconv.FormatInt(amount, 10)}, Field{"refund_currency", p.Currency},
		Field{"refund_commission_amount", "0"}, Field{"refund_commission_currency", p.Currency})
}

// SendSMS emulates an SMS keyword payment: it sends m as a micro callback
// to callbackURL. The merchant's answer ("OK <text>") is in Deliveries.
func (e *Emulator) SendSMS(callbackURL string, m Micro) error {
	return e.enqueue(m.ID, "", callbackURL, m.Fields(e.opts.ProjectID))
}

func (e *Emulator) enqueue(id string, status paysera.Status, target string, fields Fields) error {
	var params url.Values
	var err error
	if e.opts.Encrypt {
		params, err = e.signer.Encrypt(fields)
	} else {
		params, err = e.signer.Sign(fields, e.opts.Signatures)
	}
	if err != nil {
		return err
	}
	now := time.Now()
	d := &delivery{requestID: id, status: status, target: target, params: params, attempt: 1, due: now}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return ErrClosed
	}
	if p, ok := e.payments[id]; ok && status != "" {
		p.last = &delivery{requestID: id, status: status, target: target, params: params}
	}
	e.pending++
	e.mu.Unlock()
	select {
	case e.queue <- d:
		return nil
	case <-e.ctx.Done():
		e.done()
		return ErrClosed
	}
}

// ErrClosed: the emulator was closed.
var ErrClosed = errors.New("payseratest: emulator closed")

// ErrNoCallback: the payment has had no callback yet, so there is nothing
// to send again.
var ErrNoCallback = errors.New("payseratest: no callback sent for this payment yet")

// Resend sends the last callback of a payment once more, at once and
// exactly as before (the same signed parameters), as a duplicate delivery
// from Paysera would be, and returns the merchant's answer. It is not
// retried and does not change the payment's status; the attempt is
// recorded in Deliveries. It fails with ErrUnknownPayment, ErrNoCallback
// or ErrClosed; a merchant that does not acknowledge is not an error (see
// Delivery.OK).
func (e *Emulator) Resend(ctx context.Context, requestID string) (Delivery, error) {
	e.mu.Lock()
	p, ok := e.payments[requestID]
	switch {
	case !ok:
		e.mu.Unlock()
		return Delivery{}, ErrUnknownPayment
	case p.last == nil:
		e.mu.Unlock()
		return Delivery{}, ErrNoCallback
	case e.closed:
		e.mu.Unlock()
		return Delivery{}, ErrClosed
	}
	attempts := 0
	for _, d := range p.Deliveries {
		if d.Status == p.last.status {
			attempts++
		}
	}
	d := *p.last
	d.attempt = attempts + 1
	e.wg.Add(1) // under mu before closed is set: Close waits for it
	e.mu.Unlock()
	defer e.wg.Done()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(e.ctx, cancel)
	defer stop()
	return e.send(ctx, &d), nil
}

func (e *Emulator) done() {
	e.mu.Lock()
	e.pending--
	e.mu.Unlock()
}

// Flush waits until no callback is queued, in flight or waiting for a
// retry, or until ctx ends.
func (e *Emulator) Flush(ctx context.Context) error {
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	for {
		e.mu.Lock()
		n := e.pending
		e.mu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Payment returns a copy of the payment with requestID.
func (e *Emulator) Payment(requestID string) (Payment, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p, ok := e.payments[requestID]
	if !ok {
		return Payment{}, false
	}
	return p.copy(), true
}

// Payments returns copies of all payments in creation order.
func (e *Emulator) Payments() []Payment {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Payment, 0, len(e.order))
	for _, id := range e.order {
		out = append(out, e.payments[id].copy())
	}
	return out
}

func (p *payment) copy() Payment {
	c := p.Payment
	c.Deliveries = append([]Delivery(nil), p.Deliveries...)
	c.Request = url.Values{}
	for k, v := range p.Request {
		c.Request[k] = append([]string(nil), v...)
	}
	return c
}

// Deliveries returns every callback attempt so far (payments and SMS), in
// order.
func (e *Emulator) Deliveries() []Delivery {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Delivery(nil), e.log...)
}

// SMSAnswers returns the deferred SMS answers received at psms/respond/.
func (e *Emulator) SMSAnswers() []SMSAnswer {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]SMSAnswer(nil), e.smsAnswers...)
}
