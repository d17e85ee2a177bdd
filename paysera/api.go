package paysera

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// APIError is an unexpected answer from a Paysera endpoint the client
// called (public key, payment methods, SMS answer).
type APIError struct {
	// StatusCode is the HTTP status received.
	StatusCode int
	// Body is the start of the answer (at most 512 bytes), with every
	// credential the client knows replaced by "[redacted]" (the password,
	// previous passwords, and what the request carried, such as an SMS
	// answer's transaction digest), in case the server echoed them.
	Body string
}

// redacted replaces a credential in an answer kept in an error.
const redacted = "[redacted]"

// redact returns s with the password, the previous passwords and extra
// (secrets the request carried) replaced by [redacted], in any ASCII
// letter case and also URL-escaped. Call it before clipping, so that a
// secret cut by the clip is not half kept.
func (c *Client) redact(s string, extra ...string) string {
	for _, list := range [][]string{extra, c.secrets} {
		for _, secret := range list {
			if secret == "" {
				continue
			}
			s = replaceFold(s, secret)
			if esc := url.QueryEscape(secret); esc != secret {
				s = replaceFold(s, esc)
			}
		}
	}
	return s
}

// replaceFold replaces every occurrence of old in s, ASCII letters
// matched in any case, with [redacted]. One pass: s is lowered once.
func replaceFold(s, old string) string {
	lower, lowerOld := asciiLower(s), asciiLower(old)
	i := strings.Index(lower, lowerOld)
	if i < 0 {
		return s
	}
	var b strings.Builder
	for i >= 0 {
		b.WriteString(s[:i])
		b.WriteString(redacted)
		s, lower = s[i+len(old):], lower[i+len(old):]
		i = strings.Index(lower, lowerOld)
	}
	b.WriteString(s)
	return b.String()
}

// errorBody is the start of an answer kept in an error: at most 512
// bytes, with credentials redacted first so none is cut in half and half
// kept (only the part that can reach the 512 bytes is searched).
func (c *Client) errorBody(body []byte, extra ...string) string {
	longest := 0
	for _, list := range [][]string{extra, c.secrets} {
		for _, secret := range list {
			longest = max(longest, 3*len(secret)) // URL-escaped, at most three bytes a byte
		}
	}
	if n := maxErrorBody + longest; len(body) > n {
		body = body[:n]
	}
	return clipBody([]byte(c.redact(string(body), extra...)))
}

// asciiLower lower-cases ASCII letters only, so byte offsets are kept.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// Error describes the answer; the body is quoted, never a secret.
func (e *APIError) Error() string {
	return fmt.Sprintf("paysera: unexpected answer: HTTP %d: %q", e.StatusCode, e.Body)
}

// readLimited reads at most limit bytes and fails when there are more.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("answer longer than %d bytes", limit)
	}
	return b, nil
}

// maxErrorBody is how much of an answer an error keeps.
const maxErrorBody = 512

func clipBody(b []byte) string {
	if len(b) > maxErrorBody {
		b = b[:maxErrorBody]
	}
	return string(b)
}

// get performs a GET and returns the body of a 200 answer (at most limit
// bytes). secrets are what rawURL carries that must not reach an error.
func (c *Client) get(ctx context.Context, rawURL string, limit int64, secrets ...string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("paysera: building request: %w", err)
	}
	resp, err := c.httpClient.Do(req)
	if err != nil {
		// A *url.Error repeats the URL, whose query may carry a digest of
		// the password (SMS answers): report the cause only.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("paysera: GET %s%s: %w", req.URL.Host, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := readLimited(resp.Body, limit)
	if err != nil {
		return nil, fmt.Errorf("paysera: reading answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &APIError{StatusCode: resp.StatusCode, Body: c.errorBody(body, secrets...)}
	}
	return body, nil
}
