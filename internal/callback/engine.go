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
	"strconv"
	"strings"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/form"
	"github.com/paykit-go/paykit/internal/redact"
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
	// Provider and Account are the handler's, for the delivery record
	// (an [AccountOf] protocol names the account per notification).
	Provider paykit.Provider
	Account  string
	// Methods are the HTTP methods the provider uses; any other is
	// answered 405 before anything is read.
	Methods []string
	// Headers are the request headers that matter to the provider
	// (signature headers), kept in the delivery record beside
	// Content-Type. Never a header that carries a merchant's secret.
	Headers []string
	// ReplyTimeout is how long the provider waits for a reply; hooks get
	// a deadline inside it (see [HookBudget]).
	ReplyTimeout time.Duration
	// Options are the merchant's shared handler options.
	Options paykit.HandlerOptions
	// Store is the idempotency store; nil gives the handler its own
	// [paykit.MemoryStore].
	Store paykit.Store
	// Observer is told of every delivery (paykit.Hooks.Observer); nil
	// costs nothing.
	Observer paykit.Observer
	// Secrets are the account's credentials, redacted (internal/redact)
	// from the error text of a delivery record: a hook's error may wrap a
	// remote server's echo of a request.
	Secrets []string
}

// AccountOf is implemented by a [Protocol] that serves several accounts:
// it names the account that verified n, for the delivery record.
type AccountOf interface {
	AccountOf(n paykit.Notification) string
}

// Handler runs one provider's [Protocol].
type Handler struct {
	p        Protocol
	provider paykit.Provider
	account  string
	methods  []string
	allow    string
	headers  []string
	maxBody  int64
	hookFor  time.Duration
	store    paykit.Store
	errLog   func(*http.Request, error)
	observer paykit.Observer
	secrets  []string
}

// New returns the handler running p with s.
func New(p Protocol, s Settings) *Handler {
	h := &Handler{
		p:        p,
		provider: s.Provider,
		account:  s.Account,
		methods:  s.Methods,
		allow:    strings.Join(s.Methods, ", "),
		headers:  canonical(append([]string{"Content-Type"}, s.Headers...)),
		maxBody:  s.Options.MaxBodyBytes,
		hookFor:  s.Options.HookTimeout,
		store:    s.Store,
		errLog:   s.Options.ErrorLog,
		observer: s.Observer,
		secrets:  s.Secrets,
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

// ServeHTTP answers one delivery and, when an observer is set, reports it
// once the reply is written.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.observer == nil {
		h.serve(w, r, nil)
		return
	}
	var d paykit.Delivery // on the stack: nothing keeps a pointer to it
	h.record(&d, r)
	h.serve(w, r, &d)
	d.Duration = time.Since(d.ReceivedAt)
	h.observer.Observe(context.WithoutCancel(r.Context()), d)
}

// serve answers one delivery, filling d (when not nil) as it goes.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request, d *paykit.Delivery) {
	if !h.allowed(r.Method) {
		w.Header().Set("Allow", h.allow)
		h.refuse(w, r, d, paykit.NotVerifiedMethod, 0, errMethod,
			Reply{Status: http.StatusMethodNotAllowed, ContentType: textPlain, Body: []byte("method not allowed\n")})
		return
	}
	input, err := form.ReadInput(r, h.maxBody)
	if err != nil {
		c := ClassifyParse(err)
		h.refuse(w, r, d, verification(c), c, err, h.p.Failure(c, nil, err))
		return
	}
	if d != nil && r.Method != http.MethodGet && r.Method != http.MethodHead {
		d.Body = input
	}
	n, err := h.p.Parse(r, input)
	if err != nil {
		c := ClassifyParse(err)
		h.refuse(w, r, d, verification(c), c, err, h.p.Failure(c, nil, err))
		return
	}
	if d != nil {
		d.Verification = paykit.Verified
		d.Notification = n
		d.Summary = n.Summary()
		d.Type = d.Summary.Type
		if a, ok := h.p.(AccountOf); ok {
			d.Account = a.AccountOf(n)
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.hookFor)
	defer cancel()
	body, _, err := h.answer(ctx, n, d)
	if err != nil {
		c := ClassifyHook(err)
		h.refuse(w, r, d, paykit.Verified, c, err, h.p.Failure(c, n, err))
		return
	}
	rep := h.p.Success(n, body)
	if d != nil {
		d.Outcome = paykit.OutcomeOK
		setReply(d, rep)
	}
	write(w, rep, d != nil)
}

// Deliver runs n — a notification the provider's API answered with, so
// already trusted (reconciliation) — through the same path as a verified
// callback: the same idempotency key, the same Store, the same hooks under
// the same deadline. A payment found by polling and its late callback can
// never fulfil twice, in either order. replayed is true when n's key was
// already fulfilled (its callback came first). An observer is told of it
// as a delivery with Reconciled set and no request.
func (h *Handler) Deliver(ctx context.Context, n paykit.Notification) (replayed bool, err error) {
	var d *paykit.Delivery
	if h.observer != nil {
		s := n.Summary()
		d = &paykit.Delivery{ID: newID(), Provider: h.provider, Account: h.account, ReceivedAt: time.Now(),
			Reconciled: true, Verification: paykit.Verified, Notification: n, Summary: s, Type: s.Type}
		if a, ok := h.p.(AccountOf); ok {
			d.Account = a.AccountOf(n)
		}
	}
	hctx, cancel := context.WithTimeout(ctx, h.hookFor)
	defer cancel()
	body, replayed, err := h.answer(hctx, n, d)
	if d != nil {
		if err != nil {
			d.Outcome, d.Error = outcome(ClassifyHook(err)), redact.String(err.Error(), h.secrets...)
		} else {
			d.Outcome, d.ReplyBody = paykit.OutcomeOK, body
		}
		d.Duration = time.Since(d.ReceivedAt)
		h.observer.Observe(context.WithoutCancel(ctx), *d)
	}
	return replayed, err
}

