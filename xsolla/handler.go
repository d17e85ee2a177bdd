package xsolla

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/paykit-go/paykit"
)

// DefaultHookLimit is the time Xsolla is assumed to wait for an answer: its
// docs ask for order_paid to be handled within about 3 s. Hooks get
// paykit.HookContext of it (about 2.4 s).
const DefaultHookLimit = 3 * time.Second

// Hooks are the Xsolla-specific parts of a handler, beside the
// provider-neutral paykit.Hooks. The zero value is usable.
type Hooks struct {
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
	// AckUnknownTypes answers 204 to verified notification types this
	// package does not know. By default they get 400 INVALID_PARAMETER, so
	// that nothing new is acknowledged without a decision.
	AckUnknownTypes bool
	// Status overrides the HTTP status per error code, e.g.
	// {"INVALID_SIGNATURE": 401, "INVALID_USER": 422} to answer like
	// Xsolla's PHP SDK. Defaults: 400 for every code, 500 for SERVER_ERROR.
	Status map[string]int
	// Limit is how long Xsolla waits for an answer; 0 means
	// [DefaultHookLimit].
	Limit time.Duration
	// OnError, when set, is told about every refused or failed delivery
	// (for logging). err never contains a secret.
	OnError func(r *http.Request, err error)
}

// Handler answers Xsolla's webhooks with the paykit hooks: 204 on success;
// user_validation through h.User (nil accepts every user — set it unless
// Xsolla's user validation is off for your project); payments, refunds,
// orders, subscriptions and the other events through h.Event, once per
// idempotency key ([Client.IdempotencyKey]) with the reply replayed to
// repeats; 400 INVALID_SIGNATURE / INVALID_PARAMETER for bad deliveries,
// 400 INVALID_USER for paykit.ErrUnknownUser, 400 for other hook errors and
// 500 for paykit.Temporary ones (and when h.Event is nil, so nothing is
// lost). It is HandlerWith(h, Hooks{}).
func (c *Client) Handler(h paykit.Hooks) http.Handler { return c.HandlerWith(h, Hooks{}) }

// HandlerWith is [Client.Handler] with the Xsolla-specific hooks x.
func (c *Client) HandlerWith(h paykit.Hooks, x Hooks) http.Handler {
	if x.Limit <= 0 {
		x.Limit = DefaultHookLimit
	}
	return &handler{c: c, h: h, x: x, store: h.StoreOrDefault()}
}

type handler struct {
	c     *Client
	h     paykit.Hooks
	x     Hooks
	store paykit.Store
}

var errNoEvent = paykit.Temporary(errors.New("xsolla: no Event hook configured"))

// ServeHTTP answers one webhook delivery.
func (hd *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		hd.fail(w, r, http.StatusMethodNotAllowed, CodeInvalidParameter, errors.New("xsolla: method not allowed"))
		return
	}
	n, err := hd.c.ParseCallback(r)
	if err != nil {
		if errors.Is(err, paykit.ErrUnknownType) && hd.x.AckUnknownTypes {
			WriteNoContent(w)
			return
		}
		hd.fail(w, r, 0, ParseErrorCode(err), err)
		return
	}
	ctx, cancel := paykit.HookContext(r.Context(), hd.x.Limit)
	defer cancel()
	switch n := n.(type) {
	case *UserValidation:
		if hd.h.User != nil {
			err = hd.h.User(ctx, n)
		}
		hd.answer(w, r, nil, err)
	case *UserSearch:
		hd.userSearch(ctx, w, r, n)
	case *GetPinCode:
		hd.pinCode(ctx, w, r, n)
	case *PartnerSideCatalog:
		hd.catalog(ctx, w, r, n)
	default:
		hd.event(ctx, w, r, n)
	}
}

func (hd *handler) event(ctx context.Context, w http.ResponseWriter, r *http.Request, n paykit.Notification) {
	if hd.h.Event == nil {
		hd.answer(w, r, nil, errNoEvent)
		return
	}
	reply, _, err := paykit.Fulfil(ctx, hd.store, hd.c.IdempotencyKey(n), func(ctx context.Context) ([]byte, error) {
		if hd.x.CheckAmount != nil && needsAmountCheck(n) {
			if err := hd.x.CheckAmount(ctx, n); err != nil {
				return nil, err
			}
		}
		if err := hd.h.Event(ctx, n); err != nil {
			return nil, err
		}
		return []byte{}, nil
	})
	hd.answer(w, r, reply, err)
}

func needsAmountCheck(n paykit.Notification) bool {
	switch n.(type) {
	case *Payment, *OrderPaid:
		return true
	}
	return false
}

func (hd *handler) userSearch(ctx context.Context, w http.ResponseWriter, r *http.Request, n *UserSearch) {
	if hd.x.UserSearch == nil {
		hd.answer(w, r, nil, paykit.ErrUnknownUser)
		return
	}
	u, err := hd.x.UserSearch(ctx, n)
	if err == nil && u.ID == "" {
		err = paykit.ErrUnknownUser
	}
	if err != nil {
		hd.answer(w, r, nil, err)
		return
	}
	hd.writeJSON(w, r, UserSearchReply{User: u})
}

func (hd *handler) pinCode(ctx context.Context, w http.ResponseWriter, r *http.Request, n *GetPinCode) {
	if hd.x.PinCode == nil {
		hd.answer(w, r, nil, paykit.ErrUnknownItem)
		return
	}
	pin, err := hd.x.PinCode(ctx, n)
	if err != nil {
		hd.answer(w, r, nil, err)
		return
	}
	hd.writeJSON(w, r, PinCodeReply{PinCode: pin})
}

