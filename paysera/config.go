package paysera

import (
	"crypto/rsa"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/secrets"
	"github.com/paykit-go/paykit/signature"
)

// DefaultVersion is the protocol version sent in requests when
// [Config.Version] is empty: the last version of the published
// specification that the official ports send. The official PHP library 3.x
// sends its own package version (e.g. "3.1.5") instead; both are accepted.
const DefaultVersion = "1.6"

// Production and sandbox endpoints.
const (
	// ProductionPayURL is the payment page of Paysera's official library
	// 3.x; the documentation also names https://www.paysera.com/pay/.
	ProductionPayURL = "https://bank.paysera.com/pay/"
	// ProductionPublicKeyURL serves Paysera's callback certificate.
	ProductionPublicKeyURL = "https://www.paysera.com/download/public.key"
	// ProductionMethodsURL is the base of the payment-methods list.
	ProductionMethodsURL = "https://www.paysera.com/payment-methods/"
	// ProductionSMSAnswerURL takes deferred SMS answers.
	ProductionSMSAnswerURL = "https://bank.paysera.com/psms/respond/"

	// SandboxBaseURL is the base of every sandbox endpoint.
	SandboxBaseURL = "https://sandbox.paysera.com"
)

// Defaults of the optional settings.
const (
	// DefaultKeyRefreshInterval is the least time between two downloads of
	// the public key (see [Config.FetchPublicKey]).
	DefaultKeyRefreshInterval = 10 * time.Minute
	// DefaultHTTPTimeout bounds every outgoing call of the default HTTP
	// client.
	DefaultHTTPTimeout = 15 * time.Second
)

// Config configures a [Client]. ProjectID and Password are required.
type Config struct {
	// ProjectID is the Paysera project number.
	ProjectID int
	// Password is the project password ("sign password"): it signs
	// requests, verifies ss1 when AcceptSS1 is set and decrypts encrypted
	// callbacks.
	Password string
	// PublicKeyPEM pins the key that verifies ss2/ss3: a CERTIFICATE,
	// PUBLIC KEY or RSA PUBLIC KEY PEM block. Nil means the embedded
	// production certificate ([ProductionCertificatePEM]); with Sandbox,
	// nil means the sandbox key is downloaded on first use (no sandbox key
	// is embedded).
	PublicKeyPEM []byte
	// Sandbox selects https://sandbox.paysera.com for every endpoint.
	Sandbox bool
	// Version is the protocol version sent in requests; "" means
	// [DefaultVersion]. At most 9 bytes.
	Version string

	// PreviousSecrets are former passwords still accepted when verifying
	// ss1 and decrypting callbacks during a password rotation. They never
	// sign anything.
	PreviousSecrets []string
	// HTTPClient makes the outgoing calls (public key, payment methods,
	// SMS answers); nil means a client with a [DefaultHTTPTimeout]
	// timeout.
	HTTPClient *http.Client
	// BaseURL replaces every Paysera host, e.g. the URL of a
	// payseratest emulator: the payment page is BaseURL+"/pay/", the key
	// BaseURL+"/download/public.key", the methods list
	// BaseURL+"/payment-methods/…" and SMS answers BaseURL+"/psms/respond/".
	BaseURL string

	// AcceptSS1 accepts callbacks that carry only ss1 (an MD5 of the
	// data and the password) and no RSA signature. Off by default, as in
	// Paysera's library: anyone who learns the password can forge ss1.
	// A callback that does carry ss2 or ss3 is always judged by those.
	AcceptSS1 bool
	// FetchPublicKey downloads Paysera's public key from PublicKeyURL when
	// a signature does not verify with the keys at hand (at most once per
	// KeyRefreshInterval after a success, once per 30 s after a failure,
	// one download at a time, never on every callback) and then keeps it
	// beside the pinned or embedded key. The download runs detached from
	// the callback's request, with its own timeout, so a client that hangs
	// up does not cancel it. It is implied in Sandbox mode without
	// PublicKeyPEM.
	FetchPublicKey bool
	// PublicKeyURL overrides where the key is downloaded from; "" derives
	// it from Sandbox and BaseURL.
	PublicKeyURL string
	// KeyRefreshInterval is the least time between two key downloads; 0
	// means [DefaultKeyRefreshInterval].
	KeyRefreshInterval time.Duration
}

