package checkout

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/redact"
)

// Caps on what is read of a reply.
const (
	maxReply      = 1 << 20
	maxErrorReply = 16 << 10
)

// errReply: a 2xx reply that does not decode.
var errReply = errors.New("checkout: reply does not decode")

// request is one API call.
type request struct {
	method      string
	path        string // under the base, query included
	body        []byte
	contentType string
	// idempotent calls are retried after 5xx and network errors too;
	// others only after 429 (the request was not processed).
	idempotent bool
}

// call sends an authenticated JSON request: in (nil for none) is encoded,
// the reply decoded into out (nil to ignore it). A 401 renews the token
// and tries once more.
func (c *Client) call(ctx context.Context, method, path string, in, out any) error {
	req := request{method: method, path: path, idempotent: method == http.MethodGet || method == http.MethodPut}
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("checkout: encoding request: %w", err)
		}
		req.body, req.contentType = b, "application/json"
	}
	for renewed := false; ; renewed = true {
		tok, err := c.accessToken(ctx)
		if err != nil {
			return err
		}
		err = c.send(ctx, req, tok, out)
		var ae *paykit.APIError
		if renewed || !errors.As(err, &ae) || ae.StatusCode != http.StatusUnauthorized {
			return err
		}
		c.invalidate(tok)
	}
}

// send sends req with bounded retries on 429, 5xx (idempotent requests)
// and network errors (idempotent requests), honouring Retry-After. tok ""
// sends no Authorization (the token endpoint).
func (c *Client) send(ctx context.Context, req request, tok string, out any) error {
	retries := c.cfg.MaxRetries
	switch {
	case retries == 0:
		retries = DefaultMaxRetries
	case retries < 0:
		retries = 0
	}
	for attempt := 0; ; attempt++ {
		status, body, wait, err := c.once(ctx, req, tok)
		if err == nil && status/100 == 2 {
			return decodeReply(body, out)
		}
		if err == nil {
			err = newAPIError(status, body, append(c.redact, tok)...)
		}
		if attempt >= retries || !retryable(ctx, req, status, err) {
			return err
		}
		if werr := c.backoff(ctx, attempt, wait); werr != nil {
			return fmt.Errorf("%w (last error: %w)", werr, err)
		}
	}
}

// decodeReply decodes a 2xx reply into out; an empty reply decodes into
// nothing.
func decodeReply(body []byte, out any) error {
	if out == nil || len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%w: %s", errReply, jsonReason(err))
	}
	return nil
}

// jsonReason describes a decoding error without quoting the input.
func jsonReason(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		return "field " + te.Field + " has the wrong type"
	case errors.As(err, &se):
		return "invalid JSON at offset " + strconv.FormatInt(se.Offset, 10)
	case errors.Is(err, errAmount):
		return errAmount.Error()
	}
	return "invalid JSON"
}

// retryable: 429 always (the request was not processed), 5xx and network
// errors for idempotent requests, never once ctx has ended.
func retryable(ctx context.Context, req request, status int, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	switch {
	case status == http.StatusTooManyRequests:
		return true
	case status >= 500:
		return req.idempotent
	case status == 0:
		return req.idempotent && err != nil
	}
	return false
}

// backoff waits before the next attempt: Retry-After when the reply named
// one (at most [MaxRetryAfter]), else an exponential delay with full jitter.
func (c *Client) backoff(ctx context.Context, attempt int, retryAfter time.Duration) error {
	d := retryAfter
	if d <= 0 {
		base := c.cfg.RetryBaseDelay
		if base <= 0 {
			base = DefaultRetryBaseDelay
		}
		ceiling := min(base<<min(attempt, 10), 30*time.Second)
		d = time.Duration(rand.Int64N(int64(ceiling) + 1))
	}
	return c.sleep(ctx, min(d, MaxRetryAfter))
}

// sleepCtx waits for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// once sends one attempt and reads the reply (capped).
func (c *Client) once(ctx context.Context, req request, tok string) (int, []byte, time.Duration, error) {
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, c.base+req.path, body)
	if err != nil {
		return 0, nil, 0, fmt.Errorf("checkout: building request: %w", err)
	}
	if req.contentType != "" {
		hr.Header.Set("Content-Type", req.contentType)
	}
	hr.Header.Set("Accept", "application/json")
	hr.Header.Set("User-Agent", cmpOr(c.cfg.UserAgent, "paykit-paysera-checkout"))
	if tok != "" {
		hr.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := c.http.Do(hr)
	if err != nil {
		// *url.Error names the method, the URL and the cause, never a
		// header or the body.
		return 0, nil, 0, fmt.Errorf("checkout: %w", err)
	}
	defer resp.Body.Close()
	limit := int64(maxErrorReply)
	if resp.StatusCode/100 == 2 {
		limit = maxReply
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return 0, nil, 0, fmt.Errorf("checkout: reading reply: %w", err)
	}
	if int64(len(b)) > limit && resp.StatusCode/100 == 2 {
		return 0, nil, 0, fmt.Errorf("checkout: reply over %d bytes", limit)
	}
	return resp.StatusCode, b[:min(int64(len(b)), limit)], retryAfter(resp.Header.Get("Retry-After"), c.now()), nil
}

// retryAfter parses a Retry-After value: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(min(s, int64(MaxRetryAfter/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// apiErrorBody is every error format the API and the token endpoint use:
// OAuth2 and current {error, error_description, error_properties}, and
// the older {error, message, details[{field, message}]}.
type apiErrorBody struct {
	Error            json.RawMessage     `json:"error"`
	ErrorDescription string              `json:"error_description"`
	Message          string              `json:"message"`
	ErrorProperties  map[string][]string `json:"error_properties"`
	Details          []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"details"`
}

// newAPIError builds the *paykit.APIError of a non-2xx reply, every
// credential in secrets (client id and secrets, Basic credential, the
// access token) redacted from the body and the fields.
func newAPIError(status int, body []byte, secrets ...string) *paykit.APIError {
	body = redact.Bytes(body, secrets...)
	e := &paykit.APIError{Provider: paykit.PayseraCheckout, StatusCode: status, Body: body}
	var w apiErrorBody
	if json.Unmarshal(body, &w) != nil {
		return e
	}
	var code string
	if json.Unmarshal(w.Error, &code) != nil {
		code = ""
	}
	msg := cmpOr(w.ErrorDescription, w.Message)
	for _, f := range sortedKeys(w.ErrorProperties) {
		msg = joinMsg(msg, f+": "+strings.Join(w.ErrorProperties[f], "; "))
	}
	for _, d := range w.Details {
		msg = joinMsg(msg, d.Field+": "+d.Message)
	}
	e.Code = clip(redact.String(code, secrets...), 100)
	e.Message = clip(redact.String(msg, secrets...), 500)
	return e
}

func joinMsg(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
