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
	"strings"
	"time"
)

// maxErrorBody caps how much of an error response is kept.
const maxErrorBody = 16 << 10

// APIError is a non-2xx answer of Xsolla's API. It keeps both of Xsolla's
// error formats: the merchant API's {http_status_code, message,
// extended_message, request_id} and the store API's {statusCode, errorCode,
// errorMessage, errorMessageExtended, transactionId}. It never holds the
// API key, a webhook secret or the Basic credential: when a server or proxy
// echoes the request (headers or body), every spelling of them is replaced
// by [REDACTED] in Body and in every field, and a JSON body that hides one
// behind \u escapes is withheld whole.
type APIError struct {
	// Status is the HTTP status code.
	Status int
	// Code is Xsolla's error code where one is sent (store API: errorCode,
	// e.g. "1102"; the "[0401-1102]" prefix of the message is in Message).
	Code string
	// Message is Xsolla's message.
	Message string
	// Extended is extended_message / errorMessageExtended as sent: which
	// properties were wrong.
	Extended json.RawMessage
	// RequestID is request_id / transactionId, for Xsolla's support.
	RequestID string
	// Body is the raw response body (at most 16 KiB).
	Body []byte
}

// Error describes the failure: status, Xsolla code, message and request id.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "xsolla: API error %d", e.Status)
	if e.Code != "" {
		fmt.Fprintf(&b, " (code %s)", clip(e.Code))
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", clipLong(e.Message))
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request %s]", clip(e.RequestID))
	}
	return b.String()
}

// Temporary reports whether retrying later may succeed (429 and 5xx).
func (e *APIError) Temporary() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500
}

func clipLong(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

// newAPIError decodes an error body with forms (credentialForms) redacted
// from the body and from every decoded field.
func newAPIError(status int, body []byte, forms ...string) *APIError {
	body = redactBytes(body, forms)
	if leaksDecoded(body, forms) {
		body = []byte(withheldBody)
	}
	e := &APIError{Status: status, Body: body}
	defer func() {
		e.Code = redactString(e.Code, forms)
		e.Message = redactString(e.Message, forms)
		e.RequestID = redactString(e.RequestID, forms)
	}()
	var w struct {
		Message              string          `json:"message"`
		Extended             json.RawMessage `json:"extended_message"`
		RequestID            string          `json:"request_id"`
		ErrorCode            ID              `json:"errorCode"`
		ErrorMessage         string          `json:"errorMessage"`
		ErrorMessageExtended json.RawMessage `json:"errorMessageExtended"`
		TransactionID        string          `json:"transactionId"`
	}
	if json.Unmarshal(body, &w) == nil {
		e.Code = string(w.ErrorCode)
		e.Message = firstNonEmpty(w.ErrorMessage, w.Message)
		e.Extended = w.ErrorMessageExtended
		if len(e.Extended) == 0 {
			e.Extended = w.Extended
		}
		e.RequestID = firstNonEmpty(w.TransactionID, w.RequestID)
	}
	return e
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// call sends a JSON POST with Basic auth and retries (see
// [Config.MaxRetries]); on 2xx it decodes the answer into out.
func (c *Client) call(ctx context.Context, url, user string, header http.Header, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("xsolla: encoding request: %w", err)
	}
	retries := c.cfg.MaxRetries
	switch {
	case retries == 0:
		retries = defaultMaxRetries
	case retries < 0:
		retries = 0
	}
	for attempt := 0; ; attempt++ {
		status, respBody, retryAfter, err := c.once(ctx, url, user, header, body)
		if err == nil && status/100 == 2 {
			if out == nil {
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
		if !retryable(ctx, status, err) || attempt >= retries {
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
	var ae *APIError
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

func (c *Client) once(ctx context.Context, url, user string, header http.Header, body []byte) (int, []byte, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, 0, fmt.Errorf("xsolla: building request: %w", err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", orDefault(c.cfg.UserAgent, "paykit-xsolla"))
	req.SetBasicAuth(user, c.cfg.APIKey)
	resp, err := c.http.Do(req)
	if err != nil {
		// *url.Error names the URL and the cause, never the header.
		return 0, nil, 0, fmt.Errorf("xsolla: %w", err)
	}
	defer resp.Body.Close()
	limit := int64(maxErrorBody)
	if resp.StatusCode/100 == 2 {
		limit = 1 << 20
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		return 0, nil, 0, fmt.Errorf("xsolla: reading response: %w", err)
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
