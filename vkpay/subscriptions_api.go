package vkpay

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/go-querystring/query"

	"github.com/paykit-go/paykit"
)

// UserSubscription is a subscription as orders.getUserSubscriptionById and
// orders.getUserSubscriptions return it.
type UserSubscription struct {
	// ID is VK's subscription id, the subscription_id of its notifications.
	ID int64
	// ItemID is your subscription id from the get_subscription answer.
	ItemID string
	// Status is chargeable, active or cancelled.
	Status SubscriptionStatus
	// Price is in votes per period.
	Price int64
	// Period is the billing period in days.
	Period int
	// CreateTime, UpdateTime and PeriodStartTime are always set;
	// NextBillTime (active subscriptions), ExpireTime and TrialExpireTime
	// are zero when VK sends none.
	CreateTime, UpdateTime, PeriodStartTime   time.Time
	NextBillTime, ExpireTime, TrialExpireTime time.Time
	// PendingCancel: the subscription ends with the paid period.
	PendingCancel bool
	// CancelReason says why it was cancelled; "" when it was not.
	CancelReason CancelReason
	// Title and PhotoURL are as your get_subscription answer gave them,
	// when VK returns them.
	Title, PhotoURL string
	// AppID is the app of the subscription, when VK returns it.
	AppID int64
	// Test is true for a tester's subscription.
	Test bool
}

// UserSubscriptionRequest is the orders.getUserSubscriptionById call.
type UserSubscriptionRequest struct {
	UserID         int64 `url:"user_id"`
	SubscriptionID int64 `url:"subscription_id"`
}

// GetUserSubscriptionByID returns a user's subscription
// (orders.getUserSubscriptionById). VK answers error 1256
// ([APIErrSubscriptionNotFound]) when the user has no such subscription.
func (c *Client) GetUserSubscriptionByID(ctx context.Context, req UserSubscriptionRequest) (*UserSubscription, error) {
	if err := checkUserSubscription(req.UserID, req.SubscriptionID); err != nil {
		return nil, err
	}
	var raw json.RawMessage
	if err := c.callStruct(ctx, "orders.getUserSubscriptionById", req, &raw, true); err != nil {
		return nil, err
	}
	s, err := decodeSubscription(raw)
	if err != nil {
		return nil, fmt.Errorf("vkpay: orders.getUserSubscriptionById: %w", err)
	}
	return s, nil
}

// UserSubscriptionsRequest is the orders.getUserSubscriptions call.
type UserSubscriptionsRequest struct {
	UserID int64 `url:"user_id"`
}

// GetUserSubscriptions returns a user's active subscriptions in the app
// (orders.getUserSubscriptions).
func (c *Client) GetUserSubscriptions(ctx context.Context, req UserSubscriptionsRequest) ([]UserSubscription, error) {
	if req.UserID <= 0 {
		return nil, &paykit.FieldError{Field: "user_id", Reason: "must be a positive user id"}
	}
	var raw json.RawMessage
	if err := c.callStruct(ctx, "orders.getUserSubscriptions", req, &raw, true); err != nil {
		return nil, err
	}
	subs, err := decodeSubscriptions(raw)
	if err != nil {
		return nil, fmt.Errorf("vkpay: orders.getUserSubscriptions: %w", err)
	}
	return subs, nil
}

// CancelSubscriptionRequest is the orders.cancelSubscription call.
type CancelSubscriptionRequest struct {
	UserID         int64 `url:"user_id"`
	SubscriptionID int64 `url:"subscription_id"`
	// PendingCancel keeps the subscription until the end of the paid
	// period; false cancels it at once.
	PendingCancel bool `url:"pending_cancel,int,omitempty"`
}

// CancelSubscription cancels a user's subscription
// (orders.cancelSubscription); VK then notifies subscription_status_change
// with cancel_reason app_decision. Errors 1256 and 1257
// ([APIErrSubscriptionNotFound], [APIErrSubscriptionInvalidStatus]) say
// there is no such subscription or it cannot be cancelled.
func (c *Client) CancelSubscription(ctx context.Context, req CancelSubscriptionRequest) error {
	if err := checkUserSubscription(req.UserID, req.SubscriptionID); err != nil {
		return err
	}
	return c.callOK(ctx, "orders.cancelSubscription", req)
}

// UpdateSubscriptionRequest is the orders.updateSubscription call.
type UpdateSubscriptionRequest struct {
	UserID         int64 `url:"user_id"`
	SubscriptionID int64 `url:"subscription_id"`
	// Price is the new price in votes per period.
	Price int64 `url:"price"`
}

// UpdateSubscription changes the price of a user's subscription
// (orders.updateSubscription). Errors as [Client.CancelSubscription].
func (c *Client) UpdateSubscription(ctx context.Context, req UpdateSubscriptionRequest) error {
	if err := checkUserSubscription(req.UserID, req.SubscriptionID); err != nil {
		return err
	}
	if req.Price <= 0 {
		return &paykit.FieldError{Field: "price", Reason: "must be a positive number of votes"}
	}
	return c.callOK(ctx, "orders.updateSubscription", req)
}

