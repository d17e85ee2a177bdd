package vkpaytest

import (
	"context"

	"github.com/paykit-go/paykit/vkpay"
)

// apiSubscription is a subscription as orders.getUserSubscriptionById
// returns it.
type apiSubscription struct {
	ID              int64  `json:"id"`
	ItemID          string `json:"item_id"`
	Status          string `json:"status"`
	Price           int64  `json:"price"`
	Period          int    `json:"period"`
	CreateTime      int64  `json:"create_time"`
	UpdateTime      int64  `json:"update_time"`
	PeriodStartTime int64  `json:"period_start_time"`
	NextBillTime    int64  `json:"next_bill_time,omitempty"`
	PendingCancel   bool   `json:"pending_cancel"`
	CancelReason    string `json:"cancel_reason,omitempty"`
	Title           string `json:"title"`
	PhotoURL        string `json:"photo_url,omitempty"`
	AppID           int64  `json:"app_id"`
	TestMode        bool   `json:"test_mode"`
}

// subscriptionStatus is the status VK's API reports for an emulated
// subscription: active or cancelled once settled, else the last status
// sent (chargeable before the first one was accepted).
func subscriptionStatus(s Subscription) vkpay.SubscriptionStatus {
	switch {
	case s.State == SubscriptionActive:
		return vkpay.SubscriptionActive
	case s.State == SubscriptionCancelled:
		return vkpay.SubscriptionCancelled
	case s.Status != "":
		return s.Status
	}
	return vkpay.SubscriptionChargeable
}

func (e *Emulator) apiSubscriptionOf(s Subscription) apiSubscription {
	a := apiSubscription{ID: s.ID, ItemID: s.ItemID, Status: string(subscriptionStatus(s)), Price: s.Price,
		Period: s.Period, CreateTime: s.Created.Unix(), UpdateTime: s.Created.Unix(), PeriodStartTime: s.Created.Unix(),
		PendingCancel: s.PendingCancel, CancelReason: string(s.CancelReason), Title: s.Title, PhotoURL: s.PhotoURL,
		AppID: e.opts.AppID, TestMode: e.opts.Test}
	if !s.NextBillTime.IsZero() && s.State == SubscriptionActive {
		a.NextBillTime = s.NextBillTime.Unix()
	}
	return a
}

// userSubscription finds the subscription a call names: it must exist, be
// the user's and have been bought (get_subscription alone makes none);
// else error 1256.
func (e *Emulator) userSubscription(p apiParams) (Subscription, *apiError) {
	userID, err1 := p.int64("user_id")
	id, err2 := p.int64("subscription_id")
	for _, err := range []*apiError{err1, err2} {
		if err != nil {
			return Subscription{}, err
		}
	}
	s, ok := e.subs.Get(id)
	if !ok || s.UserID != userID || s.State == SubscriptionOpen || s.State == SubscriptionDeclined {
		return Subscription{}, apiErr(vkpay.APIErrSubscriptionNotFound, "Subscription not found")
	}
	return s, nil
}

func (e *Emulator) apiSubscription(_ context.Context, p apiParams) (any, *apiError) {
	s, aerr := e.userSubscription(p)
	if aerr != nil {
		return nil, aerr
	}
	return e.apiSubscriptionOf(s), nil
}

// apiSubscriptions is orders.getUserSubscriptions: the user's active
// subscriptions.
func (e *Emulator) apiSubscriptions(_ context.Context, p apiParams) (any, *apiError) {
	userID, aerr := p.int64("user_id")
	if aerr != nil {
		return nil, aerr
	}
	items := []apiSubscription{}
	for _, s := range e.subs.List() {
		if s.UserID == userID && s.State == SubscriptionActive {
			items = append(items, e.apiSubscriptionOf(s))
		}
	}
	return map[string]any{"count": len(items), "items": items}, nil
}

// apiCancelSubscription is orders.cancelSubscription: an active
// subscription is cancelled with cancel_reason app_decision and the
// merchant is notified as [Emulator.CancelSubscription] does (always with
// pending_cancel 1, whatever the call asked); another state is error 1257.
func (e *Emulator) apiCancelSubscription(ctx context.Context, p apiParams) (any, *apiError) {
	s, aerr := e.userSubscription(p)
	if aerr == nil {
		_, aerr = p.flag("pending_cancel")
	}
	if aerr != nil {
		return nil, aerr
	}
	if s.State != SubscriptionActive {
		return nil, apiErr(vkpay.APIErrSubscriptionInvalidStatus, "Subscription is in invalid status")
	}
	if _, err := e.CancelSubscription(ctx, s.ID, vkpay.CancelAppDecision); err != nil {
		return nil, apiErr(vkpay.APIErrSubscriptionInvalidStatus, "Subscription is in invalid status")
	}
	return 1, nil
}

// apiUpdateSubscription is orders.updateSubscription: the price of an
// active subscription changes from the next period; another state is
// error 1257.
func (e *Emulator) apiUpdateSubscription(_ context.Context, p apiParams) (any, *apiError) {
	s, aerr := e.userSubscription(p)
	if aerr != nil {
		return nil, aerr
	}
	price, aerr := p.int64("price")
	if aerr != nil || price <= 0 {
		return nil, paramErr("price must be a positive number of votes")
	}
	var refused bool
	_, _ = e.subs.Update(s.ID, func(s *Subscription) error {
		if refused = s.State != SubscriptionActive; !refused {
			s.Price = price
		}
		return nil
	})
	if refused {
		return nil, apiErr(vkpay.APIErrSubscriptionInvalidStatus, "Subscription is in invalid status")
	}
	return 1, nil
}
