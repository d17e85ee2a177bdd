package playvision

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/signature"
)

// ParseCallback reads a notification from r, verifies its signature and
// returns a *GetItem or an *OrderStatusChange.
//
// It accepts only POST with an application/x-www-form-urlencoded body of
// at most Config.MaxBodyBytes, and verifies sig over every received
// parameter (see [Client.ParseParams]) before reading anything else. Every
// error matches one of paykit's sentinels with errors.Is:
// ErrBodyTooLarge, ErrMalformed (not POST, bad encoding, duplicate keys,
// missing or non-numeric fields), ErrMissingSignature,
// ErrInvalidSignature, ErrUnknownType and ErrWrongAccount (app_id sent and
// not Config.AppID).
func (c *Client) ParseCallback(r *http.Request) (paykit.Notification, error) {
	if r.Method != http.MethodPost {
		return nil, fmt.Errorf("%w: method %s, want POST", paykit.ErrMalformed, methodName(r.Method))
	}
	body, err := paykit.ReadBody(r, c.cfg.MaxBodyBytes)
	if err != nil {
		return nil, err
	}
	return c.ParseBody(body)
}

// ParseBody is [Client.ParseCallback] for a raw form body already read,
// for merchants whose framework hands over bytes rather than a request.
// A key given twice fails with paykit.ErrMalformed, because the signed
// value and the value read could then differ.
func (c *Client) ParseBody(body []byte) (paykit.Notification, error) {
	limit := c.cfg.MaxBodyBytes
	if limit <= 0 {
		limit = paykit.DefaultMaxBodyBytes
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("%w: over %d bytes", paykit.ErrBodyTooLarge, limit)
	}
	params, err := paykit.ParseForm(string(body))
	if err != nil {
		return nil, err
	}
	return c.ParseParams(params)
}

// ParseParams verifies and decodes notification parameters already parsed
// (URL-decoded). Each key must have exactly one value.
//
// The signature is the MD5 of every parameter except sig, sorted by name
// bytewise, written as name=value with no separator, followed by the
// secret; it is compared in constant time against Config.Secret and every
// Config.PreviousSecrets. Unknown parameters are signed like known ones
// and kept in the notification's Params.
func (c *Client) ParseParams(params url.Values) (paykit.Notification, error) {
	for k, v := range params {
		if len(v) != 1 {
			return nil, fmt.Errorf("%w: parameter %q given %d times", paykit.ErrMalformed, clip(k), len(v))
		}
	}
	sig := params.Get("sig")
	if sig == "" {
		return nil, paykit.ErrMissingSignature
	}
	if !signature.VerifySortedMD5(params, "sig", sig, c.secrets) {
		return nil, paykit.ErrInvalidSignature
	}
	typ := params.Get("notification_type")
	base, test := strings.CutSuffix(typ, testSuffix)
	f := fields{params: params}
	appID := f.optInt("app_id")
	var n paykit.Notification
	switch base {
	case TypeGetItem:
		g := &GetItem{
			NotificationType: typ, Test: test, AppID: appID, Sig: sig, Params: params,
			UserID: f.posInt("user_id"),
			Item:   f.required("item"),
		}
		n = g
	case TypeOrderStatusChange:
		o := &OrderStatusChange{
			NotificationType: typ, Test: test, AppID: appID, Sig: sig, Params: params,
			UserID:        f.posInt("user_id"),
			SID:           f.optInt("sid"),
			TransactionID: f.posInt("transaction_id"),
			Sum:           f.nonNegInt("sum"),
			ItemID:        params.Get("item_id"),
		}
		if ts := f.optInt("time"); ts != 0 {
			o.Time = time.Unix(ts, 0).UTC()
		}
		n = o
	case "":
		return nil, fmt.Errorf("%w: notification_type missing", paykit.ErrMalformed)
	default:
		return nil, fmt.Errorf("%w: %q", paykit.ErrUnknownType, clip(typ))
	}
	// The account check comes first among the field errors: a notification
	// for another app is refused as such even if its fields differ.
	if _, sent := params["app_id"]; sent && f.err == nil && appID != c.cfg.AppID {
		return nil, fmt.Errorf("%w: app_id %d", paykit.ErrWrongAccount, appID)
	}
	if f.err != nil {
		return nil, f.err
	}
	return n, nil
}

// fields decodes numeric parameters, keeping the first error.
type fields struct {
	params url.Values
	err    error
}

func (f *fields) fail(key, reason string) {
	if f.err == nil {
		f.err = fmt.Errorf("%w: %s %s", paykit.ErrMalformed, key, reason)
	}
}

func (f *fields) required(key string) string {
	v, ok := f.params[key]
	if !ok || v[0] == "" {
		f.fail(key, "missing")
		return ""
	}
	return v[0]
}

// posInt parses a required id: decimal digits, greater than zero.
func (f *fields) posInt(key string) int64 {
	s := f.required(key)
	if s == "" {
		return 0
	}
	n, ok := parseDigits(s)
	if !ok || n == 0 {
		f.fail(key, "is not a positive integer")
	}
	return n
}

// nonNegInt parses a required amount: decimal digits.
func (f *fields) nonNegInt(key string) int64 {
	s := f.required(key)
	if s == "" {
		return 0
	}
	n, ok := parseDigits(s)
	if !ok {
		f.fail(key, "is not a non-negative integer")
	}
	return n
}

// optInt parses an optional integer: absent or empty means 0.
func (f *fields) optInt(key string) int64 {
	v, ok := f.params[key]
	if !ok || v[0] == "" {
		return 0
	}
	n, ok := parseDigits(v[0])
	if !ok {
		f.fail(key, "is not a non-negative integer")
	}
	return n
}

// parseDigits parses ASCII decimal digits only: no sign, no spaces, no
// overflow (strconv would accept a leading '+').
func parseDigits(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// maxEcho bounds how much of an attacker-chosen string an error repeats.
const maxEcho = 40

func clip(s string) string {
	if len(s) > maxEcho {
		return s[:maxEcho] + "…"
	}
	return s
}

func methodName(m string) string {
	if m == "" {
		return "GET"
	}
	return clip(m)
}
