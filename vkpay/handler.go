package vkpay

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/callback"
)

// ContentType is the content type of every answer.
const ContentType = "application/json; charset=utf-8"

// HandlerOptions configures [Client.HandlerWith]. The zero value is what
// [Client.Handler] uses. The VK extras enrich the replies of the
// provider-neutral hooks; each one is optional.
type HandlerOptions struct {
	// HandlerOptions are the options every provider's handler shares:
	// body cap, hook deadline (inside [ReplyTimeout] by default) and
	// error log.
	paykit.HandlerOptions

	// OrderReply, when set, gives the rest of the answer to a fulfilled
	// order_status_change (paid or refunded): your own app_order_id. It
	// runs after hooks.Event (or Refund) returned nil, inside the Store,
	// so every repeat gets the same app_order_id. OrderID is filled by the
	// handler. An error or an invalid reply does not undo the fulfilment:
	// the answer then echoes order_id alone, is remembered like any other,
	// and OnInvalidReply is told.
	OrderReply func(ctx context.Context, n *OrderStatusChange) (OrderReply, error)
	// SubscriptionReply is OrderReply for subscription_status_change:
	// your app_order_id for the subscription. SubscriptionID is filled by
	// the handler.
	SubscriptionReply func(ctx context.Context, n *SubscriptionStatusChange) (SubscriptionStatusReply, error)
	// Refund, when set, handles order_status_change with status refunded
	// in place of hooks.Event, so that refunds are handled apart from
	// payments. Its errors are answered like Event's.
	Refund func(ctx context.Context, n *OrderStatusChange) error
	// OnInvalidReply, when set, is told when OrderReply or
	// SubscriptionReply failed or returned an invalid reply after the
	// fulfilment succeeded. The error never contains a secret.
	OnInvalidReply func(n paykit.Notification, err error)
}

// Handler returns an http.Handler answering VK payments notifications with
// the provider-neutral hooks; it is [Client.HandlerWith] with zero
// options:
//
//   - get_item and get_subscription call hooks.Item and answer with the
//     item (Item.Period and Item.Trial must be 3, 7 or 30 days for
//     subscriptions; CacheFor < 0 forbids caching); a nil hooks.Item
//     refuses every item (error 20);
//   - order_status_change and subscription_status_change call hooks.Event
//     once per [Client.IdempotencyKey] and answer
//     {"response":{"order_id":…}} or {"response":{"subscription_id":…}};
//     repeats get the first answer byte for byte; a nil hooks.Event
//     answers error 2 (not critical), so VK keeps the notification;
//   - ErrUnknownItem gives error 20, a Temporary error or the hook
//     deadline error 2 (not critical), any other error 1 (critical); a bad
//     or missing sig gives 10, any other bad input 11;
//   - a request that is not a POST gets 405 with Allow: POST.
func (c *Client) Handler(hooks paykit.Hooks) http.Handler {
	return c.HandlerWith(hooks, HandlerOptions{})
}

// HandlerWith is [Client.Handler] with options: the shared ones (body cap,
// hook deadline, error log) and VK's extras (app_order_id in answers,
// refunds apart).
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
		Provider:     paykit.VKPay,
		Account:      c.Account(),
	}
}

// protocol is VK's part of the callback engine.
type protocol struct {
	c     *Client
	hooks paykit.Hooks
	opts  HandlerOptions
}

// Parse verifies and decodes one delivery (the engine has capped it).
func (p *protocol) Parse(_ *http.Request, input []byte) (paykit.Notification, error) {
	return p.c.parseForm(string(input))
}

// Key is [Client.IdempotencyKey].
func (p *protocol) Key(n paykit.Notification) string { return p.c.IdempotencyKey(n) }

// Answer runs the hooks for n and renders the success body.
func (p *protocol) Answer(ctx context.Context, n paykit.Notification) ([]byte, error) {
	switch n := n.(type) {
	case *GetItem:
		return p.getItem(ctx, n)
	case *GetSubscription:
		return p.getSubscription(ctx, n)
	case *OrderStatusChange:
		return p.order(ctx, n)
	case *SubscriptionStatusChange:
		return p.subscription(ctx, n)
	}
	return nil, paykit.ErrUnknownType // parseForm returns nothing else
}

// Success is HTTP 200 with the JSON body.
func (p *protocol) Success(_ paykit.Notification, body []byte) callback.Reply {
	return callback.Reply{Status: http.StatusOK, ContentType: ContentType, Body: body}
}

