package xsolla

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/callback"
)

// ReplyTimeout is how long Xsolla is taken to wait for the answer to a
// webhook other than order_paid [unsure: Xsolla documents no reply timeout
// for them; 10 s, like VK's and Playvision's, keeps hooks bounded, and a
// hook that outlives Xsolla's wait is harmless — Xsolla retries and the
// store answers the retry]. Hooks get a deadline inside it (8 s) unless
// paykit.HandlerOptions.HookTimeout says otherwise.
const ReplyTimeout = 10 * time.Second

// OrderPaidReplyTimeout is the answer time Xsolla asks for on order_paid
// ("less than 3 seconds"; without an answer it retries and, with automatic
// refunds on, may refund the user). An order_paid hook gets a deadline
// inside it (about 2.4 s) unless paykit.HandlerOptions.HookTimeout is set.
const OrderPaidReplyTimeout = 3 * time.Second

// HandlerOptions configures [Client.HandlerWith]: the options every
// provider's handler shares, and Xsolla's own hooks and answers. The zero
// value is what [Client.Handler] uses.
type HandlerOptions struct {
	// HandlerOptions are the shared options: body cap (64 KiB by
	// default), hook deadline (inside [ReplyTimeout] by default) and the
	// error log, told about every refused or failed delivery.
	paykit.HandlerOptions

	// UserSearch answers user_search with the user found; return
	// paykit.ErrUnknownUser when there is none. nil answers every
	// user_search with INVALID_USER.
	UserSearch func(ctx context.Context, n *UserSearch) (UserInfo, error)
	// PinCode answers get_pincode with a key or PIN. nil answers
	// INVALID_PARAMETER.
	PinCode func(ctx context.Context, n *GetPinCode) (string, error)
	// Catalog answers partner_side_catalog with a JSON body (sent with
	// 200). nil answers INVALID_PARAMETER.
	Catalog func(ctx context.Context, n *PartnerSideCatalog) (json.RawMessage, error)
	// CheckAmount runs before Event for payment and order_paid (once per
	// idempotency key, so once per purchase: for whichever of the two
	// arrives first). Compare the amount and external id with your own
	// order and return ErrIncorrectAmount or ErrIncorrectInvoice to refuse
	// (400 INCORRECT_AMOUNT / INCORRECT_INVOICE; remember that a 4xx on
	// order_paid can make Xsolla refund the user).
	CheckAmount func(ctx context.Context, n paykit.Notification) error
	// RefuseUnknownTypes answers 400 INVALID_PARAMETER to verified
	// notification types this package does not know, and Event does not
	// see them. By default they reach Event as an [Unknown] (Kind info),
	// so that a type Xsolla adds is neither lost nor retried for hours.
	RefuseUnknownTypes bool
	// Status overrides the HTTP status per error code, e.g.
	// {"INVALID_SIGNATURE": 401, "INVALID_USER": 422} to answer like
	// Xsolla's PHP SDK. Defaults: 400 for every code, 500 for SERVER_ERROR.
	// Values outside 400–599 are ignored.
	Status map[string]int
}

// Handler answers Xsolla's webhooks with the paykit hooks; it is
// [Client.HandlerWith] with zero options. It accepts only POST (405 with
// "Allow: POST" otherwise) and answers:
//
//   - 204 on success; user_validation through hooks.User (nil accepts
//     every user — set it unless Xsolla's user validation is off for your
//     project), at every delivery.
//   - payments, refunds, orders, subscriptions and the other events through
//     hooks.Event, at most once per [Client.IdempotencyKey] through
//     hooks.Store, the reply replayed to repeats (one purchase is one key:
//     payment and order_paid share it).
//   - 400 INVALID_SIGNATURE / INVALID_CLIENT_IP / INVALID_PARAMETER for bad
//     deliveries, 400 INVALID_USER for paykit.ErrUnknownUser, 400
//     CLIENT_ERROR for other hook errors, and 500 SERVER_ERROR for
//     paykit.Temporary ones, a hook past its deadline and a nil
//     hooks.Event, so that nothing is lost.
func (c *Client) Handler(hooks paykit.Hooks) http.Handler {
	return c.HandlerWith(hooks, HandlerOptions{})
}

// HandlerWith is [Client.Handler] with options: the shared ones (body cap,
// hook deadline, error log) and Xsolla's own hooks and answers.
func (c *Client) HandlerWith(hooks paykit.Hooks, opts HandlerOptions) http.Handler {
	return callback.New(c.engine(hooks, opts))
}

// engine is the protocol and settings of c's handler, one per client
// also in the one engine of [Accounts].
func (c *Client) engine(hooks paykit.Hooks, opts HandlerOptions) (callback.Protocol, callback.Settings) {
	return &protocol{c: c, hooks: hooks, opts: opts}, callback.Settings{
		Methods:      []string{http.MethodPost},
		ReplyTimeout: ReplyTimeout,
		Options:      opts.HandlerOptions,
		Store:        hooks.Store,
		Observer:     hooks.Observer,
		Secrets:      c.redact,
		Provider:     paykit.Xsolla,
		Account:      c.Account(),
		Headers:      []string{"Authorization"},
	}
}

