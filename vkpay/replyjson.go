package vkpay

import "encoding/json"

// The wire shapes of VK's answers, written by encoding/json: field order
// is the order VK's docs list them in, optional fields are omitted when
// zero. encoding/json escapes <, > and & and U+2028/2029 and turns invalid
// UTF-8 into U+FFFD, so answers are safe to embed anywhere.

type response[T any] struct {
	Response T `json:"response"`
}

type errorEnvelope struct {
	Error errorJSON `json:"error"`
}

type errorJSON struct {
	Code     int    `json:"error_code"`
	Msg      string `json:"error_msg"`
	Critical bool   `json:"critical"`
}

type itemJSON struct {
	Title      string `json:"title"`
	Price      int64  `json:"price"`
	ItemID     string `json:"item_id,omitempty"`
	PhotoURL   string `json:"photo_url,omitempty"`
	Discount   int64  `json:"discount,omitempty"`
	Expiration *int64 `json:"expiration,omitempty"`
}

type subscriptionJSON struct {
	Title         string `json:"title"`
	Price         int64  `json:"price"`
	Period        int    `json:"period"`
	ItemID        string `json:"item_id,omitempty"`
	PhotoURL      string `json:"photo_url,omitempty"`
	TrialDuration int    `json:"trial_duration,omitempty"`
	Expiration    *int64 `json:"expiration,omitempty"`
}

type orderJSON struct {
	OrderID    int64 `json:"order_id"`
	AppOrderID int64 `json:"app_order_id,omitempty"`
}

type subscriptionStatusJSON struct {
	// SubscriptionID is a json.Number when the id is a decimal number,
	// else a string.
	SubscriptionID any   `json:"subscription_id"`
	AppOrderID     int64 `json:"app_order_id,omitempty"`
}

// expirationJSON is the "expiration" field: absent for 0 (VK's default),
// 0 with noCache (no caching), else the seconds.
func expirationJSON(exp int64, noCache bool) *int64 {
	if exp == 0 && !noCache {
		return nil
	}
	return &exp
}

// appendEnvelope appends the JSON of v to b. The reply shapes hold only
// strings, integers, booleans and json.Number values written from
// decimal digits, which encoding/json always encodes.
func appendEnvelope(b []byte, v any) []byte {
	js, err := json.Marshal(v)
	if err != nil {
		// Unreachable for the shapes above; never a half-written reply.
		return append(b, `{"error":{"error_code":1,"error_msg":"internal error","critical":true}}`...)
	}
	return append(b, js...)
}
