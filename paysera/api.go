package paysera

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/form"
	"github.com/paykit-go/paykit/internal/redact"
)

// maxErrorBody is how much of an answer an error keeps, after redaction.
const maxErrorBody = 4 << 10

// apiError is the *paykit.APIError for an unexpected answer of a Paysera
// endpoint (public key, payment methods, SMS answer): body is kept with
// the client's passwords and extra (what the request carried, such as an
// SMS answer's transaction digest) redacted, then clipped. message, when
// set, is the answer's text for Message, redacted the same way.
func (c *Client) apiError(status int, body []byte, message bool, extra ...string) *paykit.APIError {
	kept := c.redactBody(body, extra...)
	e := &paykit.APIError{Provider: paykit.Paysera, StatusCode: status, Body: kept}
	if message {
		e.Message = fmt.Sprintf("%q", form.Clip(string(kept)))
	}
	return e
}

// redactBody returns body with every credential replaced (internal/redact:
// every spelling, any letter case, as a server may echo a hex digest in
// either) and clipped to maxErrorBody bytes after the redaction, so no
// secret is cut in half and half kept.
func (c *Client) redactBody(body []byte, extra ...string) []byte {
	secrets := append(append([]string(nil), extra...), c.secrets...)
	out := redact.Bytes(body, secrets...)
	if len(out) > maxErrorBody {
		out = out[:maxErrorBody:maxErrorBody]
	}
	return out
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

// get performs a GET and returns the body of a 200 answer (at most limit
// bytes); any other status is a *paykit.APIError. secrets are what rawURL
// carries that must not reach an error.
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
		return nil, c.apiError(resp.StatusCode, body, false, secrets...)
	}
	return body, nil
}
