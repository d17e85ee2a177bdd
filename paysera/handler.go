package paysera

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/paykit-go/paykit"
)

// HookLimit is the time budget handlers give hooks (less a margin, see
// [paykit.HookContext]). Paysera documents no callback timeout; 30 s is
// assumed.
const HookLimit = 30 * time.Second

// HandlerOptions are the Paysera-specific settings of a handler.
type HandlerOptions struct {
	// SMSReply returns the text of the reply SMS for a micro (SMS)
	// payment; the callback is then answered "OK <text>". It runs after
	// Hooks.Event succeeded, with the same context (a database Store's
	// transaction is in it), and its text is stored with the reply so a
	// repeated delivery gets the same answer. An error fails the delivery
	// like an Event error (500; Paysera retries and Event runs again unless
	// the Store rolled it back). Nil, or an empty text, answers plain "OK"
	// (send the SMS later with [Client.SendSMSAnswer]).
	SMSReply func(ctx context.Context, cb *Callback) (string, error)
	// ErrorLog, when set, is told why a delivery was not answered "OK".
	// The errors never contain secrets.
	ErrorLog func(r *http.Request, err error)
}

// Handler returns the http.Handler to mount at your callbackurl. It
// verifies every callback with [Client.ParseCallback] and passes it to
// hooks.Event once per event, through hooks.Store:
//
//   - success, and any repeat of an event already fulfilled: 200 "OK"
//     (micro payments: "OK <text>", see [HandlerOptions.SMSReply]), the
//     stored bytes replayed exactly, without calling Event again;
//   - bad signature, wrong project or malformed data: 400, body not "OK";
//   - Event failed (temporary or not), is nil, or no key to verify with:
//     500, so Paysera delivers the callback again later;
//   - any method but GET and POST: 405 with an Allow header, before
//     anything is read.
//
// Every verified status change (pending, paid, refunded, info) is its own
// event; Event decides what to do with each (see [Callback.Paid]).
func (c *Client) Handler(hooks paykit.Hooks) http.Handler {
	return c.HandlerWithOptions(hooks, HandlerOptions{})
}

// HandlerWith is [Client.Handler] with Paysera-specific options (the
// name every provider package has; the same as HandlerWithOptions).
func (c *Client) HandlerWith(hooks paykit.Hooks, opts HandlerOptions) http.Handler {
	return c.HandlerWithOptions(hooks, opts)
}

// HandlerWithOptions is [Client.Handler] with Paysera-specific options.
func (c *Client) HandlerWithOptions(hooks paykit.Hooks, opts HandlerOptions) http.Handler {
	return &handler{c: c, hooks: hooks, store: hooks.StoreOrDefault(), opts: opts}
}

type handler struct {
	c     *Client
	hooks paykit.Hooks
	store paykit.Store
	opts  HandlerOptions
}

const textPlain = "text/plain; charset=utf-8"

var errNoEvent = errors.New("paysera: Hooks.Event is nil")

// allowedMethods are the methods Paysera calls the callbackurl with: GET
// in the callback documentation, POST in its newer integration guide.
const allowedMethods = "GET, POST"

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		// Refused before anything is parsed: a HEAD or PUT never reaches
		// verification, the store or Event.
		w.Header().Set("Allow", allowedMethods)
		paykit.WriteBytes(w, http.StatusMethodNotAllowed, textPlain, []byte("Error: method not allowed"))
		return
	}
	cb, err := h.c.ParseCallback(r)
	if err != nil {
		h.fail(w, r, err, "Error: invalid callback")
		return
	}
	ctx, cancel := paykit.HookContext(r.Context(), HookLimit)
	defer cancel()
	reply, _, err := paykit.Fulfil(ctx, h.store, h.c.EventKey(cb), func(ctx context.Context) ([]byte, error) {
		return h.fulfil(ctx, cb)
	})
	if err != nil {
		h.fail(w, r, err, "Error: not processed, retry later")
		return
	}
	paykit.WriteBytes(w, http.StatusOK, textPlain, reply)
}