// protocol is Xsolla's part of the callback engine.
type protocol struct {
	c     *Client
	hooks paykit.Hooks
	opts  HandlerOptions
}

// Parse checks the source address, then verifies and decodes the body;
// an [Unknown] type is refused when RefuseUnknownTypes.
func (p *protocol) Parse(r *http.Request, input []byte) (paykit.Notification, error) {
	if err := p.c.checkIP(r); err != nil {
		return nil, err
	}
	n, err := p.c.ParseBody(input, r.Header)
	if u, ok := n.(*Unknown); ok && p.opts.RefuseUnknownTypes {
		return nil, fmt.Errorf("%w: %q", paykit.ErrUnknownType, clip(u.Type))
	}
	return n, err
}

// Key keys the events only: user checks, searches, PIN codes and catalogs
// change nothing and are answered afresh at every delivery.
func (p *protocol) Key(n paykit.Notification) string {
	if answeredAfresh(n) {
		return ""
	}
	return p.c.IdempotencyKey(n)
}

func answeredAfresh(n paykit.Notification) bool {
	switch n.(type) {
	case *UserValidation, *UserSearch, *GetPinCode, *PartnerSideCatalog:
		return true
	}
	return false
}

// Answer runs the hook of n and renders the success body: empty for 204,
// JSON for 200.
func (p *protocol) Answer(ctx context.Context, n paykit.Notification) ([]byte, error) {
	switch n := n.(type) {
	case *UserValidation:
		return noContent(callback.User(ctx, p.hooks, n))
	case *UserSearch:
		return p.userSearch(ctx, n)
	case *GetPinCode:
		return p.pinCode(ctx, n)
	case *PartnerSideCatalog:
		return p.catalog(ctx, n)
	}
	return p.event(ctx, n)
}

func (p *protocol) event(ctx context.Context, n paykit.Notification) ([]byte, error) {
	if _, ok := n.(*OrderPaid); ok && p.opts.HookTimeout <= 0 {
		// The engine's deadline is ReplyTimeout's; order_paid has less.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, callback.HookBudget(OrderPaidReplyTimeout))
		defer cancel()
	}
	if p.hooks.Event == nil {
		// Before CheckAmount: nothing runs while no Event hook is set.
		return nil, callback.ErrNoEvent
	}
	if p.opts.CheckAmount != nil && needsAmountCheck(n) {
		if err := p.opts.CheckAmount(ctx, n); err != nil {
			return nil, err
		}
	}
	return noContent(callback.Event(ctx, p.hooks, n))
}

// noContent is the 204 answer (an empty body) when err is nil.
func noContent(err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	return []byte{}, nil
}

func needsAmountCheck(n paykit.Notification) bool {
	switch n.(type) {
	case *Payment, *OrderPaid:
		return true
	}
	return false
}

func (p *protocol) userSearch(ctx context.Context, n *UserSearch) ([]byte, error) {
	if p.opts.UserSearch == nil {
		return nil, paykit.ErrUnknownUser
	}
	u, err := p.opts.UserSearch(ctx, n)
	if err == nil && u.ID == "" {
		err = paykit.ErrUnknownUser
	}
	if err != nil {
		return nil, err
	}
	return json.Marshal(UserSearchReply{User: u})
}

func (p *protocol) pinCode(ctx context.Context, n *GetPinCode) ([]byte, error) {
	if p.opts.PinCode == nil {
		return nil, paykit.ErrUnknownItem
	}
	pin, err := p.opts.PinCode(ctx, n)
	if err != nil {
		return nil, err
	}
	return json.Marshal(PinCodeReply{PinCode: pin})
}

// errInvalidCatalog: the Catalog hook returned a body that is not JSON.
var errInvalidCatalog = errors.New("xsolla: Catalog hook returned invalid JSON")

func (p *protocol) catalog(ctx context.Context, n *PartnerSideCatalog) ([]byte, error) {
	if p.opts.Catalog == nil {
		return nil, paykit.ErrUnknownItem
	}
	body, err := p.opts.Catalog(ctx, n)
	if err == nil && (len(body) == 0 || !json.Valid(body)) {
		err = errInvalidCatalog
	}
	if err != nil {
		return nil, err
	}
	return body, nil
}

// contentJSON is the content type of every JSON answer.
const contentJSON = "application/json"

// Success is 204 with no body, or 200 with the JSON body of a search, PIN
// code or catalog.
func (p *protocol) Success(_ paykit.Notification, body []byte) callback.Reply {
	if len(body) == 0 {
		return callback.Reply{Status: http.StatusNoContent}
	}
	return callback.Reply{Status: http.StatusOK, ContentType: contentJSON, Body: body}
}

// Failure is Xsolla's error answer {"error":{"code","message"}} with the
// code of c and err (INVALID_CLIENT_IP, INCORRECT_AMOUNT… are told by the
// error) and its status.
func (p *protocol) Failure(c callback.Class, _ paykit.Notification, err error) callback.Reply {
	code := failureCode(c, err)
	return callback.Reply{Status: p.status(code), ContentType: contentJSON, Body: errorBody(code)}
}

func (p *protocol) status(code string) int {
	if s, ok := p.opts.Status[code]; ok && s >= 400 && s <= 599 {
		return s
	}
	if code == CodeServerError {
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}
