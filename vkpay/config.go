package vkpay

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/secrets"
)

// ReplyTimeout is how long VK waits for an answer before it drops the
// connection and resends the notification later (spec §A.1). Handlers
// give hooks a deadline safely inside it; paykit.HandlerOptions.HookTimeout
// overrides that deadline.
const ReplyTimeout = 10 * time.Second

// Config configures a [Client] for one VK app.
type Config struct {
	// AppID is the app's id; notifications for any other app_id are
	// refused with [paykit.ErrWrongAccount].
	AppID int64
	// Secret is the app's secure key ("Защищённый ключ") from the app
	// settings.
	Secret string
	// PreviousSecrets are also accepted when verifying, so that the secure
	// key can be changed without refusing notifications signed with the
	// old one. They are never used to sign.
	PreviousSecrets []string

	// AccessToken is the app's service access token ("Сервисный ключ
	// доступа" in the app's settings), needed only for the payments API
	// methods ([Client.GetOrdersByID] and the others). It is sent in the
	// Authorization header and redacted from every error.
	AccessToken string
	// APIBaseURL replaces [DefaultAPIBaseURL] as the base of API calls,
	// e.g. the URL of a vkpaytest emulator.
	APIBaseURL string
	// HTTPClient makes API calls; nil means a client with a
	// [DefaultAPITimeout] timeout.
	HTTPClient *http.Client
	// MaxRetries is how many times a call is retried after HTTP 429 or
	// 5xx, VK error 6 or 10, or a transport error; 0 means 3, a negative
	// value none.
	MaxRetries int
	// RetryBaseDelay is the first backoff, doubled per attempt (full
	// jitter, at most 5 s; a Retry-After up to 30 s is honoured instead);
	// 0 means 300 ms.
	RetryBaseDelay time.Duration
}

// Client verifies and decodes VK payments notifications and builds
// handlers for them. It is safe for concurrent use.
type Client struct {
	appID   int64
	account string // appID in decimal, the account part of idempotency keys
	secrets []string

	token      string
	apiBase    string // without trailing slash
	http       *http.Client
	maxRetries int
	retryBase  time.Duration
	wait       func(ctx context.Context, d time.Duration) error // sleepCtx; tests record instead
}

// New validates cfg and returns a Client. Errors match
// [paykit.ErrInvalidRequest] and are a *[paykit.FieldError].
func New(cfg Config) (*Client, error) {
	if cfg.AppID <= 0 {
		return nil, &paykit.FieldError{Field: "AppID", Reason: "must be a positive VK app id"}
	}
	all, err := secrets.Rotation("Secret", cfg.Secret, cfg.PreviousSecrets)
	if err != nil {
		return nil, err
	}
	base := DefaultAPIBaseURL
	if cfg.APIBaseURL != "" {
		u, err := url.Parse(cfg.APIBaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return nil, &paykit.FieldError{Field: "APIBaseURL", Reason: "must be an absolute http or https URL without query"}
		}
		base = strings.TrimRight(cfg.APIBaseURL, "/")
	}
	c := &Client{
		appID:      cfg.AppID,
		account:    strconv.FormatInt(cfg.AppID, 10),
		secrets:    all,
		token:      cfg.AccessToken,
		apiBase:    base,
		http:       cfg.HTTPClient,
		maxRetries: cfg.MaxRetries,
		retryBase:  cfg.RetryBaseDelay,
		wait:       sleepCtx,
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: DefaultAPITimeout}
	}
	switch {
	case c.maxRetries == 0:
		c.maxRetries = defaultMaxRetries
	case c.maxRetries < 0:
		c.maxRetries = 0
	}
	if c.retryBase <= 0 {
		c.retryBase = defaultRetryBaseDelay
	}
	return c, nil
}

// AppID returns the configured app id.
func (c *Client) AppID() int64 { return c.appID }

// Account returns the account part of idempotency keys: the app id in
// decimal.
func (c *Client) Account() string { return c.account }
