package checkouttest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Sign returns what Paysera sends in X-Paysera-Signature for body: the
// lower-case hex HMAC-SHA256 of the raw bytes under the client secret. It
// is written independently of package checkout's verifier.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Generation selects the header set a [Signer] sends.
type Generation int

const (
	// Modern sends X-Paysera-Signature, -Signature-Alg, -Created-At,
	// -Request-Id and -Callback-Id (the checkout-modern docs and Paysera's
	// SDK). It is the zero value.
	Modern Generation = iota
	// V3 sends X-Paysera-Signature, X-Paysera-Event and
	// X-Paysera-Timestamp (the checkout-v3 docs).
	V3
)

// Signer signs webhooks exactly as Paysera does.
type Signer struct {
	// Secret is the project's client secret.
	Secret string
	// Generation is the header set sent; the zero value is Modern.
	Generation Generation
	// Now is the clock for Created-At / Timestamp; nil means time.Now.
	Now func() time.Time
}

// Header returns the headers of a webhook carrying body: the signature
// and the generation's metadata (fresh UUIDs for the ids; v3's event name
// read from the body's event.name).
func (s Signer) Header(body []byte) http.Header {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("X-Paysera-Signature", Sign(s.Secret, body))
	ts := strconv.FormatInt(now().Unix(), 10)
	if s.Generation == V3 {
		h.Set("X-Paysera-Event", eventName(body))
		h.Set("X-Paysera-Timestamp", ts)
		return h
	}
	h.Set("X-Paysera-Signature-Alg", "HMAC-SHA256")
	h.Set("X-Paysera-Created-At", ts)
	h.Set("X-Paysera-Request-Id", newUUID())
	h.Set("X-Paysera-Callback-Id", newUUID())
	return h
}

// NewRequest returns a signed webhook as an incoming server request for an
// http.Handler, like httptest.NewRequest: a POST of body to target. It
// panics on an invalid target, as httptest.NewRequest does.
func (s Signer) NewRequest(target string, body []byte) *http.Request {
	r, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		panic("checkouttest: NewRequest: " + err.Error())
	}
	r.Header = s.Header(body)
	r.RequestURI = r.URL.RequestURI()
	r.RemoteAddr = "192.0.2.1:1234"
	return r
}

// Send POSTs a signed webhook carrying body to url with client (nil:
// http.DefaultClient), as Paysera delivers it, and returns the response;
// the caller closes its body.
func (s Signer) Send(ctx context.Context, client *http.Client, url string, body []byte) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("checkouttest: %w", err)
	}
	req.Header = s.Header(body)
	if client == nil {
		client = http.DefaultClient
	}
	return client.Do(req)
}

// newUUID returns a random version-4 UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
