package xsollatest

import (
	"bytes"
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
}

// Header returns the Authorization header value for body.
func (s Signer) Header(body []byte) string { return Sign(body, s.Secret) }

// Request returns a server-side request (for http.Handler.ServeHTTP in
// tests) that delivers body to target as Xsolla does: POST, JSON content
// type, signed Authorization header, from an address in Xsolla's range.
func (s Signer) Request(target string, body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	s.decorate(r.Header, body)
	r.RemoteAddr = "185.30.20.10:443"
	return r
}

// NewRequest returns a client request that delivers body to url, for
// sending to a running server.
func (s Signer) NewRequest(url string, body []byte) (*http.Request, error) {
	r, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	s.decorate(r.Header, body)
	return r, nil
}

func (s Signer) decorate(h http.Header, body []byte) {
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "application/json")
	h.Set("Authorization", s.Header(body))
}
