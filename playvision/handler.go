package playvision

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/callback"
)

// ContentType is the content type of every answer to a notification.
const ContentType = "application/json; charset=utf-8"

// HandlerOptions configures [Client.HandlerWith]. The zero value is what
// [Client.Handler] uses.
type HandlerOptions struct {
	// HandlerOptions are the options every provider's handler shares:
	// body cap (64 KiB by default), hook deadline (inside [ReplyTimeout]
	// by default) and error log.
	paykit.HandlerOptions

	// FailureMessage, when set, chooses the message of a failure answer
	// {"status":"-1","message":…}, which Playvision shows in the
	// transaction log's "Result" column. It gets the default message (one
	// of the Message constants) and the notification (nil when the
	// delivery did not verify); an empty result keeps the default. It
	// never sees a hook's error, which may hold internal details. Every
	// answer stays HTTP 200 with status "-1".
	FailureMessage func(n paykit.Notification, message string) string
}

// Handler returns the http.Handler to install at the app's "Payment link";
// it is [Client.HandlerWith] with zero options. It accepts only POST,
// answering any other method 405 with "Allow: POST", and answers every
// POST with HTTP 200 and a JSON body, as Playvision reads only the body:
//
//   - get_item: hooks.Item is asked for the item, at every delivery (an
//     item request changes nothing and is not stored); the answer is
//     {"item_id","item_title","item_price","item_photo_url"} with string
//     values. A nil hooks.Item refuses every item.
//   - order_status_change: hooks.Event runs at most once per
//     [Client.IdempotencyKey] through hooks.Store; the answer is
//     {"status":"1","message":"success"}, and a repeated delivery gets the
//     same bytes without Event running again.
//   - anything refused — bad or missing sig, malformed body, other app,
//     unknown type, a hook's paykit.ErrUnknownItem / ErrUnknownUser, a
//     hook error, a Temporary hook error, a hook past its deadline, a nil
//     hooks.Event — is answered {"status":"-1","message":…} with a fixed
//     message (see the Message constants). Playvision documents no
//     retries, so a temporary failure may not be delivered again: its
//     order stays in the platform's transaction log.
func (c *Client) Handler(hooks paykit.Hooks) http.Handler {
	return c.HandlerWith(hooks, HandlerOptions{})
}

// HandlerWith is [Client.Handler] with options: the shared ones (body cap,
// hook deadline, error log) and Playvision's failure message.
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
		Secrets:      c.secrets,
		Provider:     paykit.Playvision,
		Account:      c.Account(),
	}
}

// protocol is Playvision's part of the callback engine.
type protocol struct {
	c     *Client
	hooks paykit.Hooks
	opts  HandlerOptions
}

func (p *protocol) Parse(_ *http.Request, input []byte) (paykit.Notification, error) {
	return p.c.parseForm(string(input))
}

// Key keys orders only: an item request is answered afresh every time.
func (p *protocol) Key(n paykit.Notification) string {
	if _, ok := n.(*OrderStatusChange); !ok {
		return ""
	}
	return p.c.IdempotencyKey(n)
}

func (p *protocol) Answer(ctx context.Context, n paykit.Notification) ([]byte, error) {
	switch n := n.(type) {
	case *GetItem:
		return p.getItem(ctx, n)
	case *OrderStatusChange:
		if err := callback.Event(ctx, p.hooks, n); err != nil {
			return nil, err
		}
		return successReply, nil
	}
	return nil, paykit.ErrUnknownType // parseForm returns nothing else
}

func (p *protocol) getItem(ctx context.Context, n *GetItem) ([]byte, error) {
	item, err := callback.Item(ctx, p.hooks, paykit.ItemRequest{
		Provider:     paykit.Playvision,
		Item:         n.Item,
		UserID:       decimal(n.userID, n.UserID),
		Test:         n.Test,
		Notification: n,
	})
	if err != nil {
		return nil, err
	}
	reply, err := NewItemReply(item)
	if err != nil {
		return nil, errInvalidItem
	}
	return json.Marshal(reply)
}

// errInvalidItem: hooks.Item returned an item Playvision cannot show.
var errInvalidItem = errors.New("playvision: hooks.Item returned an invalid item")

func (p *protocol) Success(_ paykit.Notification, body []byte) callback.Reply {
	return callback.Reply{Status: http.StatusOK, ContentType: ContentType, Body: body}
}

// Failure is [protocol.Failure] knowing the error, so that
// paykit.ErrUnknownUser is told apart from ErrUnknownItem once the engine
// passes errors (err may be nil).
func (p *protocol) Failure(c callback.Class, n paykit.Notification, err error) callback.Reply {
	msg := classMessage(c, err)
	body := failureBodies[msg]
	if p.opts.FailureMessage != nil {
		if custom := p.opts.FailureMessage(n, msg); custom != "" && custom != msg {
			body = FailureReply(custom)
		}
	}
	return callback.Reply{Status: http.StatusOK, ContentType: ContentType, Body: body}
}

// classMessage is the fixed message of each failure class.
func classMessage(c callback.Class, err error) string {
	switch c {
	case callback.TooLarge:
		return MessageTooLarge
	case callback.MissingSignature:
		return MessageMissingSignature
	case callback.InvalidSignature:
		return MessageInvalidSignature
	case callback.WrongAccount:
		return MessageWrongApp
	case callback.UnknownType:
		return MessageUnknownType
	case callback.Malformed:
		return MessageMalformed
	case callback.Rejected:
		if errors.Is(err, paykit.ErrUnknownUser) {
			return MessageUnknownUser
		}
		return MessageUnknownItem
	case callback.Retry:
		return MessageTemporary
	default:
		return MessageFailed
	}
}

// failureBodies are the failure answers, fixed per message and computed
// once, so that refusing costs no JSON encoding.
var failureBodies = func() map[string][]byte {
	m := make(map[string][]byte)
	for _, msg := range []string{
		MessageInvalidSignature, MessageMissingSignature, MessageMalformed,
		MessageUnknownType, MessageWrongApp, MessageTooLarge, MessageUnknownItem,
		MessageUnknownUser, MessageTemporary, MessageFailed,
	} {
		m[msg] = FailureReply(msg)
	}
	return m
}()
