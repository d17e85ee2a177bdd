package checkout

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/form"
)

// The webhook headers of both generations. Only HeaderSignature is
// covered by anything: the others are metadata nobody signs.
const (
	HeaderSignature    = "X-Paysera-Signature"
	HeaderSignatureAlg = "X-Paysera-Signature-Alg"
	HeaderCreatedAt    = "X-Paysera-Created-At"
	HeaderRequestID    = "X-Paysera-Request-Id"
	HeaderCallbackID   = "X-Paysera-Callback-Id"
	// HeaderEvent and HeaderTimestamp are the checkout-v3 generation's.
	HeaderEvent     = "X-Paysera-Event"
	HeaderTimestamp = "X-Paysera-Timestamp"
)

// SignatureAlgorithm is the only X-Paysera-Signature-Alg accepted
// (compared ignoring case).
const SignatureAlgorithm = "HMAC-SHA256"

// ParseCallback reads a webhook's body (at most 64 KiB) and verifies and
// decodes it with [Client.ParseBody].
func (c *Client) ParseCallback(r *http.Request) (paykit.Notification, error) {
	body, err := readWebhook(r)
	if err != nil {
		return nil, err
	}
	return c.ParseBody(body, r.Header)
}

// readWebhook reads a webhook's body: POST only, at most
// form.DefaultMaxBytes.
func readWebhook(r *http.Request) ([]byte, error) {
	if r.Method != http.MethodPost {
		return nil, fmt.Errorf("%w: method %s, want POST", paykit.ErrMalformed, form.Clip(r.Method))
	}
	return form.ReadBody(r, form.DefaultMaxBytes)
}

// ParseBody verifies a webhook's raw body against its headers, then
// decodes it into an [*OrderEvent], [*PaymentEvent], [*RefundEvent],
// [*LinkEvent] or, for an event this package does not know, an
// [*UnknownEvent] (verified, never an error), whose Account is
// [Client.Account].
//
// Verification, before anything is trusted: X-Paysera-Signature must be
// the lower-case hex HMAC-SHA256 of body under the client secret or a
// previous one (compared in constant time); X-Paysera-Signature-Alg, when
// sent (the v3 generation sends none), must be HMAC-SHA256. The other
// headers are not signed: when present they must be well formed and are
// kept in Headers, never used to route. Errors match
// paykit.ErrMissingSignature, ErrInvalidSignature, ErrMalformed or
// ErrWrongAccount, and never hold a secret or an expected signature.
func (c *Client) ParseBody(body []byte, header http.Header) (paykit.Notification, error) {
	if err := c.verify(body, header); err != nil {
		return nil, err
	}
	hdr, err := readHeaders(header)
	if err != nil {
		return nil, err
	}
	n, err := decodeEvent(body, hdr, c.cfg.TestMode)
	if err != nil {
		return nil, err
	}
	if err := c.checkAccount(n); err != nil {
		return nil, err
	}
	setAccount(n, c.Account())
	return n, nil
}

// setAccount records the account of the client that verified n.
func setAccount(n paykit.Notification, account string) {
	switch n := n.(type) {
	case *OrderEvent:
		n.Account = account
	case *PaymentEvent:
		n.Account = account
	case *RefundEvent:
		n.Account = account
	case *LinkEvent:
		n.Account = account
	case *UnknownEvent:
		n.Account = account
	}
}

// verify checks the signature headers and the HMAC.
func (c *Client) verify(body []byte, header http.Header) error {
	sigs := header.Values(HeaderSignature)
	if len(sigs) == 0 || sigs[0] == "" {
		return fmt.Errorf("%w: no %s header", paykit.ErrMissingSignature, HeaderSignature)
	}
	if len(sigs) > 1 {
		return fmt.Errorf("%w: %s sent more than once", paykit.ErrInvalidSignature, HeaderSignature)
	}
	got, ok := lowerHex(sigs[0])
	if !ok {
		return fmt.Errorf("%w: %s is not 64 lower-case hex digits", paykit.ErrInvalidSignature, HeaderSignature)
	}
	if alg := header.Values(HeaderSignatureAlg); len(alg) > 0 && (len(alg) > 1 || !strings.EqualFold(alg[0], SignatureAlgorithm)) {
		return fmt.Errorf("%w: unsupported %s", paykit.ErrInvalidSignature, HeaderSignatureAlg)
	}
	for _, secret := range c.secrets {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write(body)
		if hmac.Equal(m.Sum(nil), got) {
			return nil
		}
	}
	return fmt.Errorf("%w: HMAC-SHA256 of the body does not match", paykit.ErrInvalidSignature)
}

// lowerHex decodes exactly 64 lower-case hex digits, as Paysera sends and
// its SDK requires.
func lowerHex(s string) ([]byte, bool) {
	if len(s) != 2*sha256.Size {
		return nil, false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return nil, false
		}
	}
	b, err := hex.DecodeString(s)
	return b, err == nil
}

