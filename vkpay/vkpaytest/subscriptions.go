package vkpaytest

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/paykit-go/paykit/vkpay"
)

// Subscription returns a snapshot of a subscription.
func (e *Emulator) Subscription(id int64) (Subscription, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, ok := e.subs[id]
	if !ok {
		return Subscription{}, false
	}
	return *s, true
}

// Subscriptions returns snapshots of every subscription, oldest first.
func (e *Emulator) Subscriptions() []Subscription {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Subscription, 0, len(e.subs))
	for _, s := range e.subs {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// OpenSubscription does what VK does for VKWebAppShowSubscriptionBox with
// action create: it asks the merchant with get_subscription and returns the
// open subscription.
func (e *Emulator) OpenSubscription(ctx context.Context, item string, userID int64) (Subscription, error) {
	if userID == 0 {
		userID = e.opts.UserID
	}
	e.mu.Lock()
	e.nextID++
	orderID := e.nextID
	e.nextID++
	s := &Subscription{ID: e.nextID, OrderID: orderID, UserID: userID, Item: item, State: SubscriptionOpen, Created: e.opts.Now()}
	e.subs[s.ID] = s
	e.mu.Unlock()

	res := e.send(ctx, e.signer.GetSubscription(item, userID, orderID, e.opts.Lang))
	e.mu.Lock()
	defer e.mu.Unlock()
	if res.outcome != outcomeOK {
		s.State, s.LastError = SubscriptionDeclined, res.msg
		return *s, fmt.Errorf("%w: get_subscription: %s", ErrDeclined, res.msg)
	}
	var r struct {
		Title         string          `json:"title"`
		Price         int64           `json:"price"`
		ItemID        json.RawMessage `json:"item_id"`
		PhotoURL      string          `json:"photo_url"`
		Period        int             `json:"period"`
		TrialDuration int             `json:"trial_duration"`
	}
	if err := json.Unmarshal(res.response, &r); err != nil || r.Title == "" || r.Price <= 0 ||
		(r.Period != 3 && r.Period != 7 && r.Period != 30) {
		s.State, s.LastError = SubscriptionDeclined, "get_subscription answer lacks title, price or a valid period"
		return *s, fmt.Errorf("%w: %s", ErrBadAnswer, s.LastError)
	}
	s.Title, s.Price, s.PhotoURL, s.Period, s.TrialDuration = r.Title, r.Price, r.PhotoURL, r.Period, r.TrialDuration
	s.ItemID = strings.Trim(string(r.ItemID), `"`)
	return *s, nil
}

// ConfirmSubscription creates the subscription: subscription_status_change
// with status chargeable (the first payment).
func (e *Emulator) ConfirmSubscription(ctx context.Context, id int64) (Subscription, error) {
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

// Subscribe is OpenSubscription followed by ConfirmSubscription.
func (e *Emulator) Subscribe(ctx context.Context, item string, userID int64) (Subscription, error) {
	s, err := e.OpenSubscription(ctx, item, userID)
	if err != nil {
		return s, err
	}
	return e.ConfirmSubscription(ctx, s.ID)
}

func (e *Emulator) subChange(ctx context.Context, id int64, status vkpay.SubscriptionStatus, reason vkpay.CancelReason) (Subscription, error) {
	key := "s:" + strconv.FormatInt(id, 10)
	e.mu.Lock()
	s, ok := e.subs[id]
	if !ok {
		e.mu.Unlock()
		return Subscription{}, ErrNotFound
	}
	allowed := map[vkpay.SubscriptionStatus]SubscriptionState{
		vkpay.SubscriptionChargeable: SubscriptionOpen,
		vkpay.SubscriptionCancelled:  SubscriptionActive,
		vkpay.SubscriptionActive:     SubscriptionCancelled,
	}
	if e.busy[key] || s.State != allowed[status] {
		snap := *s
		e.mu.Unlock()
		return snap, ErrState
	}
	now := e.opts.Now()
	next := s.NextBillTime
	if status == vkpay.SubscriptionChargeable {
		days := s.Period
		if s.TrialDuration > 0 {
			days = s.TrialDuration
		}
		next = now.Add(time.Duration(days) * 24 * time.Hour)
	}
	change := SubscriptionParams{SubscriptionID: strconv.FormatInt(id, 10), UserID: s.UserID, Status: status,
		CancelReason: reason, ItemID: s.ItemID, Price: s.Price, NextBillTime: next,
		PendingCancel: status == vkpay.SubscriptionCancelled}
	params := e.signer.SubscriptionStatusChange(change)
	s.Attempts = 0
	e.last[id] = params
	e.mu.Unlock()
	j := &job{key: key, params: params, apply: func(e *Emulator, res result) { e.applySub(id, change, res) }}
	snap, _ := e.Subscription(id)
	err := e.deliver(ctx, j)
	if got, ok := e.Subscription(id); ok {
		snap = got
	}
	return snap, err
}

// applySub records the outcome of a subscription status change; e.mu is
// held.
func (e *Emulator) applySub(id int64, c SubscriptionParams, res result) {
	s := e.subs[id]
	s.Attempts++
	s.LastError = res.msg
	if res.outcome == outcomeOK {
		var r struct {
			AppOrderID int64 `json:"app_order_id"`
		}
		_ = json.Unmarshal(res.response, &r)
		s.AppOrderID = r.AppOrderID
	}
	switch res.outcome {
	case outcomeOK, outcomeCritical:
		if res.outcome == outcomeCritical && c.Status == vkpay.SubscriptionChargeable {
			s.State = SubscriptionDeclined
			return
		}
		// A cancellation or resumption happens at VK whatever the
		// merchant answers.
		s.Status, s.CancelReason, s.PendingCancel, s.NextBillTime = c.Status, c.CancelReason, c.PendingCancel, c.NextBillTime
		s.State = SubscriptionActive
		if c.Status == vkpay.SubscriptionCancelled {
			s.State = SubscriptionCancelled
		}
	case outcomeRetry:
		s.State = SubscriptionPending
	case outcomeGiveUp:
		s.State = SubscriptionFailed
	}
}
