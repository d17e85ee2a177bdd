package playvisiontest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultRetrySchedule returns the emulator's delays between attempts to
// deliver an order_status_change that was not answered with status 1,
// each counted from the previous attempt: 30 s, 2 min, 10 min, 1 h.
// Playvision documents no retries [unsure]; the emulator resends so that
// merchants can see their handler's idempotency at work. Tests pass a
// shorter schedule.
func DefaultRetrySchedule() []time.Duration {
	return []time.Duration{30 * time.Second, 2 * time.Minute, 10 * time.Minute, time.Hour}
}

// DefaultMaxRetrying bounds how many orders are resent at once.
const DefaultMaxRetrying = 64

// Options configures an [Emulator].
type Options struct {
	// AppID and Secret are the application's id and secret key, shared
	// with the merchant's playvision.Config. Required.
	AppID  int64
	Secret string
	// CallbackURL is the app's "Payment link", where notifications are
	// POSTed. Required. The emulator talks to no other URL.
	CallbackURL string
	// AppURL, optional, is the app's iframe URL: the index page then links
	// to it with signed launch parameters.
	AppURL string
	// Test makes the emulator send get_item_test and
	// order_status_change_test, as for an app not yet verified.
	Test bool
	// SID is sent as sid in order_status_change; "" sends "0" (a single
	// server).
	SID string
	// Extra parameters are added, signed, to every order_status_change,
	// e.g. url.Values{"bonus": {"0"}} as the first version of the docs
	// described.
	Extra url.Values
	// ReturnURL, optional, is where the buyer goes back to after Pay or
	// Cancel in the purchase dialog: the order page then links to it, with
	// status=done or status=canceled added. A return_url parameter of
	// payment.window overrides it for one order. Playvision's real dialog
	// closes inside the game instead; this is the emulator's stand-in for
	// that. It must be an absolute http(s) URL.
	ReturnURL string
	// Prefix is the path the emulator is mounted at, e.g.
	// "/emulator/playvision/"; "" means "/". Mount it without
	// StripPrefix: mux.Handle(prefix, emulator). Requests outside it get
	// 404.
	Prefix string
	// BaseURL is the emulator's externally visible URL, prefix included,
	// without a trailing slash, e.g.
	// "http://localhost:8080/emulator/playvision". Merchants set it as
	// playvision.Config.BaseURL. NewServer fills it in.
	BaseURL string
	// HTTPClient sends notifications; nil means a client with a 10 s
	// timeout, Playvision's own limit.
	HTTPClient *http.Client
	// RetrySchedule is the delays between attempts to deliver an
	// order_status_change, each counted from the previous attempt; nil
	// means DefaultRetrySchedule(). After the last one the order is
	// failed.
	RetrySchedule []time.Duration
	// MaxRetrying bounds the orders being resent at once; 0 means
	// DefaultMaxRetrying. Beyond it an order is failed at once.
	MaxRetrying int
	// FirstTransactionID is the first transaction_id issued; 0 means 1001.
	FirstTransactionID int64
	// Now is the clock for "time"; nil means time.Now.
	Now func() time.Time
}

// State is an emulated order's state.
type State string

// The states of an emulated order.
const (
	// StateOpen: the dialog shows the item; the buyer has not confirmed.
	StateOpen State = "open"
	// StateDelivering: confirmed; order_status_change not yet answered
	// with status 1, resends are scheduled.
	StateDelivering State = "delivering"
	// StateDelivered: the app answered status 1.
	StateDelivered State = "delivered"
	// StateFailed: resends exhausted (or could not be scheduled).
	StateFailed State = "failed"
	// StateCanceled: the buyer closed the dialog.
	StateCanceled State = "canceled"
)

