package xsollatest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/xsolla"
)

// DefaultRetrySchedule returns Xsolla's documented schedule of webhook
// retries, as delays between attempts, each counted from the previous
// attempt: 2 after 5 minutes, 7 after 15 minutes and 10 after 60 minutes
// (20 attempts in all). Tests pass a shorter Options.RetrySchedule.
func DefaultRetrySchedule() []time.Duration {
	var s []time.Duration
	for _, step := range []struct {
		n     int
		delay time.Duration
	}{{2, 5 * time.Minute}, {7, 15 * time.Minute}, {10, time.Hour}} {
		for i := 0; i < step.n; i++ {
			s = append(s, step.delay)
		}
	}
	return s
}

// Options configures an [Emulator].
type Options struct {
	// MerchantID, ProjectID and APIKey are what the token endpoints
	// accept (Basic merchant_id:api_key on v2, project_id:api_key on v3).
	MerchantID, ProjectID int
	APIKey                string
	// AcceptMerchantAuthOnStore also accepts merchant_id:api_key on the v3
	// store endpoint (some integrations send it).
	AcceptMerchantAuthOnStore bool
	// WebhookSecret signs webhooks.
	WebhookSecret string
	// WebhookURL receives webhooks; it should be a loopback URL in tests.
	// "" sends none.
	WebhookURL string
	// Catalog prices the SKUs that tokens may buy; unknown SKUs are refused
	// with 422 like Xsolla's [0401-4001] "item not found".
	Catalog map[string]paykit.Money
	// Prefix is the path the emulator is mounted at, e.g.
	// "/emulator/xsolla/"; "" means "/". Mount it without StripPrefix:
	// mux.Handle(prefix, emulator).
	Prefix string
	// BaseURL is the emulator's externally visible URL including Prefix,
	// without a trailing slash, e.g.
	// "http://localhost:8080/emulator/xsolla"; ClientConfig points the
	// client at it. NewServer sets it; set it when mounting the handler
	// yourself.
	BaseURL string
	// RetrySchedule is the delays between attempts to deliver a webhook
	// answered with 5xx or not answered, each counted from the previous
	// attempt; nil means DefaultRetrySchedule() (Xsolla's). Tests shorten
	// it. 4xx answers are never retried.
	RetrySchedule []time.Duration
	// HTTPClient delivers webhooks; nil means a client with a 10 s timeout.
	HTTPClient *http.Client
	// Now is the clock for payment dates; nil means time.Now.
	Now func() time.Time
}

// Line is one bought item of a session.
type Line struct {
	SKU      string
	Quantity int
	Price    paykit.Money // per unit
}

// Session is what a token bought and what became of it.
type Session struct {
	Token string
	// API is "v2" (merchant token) or "v3" (store payment token).
	API              string
	Sandbox          bool
	UserID, Email    string
	Name, Country    string
	ExternalID       string
	ReturnURL        string
	Checkout         *paykit.Money
	Items            []Line
	Total            paykit.Money
	CustomParameters json.RawMessage
	// OrderID is set for v3 tokens and for v2 tokens that buy items.
	OrderID int64
	// TransactionID is set once paid.
	TransactionID int64
	// PaidAt is when it was paid.
	PaidAt time.Time
	// Refunded is what partial refunds gave back so far.
	Refunded paykit.Money
	// Status is "created", "paid", "declined", "canceled" or "refunded".
	Status string
}

// Delivery is one webhook delivery attempt.
type Delivery struct {
	Type    string
	Attempt int // 1 for the first try
	// Status is the merchant's HTTP status, 0 when it did not answer.
	Status int
	Err    error
	Body   []byte
	// Reply is the merchant's answer body.
	Reply []byte
}

// Result reports one Pay or Refund.
type Result struct {
	Session    Session
	Deliveries []Delivery
}

