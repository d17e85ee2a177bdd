package vkpay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/redact"
)

// APIVersion is the VK API version every call sends as "v" (the version
// dev.vk.com names as current). It fixes the shape of the replies this
// package decodes; it is not the payments notification version (5.132,
// set in the app's settings).
const APIVersion = "5.199"

// DefaultAPIBaseURL is where API calls go when Config.APIBaseURL is "":
// {base}/method/{name}. VK's documentation gives api.vk.ru as the API
// host (api.vk.com answers too).
const DefaultAPIBaseURL = "https://api.vk.ru"

// DefaultAPITimeout is the timeout of the HTTP client used for API calls
// when Config.HTTPClient is nil.
const DefaultAPITimeout = 10 * time.Second

const (
	defaultMaxRetries     = 3
	defaultRetryBaseDelay = 300 * time.Millisecond
	maxRetryDelay         = 5 * time.Second
	maxRetryAfter         = 30 * time.Second
	maxAPIReplyBytes      = 4 << 20
)

// VK API error codes (error_code of an error reply) that callers of the
// payments methods branch on; [APIErrorCode] reads the code of an error.
const (
	APIErrUnknown                   = 1    // unknown error; the same call may succeed later
	APIErrAppDisabled               = 2    // the app is disabled
	APIErrAuth                      = 5    // the access token is invalid or missing
	APIErrTooManyRequests           = 6    // too many requests per second; retried
	APIErrPermission                = 7    // no permission for this action
	APIErrInvalidRequest            = 8    // the request is malformed (e.g. no v)
	APIErrFlood                     = 9    // flood control: the same action too often
	APIErrServer                    = 10   // internal server error; retried
	APIErrAccessDenied              = 15   // access denied
	APIErrParam                     = 100  // a parameter is missing or invalid
	APIErrLimits                    = 103  // orders.changeState: out of limits
	APIErrActionFailed              = 106  // orders.changeState: the action cannot be done in the order's state
	APIErrVotesPermission           = 500  // payments in votes are not enabled in the app's settings
	APIErrSubscriptionNotFound      = 1256 // no such subscription (for this user)
	APIErrSubscriptionInvalidStatus = 1257 // the subscription's status does not allow the action
)

// APIErrorCode returns VK's error_code of the API error in err's chain
// (one of the APIErr constants, or another VK code), and 0 when err holds
// no VK error reply (a transport error, an HTTP error without VK's
// envelope, or nil).
func APIErrorCode(err error) int {
	var ae *paykit.APIError
	if !errors.As(err, &ae) || ae.Provider != paykit.VKPay {
		return 0
	}
	n, convErr := strconv.Atoi(ae.Code)
	if convErr != nil {
		return 0
	}
	return n
}

// errNoToken is returned by API calls when Config.AccessToken is empty.
var errNoToken = &paykit.FieldError{Field: "AccessToken", Reason: "is required for API calls (the app's service access token)"}

// Call calls the VK API method (e.g. "orders.getById") with params and
// decodes the "response" of its reply into out (may be nil). It is what
// every typed method of this package uses; call it for a method they do
// not cover. The request is a POST of params as a form to
// {Config.APIBaseURL}/method/{method}, with v=[APIVersion] added and the
// access token in the Authorization header (never in the URL or body).
//
// HTTP 429 and 5xx replies, and VK errors 6 (too many requests) and 10
// (server error), are retried up to Config.MaxRetries times with
// exponential backoff and jitter, honouring Retry-After; transport errors
// are retried too, except for changeState-like calls made with
// retryTransport false by this package. A VK error reply, or an HTTP
// status other than 2xx, is a *[paykit.APIError] (matching
// [paykit.ErrAPI]) whose Code is VK's error_code ([APIErrorCode]) and
// whose Message is error_msg; the access token and every secret of the
// Client are redacted from Message and Body. A reply that is not VK's JSON
// is an error naming the method.
func (c *Client) Call(ctx context.Context, method string, params url.Values, out any) error {
	return c.call(ctx, method, params, out, true)
}