// Order is an emulated purchase.
type Order struct {
	TransactionID int64
	UserID        int64
	// Item is what payment.window was called with.
	Item string
	// ItemID, Title, PhotoURL and Price are the app's get_item answer.
	ItemID, Title, PhotoURL string
	Price                   int64
	Test                    bool
	State                   State
	Created                 time.Time
	// Attempts counts order_status_change deliveries.
	Attempts int
	// LastReply is the app's last answer body (at most 1 KiB), LastError
	// what was wrong with it ("" when it was status 1).
	LastReply, LastError string
	// Time is the "time" sent in order_status_change.
	Time time.Time
	// ReturnURL is where the dialog sends the buyer back to
	// (Options.ReturnURL or payment.window's return_url); "" for none.
	ReturnURL string
}

// Delivery is the outcome of sending one notification.
type Delivery struct {
	// HTTPStatus is the app's status code, 0 when the request failed.
	HTTPStatus int
	// Body is the app's answer, at most 64 KiB.
	Body []byte
	// OK is true when the answer had status 1.
	OK bool
	// Err says why the delivery is not OK.
	Err error
}

// Emulator emulates Playvision's purchase dialog, its notifications and the
// secure.* server API methods. It is an http.Handler to mount under
// Options.Prefix; [NewServer] runs one on a loopback port. Its methods are
// safe for concurrent use. Call Close to stop resends.
type Emulator struct {
	opts     Options
	signer   Signer
	client   *http.Client
	schedule []time.Duration
	now      func() time.Time

	ctx    context.Context // ends on Close
	cancel context.CancelFunc
	wg     sync.WaitGroup
	slots  chan struct{} // one per order being resent

	mu      sync.Mutex
	closed  bool
	nextID  int64
	orders  map[int64]*Order
	order   []int64 // transaction ids in creation order
	changed chan struct{}
	levels  map[int64]int64
	info    map[int64]map[string]string
}

// Errors of the emulator's Go API.
var (
	// ErrNotFound is returned for a transaction id the emulator never
	// issued.
	ErrNotFound = errors.New("playvisiontest: no such order")
	// ErrState is returned when the order's state does not allow the
	// action (confirming twice, resending an open order, …).
	ErrState = errors.New("playvisiontest: order state does not allow this")
	// ErrToken is returned when payment.window is called with a token
	// that is not the user's.
	ErrToken = errors.New("playvisiontest: invalid user token")
)

