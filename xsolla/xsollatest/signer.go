package xsollatest

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
)

// Sign returns the Authorization header value Xsolla sends with body:
// "Signature " + lowercase hex SHA-1 of body followed by secret.
func Sign(body []byte, secret string) string {
	h := sha1.New()
	h.Write(body)
	h.Write([]byte(secret))
	return "Signature " + hex.EncodeToString(h.Sum(nil))
}

// Signer signs webhook bodies exactly as Xsolla does, for testing your
// handler without the emulator.
type Signer struct {
	// Secret is the project's webhook secret key.
	Secret string
	// Client sends for Send; nil means http.DefaultClient.
	Client *http.Client
}

// Header returns the Authorization header value for body.
func (s Signer) Header(body []byte) string { return Sign(body, s.Secret) }

// NewRequest returns a server-side request, for calling a handler's
// ServeHTTP in a test, that delivers body to target as Xsolla does: POST,
// JSON content type, signed Authorization header, from an address in
// Xsolla's range. Like httptest.NewRequest it panics on an invalid target.
func (s Signer) NewRequest(target string, body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	s.decorate(r.Header, body)
	r.RemoteAddr = "185.30.20.10:443"
	return r
}

// Send delivers body signed to a running server at url, as Xsolla does,
// with Signer.Client, and returns its response; close its Body.
func (s Signer) Send(ctx context.Context, url string, body []byte) (*http.Response, error) {
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	s.decorate(r.Header, body)
	c := s.Client
	if c == nil {
		c = http.DefaultClient
	}
	return c.Do(r)
}

func (s Signer) decorate(h http.Header, body []byte) {
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "application/json")
	h.Set("Authorization", s.Header(body))
}
