package merchanttest

import (
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/paykit-go/paykit/internal/emulator"
	"github.com/paykit-go/paykit/vkpay/merchant"
)

// DefaultRetrySchedule returns the delays between attempts to deliver an
// unacknowledged notification, each counted from the previous attempt:
// 1 min, 5 min, 15 min, 1 h, 6 h. VK Pay publishes no schedule [unsure].
func DefaultRetrySchedule() []time.Duration {
	return []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 6 * time.Hour}
}

// Errors of the emulator's Go API: the same values in every kit, and the
// form's refusal.
var (
	ErrNotFound = emulator.ErrNotFound
	ErrState    = emulator.ErrState
	ErrClosed   = emulator.ErrClosed
	// ErrForm: the pay form is not valid (a wrong sign or merchant_sign,
	// another merchant, a bad amount).
	ErrForm = errors.New("merchanttest: invalid pay form")
)

// State is an order's state, the same in every kit.
type State = emulator.State

// The states of a VK Pay order: open while the form is shown; paid,
// declined (rejected) or canceled (the payer closed the form); refunded.
const (
	StateOpen     = emulator.StateOpen
	StatePaid     = emulator.StatePaid
	StateDeclined = emulator.StateDeclined
	StateCanceled = emulator.StateCanceled
	StateRefunded = emulator.StateRefunded
)

// Delivery records one notification and the merchant's answer; the same
// shape in every kit. Its Request is the signed form body.
type Delivery = emulator.Delivery

// Options configures an [Emulator].
type Options struct {
	// MerchantID, AppSecret and MerchantKey are the merchant's: the
	// form's merchant_id, the app secure key of its sign, the key of its
	// merchant_sign and of the answers. Required.
	MerchantID  int64
	AppSecret   string
	MerchantKey string
	// Hash is the digest of merchant_sign and answer signatures, as
	// merchant.Config.Hash: crypto.SHA1 (0) or crypto.SHA256.
	Hash crypto.Hash
	// Signer signs notifications; nil generates a key (slow: share one).
	// The merchant's Config.PublicKeyPEM is Signer.PublicKeyPEM().
	Signer *Signer
	// NotifyURL receives the notifications; the only URL called.
	NotifyURL string
	// Prefix is the path the emulator is mounted at; "" means "/".
	Prefix string
	// BaseURL is the emulator's externally visible URL, prefix included;
	// NewServer sets it.
	BaseURL string
	// HTTPClient sends notifications; nil means a 10 s timeout.
	HTTPClient *http.Client
	// RetrySchedule is the delays between attempts; nil means
	// DefaultRetrySchedule().
	RetrySchedule []time.Duration
	// DropCallbacks records notifications without sending them; Resend
	// still sends.
	DropCallbacks bool
	// MaxOrders bounds the orders kept, oldest forgotten first; 0 means
	// 10,000.
	MaxOrders int
}

// Order is an emulated VK Pay payment.
type Order struct {
	// ID is the emulator's id of the form's payment.
	ID string
	// OrderID is the merchant's order_id (the notification's issuer_id).
	OrderID     string
	Amount      int64 // kopecks
	Currency    string
	Description string
	UserID      int64
	State       State
	// TransactionID is VK Pay's id of the payment; RefundID of its refund.
	TransactionID, RefundID string
	Created                 time.Time
}

// Emulator emulates VK Pay's pay form and merchant notifications. It is an
// http.Handler to mount under Options.Prefix; Close stops its resends.
type Emulator struct {
	opts   Options
	signer *Signer
	engine *emulator.Engine
	orders *emulator.Book[string, Order]

	mu     sync.Mutex
	nextID int
}