// New returns an Emulator to mount at Options.Prefix; see [Options] for
// what is required. Invalid options are an error. Close it when done.
func New(opts Options) (*Emulator, error) {
	if opts.AppID <= 0 || opts.Secret == "" {
		return nil, errors.New("playvisiontest: AppID and Secret are required")
	}
	if !httpURL(opts.CallbackURL) {
		return nil, errors.New("playvisiontest: CallbackURL must be an absolute http(s) URL")
	}
	if opts.BaseURL != "" && !httpURL(opts.BaseURL) {
		return nil, errors.New("playvisiontest: BaseURL must be an absolute http(s) URL")
	}
	if opts.ReturnURL != "" && !httpURL(opts.ReturnURL) {
		return nil, errors.New("playvisiontest: ReturnURL must be an absolute http(s) URL")
	}
	if opts.AppURL != "" && !httpURL(opts.AppURL) {
		return nil, errors.New("playvisiontest: AppURL must be an absolute http(s) URL")
	}
	for _, d := range opts.RetrySchedule {
		if d < 0 {
			return nil, errors.New("playvisiontest: negative delay in RetrySchedule")
		}
	}
	opts.Prefix = "/" + strings.Trim(opts.Prefix, "/") + "/"
	if opts.Prefix == "//" {
		opts.Prefix = "/"
	}
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	e := &Emulator{
		opts:     opts,
		signer:   Signer{Secret: opts.Secret},
		client:   opts.HTTPClient,
		schedule: append([]time.Duration(nil), opts.RetrySchedule...),
		now:      opts.Now,
		nextID:   opts.FirstTransactionID,
		orders:   make(map[int64]*Order),
		changed:  make(chan struct{}),
		levels:   make(map[int64]int64),
		info:     make(map[int64]map[string]string),
	}
	if e.client == nil {
		e.client = &http.Client{Timeout: 10 * time.Second}
	}
	if opts.RetrySchedule == nil {
		e.schedule = DefaultRetrySchedule()
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.nextID <= 0 {
		e.nextID = 1001
	}
	n := opts.MaxRetrying
	if n <= 0 {
		n = DefaultMaxRetrying
	}
	e.slots = make(chan struct{}, n)
	e.ctx, e.cancel = context.WithCancel(context.Background())
	return e, nil
}

// URL returns the emulator's externally visible base URL, prefix included
// and without a trailing slash (Options.BaseURL; NewServer sets it): the
// base for playvision.Config.BaseURL.
func (e *Emulator) URL() string { return e.opts.BaseURL }

// httpURL reports whether s is an absolute http(s) URL.
func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// Close stops scheduled resends and waits for them to end. Orders being
// resent stay in StateDelivering.
func (e *Emulator) Close() {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	e.cancel()
	e.wg.Wait()
}

// Token returns the user token the emulator issues to userID and expects
// on payment.window.
func (e *Emulator) Token(userID int64) string {
	return hexMD5("token_" + strconv.FormatInt(userID, 10) + "_" + e.opts.Secret)[:16]
}

// LaunchQuery returns the launch parameters the emulator would append to
// the app's iframe URL for userID, auth_key and token included.
func (e *Emulator) LaunchQuery(userID int64) url.Values {
	return e.signer.LaunchQuery(Launch{
		AppID: e.opts.AppID, ViewerID: userID,
		Nickname: "player" + strconv.FormatInt(userID, 10), Token: e.Token(userID),
	})
}

// OpenWindow does what the payment.window call does: it checks the token,
// asks the app with get_item and, when the app answers with an item,
// opens an order the buyer can confirm. An app that refuses or answers
// badly gives an error describing the answer.
func (e *Emulator) OpenWindow(ctx context.Context, userID int64, item, token string) (Order, error) {
	if userID <= 0 {
		return Order{}, errors.New("playvisiontest: user_id must be positive")
	}
	if item == "" || len([]rune(item)) > 64 {
		return Order{}, errors.New("playvisiontest: item must have 1 to 64 characters")
	}
	if token != e.Token(userID) {
		return Order{}, ErrToken
	}
	params := GetItem{AppID: e.opts.AppID, UserID: userID, Item: item, Test: e.opts.Test}.Params()
	d := e.send(ctx, params)
	if d.Err != nil {
		return Order{}, d.Err
	}
	ans, err := parseItem(d.Body)
	if err != nil {
		return Order{}, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	o := &Order{
		TransactionID: e.nextID, UserID: userID, Item: item,
		ItemID: ans.id, Title: ans.title, PhotoURL: ans.photo, Price: ans.price,
		Test: e.opts.Test, State: StateOpen, Created: e.now(), ReturnURL: e.opts.ReturnURL,
	}
	e.nextID++
	e.orders[o.TransactionID] = o
	e.order = append(e.order, o.TransactionID)
	e.notifyLocked()
	return *o, nil
}

// Confirm is the buyer pressing "Pay": it sends order_status_change once
// and, unless the app answered status 1, schedules resends. It returns the
// order after the first delivery.
func (e *Emulator) Confirm(ctx context.Context, id int64) (Order, error) {
	e.mu.Lock()
	o, ok := e.orders[id]
	switch {
	case !ok:
		e.mu.Unlock()
		return Order{}, ErrNotFound
	case o.State != StateOpen:
		e.mu.Unlock()
		return *o, ErrState
	}
	o.State = StateDelivering
	o.Time = e.now()
	e.notifyLocked()
	e.mu.Unlock()

	if d := e.deliver(ctx, id); !d.OK {
		e.scheduleResends(id)
	}
	o2, _ := e.Order(id)
	return o2, nil
}

// Cancel is the buyer closing the dialog of an open order.
func (e *Emulator) Cancel(id int64) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.orders[id]
	if !ok {
		return ErrNotFound
	}
	if o.State != StateOpen {
		return ErrState
	}
	o.State = StateCanceled
	e.notifyLocked()
	return nil
}

// Resend sends the order_status_change of a confirmed order once more, at
// once and with the same signed parameters, as a platform retry or
// duplicate would, and returns the app's answer. A delivered order stays
// delivered whatever the answer. It fails with ErrNotFound, or ErrState
// for an open or canceled order.
func (e *Emulator) Resend(ctx context.Context, id int64) (Delivery, error) {
	e.mu.Lock()
	o, ok := e.orders[id]
	var st State
	if ok {
		st = o.State
	}
	e.mu.Unlock()
	switch {
	case !ok:
		return Delivery{}, ErrNotFound
	case st == StateOpen || st == StateCanceled:
		return Delivery{}, ErrState
	}
	return e.deliver(ctx, id), nil
}

// Order returns a copy of the order with transaction id id.
func (e *Emulator) Order(id int64) (Order, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.orders[id]
	if !ok {
		return Order{}, false
	}
	return *o, true
}

// Orders returns copies of all orders, oldest first.
func (e *Emulator) Orders() []Order {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Order, 0, len(e.order))
	for _, id := range e.order {
		out = append(out, *e.orders[id])
	}
	return out
}

