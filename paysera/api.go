package paysera

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// APIError is an unexpected answer from a Paysera endpoint the client
// called (public key, payment methods, SMS answer).
type APIError struct {
	// StatusCode is the HTTP status received.
	StatusCode int
	// Body is the start of the answer (at most 512 bytes).
	Body string
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

func clipBody(b []byte) string {
	const n = 512
	if len(b) > n {
		b = b[:n]
	}
	return string(b)
}

// get performs a GET and returns the body of a 200 answer (at most limit
// bytes).
func (c *Client) get(ctx context.Context, rawURL string, limit int64) ([]byte, error) {
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
		return nil, &APIError{StatusCode: resp.StatusCode, Body: clipBody(body)}
	}
	return body, nil
}
