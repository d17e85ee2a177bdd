package checkout

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/callback"
	"github.com/paykit-go/paykit/internal/key"
)

// ReplyTimeout is how long Paysera waits for a webhook's answer: 10 s to
// read it in the newer docs (the older said about 30 s; the shorter is
// assumed). Hooks get a deadline inside it (8 s) unless
// paykit.HandlerOptions.HookTimeout says otherwise.
const ReplyTimeout = 10 * time.Second

// HandlerOptions configures [Client.HandlerWith]. The zero value is what
// [Client.Handler] uses.
type HandlerOptions struct {
	// HandlerOptions are the shared options: body cap (64 KiB by default),
	// hook deadline (inside [ReplyTimeout] by default) and the error log.
	paykit.HandlerOptions
}

// Handler answers Paysera Checkout's webhooks with the paykit hooks; it is
// [Client.HandlerWith] with zero options. It accepts only POST (405
// otherwise), verifies with [Client.ParseBody] and runs hooks.Event once
// per [Client.IdempotencyKey] through hooks.Store, answering:
//
//   - 200 with an empty body once the event is handled (any 2xx stops
//     Paysera's retries); repeats get the same reply without Event;
//   - 400 for a missing or bad signature, a malformed body, another
//     project's order or a hook's refusal — never 401, which would stop
//     Paysera's retries for good, so that a webhook refused because of a
//     misconfigured secret still arrives once the secret is fixed;
//   - 413 for a body over the cap;
//   - 503 for a paykit.Temporary hook error, a hook past its deadline or a
//     nil hooks.Event, and 500 for other hook errors: Paysera retries.
//
// Unknown events are acknowledged (Kind info), as Paysera asks.
func (c *Client) Handler(hooks paykit.Hooks) http.Handler {
	return c.HandlerWith(hooks, HandlerOptions{})
}

// HandlerWith is [Client.Handler] with the shared handler options.
func (c *Client) HandlerWith(hooks paykit.Hooks, opts HandlerOptions) http.Handler {
	return callback.New(c.engine(hooks, opts))
}

// engine is the protocol and settings behind [Client.HandlerWith], shared
// by [Accounts] and the [Reconciler].
func (c *Client) engine(hooks paykit.Hooks, opts HandlerOptions) (callback.Protocol, callback.Settings) {
	return &protocol{c: c, hooks: hooks}, callback.Settings{
		Provider:     paykit.PayseraCheckout,
		Account:      c.Account(),
		Methods:      []string{http.MethodPost},
		Headers:      recordedHeaders,
		ReplyTimeout: ReplyTimeout,
		Options:      opts.HandlerOptions,
		Store:        hooks.Store,
		Observer:     hooks.Observer,
		Secrets:      c.redact,
	}
}

// recordedHeaders are the webhook headers kept in a delivery record: the
// signature (not a secret: it is Paysera's, per body) and the metadata.
var recordedHeaders = []string{HeaderSignature, HeaderSignatureAlg, HeaderCreatedAt, HeaderRequestID,
	HeaderCallbackID, HeaderEvent, HeaderTimestamp}

// protocol is Paysera Checkout's part of the callback engine.
type protocol struct {
	c     *Client
	hooks paykit.Hooks
}

func (p *protocol) Parse(r *http.Request, input []byte) (paykit.Notification, error) {
	return p.c.ParseBody(input, r.Header)
}

func (p *protocol) Key(n paykit.Notification) string { return p.c.IdempotencyKey(n) }

func (p *protocol) Answer(ctx context.Context, n paykit.Notification) ([]byte, error) {
	if err := callback.Event(ctx, p.hooks, n); err != nil {
		return nil, err
	}
	return []byte{}, nil
}

func (p *protocol) Success(_ paykit.Notification, body []byte) callback.Reply {
	return callback.Reply{Status: http.StatusOK, ContentType: textPlain, Body: body}
}

const textPlain = "text/plain; charset=utf-8"

func (p *protocol) Failure(c callback.Class, _ paykit.Notification, _ error) callback.Reply {
	status, text := http.StatusBadRequest, "bad request"
	switch c {
	case callback.TooLarge:
		status, text = http.StatusRequestEntityTooLarge, "body too large"
	case callback.MissingSignature, callback.InvalidSignature:
		text = "invalid signature"
	case callback.WrongAccount:
		text = "wrong project"
	case callback.Rejected:
		text = "refused"
	case callback.Retry:
		status, text = http.StatusServiceUnavailable, "try again later"
	case callback.Failed:
		status, text = http.StatusInternalServerError, "failed"
	}
	return callback.Reply{Status: status, ContentType: textPlain, Body: []byte(text + "\n")}
}

// IdempotencyKey is the key a webhook is fulfilled under, built from
// signed content only (the header ids are unsigned and their stability
// across retries is undocumented): provider, [Client.Account], test flag,
// kind, status and id of the Summary, plus
//
//   - order events: the amount paid and the order status as sent, so that
//     each payment of a partly paid order is a new event, and a repeat (or
//     the same state under an older event name) a duplicate;
//   - payment, refund and link events: the status as sent, so that
//     processing and on_hold (both pending) stay apart;
//   - unknown events: the SHA-256 of the body.
func (c *Client) IdempotencyKey(n paykit.Notification) string {
	parts := callback.KeyParts(paykit.PayseraCheckout, c.Account(), n)
	switch n := n.(type) {
	case *OrderEvent:
		parts.Discriminator = "order:" + strconv.FormatInt(n.Order.AmountPaid, 10) + ":" + n.Order.Status
	case *PaymentEvent:
		parts.Discriminator = "payment:" + n.Payment.Status
	case *RefundEvent:
		parts.Discriminator = "refund:" + n.Refund.Status
	case *LinkEvent:
		parts.Discriminator = "link:" + n.Link.Status
	case *UnknownEvent:
		sum := sha256.Sum256(n.Body)
		parts.Discriminator = "body:" + hex.EncodeToString(sum[:])
	default:
		return paykit.IdempotencyKey(c.Account(), n)
	}
	return key.Build(parts)
}
