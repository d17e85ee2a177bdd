package playvision

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/form"
	"github.com/paykit-go/paykit/signature"
)

// ParseCallback reads a notification from r, verifies its signature and
// returns a *GetItem or an *OrderStatusChange.
//
// It accepts only POST with an application/x-www-form-urlencoded body of
// at most 64 KiB (the handler's cap is paykit.HandlerOptions.MaxBodyBytes),
// and verifies sig over every received parameter (see
// [Client.ParseValues]) before reading anything else. Every error matches
// one of paykit's sentinels with errors.Is: ErrBodyTooLarge, ErrMalformed
// (not POST, bad encoding, duplicate keys, missing or non-numeric fields),
// ErrMissingSignature, ErrInvalidSignature, ErrUnknownType and
// ErrWrongAccount (app_id sent and not Config.AppID).
func (c *Client) ParseCallback(r *http.Request) (paykit.Notification, error) {
	if r.Method != http.MethodPost {
		return nil, fmt.Errorf("%w: method %s, want POST", paykit.ErrMalformed, methodName(r.Method))
	}
	body, err := form.ReadInput(r, form.DefaultMaxBytes)
	if err != nil {
		return nil, err
	}
	return c.parseForm(string(body))
}

// ParseBody is [Client.ParseCallback] for a raw form body already read,
// for merchants whose framework hands over bytes rather than a request:
// the signature is checked over exactly what was received. Playvision
// signs nothing in headers, so header may be nil; it is not read. A body
// over 64 KiB fails with paykit.ErrBodyTooLarge, a key given twice with
// paykit.ErrMalformed (the signed value and the value read could then
// differ).
func (c *Client) ParseBody(body []byte, header http.Header) (paykit.Notification, error) {
	if len(body) > form.DefaultMaxBytes {
		return nil, fmt.Errorf("%w: over %d bytes", paykit.ErrBodyTooLarge, form.DefaultMaxBytes)
	}
	return c.parseForm(string(body))
}

// ParseValues verifies and decodes notification parameters already parsed
// (URL-decoded). Each key must have exactly one value.
//
// The signature is the MD5 of every parameter except sig, sorted by name
// bytewise, written as name=value with no separator, followed by the
// secret; it is compared in constant time against Config.Secret and every
// Config.PreviousSecrets. Unknown parameters are signed like known ones
// and kept in the notification's Params.
func (c *Client) ParseValues(params url.Values) (paykit.Notification, error) {
	for k, v := range params {
		if len(v) != 1 {
			return nil, fmt.Errorf("%w: parameter %q given %d times", paykit.ErrMalformed, form.Clip(k), len(v))
		}
	}
	sig := first(params, "sig")
	if sig == "" {
		return nil, paykit.ErrMissingSignature
	}
	if err := signature.VerifySortedMD5(params, "sig", sig, c.secrets); err != nil {
		return nil, err
	}
	return c.decode(params, sig)
}

// parseForm is the hot path of every delivery: the body is split into
// pairs sorted by key on the stack, verified over those pairs, and only
// then copied into the notification's Params.
func (c *Client) parseForm(body string) (paykit.Notification, error) {
	var arr [stackPairs]signature.Pair
	pairs, err := form.ParseSorted(arr[:0], body)
	if err != nil {
		return nil, err
	}
	sig := pairValue(pairs, "sig")
	if sig == "" {
		return nil, paykit.ErrMissingSignature
	}
	if err := signature.VerifySortedMD5Pairs(pairs, "sig", sig, c.secrets); err != nil {
		return nil, err
	}
	return c.decode(toValues(pairs), sig)
}

// stackPairs is how many pairs parseForm keeps on the stack; a notification
// has at most nine.
const stackPairs = 16

// pairValue returns the value of key in pairs, "" when absent.
func pairValue(pairs []signature.Pair, key string) string {
	for _, p := range pairs {
		if p.Key == key {
			return p.Value
		}
	}
	return ""
}

