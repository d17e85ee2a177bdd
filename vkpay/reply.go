package vkpay

import (
	"encoding/json"
	"fmt"
	"net/url"
	"unicode/utf8"

	"github.com/paykit-go/paykit"
)

// Limits VK puts on answers; replies outside them are refused by
// validation before VK sees them.
const (
	MaxTitleLength   = 48     // characters of a title
	MaxDiscount      = 1000   // votes
	MinExpiration    = 600    // seconds; 0 disables caching
	MaxExpiration    = 604800 // seconds (7 days)
	maxAppErrorCode  = 999
	minAppErrorCode  = 100
	maxErrorMsgBytes = 1024
)

// subscriptionPeriods are the billing periods (and trial durations), in
// days, that VK accepts.
var subscriptionPeriods = [...]int{3, 7, 30}

// ItemReply answers get_item.
type ItemReply struct {
	// ItemID is your own product id; VK echoes it as item_id in
	// order_status_change. Optional.
	ItemID string
	// Title is required, at most 48 characters.
	Title string
	// PhotoURL is an absolute http(s) URL of the product image; optional.
	PhotoURL string
	// Price is in votes, required and positive.
	Price int64
	// Discount in votes is optional: 1..1000 and below Price.
	Discount int64
	// Expiration is how many seconds VK may cache this answer: 600..604800.
	// 0 leaves VK's default; set NoCache to forbid caching.
	Expiration int64
	// NoCache sends "expiration":0, which tells VK not to cache.
	NoCache bool
}

// Validate checks the reply against VK's limits. Errors match
// [paykit.ErrInvalidRequest] and name the field.
func (r *ItemReply) Validate() error {
	if err := validateTitle(r.Title); err != nil {
		return err
	}
	if err := validatePhoto(r.PhotoURL); err != nil {
		return err
	}
	if r.Price <= 0 {
		return &paykit.FieldError{Field: "price", Reason: "must be a positive number of votes"}
	}
	if r.Discount != 0 && (r.Discount < 1 || r.Discount > MaxDiscount || r.Discount >= r.Price) {
		return &paykit.FieldError{Field: "discount", Reason: "must be 1..1000 votes and below the price"}
	}
	return validateExpiration(r.Expiration, r.NoCache)
}

// AppendJSON appends the success envelope {"response":{…}} to b. It does
// not validate; handlers call Validate first.
func (r *ItemReply) AppendJSON(b []byte) []byte {
	return appendEnvelope(b, response[itemJSON]{itemJSON{
		Title: r.Title, Price: r.Price, ItemID: r.ItemID, PhotoURL: r.PhotoURL,
		Discount: r.Discount, Expiration: expirationJSON(r.Expiration, r.NoCache),
	}})
}

// OrderReply answers order_status_change.
type OrderReply struct {
	// OrderID echoes the notification's order_id; the handlers set it.
	OrderID int64
	// AppOrderID is your own order id, unique per order; 0 omits it. A
	// repeated notification must get the same value, which the handlers
	// ensure by replaying the stored answer.
	AppOrderID int64
}

// Validate checks the reply.
func (r *OrderReply) Validate() error {
	if r.OrderID <= 0 {
		return &paykit.FieldError{Field: "order_id", Reason: "must echo the notification's order id"}
	}
	if r.AppOrderID < 0 {
		return &paykit.FieldError{Field: "app_order_id", Reason: "must not be negative"}
	}
	return nil
}

// AppendJSON appends {"response":{"order_id":…,"app_order_id":…}} to b.
func (r *OrderReply) AppendJSON(b []byte) []byte {
	return appendEnvelope(b, response[orderJSON]{orderJSON{OrderID: r.OrderID, AppOrderID: r.AppOrderID}})
}

// SubscriptionReply answers get_subscription.
type SubscriptionReply struct {
	// ItemID is your own subscription id; VK echoes it as item_id in
	// subscription_status_change.
	ItemID   string
	Title    string // required, at most 48 characters
	PhotoURL string
	// Price is in votes per period, required and positive.
	Price int64
	// Period is the billing period in days: 3, 7 or 30.
	Period int
	// TrialDuration is the free trial in days: 0 (none), 3, 7 or 30.
	TrialDuration int
	// Expiration and NoCache are as in [ItemReply].
	Expiration int64
	NoCache    bool
}

// Validate checks the reply against VK's limits.
func (r *SubscriptionReply) Validate() error {
	if err := validateTitle(r.Title); err != nil {
		return err
	}
	if err := validatePhoto(r.PhotoURL); err != nil {
		return err
	}
	if r.Price <= 0 {
		return &paykit.FieldError{Field: "price", Reason: "must be a positive number of votes"}
	}
	if !validPeriod(r.Period) {
		return &paykit.FieldError{Field: "period", Reason: "must be 3, 7 or 30 days"}
	}
	if r.TrialDuration != 0 && !validPeriod(r.TrialDuration) {
		return &paykit.FieldError{Field: "trial_duration", Reason: "must be 0, 3, 7 or 30 days"}
	}
	return validateExpiration(r.Expiration, r.NoCache)
}

// AppendJSON appends the success envelope to b.
func (r *SubscriptionReply) AppendJSON(b []byte) []byte {
	return appendEnvelope(b, response[subscriptionJSON]{subscriptionJSON{
		Title: r.Title, Price: r.Price, Period: r.Period, ItemID: r.ItemID, PhotoURL: r.PhotoURL,
		TrialDuration: r.TrialDuration, Expiration: expirationJSON(r.Expiration, r.NoCache),
	}})
}