func (hd *handler) catalog(ctx context.Context, w http.ResponseWriter, r *http.Request, n *PartnerSideCatalog) {
	if hd.x.Catalog == nil {
		hd.answer(w, r, nil, paykit.ErrUnknownItem)
		return
	}
	body, err := hd.x.Catalog(ctx, n)
	if err == nil && !json.Valid(body) {
		err = errors.New("xsolla: Catalog hook returned invalid JSON")
	}
	if err != nil {
		hd.answer(w, r, nil, err)
		return
	}
	paykit.WriteBytes(w, http.StatusOK, "application/json", body)
}

func (hd *handler) writeJSON(w http.ResponseWriter, r *http.Request, v any) {
	if err := paykit.WriteJSON(w, http.StatusOK, v); err != nil {
		hd.fail(w, r, 0, CodeServerError, err)
	}
}

// answer writes 204 (with the stored reply) on success, else the error
// reply for a hook error.
func (hd *handler) answer(w http.ResponseWriter, r *http.Request, reply []byte, err error) {
	if err == nil {
		if len(reply) == 0 {
			WriteNoContent(w)
			return
		}
		paykit.WriteBytes(w, http.StatusOK, "application/json", reply)
		return
	}
	code, _ := HookErrorCode(err)
	hd.fail(w, r, 0, code, err)
}

func (hd *handler) fail(w http.ResponseWriter, r *http.Request, status int, code string, err error) {
	if status == 0 {
		status = hd.status(code)
	}
	if hd.x.OnError != nil {
		hd.x.OnError(r, err)
	}
	WriteError(w, status, code)
}

func (hd *handler) status(code string) int {
	if s, ok := hd.x.Status[code]; ok && s >= 400 && s <= 599 {
		return s
	}
	if code == CodeServerError {
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

// IdempotencyKey is the key the handler fulfils n under:
// paykit.IdempotencyKey of the project id and n's summary, with an id that
// keeps Xsolla's id spaces apart.
//
// One purchase is one key. payment and order_paid of one purchase share
// the key "txn:<transaction id>" (order_paid names the transaction in
// transaction.id in the combined variant, in order.invoice_id in the
// separate one), with Kind payment and Status paid; refund and
// order_canceled of one purchase share "txn:<transaction id>" with Kind
// refund and Status refunded. So whichever of the pair arrives first
// reaches Event and the other is answered from the store. An order_paid or
// order_canceled that names no transaction is keyed on "order_paid:" /
// "order_canceled:" and order.id.
//
// Every other type is keyed on its type name and its id, so that no two
// types share a key: partial_refund on transaction.id and a digest of the
// body [unsure: Xsolla documents no id per partial refund, so only a
// byte-identical redelivery is a repeat], update_subscription on
// subscription_id and date_next_charge (it comes at every renewal), other
// subscriptions on subscription_id, afs_reject on transaction.id, the
// informational types on their id or, without one, a digest of the body.
// Numeric ids are keyed in plain decimal, so 7 and "7" are one id.
func (c *Client) IdempotencyKey(n paykit.Notification) string {
	s := n.Summary()
	var id string
	switch n := n.(type) {
	case *Payment:
		id = purchaseKey(n.Transaction.ID)
	case *Refund:
		id = purchaseKey(n.Transaction.ID)
	case *OrderPaid:
		id = purchaseKey(n.transactionID())
	case *OrderCanceled:
		if id = purchaseKey(n.transactionID()); id != "" {
			// The key of the refund of the same transaction.
			s.Kind, s.Status = paykit.KindRefund, paykit.StatusRefunded
		}
	case *UpdateSubscription:
		id = s.Type + ":" + keyID(n.Subscription.SubscriptionID) + "@" + n.Subscription.DateNextCharge
	case *PartialRefund:
		sum := sha256.Sum256(n.Raw)
		id = s.Type + ":" + keyID(n.Transaction.ID) + "#" + hex.EncodeToString(sum[:12])
	}
	if id == "" {
		id = s.Type + ":" + keyID(ID(s.ID))
		if s.ID == "" {
			// No id to key on: only a byte-identical redelivery is a repeat.
			if m, ok := n.(interface{ message() *Message }); ok {
				sum := sha256.Sum256(m.message().Raw)
				id += "#" + hex.EncodeToString(sum[:12])
			}
		}
	}
	return paykit.IdempotencyKey(c.project, scoped{s: s, id: id})
}

// purchaseKey is the key id of a purchase's transaction, or "" when the
// id is not usable (ParseCallback refuses payments and refunds without
// one; an order without one falls back to its order id).
func purchaseKey(tx ID) string {
	if id, ok := canonicalID(tx); ok {
		return "txn:" + id
	}
	return ""
}

// keyID is id in the form it is keyed by (see canonicalID).
func keyID(id ID) string {
	if c, ok := canonicalID(id); ok {
		return c
	}
	return string(id)
}

// scoped is a notification whose Summary ID is made unique per type.
type scoped struct {
	s  paykit.Summary
	id string
}

// Summary returns the wrapped summary with the scoped ID.
func (s scoped) Summary() paykit.Summary {
	out := s.s
	out.ID = s.id
	return out
}
