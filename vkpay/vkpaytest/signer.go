package vkpaytest

import (
	"cmp"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paykit-go/paykit/vkpay"
)

// Signer signs payments notifications exactly as VK does, so that merchants
// can drive their handlers in tests.
type Signer struct {
	AppID  int64
	Secret string
	// Version is sent as "version" when set (VK sends "5.132" to apps on
	// payments API 5.132 or later, nothing to older apps).
	Version string
	// Test sends the "_test" notification types of payment testers.
	Test bool
	// Client sends for Send; nil means http.DefaultClient.
	Client *http.Client
}

// Sign returns a copy of params with app_id (when missing), version (when
// Signer.Version is set and params has none) and sig set.
func (s Signer) Sign(params url.Values) url.Values {
	p := make(url.Values, len(params)+3)
	for k, v := range params {
		p[k] = append([]string(nil), v...)
	}
	if p.Get("app_id") == "" {
		p.Set("app_id", strconv.FormatInt(s.AppID, 10))
	}
	if s.Version != "" && p.Get("version") == "" {
		p.Set("version", s.Version)
	}
	p.Del(vkpay.SigParam)
	p.Set(vkpay.SigParam, vkpay.Sign(p, s.Secret))
	return p
}

// Body returns the signed form body of params.
func (s Signer) Body(params url.Values) string { return s.Sign(params).Encode() }

// NewRequest returns a server-side request delivering params signed, as
// VK does (a form POST), for calling a handler's ServeHTTP in a test. Like
// httptest.NewRequest it panics on an invalid target.
func (s Signer) NewRequest(target string, params url.Values) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(s.Body(params)))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

// Send POSTs params signed to a running server at url, as VK does, with
// Signer.Client, and returns its response; close its Body.
func (s Signer) Send(ctx context.Context, url string, params url.Values) (*http.Response, error) {
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(s.Body(params)))
	if err != nil {
		return nil, err
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	c := s.Client
	if c == nil {
		c = http.DefaultClient
	}
	return c.Do(r)
}

func (s Signer) typ(base string) string {
	if s.Test {
		return base + vkpay.TestSuffix
	}
	return base
}

// GetItem returns the signed parameters of get_item; lang "" means
// "ru_RU".
func (s Signer) GetItem(item string, userID, orderID int64, lang string) url.Values {
	return s.Sign(s.itemRequest(vkpay.TypeGetItem, item, userID, orderID, lang))
}

// GetSubscription returns the signed parameters of get_subscription.
func (s Signer) GetSubscription(item string, userID, orderID int64, lang string) url.Values {
	return s.Sign(s.itemRequest(vkpay.TypeGetSubscription, item, userID, orderID, lang))
}

func (s Signer) itemRequest(typ, item string, userID, orderID int64, lang string) url.Values {
	p := url.Values{
		"notification_type": {s.typ(typ)},
		"item":              {item},
		"user_id":           {strconv.FormatInt(userID, 10)},
		"receiver_id":       {strconv.FormatInt(userID, 10)},
		"order_id":          {strconv.FormatInt(orderID, 10)},
		"lang":              {cmp.Or(lang, "ru_RU")}, // VK always sends one
	}
	return p
}

// OrderParams describes an order for [Signer.OrderStatusChange].
type OrderParams struct {
	ID       int64
	UserID   int64
	Item     string // the client-side key
	ItemID   string // the merchant's item_id from get_item
	Title    string
	PhotoURL string
	Price    int64
	Discount int64
	Date     time.Time // zero: the time of signing
}

// OrderStatusChange returns the signed parameters of order_status_change
// with status chargeable or refunded.
func (s Signer) OrderStatusChange(o OrderParams, status vkpay.OrderStatus) url.Values {
	p := url.Values{
		"notification_type": {s.typ(vkpay.TypeOrderStatusChange)},
		"order_id":          {strconv.FormatInt(o.ID, 10)},
		"user_id":           {strconv.FormatInt(o.UserID, 10)},
		"receiver_id":       {strconv.FormatInt(o.UserID, 10)},
		"status":            {string(status)},
		"item":              {o.Item},
		"item_price":        {strconv.FormatInt(o.Price, 10)},
		"date":              {strconv.FormatInt(cmp.Or(o.Date, time.Now()).Unix(), 10)}, // unset: now
	}
	setIf(p, "item_id", o.ItemID)
	setIf(p, "item_title", o.Title)
	setIf(p, "item_photo_url", o.PhotoURL)
	if o.Discount != 0 {
		p.Set("item_discount", strconv.FormatInt(o.Discount, 10))
	}
	return s.Sign(p)
}

// SubscriptionParams describes a subscription_status_change.
type SubscriptionParams struct {
	SubscriptionID string
	UserID         int64
	Status         vkpay.SubscriptionStatus
	CancelReason   vkpay.CancelReason
	ItemID         string
	Price          int64
	NextBillTime   time.Time
	PendingCancel  bool
}

// SubscriptionStatusChange returns the signed parameters of
// subscription_status_change.
func (s Signer) SubscriptionStatusChange(c SubscriptionParams) url.Values {
	p := url.Values{
		"notification_type": {s.typ(vkpay.TypeSubscriptionStatusChange)},
		"subscription_id":   {c.SubscriptionID},
		"user_id":           {strconv.FormatInt(c.UserID, 10)},
		"status":            {string(c.Status)},
		"item_price":        {strconv.FormatInt(c.Price, 10)},
	}
	setIf(p, "item_id", c.ItemID)
	setIf(p, "cancel_reason", string(c.CancelReason))
	if !c.NextBillTime.IsZero() {
		p.Set("next_bill_time", strconv.FormatInt(c.NextBillTime.Unix(), 10))
	}
	if c.PendingCancel {
		p.Set("pending_cancel", "1")
	}
	return s.Sign(p)
}

func setIf(p url.Values, k, v string) {
	if v != "" {
		p.Set(k, v)
	}
}