// toValues copies pairs (each key once) into url.Values, with one
// allocation for every value slice.
func toValues(pairs []signature.Pair) url.Values {
	v := make(url.Values, len(pairs))
	values := make([]string, len(pairs))
	for i, p := range pairs {
		values[i] = p.Value
		v[p.Key] = values[i : i+1 : i+1]
	}
	return v
}

// decode reads the verified params (one value per key). Each parameter is
// looked up once.
func (c *Client) decode(params url.Values, sig string) (paykit.Notification, error) {
	typ := first(params, "notification_type")
	base, test := strings.CutSuffix(typ, testSuffix)
	var f fields
	appText, appSent := params["app_id"]
	var appID int64
	if appSent {
		appID = f.optInt("app_id", appText[0])
	}
	var n paykit.Notification
	switch base {
	case TypeGetItem:
		n = decodeGetItem(&f, params, typ, test, appID, sig)
	case TypeOrderStatusChange:
		n = decodeOrder(&f, params, typ, test, appID, sig)
	case "":
		return nil, fmt.Errorf("%w: notification_type missing", paykit.ErrMalformed)
	default:
		return nil, fmt.Errorf("%w: %q", paykit.ErrUnknownType, form.Clip(typ))
	}
	// The account check comes first among the field errors: a notification
	// for another app is refused as such even if its fields differ.
	if appSent && f.err == nil && appID != c.cfg.AppID {
		return nil, fmt.Errorf("%w: app_id %d", paykit.ErrWrongAccount, appID)
	}
	if f.err != nil {
		return nil, f.err
	}
	return n, nil
}

func decodeGetItem(f *fields, params url.Values, typ string, test bool, appID int64, sig string) *GetItem {
	user := first(params, "user_id")
	return &GetItem{
		NotificationType: typ, Test: test, AppID: appID, Sig: sig, Params: params,
		UserID: f.posInt("user_id", user),
		Item:   f.required("item", first(params, "item")),
		userID: user,
	}
}

func decodeOrder(f *fields, params url.Values, typ string, test bool, appID int64, sig string) *OrderStatusChange {
	user, id := first(params, "user_id"), first(params, "transaction_id")
	o := &OrderStatusChange{
		NotificationType: typ, Test: test, AppID: appID, Sig: sig, Params: params,
		UserID:        f.posInt("user_id", user),
		SID:           first(params, "sid"),
		TransactionID: f.posInt("transaction_id", id),
		Sum:           f.nonNegInt("sum", first(params, "sum")),
		ItemID:        first(params, "item_id"),
		userID:        user,
		id:            id,
	}
	if ts := f.optInt("time", first(params, "time")); ts != 0 {
		o.Time = time.Unix(ts, 0).UTC()
	}
	return o
}

// first returns the first value of key, "" when absent.
func first(params url.Values, key string) string {
	if v := params[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// fields decodes numeric parameters, keeping the first error.
type fields struct{ err error }

func (f *fields) fail(key, reason string) {
	if f.err == nil {
		f.err = fmt.Errorf("%w: %s %s", paykit.ErrMalformed, key, reason)
	}
}

func (f *fields) required(key, v string) string {
	if v == "" {
		f.fail(key, "missing")
	}
	return v
}

// posInt parses a required id: decimal digits, greater than zero.
func (f *fields) posInt(key, v string) int64 {
	if f.required(key, v) == "" {
		return 0
	}
	n, ok := form.Digits(v)
	if !ok || n == 0 {
		f.fail(key, "is not a positive integer")
	}
	return n
}

// nonNegInt parses a required amount: decimal digits.
func (f *fields) nonNegInt(key, v string) int64 {
	if f.required(key, v) == "" {
		return 0
	}
	n, ok := form.Digits(v)
	if !ok {
		f.fail(key, "is not a non-negative integer")
	}
	return n
}

// optInt parses an optional integer: absent or empty means 0.
func (f *fields) optInt(key, v string) int64 {
	if v == "" {
		return 0
	}
	n, ok := form.Digits(v)
	if !ok {
		f.fail(key, "is not a non-negative integer")
	}
	return n
}

func methodName(m string) string {
	if m == "" {
		return "GET"
	}
	return form.Clip(m)
}
