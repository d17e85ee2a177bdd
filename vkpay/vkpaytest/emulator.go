package vkpaytest

import (
	"context"
	"errors"
	"net/http"
	"net/url"
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
	opts, err := opts.normalise()
	if err != nil {
		return nil, err
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
			return opts, errors.New("vkpaytest: BaseURL must be an absolute http(s) URL")
		}
	}
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	for _, d := range opts.RetrySchedule {
		if d < 0 {
			return opts, errors.New("vkpaytest: negative delay in RetrySchedule")
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
	return opts, nil
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
