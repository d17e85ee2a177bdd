package vkpaytest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/paykit-go/paykit/vkpay"
)

// DefaultRetrySchedule returns the delays between attempts to deliver a
// status change whose answer was missing or temporary, each counted from
// the previous attempt: 5 s, 30 s, 1 min, 5 min and 15 min. VK does not
// publish its schedule [unsure]; this is the emulator's stand-in for it.
func DefaultRetrySchedule() []time.Duration {
	return []time.Duration{5 * time.Second, 30 * time.Second, time.Minute, 5 * time.Minute, 15 * time.Minute}
}

// Errors of the emulator's Go API.
var (
	ErrNotFound  = errors.New("vkpaytest: no such order or subscription")
	ErrState     = errors.New("vkpaytest: not allowed in the current state")
	ErrClosed    = errors.New("vkpaytest: emulator closed")
	ErrDeclined  = errors.New("vkpaytest: the merchant refused")
	ErrBadAnswer = errors.New("vkpaytest: the merchant's answer is not valid")
)

// Options configures an [Emulator].
type Options struct {
	// AppID and Secret are the app's id and secure key, used to sign.
	AppID  int64
	Secret string
	// NotifyURL is the merchant's payment notifications URL. It is the
	// only URL the emulator ever calls.
	NotifyURL string
	// Prefix is the path the emulator is mounted at, e.g.
	// "/emulator/vkpay/"; "" means "/". Mount it without StripPrefix:
	// mux.Handle(prefix, emulator).
	Prefix string
	// BaseURL is the emulator's externally visible URL including Prefix,
	// without a trailing slash, e.g.
	// "http://localhost:8080/emulator/vkpay", used in page links; ""
	// makes links host-relative. NewServer sets it.
	BaseURL string
	// HTTPClient sends notifications; nil means a client with VK's 10 s
	// timeout.
	HTTPClient *http.Client
	// RetrySchedule is the delays between attempts to deliver a status
	// change, each counted from the previous attempt; nil means
	// DefaultRetrySchedule(). Tests pass milliseconds. After the last
	// delay the delivery is given up (state failed).
	RetrySchedule []time.Duration
	// Test sends the "_test" types, as VK does for payment testers.
	Test bool
	// Version is the "version" parameter; "" means "5.132". Set NoVersion
	// to emulate an app on older payments settings.
	Version   string
	NoVersion bool
	// Lang is the buyer's language; "" means "ru_RU".
	Lang string
	// UserID is the default buyer; 0 means 1.
	UserID int64
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// OrderState is the state of an emulated order.
type OrderState string

// The order states.
const (
	OrderOpen          OrderState = "open"           // get_item answered; waiting for the buyer
	OrderPending       OrderState = "pending"        // chargeable sent, answer missing or temporary; resending
	OrderCharged       OrderState = "charged"        // the merchant accepted the payment
	OrderDeclined      OrderState = "declined"       // the merchant refused (critical error)
	OrderCancelled     OrderState = "cancelled"      // the buyer closed the window
	OrderFailed        OrderState = "failed"         // resends exhausted
	OrderRefundPending OrderState = "refund_pending" // refunded sent; resending
	OrderRefunded      OrderState = "refunded"
)

// Order is a snapshot of an emulated order.
type Order struct {
	ID         int64
	UserID     int64
	Item       string // the key the buyer asked for
	ItemID     string // the merchant's answer from here on
	Title      string
	PhotoURL   string
	Price      int64
	Discount   int64
	Expiration int64
	State      OrderState
	AppOrderID int64
	// Attempts counts deliveries of the current status change.
	Attempts  int
	LastError string
	ReturnURL string
	Created   time.Time
}

// SubscriptionState is the state of an emulated subscription.
type SubscriptionState string

// The subscription states.
const (
	SubscriptionOpen      SubscriptionState = "open"    // get_subscription answered
	SubscriptionPending   SubscriptionState = "pending" // a status change is being resent
	SubscriptionActive    SubscriptionState = "active"
	SubscriptionCancelled SubscriptionState = "cancelled"
	SubscriptionDeclined  SubscriptionState = "declined"
	SubscriptionFailed    SubscriptionState = "failed"
)

// Subscription is a snapshot of an emulated subscription.
type Subscription struct {
	ID            int64
	OrderID       int64 // of the get_subscription request
	UserID        int64
	Item          string
	ItemID        string
	Title         string
	PhotoURL      string
	Price         int64
	Period        int // days
	TrialDuration int // days
	State         SubscriptionState
	// Status is the last status sent (chargeable, active, cancelled).
	Status        vkpay.SubscriptionStatus
	CancelReason  vkpay.CancelReason
	PendingCancel bool
	NextBillTime  time.Time
	AppOrderID    int64
	Attempts      int
	LastError     string
	Created       time.Time
}

// Delivery records one notification the emulator sent.
type Delivery struct {
	Type   string
	Params url.Values
	// Status is the HTTP status, 0 when the request failed.
	Status int
	Body   string
	Err    string
	At     time.Time
}

// Emulator emulates VK's payments flow against a merchant's notification
// URL. It is an http.Handler serving clickable pages under Options.Prefix
// and has a Go API for tests. Close stops its resend goroutine.
type Emulator struct {
	opts   Options
	signer Signer
	client *http.Client
	prefix string

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	wake   chan struct{}

	mu         sync.Mutex
	nextID     int64
	orders     map[int64]*Order
	subs       map[int64]*Subscription
	queue      []*job // resends, in no particular order
	busy       map[string]bool
	last       map[int64]url.Values // the last status change of each order and subscription
	deliveries []Delivery
	idle       *sync.Cond
}

// job is one status change being delivered; params stay identical across
// resends, as VK resends the same notification.
type job struct {
	key     string // "o:<id>" or "s:<id>"
	params  url.Values
	attempt int
	due     time.Time
	apply   func(e *Emulator, res result) // runs with e.mu held
}

// New validates opts and returns an Emulator, with its resend goroutine
// running, to mount at Options.Prefix. Invalid options are an error.
// Close it when done.
func New(opts Options) (*Emulator, error) {
	if opts.AppID <= 0 || opts.Secret == "" {
		return nil, errors.New("vkpaytest: AppID and Secret are required")
	}
	if opts.NotifyURL != "" {
		if err := checkURL(opts.NotifyURL); err != nil {
			return nil, err
		}
	}
	if opts.Prefix == "" {
		opts.Prefix = "/"
	}
	if !strings.HasPrefix(opts.Prefix, "/") {
		opts.Prefix = "/" + opts.Prefix
	}
	if !strings.HasSuffix(opts.Prefix, "/") {
		opts.Prefix += "/"
	}
	if opts.BaseURL != "" {
		if u, err := url.Parse(opts.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, errors.New("vkpaytest: BaseURL must be an absolute http(s) URL")
		}
	}
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	for _, d := range opts.RetrySchedule {
		if d < 0 {
			return nil, errors.New("vkpaytest: negative delay in RetrySchedule")
		}
	}
	if opts.RetrySchedule == nil {
		opts.RetrySchedule = DefaultRetrySchedule()
	} else {
		opts.RetrySchedule = append([]time.Duration(nil), opts.RetrySchedule...)
	}
	if opts.Version == "" {
		opts.Version = "5.132"
	}
	if opts.NoVersion {
		opts.Version = ""
	}
	if opts.Lang == "" {
		opts.Lang = "ru_RU"
	}
	if opts.UserID == 0 {
		opts.UserID = 1
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: vkpay.ReplyTimeout}
	}
	e := &Emulator{
		opts:   opts,
		signer: Signer{AppID: opts.AppID, Secret: opts.Secret, Version: opts.Version, Test: opts.Test},
		client: client,
		prefix: opts.Prefix,
		wake:   make(chan struct{}, 1),
		nextID: 1000,
		orders: make(map[int64]*Order),
		subs:   make(map[int64]*Subscription),
		busy:   make(map[string]bool),
		last:   make(map[int64]url.Values),
	}
	e.idle = sync.NewCond(&e.mu)
	e.ctx, e.cancel = context.WithCancel(context.Background())
	e.wg.Add(1)
	go e.resendLoop()
	return e, nil
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("vkpaytest: NotifyURL must be an absolute http(s) URL")
	}
	return nil
}

