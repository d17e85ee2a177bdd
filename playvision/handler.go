package playvision

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/paykit-go/paykit"
)

const contentTypeJSON = "application/json; charset=utf-8"

// Handler returns the http.Handler to install at the app's "Payment link".
// It accepts only POST, answering any other method 405 with "Allow: POST",
// and answers every POST with HTTP 200 and a JSON body, as Playvision reads
// only the body:
//
//   - get_item: hooks.Item is asked for the item; the answer is
//     {"item_id","item_title","item_price","item_photo_url"} with string
//     values.
//   - order_status_change: hooks.Event runs at most once per (mode,
//     transaction_id) through hooks.Store; the answer is
//     {"status":"1","message":"success"}, and a repeated delivery gets the
//     same bytes without Event running again.
//   - anything refused — bad or missing sig, malformed body, other app,
//     unknown type, a hook's paykit.ErrUnknownItem / ErrUnknownUser, a
//     hook error, a Temporary hook error, a nil hook — is answered
//     {"status":"-1","message":…} with a fixed message (see the Message
//     constants). Playvision documents no retries, so a temporary failure
//     may not be delivered again: its order stays in the platform's
//     transaction log.
//
// Hooks run under a context that ends before Playvision's 10 s limit
// (paykit.HookContext).
func (c *Client) Handler(hooks paykit.Hooks) http.Handler {
	return &handler{c: c, hooks: hooks, store: hooks.StoreOrDefault()}
}

type handler struct {
	c     *Client
	hooks paykit.Hooks
	store paykit.Store
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		// Not a Playvision delivery (the platform only POSTs): refused
		// at the HTTP level, not with the 200 envelope.
		w.Header().Set("Allow", http.MethodPost)
		paykit.WriteBytes(w, http.StatusMethodNotAllowed, contentTypeJSON, failureBodies[MessageMalformed])
		return
	}
	n, err := h.c.ParseCallback(r)
	if err != nil {
		writeFailure(w, parseMessage(err))
		return
	}
	ctx, cancel := paykit.HookContext(r.Context(), ProviderLimit)
	defer cancel()
	switch n := n.(type) {
	case *GetItem:
		h.getItem(ctx, w, n)
	case *OrderStatusChange:
		h.order(ctx, w, n)
	}
}

func (h *handler) getItem(ctx context.Context, w http.ResponseWriter, n *GetItem) {
	if h.hooks.Item == nil {
		writeFailure(w, MessageNotConfigured)
		return
	}
	item, err := h.hooks.Item(ctx, paykit.ItemRequest{
		Provider:     paykit.Playvision,
		Item:         n.Item,
		UserID:       strconv.FormatInt(n.UserID, 10),
		Test:         n.Test,
		Notification: n,
	})
	if err != nil {
		writeFailure(w, hookMessage(err))
		return
	}
	reply, err := NewItemReply(item)
	if err != nil {
		writeFailure(w, MessageFailed)
		return
	}
	_ = paykit.WriteJSON(w, http.StatusOK, reply)
}

func (h *handler) order(ctx context.Context, w http.ResponseWriter, n *OrderStatusChange) {
	if h.hooks.Event == nil {
		// Nothing is stored: the delivery can be fulfilled once a hook is
		// installed.
		writeFailure(w, MessageTemporary)
		return
	}
	key := h.c.IdempotencyKey(n)
	if key == "" {
		// Never fulfil under an empty key: every such order would share it.
		writeFailure(w, MessageMalformed)
		return
	}
	reply, _, err := paykit.Fulfil(ctx, h.store, key, func(ctx context.Context) ([]byte, error) {
		if err := h.hooks.Event(ctx, n); err != nil {
			return nil, err
		}
		return successReply, nil
	})
	if err != nil {
		writeFailure(w, hookMessage(err))
		return
	}
	paykit.WriteBytes(w, http.StatusOK, contentTypeJSON, reply)
}

// Failure bodies are fixed per message; precomputed so that refusing costs
// no JSON encoding.
var failureBodies = func() map[string][]byte {
	m := make(map[string][]byte)
	for _, msg := range []string{
		MessageInvalidSignature, MessageMissingSignature, MessageMalformed,
		MessageUnknownType, MessageWrongApp, MessageTooLarge, MessageUnknownItem,
		MessageUnknownUser, MessageTemporary, MessageFailed, MessageNotConfigured,
	} {
		m[msg] = FailureReply(msg)
	}
	return m
}()

func writeFailure(w http.ResponseWriter, msg string) {
	body, ok := failureBodies[msg]
	if !ok {
		body = FailureReply(msg)
	}
	paykit.WriteBytes(w, http.StatusOK, contentTypeJSON, body)
}

func parseMessage(err error) string {
	switch {
	case errors.Is(err, paykit.ErrMissingSignature):
		return MessageMissingSignature
	case errors.Is(err, paykit.ErrInvalidSignature):
		return MessageInvalidSignature
	case errors.Is(err, paykit.ErrWrongAccount):
		return MessageWrongApp
	case errors.Is(err, paykit.ErrUnknownType):
		return MessageUnknownType
	case errors.Is(err, paykit.ErrBodyTooLarge):
		return MessageTooLarge
	default:
		return MessageMalformed
	}
}

func hookMessage(err error) string {
	switch paykit.Classify(err) {
	case paykit.OutcomeRejected:
		if errors.Is(err, paykit.ErrUnknownUser) {
			return MessageUnknownUser
		}
		return MessageUnknownItem
	case paykit.OutcomeRetry:
		return MessageTemporary
	default:
		return MessageFailed
	}
}
