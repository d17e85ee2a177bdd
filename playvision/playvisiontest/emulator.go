package playvisiontest

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/paykit-go/paykit/internal/emulator"
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
	// DropCallbacks records order_status_change without sending it, as
	// if the platform's notification never reached the app: the order is
	// paid at Playvision while the app hears nothing. get_item is still
	// asked, and Resend still sends.
	DropCallbacks bool
	// MaxOrders bounds the orders kept; the oldest is forgotten first. 0
	// means 10,000.
	MaxOrders int
	// FirstTransactionID is the first transaction_id issued; 0 means 1001.
	FirstTransactionID int64
	// Now is the clock for "time"; nil means time.Now.
	Now func() time.Time
}

// Emulator emulates Playvision's purchase dialog, its notifications and the
// secure.* server API methods. It is an http.Handler to mount under
// Options.Prefix; [NewServer] runs one on a loopback port. Its methods are
// safe for concurrent use. Call Close to stop resends.
type Emulator struct {
	opts   Options
	signer Signer
	now    func() time.Time
	engine *emulator.Engine
	orders *emulator.Book[int64, Order]

	mu     sync.Mutex
	nextID int64
	levels map[int64]int64
	info   map[int64]map[string]string
}

// Errors of the emulator's Go API. ErrNotFound, ErrState and ErrClosed are
// the same values in every kit.
var (
	// ErrNotFound: no order or delivery has this id.
	ErrNotFound = emulator.ErrNotFound
	// ErrState: the order's state does not allow the action (paying twice,
	// canceling a paid order, …).
	ErrState = emulator.ErrState
	// ErrClosed: the emulator was closed.
	ErrClosed = emulator.ErrClosed
	// ErrToken is returned when payment.window is called with a token
	// the emulator did not issue to the user.
	ErrToken = errors.New("playvisiontest: invalid user token")
)

// New returns an Emulator to mount at Options.Prefix; see [Options] for
// what is required. Invalid options are an error. Close it when done.
func New(opts Options) (*Emulator, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	opts.Prefix = emulator.Prefix(opts.Prefix)
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if opts.RetrySchedule == nil {
		opts.RetrySchedule = DefaultRetrySchedule()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.FirstTransactionID <= 0 {
		opts.FirstTransactionID = 1001
	}
	return &Emulator{
		opts:   opts,
		signer: Signer{Secret: opts.Secret},
		now:    opts.Now,
		engine: emulator.New(emulator.Config{Client: opts.HTTPClient, Schedule: opts.RetrySchedule,
			Judge: judge, Drop: opts.DropCallbacks, Now: opts.Now}),
		orders: emulator.NewBook[int64, Order](opts.MaxOrders),
		nextID: opts.FirstTransactionID,
		levels: make(map[int64]int64),
		info:   make(map[int64]map[string]string),
	}, nil
}

// validate refuses options New cannot work with.
func (opts Options) validate() error {
	if opts.AppID <= 0 || opts.Secret == "" {
		return errors.New("playvisiontest: AppID and Secret are required")
	}
	if !httpURL(opts.CallbackURL) {
		return errors.New("playvisiontest: CallbackURL must be an absolute http(s) URL")
	}
	if opts.BaseURL != "" && !httpURL(opts.BaseURL) {
		return errors.New("playvisiontest: BaseURL must be an absolute http(s) URL")
	}
	if opts.ReturnURL != "" && !httpURL(opts.ReturnURL) {
		return errors.New("playvisiontest: ReturnURL must be an absolute http(s) URL")
	}
	if opts.AppURL != "" && !httpURL(opts.AppURL) {
		return errors.New("playvisiontest: AppURL must be an absolute http(s) URL")
	}
	for _, d := range opts.RetrySchedule {
		if d < 0 {
			return errors.New("playvisiontest: negative delay in RetrySchedule")
		}
	}
	return nil
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

// Close stops scheduled resends and waits for the emulator's goroutines.
// Orders being resent stay pending.
func (e *Emulator) Close() { e.engine.Close() }

// Token returns the user token the emulator issues to userID (in its
// launch parameters) and accepts on payment.window, for any user: it is
// derived from the app's secret, so the emulator remembers nothing per
// user.
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
