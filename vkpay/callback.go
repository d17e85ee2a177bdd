package vkpay

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/form"
	"github.com/paykit-go/paykit/signature"
)

// SigParam is the name of the signature parameter.
const SigParam = "sig"

// Sign returns the sig of params under secret exactly as VK computes it
// (spec §A.2): every parameter except "sig", decoded, sorted by key,
// written as key=value with no separator, the secret appended, MD5 in
// lowercase hex. Test kits use it; handlers verify with [Client.ParseValues].
func Sign(params url.Values, secret string) string {
	return signature.SortedMD5Except(params, secret, SigParam)
}

// ParseCallback reads a notification from r (a POST with a form body; a
// GET is read from its query), capped at 64 KiB, verifies it and decodes
// it. See [Client.ParseValues] for the checks and errors.
func (c *Client) ParseCallback(r *http.Request) (paykit.Notification, error) {
	input, err := form.ReadInput(r, form.DefaultMaxBytes)
	if err != nil {
		return nil, err
	}
	return c.parseForm(string(input))
}

// ParseBody is [Client.ParseCallback] for a raw form body (or the raw
// query string of a GET), for merchants who read the body themselves:
// signatures are over what was received. VK signs nothing in headers, so
// header may be nil; it is not read. A body over 64 KiB is refused with
// [paykit.ErrBodyTooLarge].
func (c *Client) ParseBody(body []byte, header http.Header) (paykit.Notification, error) {
	if len(body) > form.DefaultMaxBytes {
		return nil, fmt.Errorf("%w: over %d bytes", paykit.ErrBodyTooLarge, form.DefaultMaxBytes)
	}
	return c.parseForm(string(body))
}

// ParseValues verifies and decodes already-parsed form parameters. Each
// key must have exactly one value.
//
// It checks, in order: sig present ([paykit.ErrMissingSignature]); sig
// matches the secret or a previous secret, compared in constant time
// ([paykit.ErrInvalidSignature]); app_id is the configured app
// ([paykit.ErrWrongAccount]); the type is one of the four, with or without
// "_test" ([paykit.ErrUnknownType]); every parameter VK always sends for
// the type is present and the fields parse ([paykit.ErrMalformed], naming
// the parameter; see the package documentation for the list). The result is a *[GetItem],
// *[OrderStatusChange], *[GetSubscription] or *[SubscriptionStatusChange].
func (c *Client) ParseValues(params url.Values) (paykit.Notification, error) {
	var arr [maxStackPairs]signature.Pair
	pairs := arr[:0]
	for k, vs := range params {
		if len(vs) != 1 {
			return nil, fmt.Errorf("%w: parameter %q given %d times", paykit.ErrMalformed, form.Clip(k), len(vs))
		}
		pairs = append(pairs, signature.Pair{Key: k, Value: vs[0]})
	}
	slices.SortFunc(pairs, func(a, b signature.Pair) int { return strings.Compare(a.Key, b.Key) })
	return c.parsePairs(pairs)
}

func (c *Client) parseForm(body string) (paykit.Notification, error) {
	var arr [maxStackPairs]signature.Pair
	pairs, err := form.ParseSorted(arr[:0], body)
	if err != nil {
		return nil, err
	}
	return c.parsePairs(pairs)
}

