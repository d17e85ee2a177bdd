package playvision

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/secrets"
)

// The two API hosts of the platform, one per consumer site. The docs write
// either as {domain}.
const (
	// DomainPlayvision is the API host of playvision.ru, the default.
	DomainPlayvision = "api.playvision.ru"
	// DomainPlayvis is the API host of playvis.com.
	DomainPlayvis = "api.playvis.com"
)

// ReplyTimeout is how long Playvision waits for an answer to a
// notification before it drops the connection and logs the delivery as
// failed. Hooks get a deadline inside it (see
// paykit.HandlerOptions.HookTimeout).
const ReplyTimeout = 10 * time.Second

// DefaultAPITimeout is the timeout of the HTTP client used for server API
// calls when [Config.HTTPClient] is nil.
const DefaultAPITimeout = 10 * time.Second

// Config configures a [Client].
type Config struct {
	// AppID is the application id (project_id / app_id / api_id in the
	// platform's docs). Required.
	AppID int64
	// Secret is the application's secret key, used to verify
	// notifications and launch parameters and to sign server API calls.
	// Required.
	Secret string
	// PreviousSecrets are also accepted when verifying notifications and
	// launch parameters, never used to sign: add the old secret here while
	// a rotation is staged.
	PreviousSecrets []string
	// Domain selects the API host: DomainPlayvision (the default when "")
	// or DomainPlayvis.
	Domain string
	// BaseURL, when set, replaces "https://"+Domain as the base of the
	// payment.window URL and of server API calls, e.g. an emulator's URL
	// from package playvisiontest, or "http://api.playvision.ru" if the
	// platform must be reached over plain HTTP as its docs show.
	BaseURL string
	// HTTPClient makes server API calls; nil means a client with a
	// [DefaultAPITimeout] timeout.
	HTTPClient *http.Client
	// Now is the clock for the time parameter of server API calls; nil
	// means time.Now.
	Now func() time.Time
}

// Client builds Playvision requests and verifies its notifications. It is
// safe for concurrent use.
type Client struct {
	cfg     Config
	account string   // AppID in decimal, the idempotency account
	secrets []string // Secret first, then PreviousSecrets
	base    string   // without trailing slash
	http    *http.Client
	now     func() time.Time
}

// New validates cfg and returns a Client. Errors match
// paykit.ErrInvalidRequest and are a *paykit.FieldError naming the field.
func New(cfg Config) (*Client, error) {
	if cfg.AppID <= 0 {
		return nil, &paykit.FieldError{Field: "AppID", Reason: "must be a positive application id"}
	}
	all, err := secrets.Rotation("Secret", cfg.Secret, cfg.PreviousSecrets)
	if err != nil {
		return nil, err
	}
	switch cfg.Domain {
	case "":
		cfg.Domain = DomainPlayvision
	case DomainPlayvision, DomainPlayvis:
	default:
		return nil, &paykit.FieldError{Field: "Domain", Reason: "must be DomainPlayvision or DomainPlayvis"}
	}
	base := "https://" + cfg.Domain
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return nil, &paykit.FieldError{Field: "BaseURL", Reason: "must be an absolute http or https URL without query"}
		}
		base = strings.TrimRight(cfg.BaseURL, "/")
	}
	c := &Client{
		cfg:     cfg,
		account: strconv.FormatInt(cfg.AppID, 10),
		secrets: all,
		base:    base,
		http:    cfg.HTTPClient,
		now:     cfg.Now,
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: DefaultAPITimeout}
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

// AppID returns the configured application id.
func (c *Client) AppID() int64 { return c.cfg.AppID }

// Account returns the application id in decimal, as it appears in
// idempotency keys.
func (c *Client) Account() string { return c.account }
