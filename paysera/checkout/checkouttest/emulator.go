package checkouttest

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
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

// DefaultMaxRetrying bounds the webhooks retried at once.
const DefaultMaxRetrying = 64

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
	// RetrySchedule is the delays between webhook attempts; nil means
	// DefaultRetrySchedule(). A 401 answer stops the retries at once, as
	// Paysera does.
	RetrySchedule []time.Duration
	// MaxRetrying bounds the webhooks being retried at once (one goroutine
	// each); 0 means DefaultMaxRetrying. Beyond it a webhook that was not
	// answered 2xx fails at once.
	MaxRetrying int
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
	opts     Options
	signer   Signer
	client   *http.Client
	schedule []time.Duration
	now      func() time.Time

	ctx    context.Context // ends on Close
	cancel context.CancelFunc
	wg     sync.WaitGroup
	slots  chan struct{} // one per webhook being retried

	mu         sync.Mutex
	closed     bool
	seq        int64
	tokens     map[string]time.Time // token → expiry
	tokenCalls int
	throttle   []time.Duration // Retry-After of the next calls answered 429
	orders     map[string]*Order
	orderIDs   []string
	links      map[string]*Link
	payments   map[string]*Payment
	changed    chan struct{}
	webhooks   []*Webhook
}

// Errors of the emulator's Go API.
var (
	// ErrNotFound: no order, link or payment with that id.
	ErrNotFound = errors.New("checkouttest: not found")
	// ErrState: the state does not allow the action (paying a completed
	// link, refunding more than was paid, …).
	ErrState = errors.New("checkouttest: state does not allow this")
)

// New returns an Emulator; invalid options are an error.
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
	opts.Prefix = "/" + strings.Trim(opts.Prefix, "/") + "/"
	if opts.Prefix == "//" {
		opts.Prefix = "/"
	}
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	if opts.ProjectID == "" {
		opts.ProjectID = "01990618-2c90-7103-9169-752bdaac7a52"
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = DefaultTokenTTL
	}
	e := &Emulator{
		opts: opts, client: opts.HTTPClient, now: opts.Now,
		schedule: append([]time.Duration(nil), opts.RetrySchedule...),
		tokens:   map[string]time.Time{}, orders: map[string]*Order{},
		links: map[string]*Link{}, payments: map[string]*Payment{}, changed: make(chan struct{}),
	}
	if opts.RetrySchedule == nil {
		e.schedule = DefaultRetrySchedule()
	}
	if e.client == nil {
		e.client = &http.Client{Timeout: 10 * time.Second}
	}
	if e.now == nil {
		e.now = time.Now
	}
	if opts.MaxRetrying <= 0 {
		opts.MaxRetrying = DefaultMaxRetrying
	}
	e.slots = make(chan struct{}, opts.MaxRetrying)
	e.signer = Signer{Secret: opts.ClientSecret, Generation: opts.Generation, Now: e.now}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	return e, nil
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// URL is the emulator's base URL (Options.BaseURL): checkout.Config.BaseURL.
func (e *Emulator) URL() string { return e.opts.BaseURL }

// Close stops scheduled webhook retries and waits for them to end.
func (e *Emulator) Close() {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	e.cancel()
	e.wg.Wait()
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

// nextID returns a fresh id; ids look like Paysera's UUIDs.
func (e *Emulator) nextIDLocked(kind byte) string {
	e.seq++
	return uuidLike(kind, e.seq)
}

// notifyLocked wakes every Wait.
func (e *Emulator) notifyLocked() {
	close(e.changed)
	e.changed = make(chan struct{})
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
