package paysera

import (
	"context"
	"net/http"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/callback"
	"github.com/paykit-go/paykit/internal/form"
)

// ReplyTimeout is how long Paysera is assumed to wait for the answer to a
// callback: Paysera documents no timeout, 30 s is assumed. Hooks get a
// deadline inside it (see paykit.HandlerOptions.HookTimeout).
const ReplyTimeout = 30 * time.Second

// HandlerOptions configures [Client.HandlerWith]. The zero value is what
// [Client.Handler] uses.
type HandlerOptions struct {
	// HandlerOptions are the options every provider's handler shares:
	// body cap (MaxBodyBytes, 64 KiB by default), hook deadline (inside
	// [ReplyTimeout] by default) and error log.
	paykit.HandlerOptions

	// SMSReply returns the text of the reply SMS for a micro (SMS)
	// payment; the callback is then answered "OK <text>". It runs after
	// Hooks.Event succeeded, with the same context (a database Store's
	// transaction is in it), and its text is stored with the reply so a
	// repeated delivery gets the same answer. An error fails the delivery
	// like an Event error (500; Paysera retries and Event runs again unless
	// the Store rolled it back). Nil, or an empty text, answers plain "OK"
	// (send the SMS later with [Client.SendSMSAnswer]).
	SMSReply func(ctx context.Context, cb *Callback) (string, error)
}

// Handler returns the http.Handler to mount at your callbackurl; it is
// [Client.HandlerWith] with zero options. It verifies every callback like
// [Client.ParseCallback] and passes it to hooks.Event once per
// [Client.IdempotencyKey], through hooks.Store:
//
//   - success, and any repeat of an event already fulfilled: 200 "OK"
//     (micro payments: "OK <text>", see [HandlerOptions.SMSReply]), the
//     stored bytes replayed exactly, without calling Event again;
//   - bad signature, wrong project or malformed data: 400, body not "OK";
//   - Event failed (temporary or not, or past its deadline), is nil, or no
//     key to verify with: 500, so Paysera delivers the callback again
//     later;
//   - any method but GET and POST: 405 with an Allow header, before
//     anything is read.
//
// Every verified status change (pending, paid, refunded, info) is its own
// event; Event decides what to do with each (see [Callback.Paid]).
func (c *Client) Handler(hooks paykit.Hooks) http.Handler {
	return c.HandlerWith(hooks, HandlerOptions{})
}

// HandlerWith is [Client.Handler] with options: the shared ones (body cap,
// hook deadline, error log) and Paysera's reply SMS text.
func (c *Client) HandlerWith(hooks paykit.Hooks, opts HandlerOptions) http.Handler {
	return callback.New(c.engine(hooks, opts))
}

// engine is the protocol and settings of c's handler, one per client
// also in the one engine of [Accounts].
func (c *Client) engine(hooks paykit.Hooks, opts HandlerOptions) (callback.Protocol, callback.Settings) {
	return &protocol{c: c, hooks: hooks, opts: opts}, callback.Settings{
		// GET in Paysera's callback documentation, POST in its newer
		// integration guide.
		Methods:      []string{http.MethodGet, http.MethodPost},
		ReplyTimeout: ReplyTimeout,
		Options:      opts.HandlerOptions,
		Store:        hooks.Store,
		Observer:     hooks.Observer,
		Secrets:      c.secrets,
		Provider:     paykit.Paysera,
		Account:      c.Account(),
	}
}

// protocol is Paysera's part of the callback engine.
type protocol struct {
	c     *Client
	hooks paykit.Hooks
	opts  HandlerOptions
}

// Parse verifies and decodes one delivery (see [Client.ParseCallback]).
func (p *protocol) Parse(r *http.Request, input []byte) (paykit.Notification, error) {
	limit := p.opts.MaxBodyBytes
	if limit <= 0 {
		limit = form.DefaultMaxBytes
	}
	params, err := requestParams(r, inputString(r, input), limit)
	if err != nil {
		return nil, err
	}
	return p.c.parse(r.Context(), params)
}

// Key is [Client.IdempotencyKey].
func (p *protocol) Key(n paykit.Notification) string { return p.c.IdempotencyKey(n) }

// Answer runs Event, then SMSReply for a micro payment.
func (p *protocol) Answer(ctx context.Context, n paykit.Notification) ([]byte, error) {
	if err := callback.Event(ctx, p.hooks, n); err != nil {
		return nil, err
	}
	cb, ok := n.(*Callback)
	if !ok || cb.Type != TypeMicro || p.opts.SMSReply == nil {
		return []byte(ReplyOK), nil
	}
	text, err := p.opts.SMSReply(ctx, cb)
	if err != nil {
		return nil, err
	}
	return MicroReply(text), nil
}

const textPlain = "text/plain; charset=utf-8"

// Success answers 200 with the stored body.
func (p *protocol) Success(_ paykit.Notification, body []byte) callback.Reply {
	return callback.Reply{Status: http.StatusOK, ContentType: textPlain, Body: body}
}

// Failure answers 400 for a callback that will never verify or decode,
// 500 for everything Paysera should deliver again. The body is never
// "OK".
func (p *protocol) Failure(c callback.Class, _ paykit.Notification, _ error) callback.Reply {
	switch c {
	case callback.TooLarge, callback.MissingSignature, callback.InvalidSignature,
		callback.WrongAccount, callback.UnknownType, callback.Malformed:
		return callback.Reply{Status: http.StatusBadRequest, ContentType: textPlain,
			Body: []byte("Error: invalid callback")}
	default:
		return callback.Reply{Status: http.StatusInternalServerError, ContentType: textPlain,
			Body: []byte("Error: not processed, retry later")}
	}
}
