package vkpay

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/paykit-go/paykit"
)

// ContentType is the content type of every answer.
const ContentType = "application/json; charset=utf-8"

// Callbacks is the full VK surface for merchants who need more than
// [paykit.Hooks]: returning app_order_id, subscription periods and trials,
// and handling refunds apart from payments. Build a handler with
// [Client.CallbackHandler].
//
// Every callback gets a context whose deadline is inside VK's 10 s limit.
// Return [paykit.ErrUnknownItem] (error 20), [paykit.ErrUnknownUser] (22),
// an error wrapped with [paykit.Temporary] (error 2, VK resends), an
// *[Error] to choose the answer yourself, or any other error (error 1,
// critical).
type Callbacks struct {
	// GetItem answers get_item and get_item_test. Nil: every item is
	// refused with error 20.
	GetItem func(ctx context.Context, n *GetItem) (ItemReply, error)
	// OrderStatusChange fulfils a paid order (status chargeable), and
	// refunds too when Refund is nil. It runs at most once per order and
	// status; repeats get the stored answer byte for byte. The handler
	// fills OrderReply.OrderID. Nil: answered as a temporary failure, so
	// VK keeps the notification.
	OrderStatusChange func(ctx context.Context, n *OrderStatusChange) (OrderReply, error)
	// Refund handles status refunded; nil sends refunds to
	// OrderStatusChange.
	Refund func(ctx context.Context, n *OrderStatusChange) (OrderReply, error)
	// GetSubscription answers get_subscription. Nil: error 20.
	GetSubscription func(ctx context.Context, n *GetSubscription) (SubscriptionReply, error)
	// SubscriptionStatusChange handles a subscription's first payment,
	// cancellation and resumption, once per change (see [Client.Key]). The
	// handler fills SubscriptionStatusReply.SubscriptionID. Nil: a
	// temporary failure.
	SubscriptionStatusChange func(ctx context.Context, n *SubscriptionStatusChange) (SubscriptionStatusReply, error)
	// Store makes status changes idempotent; nil gives the handler its own
	// [paykit.MemoryStore].
	Store paykit.Store
	// OnError, when set, is told about every notification answered with
	// an error (bad signature, hook failure, invalid item reply), for
	// logging, and about an invalid reply to a status change whose hook
	// succeeded: that fulfilment is kept (the hook never runs twice for
	// it) and answered with the echoed id alone. The error never
	// contains a secret.
	OnError func(r *http.Request, err error)
}

// CallbackHandler is the http.Handler built from [Callbacks]. It always
// answers HTTP 200 with VK's JSON envelope.
type CallbackHandler struct {
	client *Client
	cb     Callbacks
	store  paykit.Store
}

// CallbackHandler returns a handler running cb. The store is chosen once,
// here.
func (c *Client) CallbackHandler(cb Callbacks) *CallbackHandler {
	h := &CallbackHandler{client: c, cb: cb, store: cb.Store}
	if h.store == nil {
		h.store = paykit.Hooks{}.StoreOrDefault()
	}
	return h
}

// Handler returns an http.Handler answering VK payments notifications with
// the provider-neutral hooks:
//
//   - get_item and get_subscription call hooks.Item and answer with the
//     item (Item.Period and Item.Trial must be 3, 7 or 30 days for
//     subscriptions; CacheFor < 0 forbids caching);
//   - order_status_change and subscription_status_change call hooks.Event
//     once per order and status and answer {"response":{"order_id":…}} or
//     {"response":{"subscription_id":…}}; repeats replay the first answer;
//   - ErrUnknownItem gives error 20, ErrUnknownUser 22, a Temporary error 2
//     (not critical), any other error 1 (critical); a bad or missing sig
//     gives 10, any other bad input 11;
//   - a nil hooks.Item answers error 1 (critical); a nil hooks.Event
//     answers error 2 (not critical), so VK keeps the notification;
//   - a request that is not a POST gets 405 with Allow: POST.
//
// It is [Client.CallbackHandler] with callbacks built from hooks.
func (c *Client) Handler(hooks paykit.Hooks) http.Handler {
	return c.CallbackHandler(callbacksFromHooks(hooks))
}

var (
	errNoEvent = errors.New("vkpay: no Event hook configured")
	errNoItem  = errors.New("vkpay: no item hook configured")
)