// record starts d, the delivery record of r. Header values are the
// request's own slices: net/http never reuses a request's header.
func (h *Handler) record(d *paykit.Delivery, r *http.Request) {
	*d = paykit.Delivery{
		ID:         newID(),
		RunOf:      RunOf(r.Context()),
		Provider:   h.provider,
		Account:    h.account,
		ReceivedAt: time.Now(),
		RemoteAddr: r.RemoteAddr,
		Method:     r.Method,
		Path:       r.URL.Path,
		Query:      r.URL.RawQuery,
	}
	for _, k := range h.headers {
		if v := r.Header[k]; len(v) > 0 {
			if d.Header == nil {
				d.Header = make(http.Header, len(h.headers))
			}
			d.Header[k] = v
		}
	}
}

// canonical returns keys in net/http's canonical form, as request headers
// are keyed.
func canonical(keys []string) []string {
	for i, k := range keys {
		keys[i] = http.CanonicalHeaderKey(k)
	}
	return keys
}

// answer runs the protocol's Answer, through the Store when n has a key;
// replayed is true when the Store answered from an earlier fulfilment.
func (h *Handler) answer(ctx context.Context, n paykit.Notification, d *paykit.Delivery) (reply []byte, replayed bool, err error) {
	key := h.p.Key(n)
	if key == "" {
		reply, err = h.p.Answer(ctx, n)
		return reply, false, err
	}
	reply, replayed, err = h.store.Do(ctx, key, func(ctx context.Context) ([]byte, error) {
		return h.p.Answer(ctx, n)
	})
	replayed = replayed && err == nil
	if d != nil {
		d.Key, d.Replayed = key, replayed
	}
	if err == nil && reply == nil {
		// A Store that returns neither a reply nor an error must not turn
		// into an acknowledgement: the provider retries.
		return nil, false, paykit.Temporary(errNoReply)
	}
	return reply, replayed, err
}

func (h *Handler) allowed(method string) bool {
	for _, m := range h.methods {
		if m == method {
			return true
		}
	}
	return false
}

// refuse logs err and writes rep, the reply of a delivery that is not
// acknowledged (class c; 0 for a method refused before anything is read).
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, d *paykit.Delivery, v paykit.Verification, c Class, err error, rep Reply) {
	if h.errLog != nil {
		h.errLog(r, err)
	}
	if d != nil {
		d.Verification = v
		d.Outcome = outcome(c)
		d.Error = redact.String(err.Error(), h.secrets...)
		setReply(d, rep)
	}
	write(w, rep, d != nil)
}

// verification names the verification outcome of a Parse failure class.
func verification(c Class) paykit.Verification {
	switch c {
	case TooLarge:
		return paykit.NotVerifiedTooLarge
	case MissingSignature:
		return paykit.NotVerifiedMissingSignature
	case InvalidSignature:
		return paykit.NotVerifiedInvalidSignature
	case WrongAccount:
		return paykit.NotVerifiedWrongAccount
	case UnknownType:
		return paykit.NotVerifiedUnknownType
	case Retry:
		return paykit.NotVerifiedUnavailable
	}
	return paykit.NotVerifiedMalformed
}

// outcome is the delivery outcome of a failure class.
func outcome(c Class) paykit.Outcome {
	switch c {
	case Retry:
		return paykit.OutcomeRetry
	case Failed:
		return paykit.OutcomeFailed
	}
	return paykit.OutcomeRejected
}

func setReply(d *paykit.Delivery, rep Reply) {
	d.ReplyStatus, d.ReplyContentType, d.ReplyBody = rep.Status, rep.ContentType, rep.Body
}

const textPlain = "text/plain; charset=utf-8"

var (
	errMethod  = errors.New("paykit: method not allowed")
	errNoReply = errors.New("paykit: store returned no reply")
)

// write writes rep. Replies are never cached by anything between the
// merchant and the provider. With finish set (an observer runs after the
// reply), the reply is sized and flushed first, so that the provider has
// all of it while the observer runs.
func write(w http.ResponseWriter, rep Reply, finish bool) {
	hdr := w.Header()
	if rep.ContentType != "" {
		hdr.Set("Content-Type", rep.ContentType)
	}
	hdr.Set("Cache-Control", "no-store")
	if finish {
		hdr.Set("Content-Length", strconv.Itoa(len(rep.Body)))
	}
	w.WriteHeader(rep.Status)
	if len(rep.Body) > 0 {
		_, _ = w.Write(rep.Body)
	}
	if finish {
		_ = http.NewResponseController(w).Flush()
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