// Headers are a webhook's unsigned metadata headers, as received (the
// fields of the generation that did not send them stay empty). Use them in
// logs; Paysera does not say which id stays the same across retries, and
// nothing covers them, so the idempotency key is built from the body.
type Headers struct {
	SignatureAlg string
	// CreatedAt is X-Paysera-Created-At (modern generation).
	CreatedAt time.Time
	// RequestID and CallbackID are UUIDs (modern generation).
	RequestID, CallbackID string
	// Event and Timestamp are X-Paysera-Event and X-Paysera-Timestamp
	// (v3 generation).
	Event     string
	Timestamp time.Time
}

// readHeaders reads and checks the metadata headers: each, when present,
// must be well formed (a Unix time > 0, a UUID).
func readHeaders(h http.Header) (Headers, error) {
	out := Headers{SignatureAlg: h.Get(HeaderSignatureAlg), RequestID: h.Get(HeaderRequestID),
		CallbackID: h.Get(HeaderCallbackID), Event: h.Get(HeaderEvent)}
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{{HeaderCreatedAt, &out.CreatedAt}, {HeaderTimestamp, &out.Timestamp}} {
		v := h.Get(t.name)
		if v == "" {
			continue
		}
		n, ok := form.Digits(v)
		if !ok || n == 0 {
			return Headers{}, fmt.Errorf("%w: %s is not a Unix time", paykit.ErrMalformed, t.name)
		}
		*t.dst = time.Unix(n, 0).UTC()
	}
	for _, id := range []struct{ name, v string }{{HeaderRequestID, out.RequestID}, {HeaderCallbackID, out.CallbackID}} {
		if id.v != "" && !isUUID(id.v) {
			return Headers{}, fmt.Errorf("%w: %s is not a UUID", paykit.ErrMalformed, id.name)
		}
	}
	if len(out.Event) > 200 {
		return Headers{}, fmt.Errorf("%w: %s too long", paykit.ErrMalformed, HeaderEvent)
	}
	return out, nil
}

// isUUID: 8-4-4-4-12 hex digits, either case.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
			continue
		}
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// checkAccount refuses an event of another project when both the body and
// Config.ProjectID name one: an order or link snapshot, or the order a
// thin payment or refund event names.
func (c *Client) checkAccount(n paykit.Notification) error {
	var project string
	switch n := n.(type) {
	case *OrderEvent:
		project = n.Order.ProjectID
	case *LinkEvent:
		project = n.Order.ProjectID
	case *PaymentEvent:
		project = n.Order.ProjectID
	case *RefundEvent:
		project = n.Order.ProjectID
	}
	if project != "" && c.cfg.ProjectID != "" && !strings.EqualFold(project, c.cfg.ProjectID) {
		return fmt.Errorf("%w: the order belongs to another project", paykit.ErrWrongAccount)
	}
	return nil
}

// envelope is every generation's outer shape.
type envelope struct {
	Version json.RawMessage `json:"version"`
	Event   struct {
		Type      string   `json:"type"`
		Name      string   `json:"name"`
		Timestamp flexTime `json:"timestamp"`
	} `json:"event"`
	Order         json.RawMessage `json:"order"`
	Payment       json.RawMessage `json:"payment"`
	Refund        json.RawMessage `json:"refund"`
	PaymentLink   json.RawMessage `json:"paymentLink"`
	PaymentLinkSC json.RawMessage `json:"payment_link"`
	Timestamp     flexTime        `json:"timestamp"`
}

// decodeEvent decodes a verified body.
func decodeEvent(body []byte, hdr Headers, testMode bool) (paykit.Notification, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("%w: body is not a JSON event: %s", paykit.ErrMalformed, jsonReason(err))
	}
	ev := Event{Type: env.Event.Type, Name: env.Event.Name,
		Timestamp: firstTime(env.Event.Timestamp, env.Timestamp)}
	if ev.Type == "" || ev.Name == "" {
		return nil, fmt.Errorf("%w: event.type and event.name are required", paykit.ErrMalformed)
	}
	if len(ev.Type) > 100 || len(ev.Name) > 200 {
		return nil, fmt.Errorf("%w: event.type or event.name too long", paykit.ErrMalformed)
	}
	if r, ok := routes[ev.Type]; ok && (r.action == "" || ev.Action() == r.action) && present(r.payload(env)) {
		return r.decode(ev, env, hdr, testMode)
	}
	return &UnknownEvent{Event: ev, Body: bytes.Clone(body), Headers: hdr, Test: testMode}, nil
}