// Emulator imitates Xsolla for tests and demos: the two token APIs, a Pay
// Station page to pay or cancel, and webhooks signed like Xsolla's, sent in
// Xsolla's order (user_validation, payment, then order_paid when items
// were bought; refund and order_canceled on demand), with retries on 5xx
// and none on 4xx; sandbox tokens get transaction.dry_run = 1. It is an
// http.Handler to mount under Options.Prefix; [NewServer] runs one.
// Pay Station's "Send the callback again" button and [Emulator.Resend]
// deliver a session's last webhook once more, the same signed bytes.
type Emulator struct {
	opts   Options
	prefix string
	mux    *http.ServeMux
	client *http.Client

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu         sync.Mutex
	closed     bool
	background int // page actions running in the background
	base       string
	sessions   map[string]*Session
	last       map[string]*webhook // the last webhook of each session
	order      []string            // tokens, oldest first, to bound memory
	nextTx     int64
	nextOrder  int64
	deliveries []Delivery
}

// webhook is a webhook as first sent, for Resend.
type webhook struct {
	typ      string
	body     []byte
	attempts int
}

// New returns an Emulator to mount at Options.Prefix; it talks only to
// Options.WebhookURL. MerchantID, ProjectID and APIKey are required, and
// WebhookSecret when WebhookURL is set; invalid options are an error.
// Close it when done.
func New(opts Options) (*Emulator, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	prefix := "/" + strings.Trim(opts.Prefix, "/")
	if prefix != "/" {
		prefix += "/"
	}
	e := &Emulator{
		opts: opts, prefix: prefix, client: opts.HTTPClient,
		base:     strings.TrimRight(opts.BaseURL, "/"),
		sessions: map[string]*Session{}, last: map[string]*webhook{}, nextTx: 800000001, nextOrder: 500001,
	}
	if e.client == nil {
		e.client = &http.Client{Timeout: 10 * time.Second}
	}
	if e.opts.RetrySchedule == nil {
		e.opts.RetrySchedule = DefaultRetrySchedule()
	} else {
		e.opts.RetrySchedule = append([]time.Duration(nil), opts.RetrySchedule...)
	}
	if e.opts.Now == nil {
		e.opts.Now = time.Now
	}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	m := http.NewServeMux()
	m.HandleFunc("POST /merchant/v2/merchants/{merchant}/token", e.v2Token)
	m.HandleFunc("POST /api/v3/project/{project}/admin/payment/token", e.v3Token)
	m.HandleFunc("GET /paystation4/{$}", e.page)
	m.HandleFunc("POST /paystation4/pay", e.payForm)
	m.HandleFunc("POST /paystation4/cancel", e.cancelForm)
	m.HandleFunc("POST /paystation4/refund", e.refundForm)
	m.HandleFunc("POST /paystation4/resend", e.resendForm)
	m.HandleFunc("GET /{$}", e.index)
	e.routeReports(m)
	e.mux = m
	return e, nil
}

func (o Options) validate() error {
	switch {
	case o.MerchantID <= 0 || o.ProjectID <= 0 || o.APIKey == "":
		return errors.New("xsollatest: MerchantID, ProjectID and APIKey are required")
	case o.WebhookURL != "" && !httpURL(o.WebhookURL):
		return errors.New("xsollatest: WebhookURL must be an absolute http(s) URL")
	case o.WebhookURL != "" && o.WebhookSecret == "":
		return errors.New("xsollatest: WebhookSecret is required with a WebhookURL")
	case o.BaseURL != "" && !httpURL(o.BaseURL):
		return errors.New("xsollatest: BaseURL must be an absolute http(s) URL")
	}
	for _, d := range o.RetrySchedule {
		if d < 0 {
			return errors.New("xsollatest: negative delay in RetrySchedule")
		}
	}
	return nil
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// ServeHTTP serves the emulator under Options.Prefix.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, e.prefix) && r.URL.Path+"/" != e.prefix {
		http.NotFound(w, r)
		return
	}
	http.StripPrefix(strings.TrimSuffix(e.prefix, "/"), e.mux).ServeHTTP(w, r)
}

