package xsolla

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/paykit-go/paykit"
)

// maxErrorBody caps how much of an error response is kept.
const maxErrorBody = 16 << 10

// newAPIError decodes a non-2xx answer of Xsolla's API into a
// *paykit.APIError. It reads both of Xsolla's error formats: the merchant
// API's {http_status_code, message, extended_message, request_id} and the
// store API's {statusCode, errorCode, errorMessage, errorMessageExtended,
// transactionId}. Code is errorCode (e.g. "1102"); Message is the message
// (the store's "[0401-1102]" prefix kept) followed by " [request <id>]"
// when Xsolla sent a request id, for its support; the extended message
// stays in Body. No field ever holds the API key, a webhook secret or the
// Basic credential: when a server or proxy echoes the request (headers or
// body), every spelling of them in forms (credentialForms) is replaced by
// [REDACTED] in Body and in every field, and a JSON body that hides one
// behind \u escapes is withheld whole.
func newAPIError(status int, body []byte, forms ...string) *paykit.APIError {
	body = redactBytes(body, forms)
	if leaksDecoded(body, forms) {
		body = []byte(withheldBody)
	}
	e := &paykit.APIError{Provider: paykit.Xsolla, StatusCode: status, Body: body}
	var w struct {
		Message       string `json:"message"`
		RequestID     string `json:"request_id"`
		ErrorCode     ID     `json:"errorCode"`
		ErrorMessage  string `json:"errorMessage"`
		TransactionID string `json:"transactionId"`
	}
	if json.Unmarshal(body, &w) != nil {
		return e
	}
	e.Code = clip(redactString(string(w.ErrorCode), forms))
	e.Message = clipLong(redactString(firstNonEmpty(w.ErrorMessage, w.Message), forms))
	if id := redactString(firstNonEmpty(w.TransactionID, w.RequestID), forms); id != "" {
		e.Message += " [request " + clip(id) + "]"
	}
	return e
}

func clipLong(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// apiCall is one API request: method, URL, Basic-auth user, extra
// headers and the JSON body (nil for none).
type apiCall struct {
	method, url, user string
	header            http.Header
	body              json.RawMessage
	// retry allows retrying after a 5xx or a network error, for calls
	// that cannot take effect twice; 429 (not processed) is always
	// retried.
	retry bool
	// maxAnswer caps a successful answer; 0 means 1 MiB. A larger answer
	// is an error, never decoded truncated.
	maxAnswer int64
}

// call sends a with Basic auth and retries (see [Config.MaxRetries]); on
// 2xx it decodes the answer into out (nothing when out is nil or the
// answer is empty).
func (c *Client) call(ctx context.Context, a apiCall, out any) error {
	retries := c.cfg.MaxRetries
	switch {
	case retries == 0:
		retries = defaultMaxRetries
	case retries < 0:
		retries = 0
	}
	for attempt := 0; ; attempt++ {
		status, respBody, retryAfter, err := c.once(ctx, a)
		if err == nil && status/100 == 2 {
			if out == nil || len(bytes.TrimSpace(respBody)) == 0 {
				return nil
			}
			if err := json.Unmarshal(respBody, out); err != nil {
				return fmt.Errorf("xsolla: decoding response: %s", jsonReason(err))
			}
			return nil
		}
		if err == nil {
			err = newAPIError(status, respBody, c.redact...)
		}
		if !retryable(ctx, status, err) || (!a.retry && status != http.StatusTooManyRequests) || attempt >= retries {
			return err
		}
		if werr := c.sleep(ctx, attempt, retryAfter); werr != nil {
			return fmt.Errorf("%w (last error: %w)", werr, err)
		}
	}
}

// retryable: 429, 5xx and network errors, unless ctx itself ended.
func retryable(ctx context.Context, status int, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var ae *paykit.APIError
	if errors.As(err, &ae) {
		return ae.Temporary()
	}
	return status == 0
}

func (c *Client) sleep(ctx context.Context, attempt int, retryAfter time.Duration) error {
	base := c.cfg.RetryBaseDelay
	if base <= 0 {
		base = defaultRetryBaseDelay
	}
	ceiling := min(base<<attempt, defaultRetryMaxDelay)
	// Full jitter: spreads the retries of many clients.
	d := time.Duration(rand.Int64N(int64(ceiling) + 1))
	if retryAfter > 0 {
		d = min(retryAfter, defaultRetryAfterMaxDelay)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Client) once(ctx context.Context, a apiCall) (int, []byte, time.Duration, error) {
	var body io.Reader
	if a.body != nil {
		body = bytes.NewReader(a.body)
	}
	req, err := http.NewRequestWithContext(ctx, a.method, a.url, body)
	if err != nil {
		return 0, nil, 0, fmt.Errorf("xsolla: building request: %w", err)
	}
	for k, v := range a.header {
		req.Header[k] = v
	}
	if a.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", orDefault(c.cfg.UserAgent, "paykit-xsolla"))
	req.SetBasicAuth(a.user, c.cfg.APIKey)
	resp, err := c.http.Do(req)
	if err != nil {
		// *url.Error names the URL and the cause, never the header.
		return 0, nil, 0, fmt.Errorf("xsolla: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		// Error bodies are only kept for the APIError: cut, not refused.
		b, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		if err != nil {
			return 0, nil, 0, fmt.Errorf("xsolla: reading response: %w", err)
		}
		return resp.StatusCode, b, retryAfterOf(resp), nil
	}
	limit := a.maxAnswer
	if limit <= 0 {
		limit = 1 << 20
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return 0, nil, 0, fmt.Errorf("xsolla: reading response: %w", err)
	}
	if int64(len(b)) > limit {
		// With its status: not a network error, so not retried.
		return resp.StatusCode, nil, 0, fmt.Errorf("xsolla: response larger than %d bytes", limit)
	}
	return resp.StatusCode, b, retryAfterOf(resp), nil
}

func retryAfterOf(resp *http.Response) time.Duration {
	v := resp.Header.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return time.Until(t)
	}
	return 0
}
