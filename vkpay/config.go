package vkpay

import (
	"strconv"
	"time"

	"github.com/paykit-go/paykit"
)

// ResponseLimit is how long VK waits for an answer before it drops the
// connection and resends the notification later. Handlers give hooks a
// deadline safely inside it (see [paykit.HookContext]).
const ResponseLimit = 10 * time.Second

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
	// MaxBodyBytes caps a notification body; 0 means
	// [paykit.DefaultMaxBodyBytes].
	MaxBodyBytes int64
}

// Client verifies and decodes VK payments notifications and builds
// handlers for them. It is safe for concurrent use.
type Client struct {
	appID    int64
	account  string // appID in decimal, the account part of idempotency keys
	secrets  []string
	maxBytes int64
}

// New validates cfg and returns a Client. Errors match
// [paykit.ErrInvalidRequest] and are a *[paykit.FieldError].
func New(cfg Config) (*Client, error) {
	if cfg.AppID <= 0 {
		return nil, &paykit.FieldError{Field: "AppID", Reason: "must be a positive VK app id"}
	}
	if cfg.Secret == "" {
		return nil, &paykit.FieldError{Field: "Secret", Reason: "is required"}
	}
	for _, s := range cfg.PreviousSecrets {
		if s == "" {
			return nil, &paykit.FieldError{Field: "PreviousSecrets", Reason: "contains an empty secret"}
		}
	}
	if cfg.MaxBodyBytes < 0 {
		return nil, &paykit.FieldError{Field: "MaxBodyBytes", Reason: "must not be negative"}
	}
	secrets := make([]string, 0, 1+len(cfg.PreviousSecrets))
	secrets = append(secrets, cfg.Secret)
	secrets = append(secrets, cfg.PreviousSecrets...)
	return &Client{
		appID:    cfg.AppID,
		account:  strconv.FormatInt(cfg.AppID, 10),
		secrets:  secrets,
		maxBytes: cfg.MaxBodyBytes,
	}, nil
}

// AppID returns the configured app id.
func (c *Client) AppID() int64 { return c.appID }
