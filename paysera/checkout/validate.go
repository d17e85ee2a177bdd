package checkout

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paykit-go/paykit"
)

// Limits the API enforces (spec §2.2, §3.2).
const (
	maxText     = 255
	maxURL      = 2048
	maxLifetime = 86313600 // 999 days, in seconds
	maxName     = 150      // payer name
)

func fieldErr(field, reason string) error { return &paykit.FieldError{Field: field, Reason: reason} }

// errMissingID: a 2xx reply without the id of what it created.
func errMissingID(what string) error {
	return fmt.Errorf("%w: the %s reply carries no id", errReply, what)
}

func validateOrder(req OrderRequest) error {
	if err := validReference(req.Reference); err != nil {
		return err
	}
	if req.Amount.Amount <= 0 {
		return fieldErr("purchase.amount", "must be positive (minor units)")
	}
	if !upperLetters(req.Amount.Currency, 3) {
		return fieldErr("purchase.currency", "must be an ISO 4217 code in upper case")
	}
	if req.CallbackURL == "" {
		return fieldErr("redirect_urls.callback_url", "required: without it Paysera sends no webhooks")
	}
	for _, u := range []struct{ field, v string }{
		{"redirect_urls.success_url", req.SuccessURL}, {"redirect_urls.failure_url", req.FailureURL},
		{"redirect_urls.cancel_url", req.CancelURL}, {"redirect_urls.callback_url", req.CallbackURL},
	} {
		if err := validURL(u.field, u.v); err != nil {
			return err
		}
	}
	if err := validMap("metadata", req.Metadata); err != nil {
		return err
	}
	if err := validMap("merchant_data", req.MerchantData); err != nil {
		return err
	}
	if utf8.RuneCountInString(req.Source) > maxText {
		return fieldErr("source", "longer than 255 characters")
	}
	return nil
}

// validReference applies Paysera's rule for purchase.reference: 1 to 255
// characters of the SWIFT "X" set plus underscore.
func validReference(s string) error {
	if s == "" {
		return fieldErr("purchase.reference", "required")
	}
	if len(s) > maxText {
		return fieldErr("purchase.reference", "longer than 255 characters")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte(" _/?:().,'+-", c) >= 0
		if !ok {
			return fieldErr("purchase.reference", "only A-Z a-z 0-9, space and _ / ? : ( ) . , ' + - are allowed")
		}
	}
	return nil
}

// validURL: empty, or an absolute https URL of at most 2048 bytes; plain
// http only to a loopback host (an emulator in tests).
func validURL(field, s string) error {
	if s == "" {
		return nil
	}
	if len(s) > maxURL {
		return fieldErr(field, "longer than 2048 characters")
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return fieldErr(field, "must be an absolute URL")
	}
	if u.Scheme == "https" || (u.Scheme == "http" && loopback(u.Hostname())) {
		return nil
	}
	return fieldErr(field, "must be an https URL")
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func validMap(field string, m map[string]string) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "" || utf8.RuneCountInString(k) > maxText || utf8.RuneCountInString(m[k]) > maxText {
			return fieldErr(field, "keys must be 1 to 255 characters and values at most 255")
		}
	}
	return nil
}

func upperLetters(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < n; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func lowerLetters(s string, n int) bool {
	return len(s) == n && strings.ToLower(s) == s && upperLetters(strings.ToUpper(s), n)
}

func validLink(req LinkRequest) error {
	if req.OrderID == "" {
		return fieldErr("order_id", "required")
	}
	if n := utf8.RuneCountInString(req.Name); n == 0 || n > maxText {
		return fieldErr("name", "must be 1 to 255 characters")
	}
	if req.Language != "" && !lowerLetters(req.Language, 2) {
		return fieldErr("experience.language", "must be two lower-case letters (ISO 639-1)")
	}
	switch req.PaymentFlow {
	case "", FlowCheckout:
	case FlowDirect:
		if req.MethodKey == "" {
			return fieldErr("payment_details.key", "required with the direct_payment flow")
		}
	default:
		return fieldErr("experience.payment_flow", "must be paysera_checkout or direct_payment")
	}
	if req.Amount < 0 {
		return fieldErr("purchase.amount", "must not be negative (minor units)")
	}
	if req.Lifetime < 0 || req.Lifetime.Seconds() > maxLifetime || req.Lifetime%time.Second != 0 {
		return fieldErr("lifetime", "must be whole seconds, at most 999 days")
	}
	if utf8.RuneCountInString(req.MethodKey) > maxText || utf8.RuneCountInString(req.Purpose) > maxText {
		return fieldErr("payment_details", "key and purpose are at most 255 characters")
	}
	if req.CountryCode != "" && !upperLetters(req.CountryCode, 2) {
		return fieldErr("payment_details.country_code", "must be an ISO 3166-1 alpha-2 code in upper case")
	}
	if utf8.RuneCountInString(req.PayerName) > maxName {
		return fieldErr("payer_information.name", "longer than 150 characters")
	}
	if req.PayerEmail != "" {
		if a, err := mail.ParseAddress(req.PayerEmail); err != nil || a.Address != req.PayerEmail {
			return fieldErr("payer_information.email", "not an e-mail address")
		}
	}
	return validMap("metadata", req.Metadata)
}