func callbacksFromHooks(hooks paykit.Hooks) Callbacks {
	event := func(ctx context.Context, n paykit.Notification) error {
		if hooks.Event == nil {
			return paykit.Temporary(errNoEvent)
		}
		return hooks.Event(ctx, n)
	}
	return Callbacks{
		GetItem: func(ctx context.Context, n *GetItem) (ItemReply, error) {
			it, err := itemHook(ctx, hooks, n, n.Item, n.Lang, n.Common)
			if err != nil {
				return ItemReply{}, err
			}
			exp, noCache := expiration(it.CacheFor)
			return ItemReply{ItemID: it.ID, Title: it.Title, PhotoURL: it.PhotoURL,
				Price: it.Price, Discount: it.Discount, Expiration: exp, NoCache: noCache}, nil
		},
		GetSubscription: func(ctx context.Context, n *GetSubscription) (SubscriptionReply, error) {
			it, err := itemHook(ctx, hooks, n, n.Item, n.Lang, n.Common)
			if err != nil {
				return SubscriptionReply{}, err
			}
			exp, noCache := expiration(it.CacheFor)
			return SubscriptionReply{ItemID: it.ID, Title: it.Title, PhotoURL: it.PhotoURL,
				Price: it.Price, Period: days(it.Period), TrialDuration: days(it.Trial),
				Expiration: exp, NoCache: noCache}, nil
		},
		OrderStatusChange: func(ctx context.Context, n *OrderStatusChange) (OrderReply, error) {
			return OrderReply{}, event(ctx, n)
		},
		SubscriptionStatusChange: func(ctx context.Context, n *SubscriptionStatusChange) (SubscriptionStatusReply, error) {
			return SubscriptionStatusReply{}, event(ctx, n)
		},
		Store: hooks.StoreOrDefault(),
	}
}