// Wait blocks until the order is delivered, failed or canceled, or ctx
// ends, and returns it.
func (e *Emulator) Wait(ctx context.Context, id int64) (Order, error) {
	for {
		e.mu.Lock()
		o, ok := e.orders[id]
		if !ok {
			e.mu.Unlock()
			return Order{}, ErrNotFound
		}
		cp, ch := *o, e.changed
		e.mu.Unlock()
		if cp.State == StateDelivered || cp.State == StateFailed || cp.State == StateCanceled {
			return cp, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return cp, ctx.Err()
		}
	}
}

// UserLevel returns the level last set with secure.setUserLevel.
func (e *Emulator) UserLevel(userID int64) (int64, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	l, ok := e.levels[userID]
	return l, ok
}

// UserInfo returns the attribute last set with secure.setUserInfo.
func (e *Emulator) UserInfo(userID int64, attribute string) (string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	v, ok := e.info[userID][attribute]
	return v, ok
}

// notifyLocked wakes every Wait.
func (e *Emulator) notifyLocked() {
	close(e.changed)
	e.changed = make(chan struct{})
}

// deliver sends the order's order_status_change once and records the
// outcome.
func (e *Emulator) deliver(ctx context.Context, id int64) Delivery {
	e.mu.Lock()
	o := e.orders[id]
	params := OrderStatusChange{
		UserID: o.UserID, SID: e.opts.SID, TransactionID: o.TransactionID,
		Sum: o.Price, ItemID: o.ItemID, Time: o.Time, Test: o.Test, Extra: e.opts.Extra,
	}.Params()
	e.mu.Unlock()

	d := e.send(ctx, params)
	if d.Err == nil {
		d.Err = parseStatus(d.Body)
	}
	d.OK = d.Err == nil

	e.mu.Lock()
	defer e.mu.Unlock()
	o.Attempts++
	o.LastReply = string(d.Body[:min(len(d.Body), 1024)])
	o.LastError = ""
	if d.Err != nil {
		o.LastError = d.Err.Error()
	}
	if d.OK && (o.State == StateDelivering || o.State == StateFailed) {
		o.State = StateDelivered
	}
	e.notifyLocked()
	return d
}

// scheduleResends starts the order's resend loop, or fails the order when
// too many are running.
func (e *Emulator) scheduleResends(id int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return
	}
	select {
	case e.slots <- struct{}{}:
	default:
		if o := e.orders[id]; o.State == StateDelivering {
			o.State, o.LastError = StateFailed, "too many orders being resent"
			e.notifyLocked()
		}
		return
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer func() { <-e.slots }()
		for _, delay := range e.schedule {
			t := time.NewTimer(delay)
			select {
			case <-e.ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			if o, _ := e.Order(id); o.State != StateDelivering {
				return // delivered by a manual resend meanwhile
			}
			if e.deliver(e.ctx, id).OK {
				return
			}
		}
		if e.ctx.Err() == nil {
			e.setState(id, StateFailed)
		}
	}()
}

