package xsolla

import (
	"crypto/sha1"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/form"
	"github.com/paykit-go/paykit/signature"
)

// ErrClientIP is returned by ParseCallback when the IP allowlist is on and
// the request comes from an address outside it. It matches
// paykit.ErrInvalidSignature (the request is not authenticated); the
// handler answers it with the code INVALID_CLIENT_IP.
var ErrClientIP = fmt.Errorf("%w: client IP not allowed", paykit.ErrInvalidSignature)

// signatureScheme is the Authorization scheme of Xsolla's webhooks.
const signatureScheme = "Signature"

// ParseCallback reads, verifies and decodes one webhook.
//
// In order: the optional IP allowlist ([Config.AllowedIPs]); the body,
// read whole with a cap of 64 KiB (the handler's cap is
// paykit.HandlerOptions.MaxBodyBytes); the signature over the raw bytes
// (Authorization: Signature <sha1(body ‖ secret)>, every configured secret
// tried in constant time); then the JSON is decoded once into the typed
// message of its notification_type and the project is checked. Every error
// matches a paykit sentinel: ErrBodyTooLarge, ErrMissingSignature,
// ErrInvalidSignature (also [ErrClientIP]), ErrMalformed, ErrWrongAccount
// and, after a valid signature, ErrUnknownType.
func (c *Client) ParseCallback(r *http.Request) (paykit.Notification, error) {
	if err := c.checkIP(r); err != nil {
		return nil, err
	}
	if _, err := authorizationHeader(r.Header); err != nil {
		return nil, err
	}
	body, err := form.ReadBody(r, form.DefaultMaxBytes)
	if err != nil {
		return nil, err
	}
	return c.ParseBody(body, r.Header)
}

// ParseBody verifies and decodes a webhook from its raw body and its
// headers (only Authorization is read; nil is a missing signature), for
// frameworks that read the body themselves. body must be the bytes as
// received: a re-encoded body does not verify. The returned notification
// keeps a reference to body. It does not check the source address (see
// [Client.ClientIP]).
func (c *Client) ParseBody(body []byte, header http.Header) (paykit.Notification, error) {
	auth, err := authorizationHeader(header)
	if err != nil {
		return nil, err
	}
	if err := verifySig(body, auth, c.secrets, c.cfg.StrictSignatureHeader); err != nil {
		return nil, err
	}
	return c.decode(body)
}

// Verify checks an Authorization header value against body under any of
// secrets (the tolerant header rules of [Config.StrictSignatureHeader]
// false). It returns nil, or an error matching paykit.ErrMissingSignature
// or paykit.ErrInvalidSignature.
func Verify(body []byte, authorization string, secrets ...string) error {
	return verifySig(body, authorization, secrets, false)
}

// verifySig parses the header by Xsolla's rules and checks the digest with
// signature.VerifyBodySHA1, which tries every secret in constant time.
func verifySig(body []byte, authorization string, secrets []string, strict bool) error {
	got, err := parseSignatureHeader(authorization, strict)
	if err != nil {
		return err
	}
	if len(secrets) == 0 {
		return fmt.Errorf("%w: no webhook secret configured", paykit.ErrInvalidSignature)
	}
	if err := signature.VerifyBodySHA1(body, got, secrets); err != nil {
		return paykit.ErrInvalidSignature
	}
	return nil
}

// authorizationHeader returns the only Authorization header value. Two
// values are refused: which one a proxy or framework would pick is not
// defined.
func authorizationHeader(h http.Header) (string, error) {
	v := h.Values("Authorization")
	switch len(v) {
	case 0:
		return "", fmt.Errorf("%w: no Authorization header", paykit.ErrMissingSignature)
	case 1:
		return v[0], nil
	default:
		return "", fmt.Errorf("%w: several Authorization headers", paykit.ErrInvalidSignature)
	}
}

// parseSignatureHeader returns the hex digest of "Signature <40 hex>".
//
// Rules (see the package documentation): outer spaces and tabs are trimmed
// (HTTP does so anyway); exactly one space separates the scheme from the
// digest; the digest is exactly 40 hex digits with nothing after it. The
// scheme name is case-insensitive and hex may be upper case unless strict,
// which follows Xsolla's PHP SDK to the letter. An empty value is a missing
// signature; anything else that does not fit is an invalid one.
func parseSignatureHeader(v string, strict bool) (string, error) {
	v = strings.Trim(v, " \t")
	if v == "" {
		return "", fmt.Errorf("%w: empty Authorization header", paykit.ErrMissingSignature)
	}
	scheme, hexsig, ok := strings.Cut(v, " ")
	if !ok {
		return "", fmt.Errorf("%w: Authorization is not \"Signature <hex>\"", paykit.ErrInvalidSignature)
	}
	if scheme != signatureScheme && (strict || !strings.EqualFold(scheme, signatureScheme)) {
		return "", fmt.Errorf("%w: Authorization scheme is not Signature", paykit.ErrInvalidSignature)
	}
	if len(hexsig) != 2*sha1.Size {
		return "", fmt.Errorf("%w: signature is not 40 hex digits", paykit.ErrInvalidSignature)
	}
	for i := 0; i < len(hexsig); i++ {
		if !isHex(hexsig[i], strict) {
			return "", fmt.Errorf("%w: signature is not 40 hex digits", paykit.ErrInvalidSignature)
		}
	}
	return hexsig, nil
}