// URL returns the emulator's externally visible base URL, prefix included
// and without a trailing slash (Options.BaseURL; NewServer sets it).
func (e *Emulator) URL() string { return e.opts.BaseURL }

// SetNotifyURL sets the merchant's notification URL, for when it is known
// only after the emulator is built (one process serving both).
func (e *Emulator) SetNotifyURL(u string) error {
	if err := checkURL(u); err != nil {
		return err
	}
	e.mu.Lock()
	e.opts.NotifyURL = u
	e.mu.Unlock()
	return nil
}

// Close stops resending and waits for the resend goroutine. Pending
// resends are abandoned.
func (e *Emulator) Close() {
	e.cancel()
	e.wg.Wait()
	e.mu.Lock()
	e.queue = nil
	e.idle.Broadcast()
	e.mu.Unlock()
}

// Idle waits until no resend is pending (every status change has been
// answered, refused or given up), or ctx ends.
func (e *Emulator) Idle(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		e.mu.Lock()
		e.idle.Broadcast()
		e.mu.Unlock()
	})
	defer stop()
	e.mu.Lock()
	defer e.mu.Unlock()
	for len(e.queue) > 0 || len(e.busy) > 0 {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if e.ctx.Err() != nil {
			return ErrClosed
		}
		e.idle.Wait()
	}
	return nil
}