func (c *Client) call(ctx context.Context, method string, params url.Values, out any, retryTransport bool) error {
	if c.token == "" {
		return errNoToken
	}
	if method == "" || strings.ContainsAny(method, "/?#% ") {
		return &paykit.FieldError{Field: "method", Reason: "is not an API method name"}
	}
	body := encodeAPIForm(params)
	for attempt := 0; ; attempt++ {
		raw, retryAfter, err := c.once(ctx, method, body)
		if err == nil {
			if err = decodeAPIReply(raw.status, raw.body, out); err == nil {
				return nil
			}
		}
		var ae *paykit.APIError
		isAPI := errors.As(err, &ae)
		if isAPI {
			ae.Body = redact.Bytes(ae.Body, c.redactions()...)
			ae.Message = redact.String(ae.Message, c.redactions()...)
		}
		retry := ctx.Err() == nil && attempt < c.maxRetries &&
			((isAPI && ae.Temporary()) || (raw.status == 0 && retryTransport && !isBadReply(err)))
		if !retry {
			return fmt.Errorf("vkpay: %s: %w", method, err)
		}
		if werr := c.wait(ctx, c.backoff(attempt, retryAfter)); werr != nil {
			return fmt.Errorf("vkpay: %s: %w (last error: %w)", method, werr, err)
		}
	}
}

// encodeAPIForm returns params with v set to APIVersion, form-encoded.
func encodeAPIForm(params url.Values) string {
	p := make(url.Values, len(params)+1)
	for k, v := range params {
		p[k] = v
	}
	p.Set("v", APIVersion)
	return p.Encode()
}

type rawReply struct {
	status int // 0 when no reply arrived
	body   []byte
}

func (c *Client) once(ctx context.Context, method, body string) (rawReply, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.apiBase+"/method/"+method, strings.NewReader(body))
	if err != nil {
		return rawReply{}, 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		// *url.Error names the URL, which holds no credential.
		return rawReply{}, 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAPIReplyBytes+1))
	if err != nil {
		return rawReply{}, 0, fmt.Errorf("reading reply: %w", err)
	}
	if len(b) > maxAPIReplyBytes {
		return rawReply{status: resp.StatusCode}, 0, badReplyError{fmt.Errorf("reply over %d bytes", maxAPIReplyBytes)}
	}
	return rawReply{status: resp.StatusCode, body: b}, retryAfterOf(resp.Header.Get("Retry-After")), nil
}

// badReplyError marks a reply that arrived but could not be used.
type badReplyError struct{ err error }

func (e badReplyError) Error() string { return e.err.Error() }
func (e badReplyError) Unwrap() error { return e.err }

func isBadReply(err error) bool {
	var re badReplyError
	return errors.As(err, &re)
}

// decodeAPIReply reads VK's envelope: {"response": …} into out, or
// {"error": {"error_code", "error_msg"}} as a *paykit.APIError. A non-2xx
// status without VK's error envelope is an APIError without a code.
func decodeAPIReply(status int, body []byte, out any) error {
	var env struct {
		Response json.RawMessage `json:"response"`
		Error    *struct {
			Code json.Number `json:"error_code"`
			Msg  string      `json:"error_msg"`
		} `json:"error"`
	}
	jsonErr := json.Unmarshal(body, &env)
	if jsonErr == nil && env.Error != nil {
		code := env.Error.Code.String()
		n, err := strconv.Atoi(code)
		ae := &paykit.APIError{Provider: paykit.VKPay, StatusCode: status, Code: code, Message: clipMsg(env.Error.Msg),
			Body: body, Retryable: err == nil && (n == APIErrTooManyRequests || n == APIErrServer)}
		if err != nil {
			ae.Code = ""
		}
		return ae
	}
	if status/100 != 2 {
		return &paykit.APIError{Provider: paykit.VKPay, StatusCode: status, Body: body}
	}
	if jsonErr != nil || len(env.Response) == 0 || bytes.Equal(env.Response, []byte("null")) {
		return badReplyError{errors.New("reply is not VK's JSON envelope")}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(env.Response, out); err != nil {
		return badReplyError{fmt.Errorf("decoding the response: %w", jsonReason(err))}
	}
	return nil
}

// jsonReason keeps the kind of a decoding error without the bytes of the
// reply, which json's syntax errors do not echo but type errors name by
// field only.
func jsonReason(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("field %s is not a %s", te.Field, te.Type)
	}
	return err
}

func clipMsg(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

// redactions lists what must never appear in an error: the access token
// and the app's secrets.
func (c *Client) redactions() []string {
	return append([]string{c.token}, c.secrets...)
}

func (c *Client) backoff(attempt int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, maxRetryAfter)
	}
	ceiling := min(c.retryBase<<attempt, maxRetryDelay)
	// Full jitter spreads the retries of many clients.
	return time.Duration(rand.Int64N(int64(ceiling) + 1))
}

// sleepCtx waits d or until ctx ends.
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

// retryAfterOf reads Retry-After in seconds or as an HTTP date; 0 when
// absent or unreadable.
func retryAfterOf(v string) time.Duration {
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
