package vkpaytest

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/paykit-go/paykit/internal/emulator"
	"github.com/paykit-go/paykit/vkpay"
)

// Subscription returns a snapshot of a subscription.
func (e *Emulator) Subscription(id int64) (Subscription, bool) { return e.subs.Get(id) }

// Subscriptions returns snapshots of the subscriptions kept, oldest first.
func (e *Emulator) Subscriptions() []Subscription { return e.subs.List() }

// OpenSubscription does what VK does for VKWebAppShowSubscriptionBox with
// action create: it asks the merchant with get_subscription and returns the
// open subscription.
func (e *Emulator) OpenSubscription(ctx context.Context, item string, userID int64) (Subscription, error) {
	if userID == 0 {
		userID = e.opts.UserID
	}
	orderID, id := e.newID(), e.newID()
	e.subs.Add(id, Subscription{ID: id, OrderID: orderID, UserID: userID, Item: item, State: SubscriptionOpen, Created: e.opts.Now()})
	m := e.message(id, e.signer.GetSubscription(item, userID, orderID, e.opts.Lang))
	m.Once = true
	d, err := e.engine.Send(ctx, m)
	if err != nil {
		return Subscription{}, err
	}
	var r struct {
		Title         string          `json:"title"`
		Price         int64           `json:"price"`
		ItemID        json.RawMessage `json:"item_id"`
		PhotoURL      string          `json:"photo_url"`
		Period        int             `json:"period"`
		TrialDuration int             `json:"trial_duration"`
	}
	bad := d.OK() && (json.Unmarshal(response(d.Reply), &r) != nil || r.Title == "" || r.Price <= 0 ||
		(r.Period != 3 && r.Period != 7 && r.Period != 30))
	s, _ := e.subs.Update(id, func(s *Subscription) error {
		switch {
		case !d.OK():
			s.State, s.LastError = SubscriptionDeclined, d.Err
		case bad:
			s.State, s.LastError = SubscriptionDeclined, "get_subscription answer lacks title, price or a valid period"
		default:
			s.Title, s.Price, s.PhotoURL, s.Period, s.TrialDuration = r.Title, r.Price, r.PhotoURL, r.Period, r.TrialDuration
			s.ItemID = strings.Trim(string(r.ItemID), `"`)
		}
		return nil
	})
	switch {
	case !d.OK():
		return s, fmt.Errorf("%w: get_subscription: %s", ErrDeclined, d.Err)
	case bad:
		return s, fmt.Errorf("%w: %s", ErrBadAnswer, s.LastError)
	}
	return s, nil
}

// PaySubscription creates the subscription: subscription_status_change
// with status chargeable (the first payment).
func (e *Emulator) PaySubscription(ctx context.Context, id int64) (Subscription, error) {
	return e.subChange(ctx, id, vkpay.SubscriptionChargeable, "")
}

// CancelSubscription cancels an active subscription (status cancelled,
// pending_cancel 1: it stays active until the end of the paid period);
// reason "" means user_decision.
func (e *Emulator) CancelSubscription(ctx context.Context, id int64, reason vkpay.CancelReason) (Subscription, error) {
	if reason == "" {
		reason = vkpay.CancelUserDecision
	}
	return e.subChange(ctx, id, vkpay.SubscriptionCancelled, reason)
}

// ResumeSubscription resumes a cancelled subscription (status active).
func (e *Emulator) ResumeSubscription(ctx context.Context, id int64) (Subscription, error) {
	return e.subChange(ctx, id, vkpay.SubscriptionActive, "")
}

// subFrom is the state each subscription status change starts from.
var subFrom = map[vkpay.SubscriptionStatus]SubscriptionState{
	vkpay.SubscriptionChargeable: SubscriptionOpen,
	vkpay.SubscriptionCancelled:  SubscriptionActive,
	vkpay.SubscriptionActive:     SubscriptionCancelled,
}

func (e *Emulator) subChange(ctx context.Context, id int64, status vkpay.SubscriptionStatus, reason vkpay.CancelReason) (Subscription, error) {
	var change SubscriptionParams
	s, err := e.subs.Update(id, func(s *Subscription) error {
		if s.State != subFrom[status] {
			return fmt.Errorf("%w: the subscription is %s", ErrState, s.State)
		}
		next := s.NextBillTime
		if status == vkpay.SubscriptionChargeable {
			days := s.Period
			if s.TrialDuration > 0 {
				days = s.TrialDuration
			}
			next = e.opts.Now().Add(time.Duration(days) * 24 * time.Hour)
		}
		change = SubscriptionParams{SubscriptionID: strconv.FormatInt(id, 10), UserID: s.UserID, Status: status,
			CancelReason: reason, ItemID: s.ItemID, Price: s.Price, NextBillTime: next,
			PendingCancel: status == vkpay.SubscriptionCancelled}
		s.State, s.Attempts, s.LastError = SubscriptionPending, 0, ""
		return nil
	})
	if err != nil {
		return s, err
	}
	m := e.message(id, e.signer.SubscriptionStatusChange(change))
	m.Update = func(_ context.Context, d Delivery) { e.applySub(id, change, d) }
	if _, err := e.engine.Send(ctx, m); err != nil {
		return s, err
	}
	s, _ = e.subs.Get(id)
	return s, nil
}

// applySub records the outcome of one delivery of a subscription status
// change.
func (e *Emulator) applySub(id int64, c SubscriptionParams, d Delivery) {
	_, _ = e.subs.Update(id, func(s *Subscription) error {
		s.Attempts++
		s.LastError = d.Err
		switch d.Outcome {
		case emulator.Delivered, emulator.Dropped, emulator.Refused:
			if d.Outcome == emulator.Refused && c.Status == vkpay.SubscriptionChargeable {
				s.State = SubscriptionDeclined
				return nil
			}
			var r struct {
				AppOrderID int64 `json:"app_order_id"`
			}
			_ = json.Unmarshal(response(d.Reply), &r)
			s.AppOrderID = r.AppOrderID
			// A cancellation or resumption happens at VK whatever the
			// merchant answers.
			s.Status, s.CancelReason, s.PendingCancel, s.NextBillTime = c.Status, c.CancelReason, c.PendingCancel, c.NextBillTime
			s.State = SubscriptionActive
			if c.Status == vkpay.SubscriptionCancelled {
				s.State = SubscriptionCancelled
			}
		case emulator.GaveUp:
			s.State = SubscriptionFailed
		}
		return nil
	})
}
