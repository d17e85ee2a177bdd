package xsollatest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/emulator"
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
	// DropCallbacks records webhooks without sending them, as if Xsolla's
	// webhooks never reached the merchant: the payment happens at Xsolla
	// while the merchant hears nothing. user_validation is still asked,
	// and Resend still sends.
	DropCallbacks bool
	// MaxOrders bounds the orders (tokens) kept; the oldest is forgotten
	// first. 0 means 10,000.
	MaxOrders int
	// Now is the clock for payment dates; nil means time.Now.
	Now func() time.Time
}

// Line is one bought item of a session.
type Line struct {
	SKU      string
	Quantity int
	Price    paykit.Money // per unit
}

// State is an order's state, the same in every kit.
type State = emulator.State

// The states of a Pay Station order: open until the user pays, cancels or
// is declined; paid once the payment went through (its webhooks may still
// be retried); declined when user_validation refused the user or the
// payment was declined; canceled when the user closed Pay Station;
// refunded after a refund.
const (
	StateOpen     = emulator.StateOpen
	StatePaid     = emulator.StatePaid
	StateDeclined = emulator.StateDeclined
	StateCanceled = emulator.StateCanceled
	StateRefunded = emulator.StateRefunded
)

// Order is what a token bought and what became of it.
type Order struct {
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
	State    State
}

// Delivery records one webhook attempt and the merchant's answer; the same
// shape in every kit. Its Request is the signed JSON body.
type Delivery = emulator.Delivery

// Emulator imitates Xsolla for tests and demos: the two token APIs, a Pay
// Station page to pay, decline or cancel, and webhooks signed like
// Xsolla's, sent in Xsolla's order (user_validation, payment, then
// order_paid when items were bought; refund and order_canceled on demand),
// with retries on 5xx and none on 4xx; sandbox tokens get
// transaction.dry_run = 1. It is an http.Handler to mount under
// Options.Prefix; [NewServer] runs one. Pay Station's "Send the callback
// again" button and [Emulator.Resend] deliver a recorded webhook once more,
// the same signed bytes.
type Emulator struct {
	opts   Options
	prefix string
	mux    *http.ServeMux
	engine *emulator.Engine
	orders *emulator.Book[string, Order]

	mu        sync.Mutex
	base      string
	nextTx    int64
	nextOrder int64
}

// New returns an Emulator to mount at Options.Prefix; it talks only to
// Options.WebhookURL. MerchantID, ProjectID and APIKey are required, and
// WebhookSecret when WebhookURL is set; invalid options are an error.
// Close it when done.
func New(opts Options) (*Emulator, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	prefix := emulator.Prefix(opts.Prefix)
	if opts.RetrySchedule == nil {
		opts.RetrySchedule = DefaultRetrySchedule()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	e := &Emulator{
		opts: opts, prefix: prefix, base: strings.TrimRight(opts.BaseURL, "/"),
		engine: emulator.New(emulator.Config{Client: opts.HTTPClient, Schedule: opts.RetrySchedule,
			Judge: judge, Drop: opts.DropCallbacks, Now: opts.Now}),
		orders: emulator.NewBook[string, Order](opts.MaxOrders),
		nextTx: 800000001, nextOrder: 500001,
	}
	m := http.NewServeMux()
	m.HandleFunc("POST /merchant/v2/merchants/{merchant}/token", e.v2Token)
	m.HandleFunc("POST /api/v3/project/{project}/admin/payment/token", e.v3Token)
	m.HandleFunc("GET /paystation4/{$}", e.page)
	m.HandleFunc("POST /paystation4/{action}", e.formAction)
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

// Close stops webhook deliveries and retries in progress and waits for
// them to end; later payments fail with ErrClosed.
func (e *Emulator) Close() { e.engine.Close() }

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

// Order returns the order of token.
func (e *Emulator) Order(token string) (Order, bool) { return e.orders.Get(token) }

// Orders returns the orders kept (Options.MaxOrders), oldest first.
func (e *Emulator) Orders() []Order { return e.orders.List() }

// Deliveries returns the webhook delivery attempts so far, oldest first;
// the newest 10,000 are kept.
func (e *Emulator) Deliveries() []Delivery { return e.engine.Deliveries() }

// Errors of the programmatic API. ErrNotFound, ErrState and ErrClosed are
// the same values in every kit.
var (
	// ErrNotFound: no order has this token, or no delivery this id.
	ErrNotFound = emulator.ErrNotFound
	// ErrState: the order's state does not allow the action.
	ErrState = emulator.ErrState
	// ErrClosed: the emulator was closed.
	ErrClosed = emulator.ErrClosed
	// ErrRejected: the merchant refused a webhook (4xx) at its first
	// attempt, or did not answer user_validation.
	ErrRejected = errors.New("xsollatest: webhook not acknowledged")
)

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
	e, srv, err := emulator.Start(opts.Prefix, &opts.BaseURL, func() (*Emulator, error) { return New(opts) })
	if err != nil {
		return nil, err
	}
	return &Server{Emulator: e, URL: e.URL(), srv: srv}, nil
}

// Close stops deliveries and retries and waits for them, then shuts the
// server down.
func (s *Server) Close() {
	s.Emulator.Close()
	s.srv.Close()
}
