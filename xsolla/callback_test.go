package xsolla

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paykit-go/paykit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testSecret = "s3cret"

// authHeader is a header carrying only Authorization: v.
func authHeader(v string) http.Header { return http.Header{"Authorization": {v}} }

func sign(body, secret string) string {
	h := sha1.Sum([]byte(body + secret))
	return "Signature " + hex.EncodeToString(h[:])
}

func newTestClient(t testing.TB, mod ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{MerchantID: 2340, ProjectID: 18404, APIKey: "key", WebhookSecret: testSecret}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := New(cfg)
	require.NoError(t, err)
	return c
}

func webhookRequest(body, auth string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/xsolla", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	return r
}

func TestSignatureHeaderRules(t *testing.T) {
	body := `{"notification_type":"user_validation","user":{"id":"1"}}`
	good := sign(body, testSecret)
	hexsig := strings.TrimPrefix(good, "Signature ")
	tests := []struct {
		name     string
		header   string
		tolerant error // nil = accepted
		strict   error
	}{
		{"exact", good, nil, nil},
		{"upper-case hex", "Signature " + strings.ToUpper(hexsig), nil, paykit.ErrInvalidSignature},
		{"lower-case scheme", "signature " + hexsig, nil, paykit.ErrInvalidSignature},
		{"surrounding blanks", "  " + good + "\t", nil, nil},
		{"empty", "", paykit.ErrMissingSignature, paykit.ErrMissingSignature},
		{"blank", "   ", paykit.ErrMissingSignature, paykit.ErrMissingSignature},
		{"no scheme", hexsig, paykit.ErrInvalidSignature, paykit.ErrInvalidSignature},
		{"other scheme", "Basic " + hexsig, paykit.ErrInvalidSignature, paykit.ErrInvalidSignature},
		{"two spaces", "Signature  " + hexsig, paykit.ErrInvalidSignature, paykit.ErrInvalidSignature},
		{"trailing text", good + " x", paykit.ErrInvalidSignature, paykit.ErrInvalidSignature},
		{"short", good[:len(good)-1], paykit.ErrInvalidSignature, paykit.ErrInvalidSignature},
		{"long", good + "0", paykit.ErrInvalidSignature, paykit.ErrInvalidSignature},
		{"non-hex", "Signature " + strings.Repeat("g", 40), paykit.ErrInvalidSignature, paykit.ErrInvalidSignature},
		{"sha256 length", "Signature " + strings.Repeat("a", 64), paykit.ErrInvalidSignature, paykit.ErrInvalidSignature},
		{"wrong digest", "Signature " + strings.Repeat("0", 40), paykit.ErrInvalidSignature, paykit.ErrInvalidSignature},
		{"HMAC is not it", "Signature " + hmacLike(body), paykit.ErrInvalidSignature, paykit.ErrInvalidSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, strict := range []bool{false, true} {
				c := newTestClient(t, func(c *Config) { c.StrictSignatureHeader = strict })
				want := tt.tolerant
				if strict {
					want = tt.strict
				}
				_, err := c.ParseBody([]byte(body), authHeader(tt.header))
				if want == nil {
					assert.NoError(t, err, "strict=%v", strict)
				} else {
					assert.ErrorIs(t, err, want, "strict=%v", strict)
					assert.NotContains(t, err.Error(), hexsig)
					assert.NotContains(t, err.Error(), testSecret)
				}
			}
		})
	}
}

func hmacLike(body string) string {
	h := sha1.Sum([]byte(testSecret + body))
	return hex.EncodeToString(h[:])
}

func TestParseCallbackHeaderPresence(t *testing.T) {
	c := newTestClient(t)
	body := `{"notification_type":"user_validation"}`
	_, err := c.ParseCallback(webhookRequest(body, ""))
	assert.ErrorIs(t, err, paykit.ErrMissingSignature)

	r := webhookRequest(body, sign(body, testSecret))
	r.Header.Add("Authorization", sign(body, testSecret))
	_, err = c.ParseCallback(r)
	assert.ErrorIs(t, err, paykit.ErrInvalidSignature, "two Authorization headers are ambiguous")

	r = webhookRequest(body, sign(body, testSecret))
	r.Header.Del("Authorization")
	r.Header.Set("authorization", sign(body, testSecret)) // canonicalised by net/http
	_, err = c.ParseCallback(r)
	assert.NoError(t, err)
}

func TestSecretRotation(t *testing.T) {
	body := `{"notification_type":"user_validation","user":{"id":"7"}}`
	c := newTestClient(t, func(c *Config) { c.WebhookSecret = "new"; c.PreviousSecrets = []string{"old"} })
	for _, s := range []string{"new", "old"} {
		_, err := c.ParseBody([]byte(body), authHeader(sign(body, s)))
		assert.NoError(t, err, s)
	}
	_, err := c.ParseBody([]byte(body), authHeader(sign(body, "other")))
	assert.ErrorIs(t, err, paykit.ErrInvalidSignature)

	noSecret := newTestClient(t, func(c *Config) { c.WebhookSecret = "" })
	_, err = noSecret.ParseBody([]byte(body), authHeader(sign(body, "")))
	assert.ErrorIs(t, err, paykit.ErrInvalidSignature, "an unconfigured secret never verifies")
}

func TestVerifyRejectsTamperedBody(t *testing.T) {
	body := `{"notification_type":"payment","transaction":{"id":1}}`
	h := sign(body, testSecret)
	for _, tampered := range []string{
		body + "\n", " " + body, strings.Replace(body, "1", "2", 1), strings.Replace(body, ":", ": ", 1),
	} {
		assert.ErrorIs(t, Verify([]byte(tampered), h, testSecret), paykit.ErrInvalidSignature)
	}
	assert.NoError(t, Verify([]byte(body), h, "x", testSecret))
}

