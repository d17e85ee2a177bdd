package vkpay

import (
	"strconv"
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
}

// Client verifies and decodes VK payments notifications and builds
// handlers for them. It is safe for concurrent use.
type Client struct {
	appID   int64
	account string // appID in decimal, the account part of idempotency keys
	secrets []string
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
	return &Client{
		appID:   cfg.AppID,
		account: strconv.FormatInt(cfg.AppID, 10),
		secrets: all,
	}, nil
}

// AppID returns the configured app id.
func (c *Client) AppID() int64 { return c.appID }

// Account returns the account part of idempotency keys: the app id in
// decimal.
func (c *Client) Account() string { return c.account }