func (h *handler) fulfil(ctx context.Context, cb *Callback) ([]byte, error) {
	if h.hooks.Event == nil {
		return nil, paykit.Temporary(errNoEvent)
	}
	if err := h.hooks.Event(ctx, cb); err != nil {
		return nil, err
	}
	if cb.Type != TypeMicro || h.opts.SMSReply == nil {
		return []byte(ReplyOK), nil
	}
	text, err := h.opts.SMSReply(ctx, cb)
	if err != nil {
		return nil, err
	}
	return MicroReply(text), nil
}

// fail answers a delivery that is not acknowledged: 400 for callbacks that
// will never verify, 500 for everything Paysera should retry.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error, body string) {
	if h.opts.ErrorLog != nil {
		h.opts.ErrorLog(r, err)
	}
	status := http.StatusInternalServerError
	if isCallbackError(err) && !paykit.IsTemporary(err) {
		status = http.StatusBadRequest
	}
	paykit.WriteBytes(w, status, textPlain, []byte(body))
}

func isCallbackError(err error) bool {
	for _, s := range [...]error{paykit.ErrMalformed, paykit.ErrMissingSignature, paykit.ErrInvalidSignature,
		paykit.ErrWrongAccount, paykit.ErrBodyTooLarge, paykit.ErrUnknownType} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// EventKey is the idempotency key the handler stores cb's reply under.
// Macro callbacks with statuses 0, 1 and 2 (and 5 without refund fields)
// get exactly [paykit.IdempotencyKey] with the project id. Every other
// event adds a suffix that keeps it apart from those:
//   - micro (SMS) payments add "|micro": an SMS id and a macro requestid
//     are separate number spaces, and both summarise as a paid payment, so
//     without it SMS 555 would be answered from the store of request 555;
//   - status 5 with refund fields adds a digest of them: one payment may
//     be refunded in parts, each its own status 5 callback;
//   - status 4 (pending like 2, and may follow it) and statuses outside
//     0-5 add the raw status;
//   - status 3 (additional information, which may come several times with
//     different content for one payment) adds a digest of the decoded
//     fields.
//
// The base key is length-prefixed, so a suffix can never be mistaken for
// part of an id. An exact repeat always has the same key. Callbacks
// without Paysera's id (requestid, SMS id) never get here: ParseCallback
// refuses them as malformed.
func (c *Client) EventKey(cb *Callback) string {
	key := paykit.IdempotencyKey(c.account, cb)
	if cb.Type == TypeMicro {
		return key + "|" + TypeMicro
	}
	switch cb.Status {
	case StatusRefunded:
		if r := refundFields(cb); r != "" {
			return key + "|refund:" + digest(r)
		}
		return key
	case StatusNotExecuted, StatusSuccess, StatusAccepted:
		return key
	case StatusAdditionalInfo:
		return key + "|info:" + fieldsDigest(cb)
	default:
		return key + "|status:" + string(cb.Status)
	}
}

// IdempotencyKey is the key the handler fulfils n under: [Client.EventKey]
// for a *Callback, else paykit.IdempotencyKey with the project id. Use it
// (not paykit.IdempotencyKey) when you key Paysera events yourself: the
// plain key gives an SMS payment and a macro payment with the same number
// the same key.
func (c *Client) IdempotencyKey(n paykit.Notification) string {
	if cb, ok := n.(*Callback); ok && cb != nil {
		return c.EventKey(cb)
	}
	return paykit.IdempotencyKey(c.account, n)
}

// refundFields is the refund_* values of a status 5 callback,
// length-prefixed, or "" when it has none.
func refundFields(cb *Callback) string {
	var b strings.Builder
	present := false
	for _, v := range [...]string{cb.refundTimestamp, cb.refundAmount, cb.refundCurrency,
		cb.refundCommission, cb.refundCommCur} {
		present = present || v != ""
		b.WriteString(itoa(int64(len(v))) + ":" + v + "|")
	}
	if !present {
		return ""
	}
	return b.String()
}

// digest is a short SHA-256 of s, in hex.
func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}

// fieldsDigest is a SHA-256 over the sorted decoded fields.
func fieldsDigest(cb *Callback) string {
	fields := cb.Fields()
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	h := sha256.New()
	for _, k := range keys {
		for _, v := range fields[k] {
			h.Write([]byte(itoa(int64(len(k))) + ":" + k + itoa(int64(len(v))) + ":" + v))
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