// Order returns a snapshot of an order.
func (e *Emulator) Order(id int64) (Order, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.orders[id]
	if !ok {
		return Order{}, false
	}
	return *o, true
}

// Orders returns snapshots of every order, oldest first.
func (e *Emulator) Orders() []Order {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Order, 0, len(e.orders))
	for _, o := range e.orders {
		out = append(out, *o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

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

// Deliveries returns every notification sent so far, in order.
func (e *Emulator) Deliveries() []Delivery {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Delivery(nil), e.deliveries...)
}

// Open does what VK does when a mini app calls VKWebAppShowOrderBox for
// item: it asks the merchant with get_item and, on a valid answer, returns
// the open order the buyer sees. userID 0 means Options.UserID. A refusal
// returns the declined order and an error matching [ErrDeclined].
func (e *Emulator) Open(ctx context.Context, item string, userID int64) (Order, error) {
	if userID == 0 {
		userID = e.opts.UserID
	}
	e.mu.Lock()
	e.nextID++
	id := e.nextID
	o := &Order{ID: id, UserID: userID, Item: item, State: OrderOpen, Created: e.opts.Now()}
	e.orders[id] = o
	e.mu.Unlock()

	res := e.send(ctx, e.signer.GetItem(item, userID, id, e.opts.Lang))
	e.mu.Lock()
	defer e.mu.Unlock()
	if res.outcome != outcomeOK {
		o.State, o.LastError = OrderDeclined, res.msg
		return *o, fmt.Errorf("%w: get_item: %s", ErrDeclined, res.msg)
	}
	var r struct {
		Title      string `json:"title"`
		Price      int64  `json:"price"`
		ItemID     string `json:"item_id"`
		PhotoURL   string `json:"photo_url"`
		Discount   int64  `json:"discount"`
		Expiration int64  `json:"expiration"`
	}
	if err := json.Unmarshal(res.response, &r); err != nil || r.Title == "" || r.Price <= 0 {
		o.State, o.LastError = OrderDeclined, "get_item answer lacks title or price"
		return *o, fmt.Errorf("%w: get_item answer lacks title or price", ErrBadAnswer)
	}
	o.Title, o.Price, o.ItemID, o.PhotoURL, o.Discount, o.Expiration = r.Title, r.Price, r.ItemID, r.PhotoURL, r.Discount, r.Expiration
	return *o, nil
}

// Confirm does what VK does when the buyer pays: it sends
// order_status_change with status chargeable. The returned order is
// charged, declined (error matching [ErrDeclined]), or pending when the
// answer was missing or temporary — then it is resent on the schedule in
// the background (see [Emulator.Idle]).
func (e *Emulator) Confirm(ctx context.Context, orderID int64) (Order, error) {
	return e.orderChange(ctx, orderID, vkpay.OrderChargeable)
}

// Cancel does what VK does when the buyer closes the purchase window: the
// open order is cancelled and nothing is sent.
func (e *Emulator) Cancel(orderID int64) (Order, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.orders[orderID]
	if !ok {
		return Order{}, ErrNotFound
	}
	if o.State != OrderOpen {
		return *o, ErrState
	}
	o.State = OrderCancelled
	return *o, nil
}

// Refund refunds a charged order: order_status_change with status
// refunded, resent like Confirm.
func (e *Emulator) Refund(ctx context.Context, orderID int64) (Order, error) {
	return e.orderChange(ctx, orderID, vkpay.OrderRefunded)
}

// Buy is Open followed by Confirm.
func (e *Emulator) Buy(ctx context.Context, item string, userID int64) (Order, error) {
	o, err := e.Open(ctx, item, userID)
	if err != nil {
		return o, err
	}
	return e.Confirm(ctx, o.ID)
}

func (e *Emulator) orderChange(ctx context.Context, id int64, status vkpay.OrderStatus) (Order, error) {
	key := "o:" + strconv.FormatInt(id, 10)
	e.mu.Lock()
	o, ok := e.orders[id]
	switch {
	case !ok:
		e.mu.Unlock()
		return Order{}, ErrNotFound
	case e.busy[key],
		status == vkpay.OrderChargeable && o.State != OrderOpen,
		status == vkpay.OrderRefunded && o.State != OrderCharged:
		snap := *o
		e.mu.Unlock()
		return snap, ErrState
	}
	params := e.signer.OrderStatusChange(OrderParams{ID: o.ID, UserID: o.UserID, Item: o.Item, ItemID: o.ItemID,
		Title: o.Title, PhotoURL: o.PhotoURL, Price: o.Price, Discount: o.Discount, Date: o.Created}, status)
	o.Attempts = 0
	e.last[id] = params
	e.mu.Unlock()
	j := &job{key: key, params: params, apply: func(e *Emulator, res result) { e.applyOrder(id, status, res) }}
	err := e.deliver(ctx, j)
	snap, _ := e.Order(id)
	return snap, err
}

// applyOrder records the outcome of an order status change; e.mu is held.
func (e *Emulator) applyOrder(id int64, status vkpay.OrderStatus, res result) {
	o := e.orders[id]
	o.Attempts++
	o.LastError = res.msg
	if res.outcome == outcomeOK {
		var r struct {
			OrderID    int64 `json:"order_id"`
			AppOrderID int64 `json:"app_order_id"`
		}
		if err := json.Unmarshal(res.response, &r); err != nil || r.OrderID != id {
			res = result{outcome: outcomeRetry, msg: "answer does not echo order_id"}
			o.LastError = res.msg
		} else {
			o.AppOrderID = r.AppOrderID
		}
	}
	refund := status == vkpay.OrderRefunded
	switch res.outcome {
	case outcomeOK:
		o.State = OrderCharged
		if refund {
			o.State = OrderRefunded
		}
	case outcomeCritical:
		o.State = OrderDeclined
		if refund {
			// The refund happened at VK whatever the merchant says.
			o.State = OrderRefunded
		}
	case outcomeRetry:
		o.State = OrderPending
		if refund {
			o.State = OrderRefundPending
		}
	case outcomeGiveUp:
		o.State = OrderFailed
	}
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

// Resend sends the last status change of an order or subscription
// (order_status_change or subscription_status_change) once more, at once
// and with exactly the same signed parameters, as a duplicate delivery
// from VK would be, and returns the merchant's answer. It is not resent on
// failure and changes no state; the attempt is recorded in Deliveries.
// id is an order's or a subscription's id. It fails with ErrNotFound,
// ErrState when no status change was sent yet, or ErrClosed; a merchant's
// refusal is not an error (see Delivery.Status and Delivery.Body).
func (e *Emulator) Resend(ctx context.Context, id int64) (Delivery, error) {
	e.mu.Lock()
	_, isOrder := e.orders[id]
	_, isSub := e.subs[id]
	params := e.last[id]
	e.mu.Unlock()
	switch {
	case !isOrder && !isSub:
		return Delivery{}, ErrNotFound
	case params == nil:
		return Delivery{}, ErrState
	case e.ctx.Err() != nil:
		return Delivery{}, ErrClosed
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(e.ctx, cancel)
	defer stop()
	d, _ := e.sendRecord(ctx, params)
	return d, nil
}

// deliver sends j now and queues resends while the answer is missing or
// temporary. It returns an error matching ErrDeclined on a critical error.
func (e *Emulator) deliver(ctx context.Context, j *job) error {
	e.mu.Lock()
	if e.ctx.Err() != nil {
		e.mu.Unlock()
		return ErrClosed
	}
	e.busy[j.key] = true
	e.mu.Unlock()
	res := e.send(ctx, j.params)
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.settle(j, res)
}

// settle applies res to j's object and queues a resend when needed; e.mu
// is held.
func (e *Emulator) settle(j *job, res result) error {
	if res.outcome == outcomeRetry {
		if j.attempt >= len(e.opts.RetrySchedule) || e.ctx.Err() != nil {
			res.outcome = outcomeGiveUp
		} else {
			j.due = e.opts.Now().Add(e.opts.RetrySchedule[j.attempt])
			j.attempt++
			j.apply(e, res)
			e.queue = append(e.queue, j)
			select {
			case e.wake <- struct{}{}:
			default:
			}
			return nil
		}
	}
	j.apply(e, res)
	delete(e.busy, j.key)
	e.idle.Broadcast()
	if res.outcome == outcomeCritical {
		return fmt.Errorf("%w: %s", ErrDeclined, res.msg)
	}
	return nil
}

// resendLoop is the emulator's only background goroutine: it resends due
// jobs one at a time until Close.
func (e *Emulator) resendLoop() {
	defer e.wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		e.mu.Lock()
		var next *job
		idx := -1
		for i, j := range e.queue {
			if next == nil || j.due.Before(next.due) {
				next, idx = j, i
			}
		}
		wait := time.Hour
		if next != nil {
			wait = next.due.Sub(e.opts.Now())
		}
		if next != nil && wait <= 0 {
			e.queue = append(e.queue[:idx], e.queue[idx+1:]...)
			e.mu.Unlock()
			res := e.send(e.ctx, next.params)
			e.mu.Lock()
			_ = e.settle(next, res)
			e.mu.Unlock()
			continue
		}
		e.mu.Unlock()
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(wait)
		select {
		case <-e.ctx.Done():
			return
		case <-e.wake:
		case <-timer.C:
		}
	}
}

type outcome int

const (
	outcomeOK outcome = iota
	outcomeCritical
	outcomeRetry
	outcomeGiveUp
)

type result struct {
	outcome  outcome
	response json.RawMessage
	msg      string
}

// send posts params to the merchant and classifies the answer as VK does:
// {"response":…} is success, a critical error is final, anything else —
// no answer, a timeout, an HTTP error, a non-critical error, garbage — is
// retried.
func (e *Emulator) send(ctx context.Context, params url.Values) result {
	_, res := e.sendRecord(ctx, params)
	return res
}

// sendRecord is send returning the recorded delivery too.
func (e *Emulator) sendRecord(ctx context.Context, params url.Values) (Delivery, result) {
	e.mu.Lock()
	target := e.opts.NotifyURL
	e.mu.Unlock()
	d := Delivery{Type: params.Get("notification_type"), Params: params, At: e.opts.Now()}
	res := e.post(ctx, target, params, &d)
	if res.outcome != outcomeOK && d.Err == "" {
		d.Err = res.msg
	}
	e.mu.Lock()
	e.deliveries = append(e.deliveries, d)
	e.mu.Unlock()
	return d, res
}

func (e *Emulator) post(ctx context.Context, target string, params url.Values, d *Delivery) result {
	if target == "" {
		return result{outcome: outcomeRetry, msg: "no NotifyURL configured"}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(params.Encode()))
	if err != nil {
		return result{outcome: outcomeRetry, msg: err.Error()}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := e.client.Do(req)
	if err != nil {
		d.Err = err.Error()
		return result{outcome: outcomeRetry, msg: "no answer: " + err.Error()}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	d.Status, d.Body = resp.StatusCode, string(body)
	return classify(resp.StatusCode, body)
}

func classify(status int, body []byte) result {
	if status != http.StatusOK {
		return result{outcome: outcomeRetry, msg: "HTTP " + strconv.Itoa(status)}
	}
	var env struct {
		Response json.RawMessage `json:"response"`
		Error    *struct {
			Code     int    `json:"error_code"`
			Msg      string `json:"error_msg"`
			Critical bool   `json:"critical"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return result{outcome: outcomeRetry, msg: "answer is not JSON"}
	}
	switch {
	case env.Error != nil:
		msg := fmt.Sprintf("error %d: %s", env.Error.Code, env.Error.Msg)
		if env.Error.Critical {
			return result{outcome: outcomeCritical, msg: msg}
		}
		return result{outcome: outcomeRetry, msg: msg}
	case len(env.Response) == 0 || string(env.Response) == "null":
		return result{outcome: outcomeRetry, msg: "answer has neither response nor error"}
	}
	return result{outcome: outcomeOK, response: env.Response}
}