// Failure answers a failure from its class and error: a hook may choose
// VK's answer with an *[Error], and paykit.ErrUnknownUser is error 22.
// VK answers are always HTTP 200.
func (p *protocol) Failure(c callback.Class, _ paykit.Notification, err error) callback.Reply {
	e := failure(c, err)
	return callback.Reply{Status: http.StatusOK, ContentType: ContentType, Body: e.AppendJSON(nil)}
}

func (p *protocol) getItem(ctx context.Context, n *GetItem) ([]byte, error) {
	it, err := p.item(ctx, n, n.Item, n.Lang, n.Common)
	if err != nil {
		return nil, err
	}
	exp, noCache := expiration(it.CacheFor)
	reply := ItemReply{ItemID: it.ID, Title: it.Title, PhotoURL: it.PhotoURL,
		Price: it.Price, Discount: it.Discount, Expiration: exp, NoCache: noCache}
	if err := reply.Validate(); err != nil {
		return nil, invalidReply(err)
	}
	return reply.AppendJSON(nil), nil
}

func (p *protocol) getSubscription(ctx context.Context, n *GetSubscription) ([]byte, error) {
	it, err := p.item(ctx, n, n.Item, n.Lang, n.Common)
	if err != nil {
		return nil, err
	}
	exp, noCache := expiration(it.CacheFor)
	reply := SubscriptionReply{ItemID: it.ID, Title: it.Title, PhotoURL: it.PhotoURL,
		Price: it.Price, Period: days(it.Period), TrialDuration: days(it.Trial),
		Expiration: exp, NoCache: noCache}
	if err := reply.Validate(); err != nil {
		return nil, invalidReply(err)
	}
	return reply.AppendJSON(nil), nil
}

func (p *protocol) item(ctx context.Context, n paykit.Notification, item, lang string, c Common) (paykit.Item, error) {
	return callback.Item(ctx, p.hooks, paykit.ItemRequest{
		Provider:     paykit.VKPay,
		Item:         item,
		UserID:       strconv.FormatInt(c.UserID, 10),
		Lang:         lang,
		Test:         c.Test,
		Notification: n,
	})
}

// order fulfils an order inside the store. Once the fulfilment has
// returned nil the goods are out: an invalid OrderReply must not make the
// store forget it, or VK's resend would fulfil again. So the reply is then
// reduced to the echoed order_id, which is always valid, and remembered.
func (p *protocol) order(ctx context.Context, n *OrderStatusChange) ([]byte, error) {
	var err error
	if n.Status == OrderRefunded && p.opts.Refund != nil {
		err = p.opts.Refund(ctx, n)
	} else {
		err = callback.Event(ctx, p.hooks, n)
	}
	if err != nil {
		return nil, err
	}
	reply := OrderReply{}
	if p.opts.OrderReply != nil {
		reply, err = p.opts.OrderReply(ctx, n)
	}
	reply.OrderID = n.OrderID
	return settled(p, n, &reply, err, &OrderReply{OrderID: n.OrderID}), nil
}

// subscription is [protocol.order] for subscription status changes.
func (p *protocol) subscription(ctx context.Context, n *SubscriptionStatusChange) ([]byte, error) {
	if err := callback.Event(ctx, p.hooks, n); err != nil {
		return nil, err
	}
	var err error
	reply := SubscriptionStatusReply{}
	if p.opts.SubscriptionReply != nil {
		reply, err = p.opts.SubscriptionReply(ctx, n)
	}
	reply.SubscriptionID = n.SubscriptionID
	return settled(p, n, &reply, err, &SubscriptionStatusReply{SubscriptionID: n.SubscriptionID}), nil
}

// statusReply is the answer to a status change.
type statusReply interface {
	Validate() error
	AppendJSON(b []byte) []byte
}

// settled renders the answer to a fulfilled status change: the merchant's
// reply, or fallback (the echoed id alone) when the reply func failed or
// its reply is invalid. The fulfilment stands either way, and
// OnInvalidReply is told.
func settled[R statusReply](p *protocol, n paykit.Notification, reply R, err error, fallback R) []byte {
	if err == nil {
		err = reply.Validate()
	}
	if err != nil {
		if p.opts.OnInvalidReply != nil {
			p.opts.OnInvalidReply(n, invalidReply(err))
		}
		reply = fallback
	}
	return reply.AppendJSON(nil)
}

func expiration(d time.Duration) (seconds int64, noCache bool) {
	if d < 0 {
		return 0, true
	}
	return int64(d / time.Second), false
}

// days converts a duration to whole days; anything else becomes -1, which
// validation refuses.
func days(d time.Duration) int {
	if d == 0 {
		return 0
	}
	if d%(24*time.Hour) != 0 {
		return -1
	}
	return int(d / (24 * time.Hour))
}