func (e *Emulator) setState(id int64, s State) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if o := e.orders[id]; o != nil && o.State == StateDelivering {
		o.State = s
		e.notifyLocked()
	}
}

// maxAnswer caps an app's answer read by the emulator.
const maxAnswer = 64 << 10

// send POSTs a signed notification to the callback URL.
func (e *Emulator) send(ctx context.Context, params url.Values) Delivery {
	body := e.signer.Body(params)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.opts.CallbackURL, strings.NewReader(body))
	if err != nil {
		return Delivery{Err: fmt.Errorf("playvisiontest: %w", err)}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
	resp, err := e.client.Do(req)
	if err != nil {
		return Delivery{Err: fmt.Errorf("playvisiontest: notification not delivered: %w", err)}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	d := Delivery{HTTPStatus: resp.StatusCode, Body: b}
	if err != nil {
		d.Err = fmt.Errorf("playvisiontest: reading answer: %w", err)
	}
	return d
}

type itemAnswer struct {
	id, title, photo string
	price            int64
}

// parseItem reads a get_item answer. Values may be strings (as the docs
// show) or numbers (as their first version did).
func parseItem(body []byte) (itemAnswer, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return itemAnswer{}, fmt.Errorf("playvisiontest: get_item answer is not a JSON object: %q", clip(body))
	}
	if _, ok := m["status"]; ok {
		if _, hasItem := m["item_id"]; !hasItem {
			return itemAnswer{}, fmt.Errorf("playvisiontest: app refused get_item: %s", clip(body))
		}
	}
	var a itemAnswer
	var errs []string
	a.id = jsonText(m["item_id"])
	a.title = jsonText(m["item_title"])
	a.photo = jsonText(m["item_photo_url"])
	if a.id == "" {
		errs = append(errs, "item_id missing")
	}
	if a.title == "" {
		errs = append(errs, "item_title missing")
	}
	p, err := strconv.ParseInt(jsonText(m["item_price"]), 10, 64)
	if err != nil || p < 1 {
		errs = append(errs, "item_price is not a positive integer")
	}
	a.price = p
	if len(errs) > 0 {
		return itemAnswer{}, fmt.Errorf("playvisiontest: bad get_item answer (%s): %s", strings.Join(errs, ", "), clip(body))
	}
	return a, nil
}

// parseStatus reads an order_status_change answer: OK only for status 1
// (string or number).
func parseStatus(body []byte) error {
	var r struct {
		Status  json.RawMessage `json:"status"`
		Message string          `json:"message"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return fmt.Errorf("playvisiontest: answer is not JSON: %q", clip(body))
	}
	if s := jsonText(r.Status); s != "1" {
		return fmt.Errorf("playvisiontest: answer status %q: %s", s, r.Message)
	}
	return nil
}

// jsonText returns a JSON string's text or a number's digits; "" for
// anything else.
func jsonText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		return ""
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

func clip(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}

// Server is an Emulator running on a loopback port, like httptest.Server.
type Server struct {
	*Emulator
	// URL is the emulator's base URL, prefix included, no trailing slash:
	// the playvision.Config.BaseURL to use.
	URL string
	ts  *httptest.Server
}

// NewServer starts an Emulator on a loopback port, like
// httptest.NewServer. Options.Prefix is honoured; Options.BaseURL is set
// to the server's URL plus prefix. Invalid options are an error. Close it
// when done.
func NewServer(opts Options) (*Server, error) {
	ts := httptest.NewUnstartedServer(nil)
	opts.BaseURL = "http://" + ts.Listener.Addr().String() + "/" + strings.Trim(opts.Prefix, "/")
	e, err := New(opts)
	if err != nil {
		ts.Close()
		return nil, err
	}
	ts.Config.Handler = e
	ts.Start()
	return &Server{Emulator: e, URL: e.URL(), ts: ts}, nil
}

// Close stops resends and waits for them, then shuts the server down.
func (s *Server) Close() {
	s.Emulator.Close()
	s.ts.Close()
}