// Close stops webhook deliveries and retries in progress (also those of
// page clicks still running in the background) and waits for them to end;
// later payments fail with ErrClosed.
func (e *Emulator) Close() {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	e.cancel()
	e.wg.Wait()
}

// begin registers a delivery unless the emulator is closed.
func (e *Emulator) begin() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return false
	}
	e.wg.Add(1)
	return true
}

// URL returns the emulator's externally visible base URL, prefix included
// and without a trailing slash (Options.BaseURL; NewServer sets it).
func (e *Emulator) URL() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.base
}

// ClientConfig returns an xsolla.Config whose client talks to this
// emulator: credentials, webhook secret, API bases and Pay Station URL.
// Without a base URL (a mounted emulator whose Options.BaseURL is empty) the URLs point at an unresolvable host, so that a client never
// falls back to Xsolla's real hosts by mistake.
func (e *Emulator) ClientConfig() xsolla.Config {
	base := e.URL()
	if base == "" {
		base = "http://xsollatest.invalid"
	}
	return xsolla.Config{
		MerchantID: e.opts.MerchantID, ProjectID: e.opts.ProjectID, APIKey: e.opts.APIKey,
		WebhookSecret: e.opts.WebhookSecret, BaseURL: base, StoreBaseURL: base + "/api",
		PayStationURL: base + "/paystation4/", RetryBaseDelay: time.Millisecond,
	}
}

// Session returns the session of token.
func (e *Emulator) Session(token string) (Session, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, ok := e.sessions[token]
	if !ok {
		return Session{}, false
	}
	return *s, true
}

// Deliveries returns the webhook delivery attempts so far, oldest first
// (the latest few thousand in a long-running demo).
func (e *Emulator) Deliveries() []Delivery {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Delivery(nil), e.deliveries...)
}

// Errors of the programmatic API.
var (
	ErrUnknownToken = errors.New("xsollatest: unknown token")
	ErrState        = errors.New("xsollatest: not possible in the session's state")
	// ErrRejected: the merchant refused a webhook (4xx) or never
	// acknowledged it after every retry.
	ErrRejected = errors.New("xsollatest: webhook not acknowledged")
	// ErrClosed: the emulator was closed.
	ErrClosed = errors.New("xsollatest: emulator closed")
)

// Pay pays the session of token as if the user clicked Pay: it sends
// user_validation (a refusal declines the payment), then payment, then
// order_paid when items were bought, each retried on 5xx per the retry
// schedule, and returns the deliveries. A webhook that is not acknowledged
// stops the sequence with ErrRejected.
func (e *Emulator) Pay(ctx context.Context, token string) (*Result, error) {
	s, err := e.claim(token, "created", "paying")
	if err != nil {
		return nil, err
	}
	res := &Result{}
	fail := func(status string, err error) (*Result, error) {
		res.Session = e.setStatus(token, status, 0)
		return res, err
	}
	if err := e.send(ctx, token, res, xsolla.TypeUserValidation, e.userValidationBody(s)); err != nil {
		return fail("declined", err)
	}
	tx := e.newID(&e.nextTx)
	if err := e.send(ctx, token, res, xsolla.TypePayment, e.paymentBody(s, tx, xsolla.TypePayment)); err != nil {
		return fail("created", err)
	}
	res.Session = e.setStatus(token, "paid", tx)
	if len(s.Items) > 0 {
		if err := e.send(ctx, token, res, xsolla.TypeOrderPaid, e.orderBody(res.Session, "paid")); err != nil {
			return res, err
		}
	}
	return res, nil
}

// Cancel closes Pay Station for token without paying; no webhook is sent.
func (e *Emulator) Cancel(token string) error {
	if _, err := e.claim(token, "created", "canceled"); err != nil {
		return err
	}
	return nil
}

