package vkpaytest

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/paykit-go/paykit/internal/emulator"
	"github.com/paykit-go/paykit/vkpay"
)

// DefaultRetrySchedule returns the delays between attempts to deliver a
// status change whose answer was missing or temporary, each counted from
// the previous attempt: 5 s, 30 s, 1 min, 5 min and 15 min. VK does not
// publish its schedule [unsure]; this is the emulator's stand-in for it.
func DefaultRetrySchedule() []time.Duration {
	return []time.Duration{5 * time.Second, 30 * time.Second, time.Minute, 5 * time.Minute, 15 * time.Minute}
}

// Errors of the emulator's Go API. ErrNotFound, ErrState and ErrClosed are
// the same values in every kit.
var (
	// ErrNotFound: no order, subscription or delivery has this id.
	ErrNotFound = emulator.ErrNotFound
	// ErrState: the order's state does not allow the action.
	ErrState = emulator.ErrState
	// ErrClosed: the emulator was closed.
	ErrClosed = emulator.ErrClosed
	// ErrDeclined: the merchant refused (a critical error).
	ErrDeclined = errors.New("vkpaytest: the merchant refused")
	// ErrBadAnswer: the merchant's get_item answer is not valid.
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
	// DropCallbacks records status changes without sending them, as if
	// VK's notifications never reached the merchant: the order moves as
	// at VK (paid, refunded) while the merchant hears nothing. get_item
	// is still asked, and Resend still sends.
	DropCallbacks bool
	// MaxOrders bounds the orders and subscriptions kept, each; the
	// oldest is forgotten first. 0 means 10,000.
	MaxOrders int
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
	// Now is the clock of order dates; nil means time.Now.
	Now func() time.Time
	// AccessToken is the service access token the emulated payments API
	// (see api.go) accepts; "" refuses every API call (error 5).
	AccessToken string
}

// Emulator emulates VK's payments flow against a merchant's notification
// URL. It is an http.Handler serving clickable pages under Options.Prefix
// and has a Go API for tests. Close stops its resends.
type Emulator struct {
	opts   Options
	signer Signer
	prefix string
	engine *emulator.Engine
	orders *emulator.Book[int64, Order]
	subs   *emulator.Book[int64, Subscription]

	mu     sync.Mutex
	nextID int64
	notify string
}

// New validates opts and returns an Emulator, with its resend goroutines
// running, to mount at Options.Prefix. Invalid options are an error.
// Close it when done.
func New(opts Options) (*Emulator, error) {
	opts, err := opts.normalise()
	if err != nil {
		return nil, err
	}
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: vkpay.ReplyTimeout}
	}
	return &Emulator{
		opts:   opts,
		signer: Signer{AppID: opts.AppID, Secret: opts.Secret, Version: opts.Version, Test: opts.Test},
		prefix: opts.Prefix,
		engine: emulator.New(emulator.Config{Client: client, Schedule: opts.RetrySchedule, Judge: judge,
			Drop: opts.DropCallbacks, Now: opts.Now}),
		orders: emulator.NewBook[int64, Order](opts.MaxOrders),
		subs:   emulator.NewBook[int64, Subscription](opts.MaxOrders),
		nextID: 1000,
		notify: opts.NotifyURL,
	}, nil
}

// normalise checks opts and fills in the defaults.
func (opts Options) normalise() (Options, error) {
	if opts.AppID <= 0 || opts.Secret == "" {
		return opts, errors.New("vkpaytest: AppID and Secret are required")
	}
	if opts.NotifyURL != "" {
		if err := checkURL(opts.NotifyURL); err != nil {
			return opts, err
		}
	}
	opts.Prefix = emulator.Prefix(opts.Prefix)
	if opts.BaseURL != "" && !httpURL(opts.BaseURL) {
		return opts, errors.New("vkpaytest: BaseURL must be an absolute http(s) URL")
	}
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	for _, d := range opts.RetrySchedule {
		if d < 0 {
			return opts, errors.New("vkpaytest: negative delay in RetrySchedule")
		}
	}
	if opts.RetrySchedule == nil {
		opts.RetrySchedule = DefaultRetrySchedule()
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
	return opts, nil
}

// httpURL reports whether s is an absolute http(s) URL.
func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func checkURL(s string) error {
	if !httpURL(s) {
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
	e.notify = u
	e.mu.Unlock()
	return nil
}

func (e *Emulator) notifyURL() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.notify
}

// newID issues the next order, subscription or request id.
func (e *Emulator) newID() int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.nextID++
	return e.nextID
}

// Close stops resending and waits for the emulator's goroutines. Pending
// resends are abandoned.
func (e *Emulator) Close() { e.engine.Close() }

// Wait returns when no status change is being delivered or waiting for a
// resend ("quiet"), or with ctx's error.
func (e *Emulator) Wait(ctx context.Context) error { return e.engine.Wait(ctx) }

// Deliveries returns every notification sent so far (get_item and
// get_subscription included), oldest first; the newest 10,000 are kept.
func (e *Emulator) Deliveries() []Delivery { return e.engine.Deliveries() }

// Resend sends a recorded delivery once more, at once and with exactly the
// same signed parameters, as a duplicate delivery from VK would be, and
// returns the merchant's answer. It is not resent on failure and changes
// no state. Errors: ErrNotFound for an unknown delivery id, ErrClosed; a
// merchant's refusal is not an error (see Delivery.Outcome).
func (e *Emulator) Resend(ctx context.Context, deliveryID string) (Delivery, error) {
	return e.engine.Resend(ctx, deliveryID)
}

// message is a signed notification for the engine.
func (e *Emulator) message(id int64, params url.Values) emulator.Message {
	event := params.Get("notification_type")
	if s := params.Get("status"); s != "" {
		event += ":" + s
	}
	return emulator.Message{
		OrderID: strconv.FormatInt(id, 10), Event: event, URL: e.notifyURL(),
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		Body:   []byte(params.Encode()),
	}
}