func TestVerifyBeforeDecoding(t *testing.T) {
	c := newTestClient(t)
	for _, body := range []string{`not json`, `{"notification_type":"nonsense"}`, `{"settings":{"project_id":1}}`} {
		_, err := c.ParseBody([]byte(body), authHeader("Signature "+strings.Repeat("a", 40)))
		assert.ErrorIs(t, err, paykit.ErrInvalidSignature, body)
	}
}

func TestParseErrorsAfterVerification(t *testing.T) {
	c := newTestClient(t)
	tests := []struct {
		name, body string
		want       error
	}{
		{"not JSON", `{"notification_type":`, paykit.ErrMalformed},
		{"array", `[1,2]`, paykit.ErrMalformed},
		{"trailing garbage", `{"notification_type":"payment"} x`, paykit.ErrMalformed},
		{"no type", `{"foo":"bar"}`, paykit.ErrMalformed},
		{"object where scalar", `{"notification_type":{"a":1}}`, paykit.ErrMalformed},
		{"scalar where object", `{"notification_type":"payment","transaction":5}`, paykit.ErrMalformed},
		{"bad order items", `{"notification_type":"order_paid","items":{"sku":"x"}}`, paykit.ErrMalformed},
		{"other project", `{"notification_type":"payment","settings":{"project_id":1}}`, paykit.ErrWrongAccount},
		{"other merchant", `{"notification_type":"payment","settings":{"project_id":18404,"merchant_id":9}}`, paykit.ErrWrongAccount},
		{"project as string", `{"notification_type":"payment","settings":{"project_id":"18404"},"transaction":{"id":1}}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.ParseBody([]byte(tt.body), authHeader(sign(tt.body, testSecret)))
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.want)
		})
	}
}

// TestBodyTooLarge: ParseCallback caps bodies at 64 KiB (the handler's cap
// is HandlerOptions.MaxBodyBytes, see TestHandlerOptionsMaxBodyBytes).
func TestBodyTooLarge(t *testing.T) {
	c := newTestClient(t)
	body := `{"notification_type":"user_validation","user":{"id":"` + strings.Repeat("x", 64<<10) + `"}}`
	_, err := c.ParseCallback(webhookRequest(body, sign(body, testSecret)))
	assert.ErrorIs(t, err, paykit.ErrBodyTooLarge)
}

func TestIPAllowlist(t *testing.T) {
	body := `{"notification_type":"user_validation"}`
	auth := sign(body, testSecret)
	off := newTestClient(t)
	on := newTestClient(t, func(c *Config) { c.AllowedIPs = WebhookIPs() })
	proxied := newTestClient(t, func(c *Config) {
		c.AllowedIPs = WebhookIPs()
		c.TrustedProxies = []string{"10.0.0.0/8"}
	})
	tests := []struct {
		name, remote, xff string
		c                 *Client
		ok                bool
	}{
		{"off by default", "203.0.113.9:1234", "", off, true},
		{"allowed subnet", "185.30.21.17:1234", "", on, true},
		{"185.30.22.0/24 is not in the docs list", "185.30.22.9:1", "", on, false},
		{"outside", "203.0.113.9:1234", "", on, false},
		{"xff ignored without trusted proxy", "203.0.113.9:1", "185.30.20.1", on, false},
		{"xff from untrusted peer ignored", "203.0.113.9:1", "185.30.20.1", proxied, false},
		{"xff via trusted proxy", "10.1.2.3:1", "185.30.20.1", proxied, true},
		{"xff spoofed left entry", "10.1.2.3:1", "185.30.20.1, 203.0.113.9", proxied, false},
		{"xff chain of proxies", "10.1.2.3:1", "185.30.23.4, 10.9.9.9", proxied, true},
		{"xff garbage", "10.1.2.3:1", "nonsense", proxied, false},
		{"ipv4-mapped v6", "[::ffff:185.30.23.5]:1", "", on, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := webhookRequest(body, auth)
			r.RemoteAddr = tt.remote
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			_, err := tt.c.ParseCallback(r)
			if tt.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, ErrClientIP)
				assert.ErrorIs(t, err, paykit.ErrInvalidSignature)
			}
		})
	}
}

func TestNewValidatesConfig(t *testing.T) {
	tests := map[string]Config{
		"ProjectID":          {},
		"MerchantID":         {ProjectID: 1, MerchantID: -1},
		"AllowedIPs[0]":      {ProjectID: 1, AllowedIPs: []string{"nope"}},
		"TrustedProxies[0]":  {ProjectID: 1, TrustedProxies: []string{"1.2.3.4/99"}},
		"PreviousSecrets[0]": {ProjectID: 1, WebhookSecret: "w", PreviousSecrets: []string{""}},
		"WebhookSecret":      {ProjectID: 1, PreviousSecrets: []string{"old"}},
		"BaseURL":            {ProjectID: 1, BaseURL: "ftp://x"},
	}
	for field, cfg := range tests {
		_, err := New(cfg)
		var fe *paykit.FieldError
		require.True(t, errors.As(err, &fe), field)
		assert.Equal(t, field, fe.Field)
		assert.ErrorIs(t, err, paykit.ErrInvalidRequest)
	}
}

func TestParseBodyKeepsRawBytes(t *testing.T) {
	c := newTestClient(t)
	body := []byte(`{"notification_type":"user_validation","extra":{"x":[1,2]}}`)
	n, err := c.ParseBody(body, authHeader(sign(string(body), testSecret)))
	require.NoError(t, err)
	assert.True(t, bytes.Equal(body, n.(*UserValidation).Raw))
}
