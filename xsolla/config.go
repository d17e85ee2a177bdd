package xsolla

import (
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/secrets"
)

// Hosts used when the corresponding Config field is empty.
const (
	DefaultBaseURL            = "https://api.xsolla.com"
	DefaultStoreBaseURL       = "https://store.xsolla.com/api"
	DefaultPayStationURL      = "https://secure.xsolla.com/paystation4/"
	DefaultSandboxPayStation  = "https://sandbox-secure.xsolla.com/paystation4/"
	DefaultWidgetScriptURL    = "https://cdn.xsolla.net/embed/paystation/1.2.9/widget.min.js"
	defaultTimeout            = 30 * time.Second
	defaultMaxRetries         = 2
	defaultRetryBaseDelay     = 300 * time.Millisecond
	defaultRetryMaxDelay      = 5 * time.Second
	defaultRetryAfterMaxDelay = 30 * time.Second
)

// Config configures a [Client]. MerchantID, ProjectID, APIKey,
// WebhookSecret, Sandbox, HTTPClient and BaseURL are the contract fields;
// the rest are optional.
type Config struct {
	// MerchantID is the company's merchant id: the Basic-auth user of the
	// merchant API and the {merchant_id} of the token path.
	MerchantID int
	// ProjectID is the Pay Station / store project. Webhooks naming another
	// project fail with paykit.ErrWrongAccount.
	ProjectID int
	// APIKey is the API key (a company-wide key for the v2 merchant API).
	// It is sent only in the Authorization header and never appears in an
	// error.
	APIKey string
	// WebhookSecret is the project's webhook secret key (Publisher Account →
	// Project settings → Webhooks). It is not the API key.
	WebhookSecret string
	// Sandbox creates sandbox tokens (settings.mode "sandbox" on v2,
	// "sandbox": true on v3) and opens Pay Station on the sandbox host, so
	// the two choices always agree.
	Sandbox bool
	// HTTPClient sends API calls; nil means a client with a 30 s timeout.
	HTTPClient *http.Client
	// BaseURL is the merchant API base; "" means https://api.xsolla.com.
	BaseURL string

	// StoreBaseURL is the In-Game Store API base used by
	// CreatePaymentToken; "" means https://store.xsolla.com/api.
	StoreBaseURL string
	// StoreAuthUser is the Basic-auth user of the store (v3) API. Xsolla's
	// docs say the project id, several working integrations send the
	// merchant id with a company key [unsure]; "" means the project id.
	StoreAuthUser string
	// PayStationURL is the payment UI base that tokens are appended to;
	// "" means Pay Station 4 on secure.xsolla.com, or sandbox-secure with
	// Sandbox. Point it at an emulator in tests.
	PayStationURL string
	// WidgetScriptURL is the paystation-embed script; "" means
	// [DefaultWidgetScriptURL].
	WidgetScriptURL string

	// PreviousSecrets are also accepted when verifying webhooks (secret
	// rotation); they are never used to sign.
	PreviousSecrets []string
	// StrictSignatureHeader parses Authorization exactly like Xsolla's PHP
	// SDK: case-sensitive "Signature " and lower-case hex only. By default
	// the scheme name is case-insensitive (RFC 9110) and upper-case hex is
	// accepted; everything else is equally strict.
	StrictSignatureHeader bool
	// AllowedIPs, when not empty, turns on the webhook source check: only
	// these addresses or CIDR prefixes may deliver webhooks. Off by
	// default because Xsolla's published lists disagree and drift; see
	// [WebhookIPs] for the list of the official SDK.
	AllowedIPs []string
	// TrustedProxies are addresses or CIDR prefixes of your own reverse
	// proxies. Only when the connection comes from one of them is
	// X-Forwarded-For read, right to left, skipping trusted proxies; the
	// first untrusted address is the client. Empty means the header is
	// never trusted.
	TrustedProxies []string

	// MaxRetries is how many times an API call is retried after a 429, a
	// 5xx or a network error; 0 means 2, a negative value none.
	MaxRetries int
	// RetryBaseDelay is the first backoff (doubled per attempt, full
	// jitter, at most 5 s; a Retry-After up to 30 s is honoured); 0 means
	// 300 ms.
	RetryBaseDelay time.Duration
	// UserAgent is sent with API calls; "" means "paykit-xsolla".
	UserAgent string
}

