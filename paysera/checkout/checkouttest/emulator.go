package checkouttest

import (
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/paykit-go/paykit/internal/emulator"
)

// DefaultRetrySchedule returns the delays between attempts to deliver a
// webhook that was not answered 2xx, each counted from the previous
// attempt, as the newer checkout-modern docs give them: 1 h, 5 h, 25 h
// (four attempts over about 31 hours). Tests pass a shorter schedule.
func DefaultRetrySchedule() []time.Duration {
	return []time.Duration{time.Hour, 5 * time.Hour, 25 * time.Hour}
}

// LegacyRetrySchedule returns the older docs' delays: about 5 s, 60 s and
// 1 h.
func LegacyRetrySchedule() []time.Duration {
	return []time.Duration{5 * time.Second, time.Minute, time.Hour}
}

// DefaultTokenTTL is the lifetime of the access tokens the emulator
// issues, Paysera's own.
const DefaultTokenTTL = time.Hour

// Options configures an [Emulator].
type Options struct {
	// ClientID and ClientSecret are the project's credentials, shared with
	// the merchant's checkout.Config. Required.
	ClientID, ClientSecret string
	// ProjectID is the project's UUID; "" means a fixed test UUID.
	ProjectID string
	// Test marks the orders created as test payments (is_test).
	Test bool
	// Generation is the webhook header set sent; the zero value is Modern.
	Generation Generation
	// Prefix is the path the emulator is mounted at, e.g.
	// "/emulator/paysera-checkout/"; "" means "/". Mount it without
	// StripPrefix.
	Prefix string
	// BaseURL is the emulator's externally visible URL, prefix included,
	// without a trailing slash: the checkout.Config.BaseURL to use and the
	// base of the payment page URLs. NewServer fills it in.
	BaseURL string
	// HTTPClient delivers webhooks; nil means a client with a 10 s
	// timeout, Paysera's own read timeout.
	HTTPClient *http.Client
	// RetrySchedule is the delays between webhook attempts, each counted
	// from the previous attempt; nil means DefaultRetrySchedule(). A 401
	// answer stops the retries at once, as Paysera does.
	RetrySchedule []time.Duration
	// DropCallbacks records every webhook without sending it, as if
	// Paysera's webhooks never reached the merchant: orders move as at
	// Paysera (paid, refunded) while the merchant hears nothing. Resend
	// still sends.
	DropCallbacks bool
	// MaxOrders bounds the orders kept, with their links and payments;
	// the oldest order is forgotten first. 0 means 10,000.
	MaxOrders int
	// TokenTTL is the lifetime of issued tokens; 0 means DefaultTokenTTL.
	TokenTTL time.Duration
	// AcceptNumericOrderAmount also accepts the create-order amount as a
	// JSON number (as Paysera's PHP SDK sends it). By default only the
	// documented string of digits is accepted.
	AcceptNumericOrderAmount bool
	// Now is the clock for tokens and timestamps; nil means time.Now.
	Now func() time.Time
}

// Emulator emulates Paysera Checkout: the token endpoint, the REST API
// (orders, payment links, methods, refunds), a payment page per link with
// Pay, Leave pending, Decline and Cancel buttons, and signed webhooks with
// Paysera's retries. It is an http.Handler to mount under Options.Prefix;
// [NewServer] runs one on a loopback port. Its methods are safe for
// concurrent use. Close it to stop scheduled retries.
type Emulator struct {
	opts   Options
	signer Signer
	now    func() time.Time
	engine *emulator.Engine
	orders *emulator.Book[string, record]

	mu         sync.Mutex
	closed     bool
	seq        int64
	tokens     map[string]time.Time // token → expiry
	tokenCalls int
	throttle   []time.Duration // Retry-After of the next calls answered 429
	queued     int             // webhooks due after an API reply, not handed to the engine yet
	idle       chan struct{}   // closed while queued is 0
}

// Errors of the emulator's Go API, the same values in every kit.
var (
	// ErrNotFound: no order, link, payment or delivery with that id
	// (never issued, or forgotten by Options.MaxOrders).
	ErrNotFound = emulator.ErrNotFound
	// ErrState: the state does not allow the action (paying a completed
	// link, refunding more than was paid, …).
	ErrState = emulator.ErrState
	// ErrClosed: the emulator was closed.
	ErrClosed = emulator.ErrClosed
)

// New returns an Emulator; invalid options are an error. Close it when
// done.
func New(opts Options) (*Emulator, error) {
	if opts.ClientID == "" || opts.ClientSecret == "" {
		return nil, errors.New("checkouttest: ClientID and ClientSecret are required")
	}
	if opts.BaseURL != "" && !httpURL(opts.BaseURL) {
		return nil, errors.New("checkouttest: BaseURL must be an absolute http(s) URL")
	}
	for _, d := range opts.RetrySchedule {
		if d < 0 {
			return nil, errors.New("checkouttest: negative delay in RetrySchedule")
		}
	}
	opts.Prefix = emulator.Prefix(opts.Prefix)
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	if opts.ProjectID == "" {
		opts.ProjectID = "01990618-2c90-7103-9169-752bdaac7a52"
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = DefaultTokenTTL
	}
	if opts.RetrySchedule == nil {
		opts.RetrySchedule = DefaultRetrySchedule()
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	e := &Emulator{
		opts: opts, now: opts.Now, tokens: map[string]time.Time{}, idle: make(chan struct{}),
		signer: Signer{Secret: opts.ClientSecret, Generation: opts.Generation, Now: opts.Now},
		engine: emulator.New(emulator.Config{Client: opts.HTTPClient, Schedule: opts.RetrySchedule,
			Judge: judge, Drop: opts.DropCallbacks, Now: opts.Now}),
		orders: emulator.NewBook[string, record](opts.MaxOrders),
	}
	close(e.idle)
	return e, nil
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// URL is the emulator's base URL (Options.BaseURL): checkout.Config.BaseURL.
func (e *Emulator) URL() string { return e.opts.BaseURL }

// Close stops scheduled webhook retries and waits for the emulator's
// goroutines; later verbs fail with ErrClosed and change nothing.
func (e *Emulator) Close() {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	e.engine.Close()
}

// open returns ErrClosed once the emulator is closed.
func (e *Emulator) open() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrClosed
	}
	return nil
}

// ExpireTokens makes every token issued so far invalid, as if its hour had
// passed: the next API call with one gets 401 invalid_token.
func (e *Emulator) ExpireTokens() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for t := range e.tokens {
		e.tokens[t] = time.Time{}
	}
}

// TokenRequests counts successful token requests.
func (e *Emulator) TokenRequests() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.tokenCalls
}

// Throttle answers the next API calls (token endpoint included) 429 Too
// Many Requests, one per value, with the value as Retry-After in whole
// seconds (0 sends "0").
func (e *Emulator) Throttle(retryAfter ...time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.throttle = append(e.throttle, retryAfter...)
}

// newID returns a fresh sequence number for an id.
func (e *Emulator) newID() int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.seq++
	return e.seq
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
