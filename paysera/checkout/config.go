package checkout

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/secrets"
)

// The API bases. Only Paysera's PHP SDK names the sandbox host; the docs
// speak of a project test mode instead, so BaseURL overrides both.
const (
	ProductionURL = "https://api.paysera.com"
	SandboxURL    = "https://sandbox.paysera.com"
)

// Defaults of the outbound client.
const (
	// DefaultTimeout bounds one HTTP attempt when Config.HTTPClient is nil.
	DefaultTimeout = 30 * time.Second
	// DefaultMaxRetries is how often a call is retried after 429, 5xx or a
	// network error when Config.MaxRetries is 0.
	DefaultMaxRetries = 2
	// DefaultRetryBaseDelay is the first backoff delay when the reply
	// names none (Retry-After); it doubles per attempt.
	DefaultRetryBaseDelay = 500 * time.Millisecond
	// MaxRetryAfter caps how long a Retry-After header can make a call
	// wait before its next attempt.
	MaxRetryAfter = 2 * time.Minute
	// TokenRenewBefore is how long before its expiry a token is renewed,
	// as Paysera's SDK does (its lifetime is one hour).
	TokenRenewBefore = 5 * time.Minute
)

// minRedactedID is the shortest client id redacted from error bodies.
const minRedactedID = 8

// Config configures a [Client]. ClientID and ClientSecret come from the
// project's integration page in the Merchant Area.
type Config struct {
	// ClientID is the OAuth2 client id. Required.
	ClientID string
	// ClientSecret is the OAuth2 client secret. It is also the key of the
	// webhooks' HMAC: Paysera has no separate webhook secret. Required.
	ClientSecret string
	// PreviousSecrets are older client secrets still accepted on webhooks
	// while a rotation completes (a webhook signed before the change may
	// be retried up to 31 hours later). Never used to call the API.
	PreviousSecrets []string
	// ProjectID is the project's UUID. Optional: the API takes the
	// token's project. When set, it is the account webhooks are checked
	// against (a webhook naming another project is refused with
	// paykit.ErrWrongAccount) and [Client.Account] returns it.
	ProjectID string
	// TestMode marks every webhook as a test (Summary.Test): Paysera's
	// webhooks carry no test flag; a project in test mode is a
	// Merchant Area setting. An order snapshot's is_test, when sent, also
	// marks it.
	TestMode bool
	// Sandbox selects [SandboxURL] instead of [ProductionURL].
	Sandbox bool
	// BaseURL overrides the API base (an emulator's URL in tests).
	BaseURL string
	// HTTPClient sends API calls; nil means a client with
	// [DefaultTimeout].
	HTTPClient *http.Client
	// MaxRetries bounds retries of one call after 429, 5xx or a network
	// error; 0 means [DefaultMaxRetries], negative means none. POSTs are
	// retried only after 429: Paysera has no idempotency keys, so a POST
	// that failed with 5xx may have created an order.
	MaxRetries int
	// RetryBaseDelay is the first backoff delay when a reply names no
	// Retry-After; 0 means [DefaultRetryBaseDelay].
	RetryBaseDelay time.Duration
	// OrderAmountAsNumber sends the create-order amount as a JSON number
	// (as Paysera's PHP SDK does) instead of the documented string.
	OrderAmountAsNumber bool
	// UserAgent is sent on API calls; "" means "paykit-paysera-checkout".
	UserAgent string
	// Now is the clock for token expiry; nil means time.Now.
	Now func() time.Time
}

// Client calls Paysera Checkout's API and verifies its webhooks. It is safe
// for concurrent use: one token is shared by every call and renewed by one
// of them at a time.
type Client struct {
	cfg     Config
	base    string
	http    *http.Client
	secrets []string
	now     func() time.Time
	redact  []string
	sleep   func(context.Context, time.Duration) error // between attempts; tests record it

	tokMu   sync.Mutex
	tok     token
	renewal *renewal // the token request in flight, if any
	onWait  func()   // tests: a caller starts waiting for another's renewal
}

// New returns a client for cfg. A missing ClientID or ClientSecret, an
// empty previous secret or a BaseURL that is not an absolute http(s) URL
// is an error matching paykit.ErrInvalidRequest.
func New(cfg Config) (*Client, error) {
	if cfg.ClientID == "" {
		return nil, &paykit.FieldError{Field: "ClientID", Reason: "required"}
	}
	list, err := secrets.Rotation("ClientSecret", cfg.ClientSecret, cfg.PreviousSecrets)
	if err != nil {
		return nil, err
	}
	base := ProductionURL
	if cfg.Sandbox {
		base = SandboxURL
	}
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, &paykit.FieldError{Field: "BaseURL", Reason: "must be an absolute http(s) URL"}
		}
		base = cfg.BaseURL
	}
	c := &Client{
		cfg:     cfg,
		base:    strings.TrimRight(base, "/"),
		http:    cfg.HTTPClient,
		secrets: list,
		now:     cfg.Now,
		sleep:   sleepCtx,
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: DefaultTimeout}
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.redact = append([]string{redactBasic(cfg.ClientID, cfg.ClientSecret)}, list...)
	if len(cfg.ClientID) >= minRedactedID {
		// The client id is half of the credentials; a very short one (a
		// test's "id") would blank out ordinary words of every message.
		c.redact = append(c.redact, cfg.ClientID)
	}
	return c, nil
}

// Account is what webhooks are keyed and checked under: Config.ProjectID,
// else the client id (one client id belongs to one project).
func (c *Client) Account() string {
	if c.cfg.ProjectID != "" {
		return c.cfg.ProjectID
	}
	return c.cfg.ClientID
}

// BaseURL returns the API base the client calls.
func (c *Client) BaseURL() string { return c.base }