func isHex(c byte, lowerOnly bool) bool {
	switch {
	case '0' <= c && c <= '9', 'a' <= c && c <= 'f':
		return true
	case 'A' <= c && c <= 'F':
		return !lowerOnly
	}
	return false
}

// checkIP enforces the allowlist on the client address (see
// [Config.TrustedProxies] for how it is found).
func (c *Client) checkIP(r *http.Request) error {
	if len(c.allowed) == 0 {
		return nil
	}
	addr, ok := c.clientAddr(r)
	if !ok {
		return ErrClientIP
	}
	for _, p := range c.allowed {
		if p.Contains(addr) {
			return nil
		}
	}
	return ErrClientIP
}

// ClientIP returns the address the allowlist judges: the connection's
// peer, or — only when the peer is a trusted proxy — the right-most
// X-Forwarded-For entry that is not a trusted proxy.
func (c *Client) ClientIP(r *http.Request) (netip.Addr, bool) { return c.clientAddr(r) }

func (c *Client) clientAddr(r *http.Request) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	peer = peer.Unmap()
	if !inAny(c.proxies, peer) {
		return peer, true
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return netip.Addr{}, false
		}
		a = a.Unmap()
		if !inAny(c.proxies, a) {
			return a, true
		}
	}
	// Every hop is a trusted proxy: the request did not come from outside.
	return peer, true
}

