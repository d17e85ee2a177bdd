// Package callback is the one callback engine behind every provider's
// handler: it caps and reads the input, accepts only the provider's
// methods, has the provider verify and decode it before anything is
// trusted, runs the merchant's hooks under a deadline and at most once per
// idempotency key through a [paykit.Store], classifies the outcome and
// writes the provider's reply.
//
// A provider contributes only what is its own, as a [Protocol]: how to
// parse and verify a delivery, its idempotency key, how to answer a
// verified notification, and how its success and failure replies look.
package callback

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/form"
)

// Protocol is one provider's part of a callback handler.
type Protocol interface {
	// Parse verifies and decodes one delivery. input is the capped body,
	// or the raw query string of a GET request. Every error matches one of
	// the root sentinels, or is temporary (e.g. a key that could not be
	// fetched) so that the provider retries.
	Parse(r *http.Request, input []byte) (paykit.Notification, error)
	// Key returns the idempotency key n is fulfilled under, or "" for a
	// notification that is answered afresh at every delivery (item
	// requests, user checks: they change nothing).
	Key(n paykit.Notification) string
	// Answer runs the merchant's hooks for n and renders the body of the
	// success reply. For a keyed notification it runs inside the Store, at
	// most once per key, and its body is what every repeat gets.
	Answer(ctx context.Context, n paykit.Notification) ([]byte, error)
	// Success is the reply that carries a success body.
	Success(n paykit.Notification, body []byte) Reply
	// Failure is the reply for a delivery that failed with class c, from
	// err (VK tells an unknown user from an unknown item, Xsolla an
	// incorrect amount from other refusals). n is nil when the delivery
	// did not verify. The reply must not echo err's text to the provider
	// unless the protocol knows it holds no secret.
	Failure(c Class, n paykit.Notification, err error) Reply
}

// Reply is what the engine writes.
type Reply struct {
	Status      int
	ContentType string
	Body        []byte
}

// Settings are a handler's fixed parts.
type Settings struct {
	// Methods are the HTTP methods the provider uses; any other is
	// answered 405 before anything is read.
	Methods []string
	// ReplyTimeout is how long the provider waits for a reply; hooks get
	// a deadline inside it (see [HookBudget]).
	ReplyTimeout time.Duration
	// Options are the merchant's shared handler options.
	Options paykit.HandlerOptions
	// Store is the idempotency store; nil gives the handler its own
	// [paykit.MemoryStore].
	Store paykit.Store
}

// Handler runs one provider's [Protocol].
type Handler struct {
	p       Protocol
	methods []string
	allow   string
	maxBody int64
	hookFor time.Duration
	store   paykit.Store
	errLog  func(*http.Request, error)
}

// New returns the handler running p with s.
func New(p Protocol, s Settings) *Handler {
	h := &Handler{
		p:       p,
		methods: s.Methods,
		allow:   strings.Join(s.Methods, ", "),
		maxBody: s.Options.MaxBodyBytes,
		hookFor: s.Options.HookTimeout,
		store:   s.Store,
		errLog:  s.Options.ErrorLog,
	}
	if h.maxBody <= 0 {
		h.maxBody = form.DefaultMaxBytes
	}
	if h.hookFor <= 0 {
		h.hookFor = HookBudget(s.ReplyTimeout)
	}
	if h.store == nil {
		h.store = paykit.NewMemoryStore(paykit.MemoryStoreOptions{})
	}
	return h
}

// ServeHTTP answers one delivery.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.allowed(r.Method) {
		h.log(r, errMethod)
		w.Header().Set("Allow", h.allow)
		write(w, Reply{Status: http.StatusMethodNotAllowed, ContentType: textPlain, Body: []byte("method not allowed\n")})
		return
	}
	input, err := form.ReadInput(r, h.maxBody)
	if err != nil {
		h.fail(w, r, nil, ClassifyParse(err), err)
		return
	}
	n, err := h.p.Parse(r, input)
	if err != nil {
		h.fail(w, r, nil, ClassifyParse(err), err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.hookFor)
	defer cancel()
	body, err := h.answer(ctx, n)
	if err != nil {
		h.fail(w, r, n, ClassifyHook(err), err)
		return
	}
	write(w, h.p.Success(n, body))
}

// answer runs the protocol's Answer, through the Store when n has a key.
func (h *Handler) answer(ctx context.Context, n paykit.Notification) ([]byte, error) {
	key := h.p.Key(n)
	if key == "" {
		return h.p.Answer(ctx, n)
	}
	reply, _, err := h.store.Do(ctx, key, func(ctx context.Context) ([]byte, error) {
		return h.p.Answer(ctx, n)
	})
	if err == nil && reply == nil {
		// A Store that returns neither a reply nor an error must not turn
		// into an acknowledgement: the provider retries.
		return nil, paykit.Temporary(errNoReply)
	}
	return reply, err
}

func (h *Handler) allowed(method string) bool {
	for _, m := range h.methods {
		if m == method {
			return true
		}
	}
	return false
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, n paykit.Notification, c Class, err error) {
	h.log(r, err)
	write(w, h.p.Failure(c, n, err))
}

func (h *Handler) log(r *http.Request, err error) {
	if h.errLog != nil {
		h.errLog(r, err)
	}
}

const textPlain = "text/plain; charset=utf-8"

var (
	errMethod  = errors.New("paykit: method not allowed")
	errNoReply = errors.New("paykit: store returned no reply")
)

// write writes rep. Replies are never cached by anything between the
// merchant and the provider.
func write(w http.ResponseWriter, rep Reply) {
	hdr := w.Header()
	if rep.ContentType != "" {
		hdr.Set("Content-Type", rep.ContentType)
	}
	hdr.Set("Cache-Control", "no-store")
	w.WriteHeader(rep.Status)
	if len(rep.Body) > 0 {
		_, _ = w.Write(rep.Body)
	}
}

// HookBudget is the part of a provider's reply timeout hooks may use: the
// timeout less a margin of a fifth, at least 500 ms, for writing the reply.
func HookBudget(replyTimeout time.Duration) time.Duration {
	margin := max(replyTimeout/5, 500*time.Millisecond)
	if budget := replyTimeout - margin; budget > 0 {
		return budget
	}
	if replyTimeout > 0 {
		return replyTimeout
	}
	return 10 * time.Second
}