// New validates opts and returns an Emulator; Close it when done.
func New(opts Options) (*Emulator, error) {
	switch {
	case opts.MerchantID <= 0 || opts.AppSecret == "" || opts.MerchantKey == "":
		return nil, errors.New("merchanttest: MerchantID, AppSecret and MerchantKey are required")
	case opts.NotifyURL != "" && !httpURL(opts.NotifyURL), opts.BaseURL != "" && !httpURL(opts.BaseURL):
		return nil, errors.New("merchanttest: NotifyURL and BaseURL must be absolute http(s) URLs")
	}
	if opts.Hash == 0 {
		opts.Hash = crypto.SHA1
	}
	if opts.RetrySchedule == nil {
		opts.RetrySchedule = DefaultRetrySchedule()
	}
	signer := opts.Signer
	if signer == nil {
		var err error
		if signer, err = NewSigner(); err != nil {
			return nil, err
		}
	}
	opts.Prefix, opts.BaseURL = emulator.Prefix(opts.Prefix), strings.TrimRight(opts.BaseURL, "/")
	return &Emulator{opts: opts, signer: signer, nextID: 1000,
		engine: emulator.New(emulator.Config{Client: opts.HTTPClient, Schedule: opts.RetrySchedule,
			Judge: judgeAnswer(opts.MerchantKey, opts.Hash), Drop: opts.DropCallbacks}),
		orders: emulator.NewBook[string, Order](opts.MaxOrders),
	}, nil
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// URL returns the emulator's base URL (Options.BaseURL).
func (e *Emulator) URL() string { return e.opts.BaseURL }

// Signer returns the signer of the notifications.
func (e *Emulator) Signer() *Signer { return e.signer }

// Close stops the resends and waits for the emulator's goroutines.
func (e *Emulator) Close() { e.engine.Close() }

// Open checks a pay form as VK Pay does when the mini app calls
// VKWebAppOpenPayForm (action pay-to-service): this merchant, a valid app
// sign and merchant_sign, an amount of at least 1 ₽. It returns the open
// order the payer sees; a refusal matches [ErrForm].
func (e *Emulator) Open(_ context.Context, form *merchant.PayForm) (Order, error) {
	p := form.Params
	switch {
	case form.Action != merchant.ActionPayToService || p == nil:
		return Order{}, fmt.Errorf("%w: action must be %s", ErrForm, merchant.ActionPayToService)
	case p.MerchantID != e.opts.MerchantID:
		return Order{}, fmt.Errorf("%w: merchant_id %d is not this merchant", ErrForm, p.MerchantID)
	case !equal(p.Sign, merchant.AppSign(p.Canonical(), e.opts.AppSecret)):
		return Order{}, fmt.Errorf("%w: wrong sign", ErrForm)
	case !equal(p.Data.MerchantSign, merchant.MerchantSign(p.Data.MerchantData, e.opts.MerchantKey, e.opts.Hash)):
		return Order{}, fmt.Errorf("%w: wrong merchant_sign", ErrForm)
	case p.Amount < merchant.MinAmount || p.Data.OrderID == "":
		return Order{}, fmt.Errorf("%w: amount under 1 ₽ or no order_id", ErrForm)
	}
	e.mu.Lock()
	e.nextID++
	id := strconv.Itoa(e.nextID)
	e.mu.Unlock()
	o := Order{ID: id, OrderID: p.Data.OrderID, Amount: p.Amount, Currency: "RUB", Description: p.Description,
		UserID: p.UserID, State: StateOpen, Created: time.Now()}
	e.orders.Add(id, o)
	return o, nil
}

func equal(a, b string) bool { return strings.EqualFold(a, b) && a != "" }

// Pay is the payer paying: a paid transaction, notified to NotifyURL and
// resent until the merchant acknowledges. It returns the order after the
// first attempt.
func (e *Emulator) Pay(ctx context.Context, id string) (Order, error) {
	return e.settle(ctx, id, StatePaid, merchant.StatusPaid, "")
}

// Decline is the payer's card refused: a rejected transaction is notified
// (decline_reason NOT_ENOUGH_MONEY).
func (e *Emulator) Decline(ctx context.Context, id string) (Order, error) {
	return e.settle(ctx, id, StateDeclined, merchant.StatusRejected, "NOT_ENOUGH_MONEY")
}

func (e *Emulator) settle(ctx context.Context, id string, to State, status merchant.Status, reason string) (Order, error) {
	tx := newTransactionID()
	o, err := e.orders.Update(id, func(o *Order) error {
		if o.State != StateOpen {
			return fmt.Errorf("%w: the order is %s", ErrState, o.State)
		}
		o.State, o.TransactionID = to, tx
		return nil
	})
	if err != nil {
		return o, err
	}
	return o, e.notify(ctx, o, Notification{TransactionID: tx, Status: status, DeclineReason: reason})
}

// Cancel is the payer closing the form: nothing is sent.
func (e *Emulator) Cancel(_ context.Context, id string) (Order, error) {
	return emulator.Advance(e.orders, id, func(o *Order) *State { return &o.State }, StateOpen, StateCanceled)
}

// Refund refunds a paid order in full: a refund transaction (refund_for the
// payment) is notified like a payment.
func (e *Emulator) Refund(ctx context.Context, id string) (Order, error) {
	tx := newTransactionID()
	o, err := e.orders.Update(id, func(o *Order) error {
		if o.State != StatePaid {
			return fmt.Errorf("%w: the order is %s", ErrState, o.State)
		}
		o.State, o.RefundID = StateRefunded, tx
		return nil
	})
	if err != nil {
		return o, err
	}
	return o, e.notify(ctx, o, Notification{TransactionID: tx, Status: merchant.StatusPaid, RefundFor: o.TransactionID})
}

// notify signs n about order o and sends it.
func (e *Emulator) notify(ctx context.Context, o Order, n Notification) error {
	n.MerchantID, n.IssuerID, n.Amount, n.Currency, n.Description, n.UserID = e.opts.MerchantID, o.OrderID, o.Amount, o.Currency, o.Description, o.UserID
	v, err := e.signer.Sign(n)
	if err != nil {
		return err
	}
	event := "payment:" + string(n.Status)
	if n.RefundFor != "" {
		event = "refund:" + string(n.Status)
	}
	_, err = e.engine.Send(ctx, emulator.Message{OrderID: o.ID, Event: event, URL: e.opts.NotifyURL,
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, Body: []byte(v.Encode())})
	return err
}

// Resend sends a recorded notification once more, the same signed bytes,
// as VK Pay's duplicate would be; it changes no order. Errors: ErrNotFound,
// ErrClosed.
func (e *Emulator) Resend(ctx context.Context, deliveryID string) (Delivery, error) {
	return e.engine.Resend(ctx, deliveryID)
}

// Wait returns when no notification is in flight or waiting for a resend,
// or with ctx's error.
func (e *Emulator) Wait(ctx context.Context) error { return e.engine.Wait(ctx) }

// Deliveries returns every notification attempt, oldest first (the newest
// 10,000).
func (e *Emulator) Deliveries() []Delivery { return e.engine.Deliveries() }

// Order returns the order with id.
func (e *Emulator) Order(id string) (Order, bool) { return e.orders.Get(id) }

// Orders returns the orders kept, oldest first.
func (e *Emulator) Orders() []Order { return e.orders.List() }

// judgeAnswer reads a merchant's answer as VK Pay does: a correctly signed
// OK acknowledges; ERR_ARGUMENTS, ERR_SIGNATURE and ERR_DUPLICATE stop
// the resends; anything else (ERR_SYSTEM, a bad signature, garbage, an
// HTTP error) is resent.
func judgeAnswer(key string, h crypto.Hash) func(int, []byte) emulator.Verdict {
	return func(status int, body []byte) emulator.Verdict {
		retry := func(why string) emulator.Verdict { return emulator.Verdict{Outcome: emulator.Retrying, Why: why} }
		if status != http.StatusOK {
			return retry("HTTP " + strconv.Itoa(status))
		}
		var a merchant.Answer
		if err := json.Unmarshal(body, &a); err != nil || a.Data == "" {
			return retry("the answer is not {version, data, signature}")
		}
		if !equal(a.Signature, merchant.AnswerSignature(a.Data, key, h)) {
			return retry("the answer's signature does not verify")
		}
		js, err := base64.StdEncoding.DecodeString(a.Data)
		var d struct {
			Header struct {
				Status string `json:"status"`
				Error  *struct {
					Code string `json:"code"`
				} `json:"error"`
			} `json:"header"`
		}
		if err != nil || json.Unmarshal(js, &d) != nil {
			return retry("the answer's data is not base64 JSON")
		}
		switch {
		case d.Header.Status == "OK":
			return emulator.Verdict{Outcome: emulator.Delivered}
		case d.Header.Error != nil && d.Header.Error.Code != string(merchant.ErrSystem):
			return emulator.Verdict{Outcome: emulator.Refused, Why: d.Header.Error.Code}
		}
		return retry("ERR_SYSTEM or no status")
	}
}