// WebhookIPs returns the webhook source addresses Xsolla's webhook
// documentation lists (developers.xsolla.com, Webhooks → Overview, checked
// 2026-11): 185.30.20.0/24, 185.30.21.0/24 and 185.30.23.0/24. Xsolla's PHP
// SDK (2025-10) also lists 185.30.22.0/24 and five Google Cloud addresses,
// and the list has changed before: check it before relying on it, and add
// addresses Xsolla names to you.
//
//	cfg.AllowedIPs = xsolla.WebhookIPs()
func WebhookIPs() []string {
	return []string{"185.30.20.0/24", "185.30.21.0/24", "185.30.23.0/24"}
}

// Client talks to Xsolla's APIs and verifies its webhooks. It is safe for
// concurrent use.
type Client struct {
	cfg       Config
	secrets   []string
	http      *http.Client
	baseURL   string
	storeURL  string
	storeUser string
	allowed   []netip.Prefix
	proxies   []netip.Prefix
	project   string
	merchant  string
	// redact lists the spellings of the credentials that API errors must
	// never keep (credentialForms).
	redact []string
}

// New validates cfg and returns a Client. Errors match
// paykit.ErrInvalidRequest and name the field.
func New(cfg Config) (*Client, error) {
	switch {
	case cfg.ProjectID <= 0:
		return nil, &paykit.FieldError{Field: "ProjectID", Reason: "must be positive"}
	case cfg.MerchantID < 0:
		return nil, &paykit.FieldError{Field: "MerchantID", Reason: "must not be negative"}
	}
	webhookSecrets, err := webhookSecrets(cfg)
	if err != nil {
		return nil, err
	}
	c := &Client{
		cfg:      cfg,
		http:     cfg.HTTPClient,
		baseURL:  strings.TrimRight(orDefault(cfg.BaseURL, DefaultBaseURL), "/"),
		storeURL: strings.TrimRight(orDefault(cfg.StoreBaseURL, DefaultStoreBaseURL), "/"),
		project:  strconv.Itoa(cfg.ProjectID),
	}
	if cfg.MerchantID > 0 {
		c.merchant = strconv.Itoa(cfg.MerchantID)
	}
	c.storeUser = orDefault(cfg.StoreAuthUser, c.project)
	c.redact = credentialForms(cfg, strconv.Itoa(cfg.MerchantID), c.storeUser)
	if c.http == nil {
		c.http = &http.Client{Timeout: defaultTimeout}
	}
	c.secrets = webhookSecrets
	if c.allowed, err = parsePrefixes("AllowedIPs", cfg.AllowedIPs); err != nil {
		return nil, err
	}
	if c.proxies, err = parsePrefixes("TrustedProxies", cfg.TrustedProxies); err != nil {
		return nil, err
	}
	for _, u := range []struct{ field, v string }{
		{"BaseURL", c.baseURL}, {"StoreBaseURL", c.storeURL},
		{"PayStationURL", cfg.PayStationURL}, {"WidgetScriptURL", cfg.WidgetScriptURL},
	} {
		if u.v != "" && !strings.HasPrefix(u.v, "https://") && !strings.HasPrefix(u.v, "http://") {
			return nil, &paykit.FieldError{Field: u.field, Reason: "must be an http(s) URL"}
		}
	}
	return c, nil
}

// webhookSecrets is the rotation of webhook secrets, current first. A
// client without any (one used for the API only) refuses every webhook.
func webhookSecrets(cfg Config) ([]string, error) {
	if cfg.WebhookSecret == "" && len(cfg.PreviousSecrets) == 0 {
		return nil, nil
	}
	return secrets.Rotation("WebhookSecret", cfg.WebhookSecret, cfg.PreviousSecrets)
}

// Config returns the configuration the client was built with.
func (c *Client) Config() Config { return c.cfg }

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func parsePrefixes(field string, list []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for i, s := range list {
		var p netip.Prefix
		var err error
		if strings.Contains(s, "/") {
			p, err = netip.ParsePrefix(s)
		} else {
			var a netip.Addr
			if a, err = netip.ParseAddr(s); err == nil {
				p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
			}
		}
		if err != nil {
			return nil, &paykit.FieldError{Field: field + "[" + strconv.Itoa(i) + "]", Reason: "not an IP address or CIDR prefix"}
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