func itemHook(ctx context.Context, hooks paykit.Hooks, n paykit.Notification, item, lang string, c Common) (paykit.Item, error) {
	if hooks.Item == nil {
		return paykit.Item{}, errNoItem
	}
	return hooks.Item(ctx, paykit.ItemRequest{
		Provider:     paykit.VKPay,
		Item:         item,
		UserID:       strconv.FormatInt(c.UserID, 10),
		Lang:         lang,
		Test:         c.Test,
		Notification: n,
	})
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

// ServeHTTP implements http.Handler. VK posts every notification, so any
// other method is answered 405 with Allow: POST before anything is read.
func (h *CallbackHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	n, err := h.client.ParseCallback(r)
	if err != nil {
		h.writeError(w, r, err, parseError(err))
		return
	}
	ctx, cancel := paykit.HookContext(r.Context(), ResponseLimit)
	defer cancel()
	var body []byte
	switch n := n.(type) {
	case *GetItem:
		body, err = h.getItem(ctx, n)
	case *GetSubscription:
		body, err = h.getSubscription(ctx, n)
	case *OrderStatusChange:
		body, _, err = paykit.Fulfil(ctx, h.store, h.client.Key(n), func(ctx context.Context) ([]byte, error) {
			return h.order(ctx, n, h.reporter(r))
		})
	case *SubscriptionStatusChange:
		body, _, err = paykit.Fulfil(ctx, h.store, h.client.Key(n), func(ctx context.Context) ([]byte, error) {
			return h.subscription(ctx, n, h.reporter(r))
		})
	}
	if err != nil {
		h.writeError(w, r, err, hookError(err))
		return
	}
	paykit.WriteBytes(w, http.StatusOK, ContentType, body)
}

func (h *CallbackHandler) getItem(ctx context.Context, n *GetItem) ([]byte, error) {
	if h.cb.GetItem == nil {
		return nil, paykit.ErrUnknownItem
	}
	reply, err := h.cb.GetItem(ctx, n)
	if err != nil {
		return nil, err
	}
	if err := reply.Validate(); err != nil {
		return nil, invalidReply(err)
	}
	return reply.AppendJSON(make([]byte, 0, 128)), nil
}

func (h *CallbackHandler) getSubscription(ctx context.Context, n *GetSubscription) ([]byte, error) {
	if h.cb.GetSubscription == nil {
		return nil, paykit.ErrUnknownItem
	}
	reply, err := h.cb.GetSubscription(ctx, n)
	if err != nil {
		return nil, err
	}
	if err := reply.Validate(); err != nil {
		return nil, invalidReply(err)
	}
	return reply.AppendJSON(make([]byte, 0, 160)), nil
}

// reporter tells OnError, if set, about a problem that did not change the
// answer.
func (h *CallbackHandler) reporter(r *http.Request) func(error) {
	return func(err error) {
		if h.cb.OnError != nil {
			h.cb.OnError(r, err)
		}
	}
}

// order runs the order hook inside the store's fulfilment. Once the hook
// has returned nil the goods are out: an invalid reply (a negative
// AppOrderID) must not make the store forget the fulfilment, or VK's
// resend would run the hook again. So the reply is then reduced to the
// echoed order_id, which is always valid, the fulfilment is remembered
// with it, and the invalid reply is reported to OnError.
func (h *CallbackHandler) order(ctx context.Context, n *OrderStatusChange, report func(error)) ([]byte, error) {
	fn := h.cb.OrderStatusChange
	if n.Status == OrderRefunded && h.cb.Refund != nil {
		fn = h.cb.Refund
	}
	if fn == nil {
		return nil, paykit.Temporary(errNoEvent)
	}
	reply, err := fn(ctx, n)
	if err != nil {
		return nil, err
	}
	reply.OrderID = n.OrderID
	if err := reply.Validate(); err != nil {
		report(invalidReply(err))
		reply = OrderReply{OrderID: n.OrderID}
	}
	return reply.AppendJSON(make([]byte, 0, 64)), nil
}

// subscription is [CallbackHandler.order] for subscription status changes:
// an invalid reply after the hook succeeded is answered with the echoed
// subscription_id alone and remembered.
func (h *CallbackHandler) subscription(ctx context.Context, n *SubscriptionStatusChange, report func(error)) ([]byte, error) {
	if h.cb.SubscriptionStatusChange == nil {
		return nil, paykit.Temporary(errNoEvent)
	}
	reply, err := h.cb.SubscriptionStatusChange(ctx, n)
	if err != nil {
		return nil, err
	}
	reply.SubscriptionID = n.SubscriptionID
	if err := reply.Validate(); err != nil {
		report(invalidReply(err))
		reply = SubscriptionStatusReply{SubscriptionID: n.SubscriptionID}
	}
	return reply.AppendJSON(make([]byte, 0, 64)), nil
}

// Key returns the idempotency key under which a handler stores the answer
// to n. Orders use [paykit.IdempotencyKey] (app, test flag, payment or
// refund, order_id). Subscriptions are keyed on the subscription id and
// VK's own status (chargeable, active and cancelled are distinct changes),
// plus cancel_reason, pending_cancel and next_bill_time, so that a second
// cancellation after a resumption is a new event while an exact resend is
// a repeat. Other notifications are not stored; Key returns "".
func (c *Client) Key(n paykit.Notification) string {
	switch n := n.(type) {
	case *OrderStatusChange:
		return paykit.IdempotencyKey(c.account, n)
	case *SubscriptionStatusChange:
		s := n.Summary()
		s.Status = paykit.Status(n.Status)
		b := make([]byte, 0, 64)
		b = strconv.AppendInt(b, int64(len(n.SubscriptionID)), 10)
		b = append(b, ':')
		b = append(b, n.SubscriptionID...)
		b = append(b, '|')
		b = append(b, n.CancelReason...)
		b = append(b, '|')
		b = strconv.AppendBool(b, n.PendingCancel)
		b = append(b, '|')
		if !n.NextBillTime.IsZero() {
			b = strconv.AppendInt(b, n.NextBillTime.Unix(), 10)
		}
		s.ID = string(b)
		return paykit.IdempotencyKey(c.account, summaryOnly(s))
	}
	return ""
}

type summaryOnly paykit.Summary

func (s summaryOnly) Summary() paykit.Summary { return paykit.Summary(s) }

type replyError struct{ err error }

func (e replyError) Error() string { return "vkpay: invalid reply: " + e.err.Error() }
func (e replyError) Unwrap() error { return e.err }

func invalidReply(err error) error { return replyError{err} }

// parseError maps a ParseCallback error to VK's answer: 10 for a bad or
// missing sig, 11 for everything else; both critical.
func parseError(err error) *Error {
	if errors.Is(err, paykit.ErrInvalidSignature) || errors.Is(err, paykit.ErrMissingSignature) {
		return NewError(CodeSignature, "signature mismatch", true)
	}
	return NewError(CodeBadRequest, "invalid request parameters", true)
}

// hookError maps a callback's error to VK's answer.
func hookError(err error) *Error {
	var ve *Error
	if errors.As(err, &ve) {
		if ve.Validate() == nil {
			return NewError(ve.Code, ve.Msg, ve.Critical) // normalises the critical flag
		}
		return NewError(CodeGeneral, "internal error", true)
	}
	var re replyError
	if errors.As(err, &re) {
		return NewError(CodeGeneral, "internal error", true)
	}
	switch paykit.Classify(err) {
	case paykit.OutcomeRejected:
		if errors.Is(err, paykit.ErrUnknownUser) {
			return NewError(CodeUnknownUser, "user does not exist", true)
		}
		return NewError(CodeUnknownItem, "product does not exist", true)
	case paykit.OutcomeRetry:
		return NewError(CodeTemporary, "temporary error, try again later", false)
	default:
		return NewError(CodeGeneral, "internal error", true)
	}
}

func (h *CallbackHandler) writeError(w http.ResponseWriter, r *http.Request, err error, e *Error) {
	if h.cb.OnError != nil {
		h.cb.OnError(r, err)
	}
	paykit.WriteBytes(w, http.StatusOK, ContentType, e.AppendJSON(make([]byte, 0, 96)))
}
