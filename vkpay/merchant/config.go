package merchant

import (
	"crypto"
	"crypto/rsa"
	"net/http"
	"strconv"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/signature"
)

// DefaultBaseURL is the VK Pay (Деньги.Мэйл.Ру) API host.
const DefaultBaseURL = "https://api.money.mail.ru"

// ProtocolVersion is the version of the merchant protocol this package
// speaks, sent in answers and API calls.
const ProtocolVersion = "2-03"

// Config configures a [Client] for one VK Pay merchant.
type Config struct {
	// MerchantID is the VK Pay merchant id (merchant_id of the form).
	MerchantID int64
	// AppID is the mini app's id, the app_id of VKWebAppOpenPayForm;
	// optional.
	AppID int64
	// AppSecret is the app's secure key; it signs the form parameters
	// (the app "sign").
	AppSecret string
	// MerchantKey is the merchant private key (merchant_private_key): it
	// signs merchant_data and the answers to notifications.
	MerchantKey string
	// PublicKeyPEM is the payment system's public key from the contract
	// (PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE PEM); it verifies
	// notifications and API responses.
	PublicKeyPEM []byte
	// PreviousPublicKeysPEM are also accepted when verifying (rotation).
	PreviousPublicKeysPEM [][]byte
	// ClientID is the client_id of the header of answers and API calls;
	// 0 means MerchantID. When set, notifications naming another
	// client_id are refused with [paykit.ErrWrongAccount].
	ClientID int64
	// APIKey is the private access key that signs API calls; "" means
	// MerchantKey.
	APIKey string
	// Hash is the digest of merchant_sign, of answer signatures and of API
	// call signatures: crypto.SHA1 (the default, what the docs' examples
	// compute) or crypto.SHA256 (what the docs' prose says; spec B.5).
	Hash crypto.Hash
	// RSAHash is the digest of the RSA signatures VK Pay puts on
	// notifications and API responses: crypto.SHA1 (default) or
	// crypto.SHA256.
	RSAHash crypto.Hash
	// HTTPClient makes API calls; nil means a client with a 30 s timeout.
	HTTPClient *http.Client
	// BaseURL is the API host; "" means [DefaultBaseURL].
	BaseURL string
	// Now is the clock for ts fields; nil means time.Now.
	Now func() time.Time
}

// Client builds VK Pay payment forms, verifies merchant notifications and
// answers them, and calls the VK Pay API. It is safe for concurrent use.
type Client struct {
	cfg     Config
	account string
	keys    []*rsa.PublicKey
	http    *http.Client
}

// New validates cfg and returns a Client. Errors match
// [paykit.ErrInvalidRequest] and are a *[paykit.FieldError].
func New(cfg Config) (*Client, error) {
	if cfg.MerchantID <= 0 {
		return nil, &paykit.FieldError{Field: "MerchantID", Reason: "must be a positive merchant id"}
	}
	if cfg.MerchantKey == "" {
		return nil, &paykit.FieldError{Field: "MerchantKey", Reason: "is required"}
	}
	if cfg.Hash == 0 {
		cfg.Hash = crypto.SHA1
	}
	if cfg.RSAHash == 0 {
		cfg.RSAHash = crypto.SHA1
	}
	for _, h := range []crypto.Hash{cfg.Hash, cfg.RSAHash} {
		if h != crypto.SHA1 && h != crypto.SHA256 {
			return nil, &paykit.FieldError{Field: "Hash", Reason: "must be crypto.SHA1 or crypto.SHA256"}
		}
	}
	if cfg.ClientID < 0 {
		return nil, &paykit.FieldError{Field: "ClientID", Reason: "must not be negative"}
	}
	c := &Client{cfg: cfg, account: strconv.FormatInt(cfg.MerchantID, 10), http: cfg.HTTPClient}
	for i, pemBytes := range append([][]byte{cfg.PublicKeyPEM}, cfg.PreviousPublicKeysPEM...) {
		if len(pemBytes) == 0 {
			if i == 0 {
				continue // forms only: notifications will not verify
			}
			return nil, &paykit.FieldError{Field: "PreviousPublicKeysPEM", Reason: "contains an empty key"}
		}
		k, err := signature.ParsePublicKey(pemBytes)
		if err != nil {
			return nil, &paykit.FieldError{Field: "PublicKeyPEM", Reason: "is not an RSA public key"}
		}
		c.keys = append(c.keys, k)
	}
	if c.cfg.APIKey == "" {
		c.cfg.APIKey = cfg.MerchantKey
	}
	if c.cfg.BaseURL == "" {
		c.cfg.BaseURL = DefaultBaseURL
	}
	if c.cfg.Now == nil {
		c.cfg.Now = time.Now
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: 30 * time.Second}
	}
	return c, nil
}

func (c *Client) clientID() int64 {
	if c.cfg.ClientID != 0 {
		return c.cfg.ClientID
	}
	return c.cfg.MerchantID
}
