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
	"strings"
	"sync"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/xsolla"
)

// DefaultRetrySchedule is the emulator's wait before each webhook retry.
// Xsolla's own schedule is minutes to hours apart (2 × 5 min, 7 × 15 min,
// 10 × 60 min in its current docs); the emulator keeps the shape short.
var DefaultRetrySchedule = []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}

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
	// "/emulator/xsolla/"; "" means "/".
	Prefix string
	// PublicURL is the emulator's externally visible base URL including
	// Prefix, e.g. "http://localhost:8080/emulator/xsolla". NewServer sets
	// it; set it when mounting the handler yourself.
	PublicURL string
	// RetrySchedule is the wait before each retry of a webhook answered
	// with 5xx or not answered; nil means DefaultRetrySchedule. Tests
	// shorten it. 4xx answers are never retried.
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
	public     string
	sessions   map[string]*Session
	order      []string // tokens, oldest first, to bound memory
	nextTx     int64
	nextOrder  int64
	deliveries []Delivery
}

// New returns an Emulator; it talks only to Options.WebhookURL.
func New(opts Options) *Emulator {
	prefix := "/" + strings.Trim(opts.Prefix, "/")
	if prefix != "/" {
		prefix += "/"
	}
	e := &Emulator{
		opts: opts, prefix: prefix, client: opts.HTTPClient,
		public:   strings.TrimRight(opts.PublicURL, "/"),
		sessions: map[string]*Session{}, nextTx: 800000001, nextOrder: 500001,
	}
	if e.client == nil {
		e.client = &http.Client{Timeout: 10 * time.Second}
	}
	if e.opts.RetrySchedule == nil {
		e.opts.RetrySchedule = DefaultRetrySchedule
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
	m.HandleFunc("GET /{$}", e.index)
	e.mux = m
	return e
}

// ServeHTTP serves the emulator under Options.Prefix.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, e.prefix) && r.URL.Path+"/" != e.prefix {
		http.NotFound(w, r)
		return
	}
	http.StripPrefix(strings.TrimSuffix(e.prefix, "/"), e.mux).ServeHTTP(w, r)
}

// Close stops webhook deliveries in progress and waits for them to end;
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

// URL returns the emulator's public base URL (Options.PublicURL).
func (e *Emulator) URL() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.public
}

// ClientConfig returns an xsolla.Config whose client talks to this
// emulator: credentials, webhook secret, API bases and Pay Station URL.
// Without a public URL (a mounted emulator whose Options.PublicURL is
// empty) the URLs point at an unresolvable host, so that a client never
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
	if err := e.send(ctx, res, xsolla.TypeUserValidation, e.userValidationBody(s)); err != nil {
		return fail("declined", err)
	}
	tx := e.newID(&e.nextTx)
	if err := e.send(ctx, res, xsolla.TypePayment, e.paymentBody(s, tx, xsolla.TypePayment)); err != nil {
		return fail("created", err)
	}
	res.Session = e.setStatus(token, "paid", tx)
	if len(s.Items) > 0 {
		if err := e.send(ctx, res, xsolla.TypeOrderPaid, e.orderBody(res.Session, "paid")); err != nil {
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
	if err := e.send(ctx, res, xsolla.TypeRefund, e.paymentBody(s, s.TransactionID, xsolla.TypeRefund)); err != nil {
		res.Session = e.setStatus(token, "paid", s.TransactionID)
		return res, err
	}
	res.Session = e.setStatus(token, "refunded", s.TransactionID)
	if s.OrderID != 0 {
		if err := e.send(ctx, res, xsolla.TypeOrderCanceled, e.orderBody(res.Session, "canceled")); err != nil {
			return res, err
		}
	}
	return res, nil
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
	if tx != 0 {
		s.TransactionID = tx
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

// Server is an Emulator running on a local httptest server.
type Server struct {
	*Emulator
	// URL is the emulator's base URL (no trailing slash).
	URL string
	srv *httptest.Server
}

// NewServer starts an emulator on a loopback port; Options.Prefix and
// PublicURL are set for it. Close it when done.
func NewServer(opts Options) *Server {
	opts.Prefix = ""
	e := New(opts)
	srv := httptest.NewServer(e)
	e.mu.Lock()
	e.public = srv.URL
	e.mu.Unlock()
	return &Server{Emulator: e, URL: srv.URL, srv: srv}
}

// Close stops deliveries, then the server, waiting for both.
func (s *Server) Close() {
	s.Emulator.Close()
	s.srv.Close()
}