// parsePairs verifies and decodes pairs sorted by key with unique keys.
func (c *Client) parsePairs(pairs []signature.Pair) (paykit.Notification, error) {
	sig := ""
	for _, p := range pairs {
		if p.Key == SigParam {
			sig = p.Value
		}
	}
	if sig == "" {
		return nil, paykit.ErrMissingSignature
	}
	if signature.VerifySortedMD5Pairs(pairs, SigParam, sig, c.secrets) != nil {
		return nil, paykit.ErrInvalidSignature
	}
	var d decoder
	for _, p := range pairs {
		d.set(p.Key, p.Value)
	}
	f := &d.fields
	common := Common{Sig: sig}
	common.AppID = d.int("app_id", f.appID, true)
	if d.err == nil && common.AppID != c.appID {
		return nil, fmt.Errorf("%w: app_id %d", paykit.ErrWrongAccount, common.AppID)
	}
	common.NotificationType = f.notificationType
	base, test := strings.CutSuffix(common.NotificationType, TestSuffix)
	common.Test = test
	common.UserID = d.int("user_id", f.userID, true)
	common.Version = f.version
	if d.err != nil {
		return nil, d.err
	}
	var n paykit.Notification
	switch base {
	case TypeGetItem:
		common.Extra = extra(pairs, isGetItemKey)
		n = d.getItem(common)
	case TypeOrderStatusChange:
		common.Extra = extra(pairs, isOrderKey)
		n = d.orderStatusChange(common)
	case TypeGetSubscription:
		common.Extra = extra(pairs, isGetItemKey)
		n = d.getSubscription(common)
	case TypeSubscriptionStatusChange:
		common.Extra = extra(pairs, isSubscriptionKey)
		n = d.subscriptionStatusChange(common)
	default:
		return nil, fmt.Errorf("%w: %q", paykit.ErrUnknownType, form.Clip(common.NotificationType))
	}
	if d.err != nil {
		return nil, d.err
	}
	return n, nil
}

// maxStackPairs is how many parameters are parsed without a heap
// allocation; VK sends at most about 16.
const maxStackPairs = 24

// extra collects the parameters a type does not model; nil when none.
func extra(pairs []signature.Pair, known func(string) bool) map[string]string {
	var m map[string]string
	for _, p := range pairs {
		if isCommonKey(p.Key) || known(p.Key) {
			continue
		}
		if m == nil {
			m = make(map[string]string)
		}
		m[p.Key] = p.Value
	}
	return m
}

func isCommonKey(k string) bool {
	switch k {
	case "app_id", "notification_type", "user_id", "version", SigParam:
		return true
	}
	return false
}

func isGetItemKey(k string) bool {
	switch k {
	case "receiver_id", "order_id", "item", "lang":
		return true
	}
	return false
}

func isOrderKey(k string) bool {
	switch k {
	case "receiver_id", "order_id", "status", "date", "item", "item_id", "item_title", "item_photo_url",
		"item_price", "item_discount", "item_currency_amount":
		return true
	}
	return false
}

func isSubscriptionKey(k string) bool {
	switch k {
	case "subscription_id", "status", "cancel_reason", "item_id", "item_price", "next_bill_time", "pending_cancel":
		return true
	}
	return false
}

// fields holds the raw value of every modelled parameter.
type fields struct {
	appID, notificationType, userID, version                           string
	receiverID, orderID, item, lang, status, date                      string
	itemID, itemTitle, itemPhotoURL, itemPrice, itemDiscount, itemCurr string
	subscriptionID, cancelReason, nextBillTime, pendingCancel          string
}

func (f *fields) set(k, v string) {
	switch k {
	case "app_id":
		f.appID = v
	case "notification_type":
		f.notificationType = v
	case "user_id":
		f.userID = v
	case "version":
		f.version = v
	case "receiver_id":
		f.receiverID = v
	case "order_id":
		f.orderID = v
	case "item":
		f.item = v
	case "lang":
		f.lang = v
	case "status":
		f.status = v
	case "date":
		f.date = v
	case "item_id":
		f.itemID = v
	case "item_title":
		f.itemTitle = v
	case "item_photo_url":
		f.itemPhotoURL = v
	case "item_price":
		f.itemPrice = v
	case "item_discount":
		f.itemDiscount = v
	case "item_currency_amount":
		f.itemCurr = v
	case "subscription_id":
		f.subscriptionID = v
	case "cancel_reason":
		f.cancelReason = v
	case "next_bill_time":
		f.nextBillTime = v
	case "pending_cancel":
		f.pendingCancel = v
	}
}

// maxTimeUnix bounds accepted unix times far beyond any real date.
const maxTimeUnix = int64(1) << 40

// decoder reads typed fields, keeping the first error.
type decoder struct {
	fields
	err error
}

func (d *decoder) fail(key, reason string) {
	if d.err == nil {
		d.err = &paramError{key: key, reason: reason}
	}
}