// Refund refunds a paid session: it sends refund, then order_canceled
// when the session was an order, with the same retry rules as Pay.
func (e *Emulator) Refund(ctx context.Context, token string) (*Result, error) {
	s, err := e.claim(token, "paid", "refunding")
	if err != nil {
		return nil, err
	}
	res := &Result{Session: s}
	if err := e.send(ctx, token, res, xsolla.TypeRefund, e.paymentBody(s, s.TransactionID, xsolla.TypeRefund)); err != nil {
		res.Session = e.setStatus(token, "paid", s.TransactionID)
		return res, err
	}
	res.Session = e.setStatus(token, "refunded", s.TransactionID)
	if s.OrderID != 0 {
		if err := e.send(ctx, token, res, xsolla.TypeOrderCanceled, e.orderBody(res.Session, "canceled")); err != nil {
			return res, err
		}
	}
	return res, nil
}

// Resend sends the last webhook of the session of token once more, at
// once and exactly as before (the same body and signature), as a
// duplicate delivery from Xsolla would be, and returns the merchant's
// answer. It is not retried and changes no session status; the attempt is
// recorded in Deliveries. It fails with ErrUnknownToken, ErrState when no
// webhook was sent for the session yet, or ErrClosed; a merchant's refusal
// is not an error (see Delivery.Status).
func (e *Emulator) Resend(ctx context.Context, token string) (Delivery, error) {
	e.mu.Lock()
	_, ok := e.sessions[token]
	w := e.last[token]
	var typ string
	var body []byte
	if w != nil {
		w.attempts++
		typ, body = w.typ, w.body
	}
	attempt := 0
	if w != nil {
		attempt = w.attempts
	}
	e.mu.Unlock()
	switch {
	case !ok:
		return Delivery{}, ErrUnknownToken
	case w == nil:
		return Delivery{}, fmt.Errorf("%w: no webhook sent yet", ErrState)
	case !e.begin():
		return Delivery{}, ErrClosed
	}
	defer e.wg.Done()
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	defer context.AfterFunc(e.ctx, stop)()
	d := e.deliver(ctx, typ, attempt, body)
	e.record(d)
	return d, nil
}

// claim moves the session from one status to a transient one and returns
// a copy, so that two clicks cannot pay twice.
func (e *Emulator) claim(token, from, to string) (Session, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, ok := e.sessions[token]
	if !ok {
		return Session{}, ErrUnknownToken
	}
	if s.Status != from {
		return Session{}, fmt.Errorf("%w: session is %s", ErrState, s.Status)
	}
	s.Status = to
	return *s, nil
}

func (e *Emulator) setStatus(token, status string, tx int64) Session {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.sessions[token]
	s.Status = status
	if tx != 0 && s.TransactionID == 0 {
		s.TransactionID, s.PaidAt = tx, e.opts.Now()
	}
	return *s
}

func (e *Emulator) newID(counter *int64) int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	id := *counter
	*counter++
	return id
}

func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "emu_" + hex.EncodeToString(b[:])
}

// maxSessions bounds the emulator's memory in long-running demos: the
// oldest sessions are forgotten first.
const maxSessions = 10000

// Server is an Emulator running on a loopback httptest server, like
// httptest.Server.
type Server struct {
	*Emulator
	// URL is the emulator's base URL, prefix included, no trailing slash.
	URL string
	srv *httptest.Server
}

// NewServer starts an emulator on a loopback port, like
// httptest.NewServer. Options.Prefix is honoured; Options.BaseURL is set
// to the server's URL plus prefix. Invalid options are an error. Close it
// when done.
func NewServer(opts Options) (*Server, error) {
	opts.BaseURL = ""
	e, err := New(opts)
	if err != nil {
		return nil, err
	}
	srv := httptest.NewServer(e)
	base := srv.URL + strings.TrimSuffix(e.prefix, "/")
	e.mu.Lock()
	e.base = base
	e.mu.Unlock()
	return &Server{Emulator: e, URL: base, srv: srv}, nil
}

// Close stops deliveries and retries and waits for them, then shuts the
// server down.
func (s *Server) Close() {
	s.Emulator.Close()
	s.srv.Close()
}