// SubscriptionStatusReply answers subscription_status_change.
type SubscriptionStatusReply struct {
	// SubscriptionID echoes the notification's subscription_id; the
	// handlers set it. It is written as a JSON number when it is one, as
	// a string otherwise.
	SubscriptionID string
	// AppOrderID is your own id for the subscription; 0 omits it.
	AppOrderID int64
}

// Validate checks the reply.
func (r *SubscriptionStatusReply) Validate() error {
	if r.SubscriptionID == "" {
		return &paykit.FieldError{Field: "subscription_id", Reason: "must echo the notification's subscription id"}
	}
	if r.AppOrderID < 0 {
		return &paykit.FieldError{Field: "app_order_id", Reason: "must not be negative"}
	}
	return nil
}

// AppendJSON appends the success envelope to b.
func (r *SubscriptionStatusReply) AppendJSON(b []byte) []byte {
	var id any = r.SubscriptionID
	if isDigits(r.SubscriptionID) {
		id = json.Number(r.SubscriptionID)
	}
	return appendEnvelope(b, response[subscriptionStatusJSON]{subscriptionStatusJSON{
		SubscriptionID: id, AppOrderID: r.AppOrderID}})
}

// Error codes of VK's error answer (spec §A.8). Codes 100–999 are the
// app's own and need a message.
const (
	CodeGeneral         = 1  // general error; critical or not
	CodeTemporary       = 2  // temporary database error; not critical
	CodeSignature       = 10 // signatures differ; critical
	CodeBadRequest      = 11 // parameters do not match the spec; critical
	CodeUnknownItem     = 20 // product or subscription does not exist; critical
	CodeOutOfStock      = 21 // product out of stock; critical
	CodeUnknownUser     = 22 // user does not exist; critical
	CodeAppDefinedFirst = minAppErrorCode
	CodeAppDefinedLast  = maxAppErrorCode
)

// Error is VK's error answer {"error":{"error_code","error_msg","critical"}}.
// Critical means the same request will always fail: VK cancels the order
// and shows the user an error. A non-critical error makes VK resend later.
//
// Hooks and callbacks may return an *Error (wrapped or not) to choose the
// answer, for example code 21 (out of stock) or an app code 100–999.
type Error struct {
	Code     int
	Msg      string
	Critical bool
}

// NewError returns an *Error. Codes 10, 11, 20, 21 and 22 are critical by
// definition and code 2 never is, whatever critical says.
func NewError(code int, msg string, critical bool) *Error {
	switch code {
	case CodeSignature, CodeBadRequest, CodeUnknownItem, CodeOutOfStock, CodeUnknownUser:
		critical = true
	case CodeTemporary:
		critical = false
	}
	return &Error{Code: code, Msg: msg, Critical: critical}
}

// Error returns the code and message of the envelope.
func (e *Error) Error() string {
	return fmt.Sprintf("vkpay: error %d: %s (critical %t)", e.Code, e.Msg, e.Critical)
}

// Validate checks the code is VK's or an app code 100–999 with a message.
func (e *Error) Validate() error {
	switch {
	case e.Code == CodeGeneral, e.Code == CodeTemporary, e.Code == CodeSignature,
		e.Code == CodeBadRequest, e.Code == CodeUnknownItem, e.Code == CodeOutOfStock, e.Code == CodeUnknownUser:
	case e.Code >= minAppErrorCode && e.Code <= maxAppErrorCode:
		if e.Msg == "" {
			return &paykit.FieldError{Field: "error_msg", Reason: "is required for codes 100-999"}
		}
	default:
		return &paykit.FieldError{Field: "error_code", Reason: "must be 1, 2, 10, 11, 20, 21, 22 or 100-999"}
	}
	if len(e.Msg) > maxErrorMsgBytes {
		return &paykit.FieldError{Field: "error_msg", Reason: "is too long"}
	}
	return nil
}

// AppendJSON appends {"error":{…}} to b, with no "response" key.
func (e *Error) AppendJSON(b []byte) []byte {
	return appendEnvelope(b, errorEnvelope{errorJSON{Code: e.Code, Msg: e.Msg, Critical: e.Critical}})
}

func validateTitle(t string) error {
	if t == "" {
		return &paykit.FieldError{Field: "title", Reason: "is required"}
	}
	if !utf8.ValidString(t) {
		return &paykit.FieldError{Field: "title", Reason: "is not valid UTF-8"}
	}
	if utf8.RuneCountInString(t) > MaxTitleLength {
		return &paykit.FieldError{Field: "title", Reason: "is longer than 48 characters"}
	}
	return nil
}

func validatePhoto(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &paykit.FieldError{Field: "photo_url", Reason: "must be an absolute http(s) URL"}
	}
	return nil
}

func validateExpiration(exp int64, noCache bool) error {
	if noCache {
		if exp != 0 {
			return &paykit.FieldError{Field: "expiration", Reason: "must be 0 with NoCache"}
		}
		return nil
	}
	if exp != 0 && (exp < MinExpiration || exp > MaxExpiration) {
		return &paykit.FieldError{Field: "expiration", Reason: "must be 600..604800 seconds"}
	}
	return nil
}

func validPeriod(days int) bool {
	for _, p := range subscriptionPeriods {
		if days == p {
			return true
		}
	}
	return false
}

func isDigits(s string) bool {
	if s == "" || len(s) > 18 || (len(s) > 1 && s[0] == '0') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