// paramError is a parameter VK sent wrong or not at all. It matches
// [paykit.ErrMalformed]; the handler answers it with error 11 naming the
// parameter. key is always one of this package's own parameter names and
// reason a fixed text, so neither echoes received data or a secret.
type paramError struct{ key, reason string }

func (e *paramError) Error() string {
	return paykit.ErrMalformed.Error() + ": " + e.key + " " + e.reason
}
func (e *paramError) Unwrap() error { return paykit.ErrMalformed }

func (d *decoder) required(key, v string) string {
	if v == "" {
		d.fail(key, "is missing")
	}
	return v
}

// int parses an integer field; a missing or empty optional field is 0.
func (d *decoder) int(key, v string, required bool) int64 {
	if v == "" {
		if required {
			d.fail(key, "is missing")
		}
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		d.fail(key, "is not an integer")
	}
	return n
}

// time parses a unix time; a missing or empty optional one, or 0, is the
// zero time.
func (d *decoder) time(key, v string, required bool) time.Time {
	n := d.int(key, v, required)
	if n == 0 {
		if required && v != "" {
			d.fail(key, "is out of range")
		}
		return time.Time{}
	}
	if n < 0 || n > maxTimeUnix {
		d.fail(key, "is out of range")
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}

func (d *decoder) bool(key, v string) bool {
	switch v {
	case "", "0", "false":
		return false
	case "1", "true":
		return true
	default:
		d.fail(key, "is not 0 or 1")
		return false
	}
}

func (d *decoder) getItem(c Common) *GetItem {
	f := &d.fields
	return &GetItem{
		Common:     c,
		ReceiverID: d.int("receiver_id", f.receiverID, true),
		OrderID:    d.int("order_id", f.orderID, true),
		Item:       d.required("item", f.item),
		Lang:       d.required("lang", f.lang),
	}
}

func (d *decoder) getSubscription(c Common) *GetSubscription {
	f := &d.fields
	return &GetSubscription{
		Common:     c,
		ReceiverID: d.int("receiver_id", f.receiverID, true),
		OrderID:    d.int("order_id", f.orderID, true),
		Item:       d.required("item", f.item),
		Lang:       d.required("lang", f.lang),
	}
}

func (d *decoder) orderStatusChange(c Common) *OrderStatusChange {
	f := &d.fields
	n := &OrderStatusChange{
		Common:             c,
		ReceiverID:         d.int("receiver_id", f.receiverID, true),
		OrderID:            d.int("order_id", f.orderID, true),
		Status:             OrderStatus(d.required("status", f.status)),
		Date:               d.time("date", f.date, true),
		Item:               d.required("item", f.item),
		ItemID:             f.itemID,
		ItemTitle:          f.itemTitle,
		ItemPhotoURL:       f.itemPhotoURL,
		ItemPrice:          d.int("item_price", f.itemPrice, true),
		ItemDiscount:       d.int("item_discount", f.itemDiscount, false),
		ItemCurrencyAmount: f.itemCurr,
	}
	if n.Status != OrderChargeable && n.Status != OrderRefunded {
		d.fail("status", "is not chargeable or refunded")
	}
	if n.OrderID <= 0 || n.ItemPrice < 0 || n.ItemDiscount < 0 {
		d.fail("order_id, item_price or item_discount", "is out of range")
	}
	return n
}

func (d *decoder) subscriptionStatusChange(c Common) *SubscriptionStatusChange {
	f := &d.fields
	n := &SubscriptionStatusChange{
		Common:         c,
		SubscriptionID: d.required("subscription_id", f.subscriptionID),
		Status:         SubscriptionStatus(d.required("status", f.status)),
		CancelReason:   CancelReason(f.cancelReason),
		ItemID:         f.itemID,
		ItemPrice:      d.int("item_price", f.itemPrice, true),
		NextBillTime:   d.time("next_bill_time", f.nextBillTime, false),
		PendingCancel:  d.bool("pending_cancel", f.pendingCancel),
	}
	switch n.Status {
	case SubscriptionChargeable, SubscriptionActive, SubscriptionCancelled:
	default:
		d.fail("status", "is not chargeable, active or cancelled")
	}
	if n.ItemPrice < 0 {
		d.fail("item_price", "is negative")
	}
	return n
}