// Client builds Paysera payment requests and verifies callbacks. It is
// safe for concurrent use; build one at start-up (New parses the key).
type Client struct {
	projectID  int
	account    string // ProjectID as a decimal string
	password   string
	secrets    []string // password first, then previous ones
	version    string
	acceptSS1  bool
	httpClient *http.Client
	endpoints  endpoints
	keys       *keyring
}

type endpoints struct {
	pay, publicKey, methods, smsAnswer string
}

// New validates cfg and returns a Client. Every error matches
// [paykit.ErrInvalidRequest] and is a *[paykit.FieldError] naming the
// Config field.
func New(cfg Config) (*Client, error) {
	if cfg.ProjectID <= 0 || len(strconv.Itoa(cfg.ProjectID)) > 11 {
		return nil, &paykit.FieldError{Field: "ProjectID", Reason: "must be a positive number of at most 11 digits"}
	}
	rotation, err := secrets.Rotation("Password", cfg.Password, cfg.PreviousSecrets)
	if err != nil {
		return nil, err
	}
	version := cfg.Version
	if version == "" {
		version = DefaultVersion
	}
	if len(version) > 9 {
		return nil, &paykit.FieldError{Field: "Version", Reason: "is longer than 9 bytes"}
	}
	if cfg.KeyRefreshInterval < 0 {
		return nil, &paykit.FieldError{Field: "KeyRefreshInterval", Reason: "must not be negative"}
	}
	ep, err := buildEndpoints(cfg)
	if err != nil {
		return nil, err
	}
	static, fetch, err := staticKeys(cfg)
	if err != nil {
		return nil, err
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: DefaultHTTPTimeout}
	}
	interval := cfg.KeyRefreshInterval
	if interval == 0 {
		interval = DefaultKeyRefreshInterval
	}
	c := &Client{
		projectID:  cfg.ProjectID,
		account:    strconv.Itoa(cfg.ProjectID),
		password:   cfg.Password,
		secrets:    rotation,
		version:    version,
		acceptSS1:  cfg.AcceptSS1,
		httpClient: hc,
		endpoints:  ep,
	}
	c.keys = newKeyring(static, fetch, ep.publicKey, hc, interval)
	c.keys.apiError = func(status int, body []byte) error { return c.apiError(status, body, false) }
	return c, nil
}

func buildEndpoints(cfg Config) (endpoints, error) {
	base := ""
	switch {
	case cfg.BaseURL != "":
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return endpoints{}, &paykit.FieldError{Field: "BaseURL", Reason: "must be an absolute http or https URL"}
		}
		base = strings.TrimRight(cfg.BaseURL, "/")
	case cfg.Sandbox:
		base = SandboxBaseURL
	}
	ep := endpoints{
		pay:       ProductionPayURL,
		publicKey: ProductionPublicKeyURL,
		methods:   ProductionMethodsURL,
		smsAnswer: ProductionSMSAnswerURL,
	}
	if base != "" {
		ep = endpoints{
			pay:       base + "/pay/",
			publicKey: base + "/download/public.key",
			methods:   base + "/payment-methods/",
			smsAnswer: base + "/psms/respond/",
		}
	}
	if cfg.PublicKeyURL != "" {
		u, err := url.Parse(cfg.PublicKeyURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return endpoints{}, &paykit.FieldError{Field: "PublicKeyURL", Reason: "must be an absolute http or https URL"}
		}
		ep.publicKey = cfg.PublicKeyURL
	}
	return ep, nil
}

// staticKeys returns the pinned or embedded key and whether keys are to be
// downloaded.
func staticKeys(cfg Config) ([]*rsa.PublicKey, bool, error) {
	pemBytes := cfg.PublicKeyPEM
	if pemBytes == nil {
		if cfg.Sandbox {
			return nil, true, nil
		}
		pemBytes = []byte(ProductionCertificatePEM)
	}
	key, err := signature.ParsePublicKey(pemBytes)
	if err != nil {
		return nil, false, &paykit.FieldError{Field: "PublicKeyPEM", Reason: "is not an RSA certificate or public key"}
	}
	return []*rsa.PublicKey{key}, cfg.FetchPublicKey, nil
}

// ProjectID returns the configured project number.
func (c *Client) ProjectID() int { return c.projectID }

// PayURL returns the payment page URL requests are sent to.
func (c *Client) PayURL() string { return c.endpoints.pay }