func inAny(list []netip.Prefix, a netip.Addr) bool {
	for _, p := range list {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// envelope is every field of every notification type, decoded in one pass
// (decode.go); message then hands the relevant parts to the typed message.
type envelope struct {
	Type                   string
	Settings               Settings
	User                   User
	CustomParameters       json.RawMessage
	Purchase               Purchase
	Transaction            Transaction
	PaymentDetails         PaymentDetails
	RefundDetails          RefundDetails
	Subscription           Subscription
	Coupon                 Coupon
	Items                  json.RawMessage
	Order                  Order
	Billing                json.RawMessage
	VirtualCurrencyBalance VirtualCurrencyBalance
	OperationType          string
	OperationID            ID
	ItemsOperationType     string
	PaymentAccount         PaymentAccount
	PinCode                PinCodeRequest
	Key                    string
	SKU                    string
	UserID                 ID
	ActivationDate         string
	UserCountry            string
	Restriction            json.RawMessage
}

func (c *Client) decode(body []byte) (paykit.Notification, error) {
	var e envelope
	if err := decodeEnvelope(body, &e); err != nil {
		return nil, fmt.Errorf("%w: %w", paykit.ErrMalformed, err)
	}
	if e.Type == "" {
		return nil, fmt.Errorf("%w: no notification_type", paykit.ErrMalformed)
	}
	if e.Settings.ProjectID != "" && !sameAccount(e.Settings.ProjectID, c.project) {
		return nil, fmt.Errorf("%w: project %q", paykit.ErrWrongAccount, clip(string(e.Settings.ProjectID)))
	}
	if e.Settings.MerchantID != "" && c.merchant != "" && !sameAccount(e.Settings.MerchantID, c.merchant) {
		return nil, fmt.Errorf("%w: merchant %q", paykit.ErrWrongAccount, clip(string(e.Settings.MerchantID)))
	}
	n, err := e.message(body)
	if err != nil {
		return nil, err
	}
	if err := requireID(n); err != nil {
		return nil, fmt.Errorf("%w: %w", paykit.ErrMalformed, err)
	}
	return n, nil
}

// sameAccount reports whether id, as sent, names the account configured as
// the decimal want. Xsolla writes ids as numbers or strings; a number
// written 18404.0 or 1.8404e4 is still 18404.
func sameAccount(id ID, want string) bool {
	if string(id) == want {
		return true
	}
	got, err := Decimal(id).Int64()
	return err == nil && strconv.FormatInt(got, 10) == want
}

// jsonReason describes a decoding error without echoing input.
func jsonReason(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at offset %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("unexpected JSON %s for %s", te.Value, clip(te.Field))
	case errors.Is(err, errScalar):
		return "unexpected JSON value for a scalar field"
	default:
		return "invalid JSON"
	}
}

func (e *envelope) message(body []byte) (paykit.Notification, error) {
	m := Message{Type: e.Type, Settings: e.Settings, User: e.User, CustomParameters: e.CustomParameters, Raw: body}
	pay := func() Payment {
		return Payment{Message: m, Purchase: e.Purchase, Transaction: e.Transaction, PaymentDetails: e.PaymentDetails}
	}
	refund := func() Refund { return Refund{Payment: pay(), RefundDetails: e.RefundDetails} }
	sub := func() SubscriptionMessage {
		return SubscriptionMessage{Message: m, Subscription: e.Subscription, Coupon: e.Coupon}
	}
	switch e.Type {
	case TypeUserValidation:
		return &UserValidation{m}, nil
	case TypeUserSearch:
		return &UserSearch{m}, nil
	case TypePayment:
		p := pay()
		return &p, nil
	case TypeRefund:
		rf := refund()
		return &rf, nil
	case TypePartialRefund:
		return &PartialRefund{refund()}, nil
	case TypeUpgradeRefund:
		return &UpgradeRefund{refund()}, nil
	case TypeOrderPaid, TypeOrderCanceled:
		o := OrderMessage{Message: m, Order: e.Order, Billing: e.Billing, Transaction: e.Transaction, PaymentDetails: e.PaymentDetails}
		if len(e.Items) > 0 {
			items, err := decodeOrderItems(e.Items)
			if err != nil {
				return nil, fmt.Errorf("%w: items: %w", paykit.ErrMalformed, err)
			}
			o.Items = items
		}
		if e.Type == TypeOrderPaid {
			return &OrderPaid{o}, nil
		}
		return &OrderCanceled{o}, nil
	case TypeAFSReject:
		return &AFSReject{Message: m, Transaction: e.Transaction, RefundDetails: e.RefundDetails}, nil
	case TypeAFSBlackList:
		return &AFSBlackList{m}, nil
	case TypeCreateSubscription:
		return &CreateSubscription{sub()}, nil
	case TypeUpdateSubscription:
		return &UpdateSubscription{sub()}, nil
	case TypeCancelSubscription:
		return &CancelSubscription{sub()}, nil
	case TypeNonRenewalSubscription:
		return &NonRenewalSubscription{sub()}, nil
	case TypeUserBalanceOperation:
		return &UserBalanceOperation{Message: m, VirtualCurrencyBalance: e.VirtualCurrencyBalance,
			OperationType: e.OperationType, OperationID: e.OperationID, ItemsOperationType: e.ItemsOperationType,
			Coupon: e.Coupon, Items: e.Items}, nil
	case TypePaymentAccountAdd:
		return &PaymentAccountAdd{PaymentAccountMessage{Message: m, PaymentAccount: e.PaymentAccount}}, nil
	case TypePaymentAccountRemove:
		return &PaymentAccountRemove{PaymentAccountMessage{Message: m, PaymentAccount: e.PaymentAccount}}, nil
	case TypeGetPinCode:
		return &GetPinCode{Message: m, PinCode: e.PinCode}, nil
	case TypeRedeemKey:
		return &RedeemKey{Message: m, Key: e.Key, SKU: e.SKU, UserID: e.UserID,
			ActivationDate: e.ActivationDate, UserCountry: e.UserCountry, Restriction: e.Restriction}, nil
	case TypePartnerSideCatalog:
		return &PartnerSideCatalog{m}, nil
	}
	return nil, fmt.Errorf("%w: %q", paykit.ErrUnknownType, clip(e.Type))
}

// requireID refuses a notification that lacks the id it is keyed on
// ([Client.IdempotencyKey]): two different events without one would share
// a key, so the second would be answered from the store and never reach
// Event. Xsolla retries a refused delivery (or support sorts it out);
// nothing is fulfilled on a guess.
func requireID(n paykit.Notification) error {
	var id ID
	what := "transaction.id"
	switch n := n.(type) {
	case *Payment:
		id = n.Transaction.ID
	case *Refund:
		id = n.Transaction.ID
	case *PartialRefund:
		id = n.Transaction.ID
	case *UpgradeRefund:
		id = n.Transaction.ID
	case *AFSReject:
		id = n.Transaction.ID
	case *OrderPaid:
		id, what = n.Order.ID, "order.id"
	case *OrderCanceled:
		id, what = n.Order.ID, "order.id"
	case *CreateSubscription:
		id, what = n.Subscription.SubscriptionID, "subscription.subscription_id"
	case *UpdateSubscription:
		id, what = n.Subscription.SubscriptionID, "subscription.subscription_id"
	case *CancelSubscription:
		id, what = n.Subscription.SubscriptionID, "subscription.subscription_id"
	case *NonRenewalSubscription:
		id, what = n.Subscription.SubscriptionID, "subscription.subscription_id"
	default:
		return nil
	}
	if _, ok := canonicalID(id); !ok {
		return fmt.Errorf("no usable %s", what)
	}
	return nil
}

// canonicalID returns the text an id is keyed by: a number in plain
// decimal ("7", 7, 7.0 and "7e0" are one id), any other text as sent. An
// empty id, or a number that is not positive, is no id (ok false).
func canonicalID(id ID) (string, bool) {
	if id == "" {
		return "", false
	}
	if v, err := Decimal(id).Int64(); err == nil {
		if v <= 0 {
			return "", false
		}
		return strconv.FormatInt(v, 10), true
	}
	if isJSONNumber(string(id)) {
		// A number, but not a positive whole one (0.5, -0.1, 1e400…).
		return "", false
	}
	return string(id), true
}

// isJSONNumber reports whether s is exactly one JSON number.
func isJSONNumber(s string) bool {
	r := &reader{b: []byte(s)}
	r.number()
	return r.err == nil && r.i == len(s)
}