// route is how one event type is decoded: the part of the envelope that
// carries its payload, the action it must have ("" for any) and its
// decoder. An event whose route does not match is an UnknownEvent.
type route struct {
	payload func(envelope) json.RawMessage
	action  string
	decode  func(Event, envelope, Headers, bool) (paykit.Notification, error)
}

// routes maps event.type to its route.
var routes = map[string]route{
	"order":        {payload: orderPayload, decode: decodeOrderEvent},
	"payment":      {payload: statusPayload, action: "status_updated", decode: decodeStatusEvent},
	"refund":       {payload: statusPayload, action: "status_updated", decode: decodeStatusEvent},
	"payment_link": {payload: linkPayload, decode: decodeLinkEvent},
}

func orderPayload(env envelope) json.RawMessage  { return env.Order }
func statusPayload(env envelope) json.RawMessage { return firstRaw(env.Refund, env.Payment) }
func linkPayload(env envelope) json.RawMessage   { return firstRaw(env.PaymentLink, env.PaymentLinkSC) }

func present(raw json.RawMessage) bool {
	s := bytes.TrimSpace(raw)
	return len(s) > 0 && string(s) != "null"
}

func firstRaw(a, b json.RawMessage) json.RawMessage {
	if present(a) {
		return a
	}
	return b
}

func decodeOrderEvent(ev Event, env envelope, hdr Headers, testMode bool) (paykit.Notification, error) {
	var o Order
	if err := json.Unmarshal(env.Order, &o); err != nil {
		return nil, fmt.Errorf("%w: order: %s", paykit.ErrMalformed, jsonReason(err))
	}
	if o.ID == "" || o.Status == "" {
		return nil, fmt.Errorf("%w: order id and status are required", paykit.ErrMalformed)
	}
	if err := checkMoney(o.Amount, o.AmountPaid, o.Currency); err != nil {
		return nil, err
	}
	n := &OrderEvent{Event: ev, Order: o, Headers: hdr, Test: testMode || o.Test}
	if present(env.PaymentLink) {
		var l PaymentLink
		if err := json.Unmarshal(env.PaymentLink, &l); err != nil {
			return nil, fmt.Errorf("%w: paymentLink: %s", paykit.ErrMalformed, jsonReason(err))
		}
		n.PaymentLink = &l
	}
	return n, nil
}

func decodeStatusEvent(ev Event, env envelope, hdr Headers, testMode bool) (paykit.Notification, error) {
	var ref OrderRef
	if present(env.Order) {
		if err := json.Unmarshal(env.Order, &ref); err != nil {
			return nil, fmt.Errorf("%w: order: %s", paykit.ErrMalformed, jsonReason(err))
		}
	}
	var st StatusChange
	if err := json.Unmarshal(firstRaw(env.Refund, env.Payment), &st); err != nil {
		return nil, fmt.Errorf("%w: %s: %s", paykit.ErrMalformed, ev.Type, jsonReason(err))
	}
	if st.ID == "" || st.Status == "" {
		return nil, fmt.Errorf("%w: %s id and status are required", paykit.ErrMalformed, ev.Type)
	}
	if err := checkMoney(st.Amount, 0, st.Currency); err != nil {
		return nil, err
	}
	if ev.Type == "refund" {
		return &RefundEvent{Event: ev, Order: ref, Refund: st, Headers: hdr, Test: testMode}, nil
	}
	return &PaymentEvent{Event: ev, Order: ref, Payment: st, Headers: hdr, Test: testMode}, nil
}

func decodeLinkEvent(ev Event, env envelope, hdr Headers, testMode bool) (paykit.Notification, error) {
	n := &LinkEvent{Event: ev, Headers: hdr, Test: testMode}
	if err := json.Unmarshal(firstRaw(env.PaymentLink, env.PaymentLinkSC), &n.Link); err != nil {
		return nil, fmt.Errorf("%w: payment link: %s", paykit.ErrMalformed, jsonReason(err))
	}
	if n.Link.ID == "" || n.Link.Status == "" {
		return nil, fmt.Errorf("%w: payment link id and status are required", paykit.ErrMalformed)
	}
	if present(env.Order) {
		if err := json.Unmarshal(env.Order, &n.Order); err != nil {
			return nil, fmt.Errorf("%w: order: %s", paykit.ErrMalformed, jsonReason(err))
		}
		n.Test = n.Test || n.Order.Test
	}
	return n, nil
}

// checkMoney refuses negative amounts and a currency that is not three
// letters (an empty one is allowed: thin events may omit it).
func checkMoney(amount, paid int64, currency string) error {
	if amount < 0 || paid < 0 {
		return fmt.Errorf("%w: negative amount", paykit.ErrMalformed)
	}
	if currency != "" && !upperLetters(strings.ToUpper(currency), 3) {
		return fmt.Errorf("%w: currency is not an ISO 4217 code", paykit.ErrMalformed)
	}
	return nil
}
