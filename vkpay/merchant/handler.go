package merchant

import (
	"context"
	"net/http"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/callback"
	"github.com/paykit-go/paykit/internal/key"
)

// ReplyTimeout is how long VK Pay is assumed to wait for an answer: it
// documents no limit, so the 10 s of VK's votes notifications is used.
// Hooks get a deadline inside it unless
// paykit.HandlerOptions.HookTimeout says otherwise.
const ReplyTimeout = 10 * time.Second

// HandlerOptions configures [Client.HandlerWith]; the zero value is what
// [Client.Handler] uses. VK Pay has no extras beyond the options every
// provider's handler shares.
type HandlerOptions struct {
	// HandlerOptions are the shared options: body cap, hook deadline,
	// error log.
	paykit.HandlerOptions
}

// Handler returns an http.Handler for merchant notifications; it is
// [Client.HandlerWith] with zero options. It verifies each notification,
// runs hooks.Event once per [Client.IdempotencyKey] through the
// [paykit.Store] (repeats get the first answer byte for byte), and
// answers:
//
//   - Event ok: payment_delivered;
//   - Event returns paykit.ErrUnknownItem or ErrUnknownUser:
//     payment_declined;
//   - a temporary or any other Event error, or a nil Event: ERR_SYSTEM, so
//     VK Pay resends and nothing is lost;
//   - bad or missing signature: ERR_SIGNATURE; other bad input:
//     ERR_ARGUMENTS;
//   - a request that is not a POST: 405 with Allow: POST.
//
// Answers are HTTP 200 JSON. Event gets a context with a deadline inside
// [ReplyTimeout].
func (c *Client) Handler(hooks paykit.Hooks) http.Handler {
	return c.HandlerWith(hooks, HandlerOptions{})
}

// HandlerWith is [Client.Handler] with the shared handler options.
func (c *Client) HandlerWith(hooks paykit.Hooks, opts HandlerOptions) http.Handler {
	return callback.New(c.engine(hooks, opts))
}

// engine is the protocol and settings of c's handler, one per client
// also in the one engine of [Accounts].
func (c *Client) engine(hooks paykit.Hooks, opts HandlerOptions) (callback.Protocol, callback.Settings) {
	return &protocol{c: c, hooks: hooks}, callback.Settings{
		Methods:      []string{http.MethodPost},
		ReplyTimeout: ReplyTimeout,
		Options:      opts.HandlerOptions,
		Store:        hooks.Store,
		Observer:     hooks.Observer,
		Secrets:      []string{c.cfg.MerchantKey, c.cfg.APIKey, c.cfg.AppSecret},
		Provider:     paykit.VKPay,
		Account:      c.Account(),
	}
}

// Account returns the account part of idempotency keys:
// "merchant:<MerchantID>", so that no VK Pay key can equal a votes key of
// package vkpay, whose account is the app id, in a shared Store.
func (c *Client) Account() string { return "merchant:" + c.account }

// IdempotencyKey returns the key under which a handler stores the answer
// to n: the merchant account, the test flag, the kind (payment or refund),
// VK Pay's own status and transaction_id. VK Pay's status is used rather
// than the neutral one because several of its statuses share one neutral
// status (new, wait, process and held are all pending) and each is a
// distinct event. It is "" for anything but a *[Notification].
func (c *Client) IdempotencyKey(n paykit.Notification) string {
	m, ok := n.(*Notification)
	if !ok {
		return ""
	}
	p := callback.KeyParts(paykit.VKPay, c.Account(), m)
	p.Status, p.ID = string(m.Body.Status), m.Body.TransactionID
	return key.Build(p)
}

// protocol is VK Pay's part of the callback engine.
type protocol struct {
	c     *Client
	hooks paykit.Hooks
}

// Parse verifies and decodes one delivery (the engine has capped it).
func (p *protocol) Parse(_ *http.Request, input []byte) (paykit.Notification, error) {
	n, err := p.c.parseForm(input)
	if err != nil {
		return nil, err
	}
	return n, nil
}

// Key is [Client.IdempotencyKey].
func (p *protocol) Key(n paykit.Notification) string { return p.c.IdempotencyKey(n) }

// Answer runs the hooks for n and renders the success body.
func (p *protocol) Answer(ctx context.Context, n paykit.Notification) ([]byte, error) {
	if err := callback.Event(ctx, p.hooks, n); err != nil {
		return nil, err
	}
	return p.c.Ack(transactionID(n), false)
}

// Success is HTTP 200 with the JSON body.
func (p *protocol) Success(_ paykit.Notification, body []byte) callback.Reply {
	return callback.Reply{Status: http.StatusOK, ContentType: contentType, Body: body}
}

// Failure answers in VK Pay's signed format: ERR_SIGNATURE or
// ERR_ARGUMENTS for a refused notification, payment_declined for a hook
// refusal, ERR_SYSTEM (VK Pay resends) for any other hook failure.
func (p *protocol) Failure(c callback.Class, n paykit.Notification, _ error) callback.Reply {
	var body []byte
	var err error
	txn := transactionID(n)
	switch c {
	case callback.MissingSignature, callback.InvalidSignature:
		body, err = p.c.ErrorAnswer("", ErrSignature, "notification refused")
	case callback.TooLarge, callback.WrongAccount, callback.UnknownType, callback.Malformed:
		body, err = p.c.ErrorAnswer("", ErrArguments, "notification refused")
	case callback.Rejected:
		body, err = p.c.Ack(txn, true)
	default:
		body, err = p.c.ErrorAnswer(txn, ErrSystem, "temporary failure")
	}
	if err != nil {
		return callback.Reply{Status: http.StatusInternalServerError, ContentType: "text/plain; charset=utf-8",
			Body: []byte("internal error\n")}
	}
	return callback.Reply{Status: http.StatusOK, ContentType: contentType, Body: body}
}

const contentType = "application/json; charset=utf-8"

func transactionID(n paykit.Notification) string {
	if m, ok := n.(*Notification); ok {
		return m.Body.TransactionID
	}
	return ""
}