func checkUserSubscription(userID, subscriptionID int64) error {
	if userID <= 0 {
		return &paykit.FieldError{Field: "user_id", Reason: "must be a positive user id"}
	}
	if subscriptionID <= 0 {
		return &paykit.FieldError{Field: "subscription_id", Reason: "must be a positive subscription id"}
	}
	return nil
}

// callStruct encodes req with go-querystring and calls method.
func (c *Client) callStruct(ctx context.Context, method string, req, out any, retryTransport bool) error {
	params, err := query.Values(req)
	if err != nil {
		return fmt.Errorf("vkpay: %s: encoding the request: %w", method, err)
	}
	return c.call(ctx, method, params, out, retryTransport)
}

// callOK calls a method whose response is 1 (or true) on success. A
// change is not retried after a transport error (see ChangeOrderState).
func (c *Client) callOK(ctx context.Context, method string, req any) error {
	var ok apiInt
	var raw json.RawMessage
	if err := c.callStruct(ctx, method, req, &raw, false); err != nil {
		return err
	}
	if string(raw) == "true" || (json.Unmarshal(raw, &ok) == nil && ok == 1) {
		return nil
	}
	return fmt.Errorf("vkpay: %s: %w", method, badReplyError{fmt.Errorf("response is not 1")})
}

// apiSubscriptionJSON is a subscription on the wire.
type apiSubscriptionJSON struct {
	ID              apiInt    `json:"id"`
	ItemID          apiString `json:"item_id"`
	Status          string    `json:"status"`
	Price           apiInt    `json:"price"`
	Period          apiInt    `json:"period"`
	CreateTime      apiInt    `json:"create_time"`
	UpdateTime      apiInt    `json:"update_time"`
	PeriodStartTime apiInt    `json:"period_start_time"`
	NextBillTime    apiInt    `json:"next_bill_time"`
	ExpireTime      apiInt    `json:"expire_time"`
	TrialExpireTime apiInt    `json:"trial_expire_time"`
	PendingCancel   apiBool   `json:"pending_cancel"`
	CancelReason    string    `json:"cancel_reason"`
	Title           string    `json:"title"`
	PhotoURL        string    `json:"photo_url"`
	AppID           apiInt    `json:"app_id"`
	TestMode        apiBool   `json:"test_mode"`
}

func decodeSubscription(raw []byte) (*UserSubscription, error) {
	var w apiSubscriptionJSON
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, badReplyError{fmt.Errorf("decoding the subscription: %w", jsonReason(err))}
	}
	return w.subscription()
}

func decodeSubscriptions(raw []byte) ([]UserSubscription, error) {
	var w struct {
		Count apiInt                `json:"count"`
		Items []apiSubscriptionJSON `json:"items"`
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, badReplyError{fmt.Errorf("decoding the subscriptions: %w", jsonReason(err))}
	}
	out := make([]UserSubscription, 0, len(w.Items))
	for _, item := range w.Items {
		s, err := item.subscription()
		if err != nil {
			return nil, err
		}
		out = append(out, *s)
	}
	return out, nil
}

func (w *apiSubscriptionJSON) subscription() (*UserSubscription, error) {
	times := [...]apiInt{w.CreateTime, w.UpdateTime, w.PeriodStartTime, w.NextBillTime, w.ExpireTime, w.TrialExpireTime}
	for _, t := range times {
		if t < 0 || t > apiInt(maxTimeUnix) {
			return nil, badReplyError{fmt.Errorf("subscription %d has a time out of range", w.ID)}
		}
	}
	if w.ID <= 0 || w.Status == "" || w.Price < 0 || w.Period < 0 || w.Period > 1<<16 {
		return nil, badReplyError{fmt.Errorf("a subscription of the reply lacks a positive id or a status, or has a negative price or period")}
	}
	return &UserSubscription{
		ID: int64(w.ID), ItemID: string(w.ItemID), Status: SubscriptionStatus(w.Status), Price: int64(w.Price),
		Period: int(w.Period), CreateTime: unixOrZero(w.CreateTime), UpdateTime: unixOrZero(w.UpdateTime),
		PeriodStartTime: unixOrZero(w.PeriodStartTime), NextBillTime: unixOrZero(w.NextBillTime),
		ExpireTime: unixOrZero(w.ExpireTime), TrialExpireTime: unixOrZero(w.TrialExpireTime),
		PendingCancel: bool(w.PendingCancel), CancelReason: CancelReason(w.CancelReason),
		Title: w.Title, PhotoURL: w.PhotoURL, AppID: int64(w.AppID), Test: bool(w.TestMode),
	}, nil
}

func unixOrZero(t apiInt) time.Time {
	if t <= 0 {
		return time.Time{}
	}
	return time.Unix(int64(t), 0).UTC()
}

// apiBool is a flag VK sends as true/false, 1/0 or "1"/"0".
type apiBool bool

// UnmarshalJSON reads a JSON boolean, 0 or 1 (quoted or not), or null.
func (b *apiBool) UnmarshalJSON(data []byte) error {
	switch string(data) {
	case "true", "1", `"1"`:
		*b = true
	case "false", "0", `"0"`, "null", `""`:
		*b = false
	default:
		return fmt.Errorf("not a boolean")
	}
	return nil
}
