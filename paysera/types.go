package paysera

import (
	"net/url"
	"strings"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/form"
)

// Callback types, as in the "type" field.
const (
	// TypeMacro is a bank-link, card or wallet payment (also SMS Bank).
	TypeMacro = "macro"
	// TypeMicro is an SMS keyword payment.
	TypeMicro = "micro"
)

// Status is the "status" of a macro callback, as received.
type Status string

// The statuses Paysera sends. Only StatusSuccess means paid.
const (
	// StatusNotExecuted (0): failed, cancelled or expired; do not fulfil.
	StatusNotExecuted Status = "0"
	// StatusSuccess (1): paid.
	StatusSuccess Status = "1"
	// StatusAccepted (2): payment order accepted but not yet executed;
	// no guarantee, wait for StatusSuccess.
	StatusAccepted Status = "2"
	// StatusAdditionalInfo (3): extra information such as the payer's
	// account or the personal-code check; nothing to fulfil.
	StatusAdditionalInfo Status = "3"
	// StatusExecutedWithoutConfirmation (4): executed, but Paysera will not
	// confirm that the funds reached the bank. A business decision; not
	// the same as StatusSuccess.
	StatusExecutedWithoutConfirmation Status = "4"
	// StatusRefunded (5): the payment was refunded (see Callback.Refund).
	StatusRefunded Status = "5"
)

// PersonCodeStatus is the result of the personal-code check requested
// with [PaymentRequest.PersonCode].
type PersonCodeStatus string

// The personal-code check results; "" when none was requested.
const (
	PersonCodeNotKnownYet PersonCodeStatus = "0"
	PersonCodeMatches     PersonCodeStatus = "1"
	PersonCodeMismatch    PersonCodeStatus = "2"
	PersonCodeUnknown     PersonCodeStatus = "3"
)

// Callback is a verified Paysera callback: a macro payment (status change
// of a checkout payment) or a micro (SMS keyword) payment. It implements
// [paykit.Notification]. All fields come from the signed or encrypted
// data; Query keeps the verified parameter string and [Callback.Fields]
// returns every parameter received, including unknown ones.
type Callback struct {
	// Type is TypeMacro or TypeMicro (set like Paysera's library when the
	// callback does not say).
	Type string
	// ProjectID is the project number (checked against the Config).
	ProjectID string
	// Version is the protocol version of the callback.
	Version string
	// Test is true for test payments (test=1).
	Test bool
	// Amount and Currency are what was requested (micro: the SMS price),
	// in minor units. Compare them with your order.
	Amount   int64
	Currency string
	// Country is the payer's country as chosen (micro: the SMS country).
	Country string

	// OrderID is your order reference (macro only).
	OrderID string
	// RequestID is Paysera's payment number (macro only).
	RequestID string
	// Status is the payment status (macro only).
	Status Status
	// PayAmount and PayCurrency are what was actually paid; they differ
	// from Amount/Currency when Paysera converted currencies.
	PayAmount   int64
	PayCurrency string
	// Payment is the method key used, e.g. "hanza" or "card".
	Payment string
	// Lang is the language the payer used.
	Lang string
	// PayText is the final payment purpose; OriginalPayText the template
	// that was sent.
	PayText, OriginalPayText string
	// Name and Surname are the payer's names as the bank reports them
	// (Surname arrives as "surename").
	Name, Surname string
	// Account is the payer's account number (IBAN) when available.
	Account string
	// PaymentCountry is the country of the payment method; PayerIPCountry
	// and PayerCountry are ISO alpha-2 codes derived from the IP and the
	// method.
	PaymentCountry, PayerIPCountry, PayerCountry string
	// PersonCodeStatus is the personal-code check result, "" if none.
	PersonCodeStatus PersonCodeStatus
	// Payer is the payer's data as echoed (p_email, p_firstname, …).
	Payer Payer
	// Refund describes a refund (status 5); nil otherwise.
	Refund *Refund

	// SMS fields (micro only): SMSID is the SMS "id" needed for deferred
	// answers, To the short number, From the sender's phone, Text the
	// whole message, Key the keyword, Operator the mobile operator.
	SMSID, To, From, Text, Key, Operator string

	// VerifiedBy says how the callback was authenticated: "ss3", "ss2",
	// "ss1" or "aes-gcm".
	VerifiedBy string
	// Query is the verified parameter string as Paysera sent it (decoded
	// from data); [Callback.Fields] parses it.
	Query string

	// Presence of fields the type derivation and the refund need.
	hasTo, hasFrom, hasSMS, hasRefund bool
	amountText, payAmountText         string
	refundTimestamp, refundAmount     string
	refundCommission                  string
	refundCurrency, refundCommCur     string
}

// Fields returns every parameter received, including ones this package
// does not know, parsed afresh from Query. When the callback did not say
// its type, "type" holds the derived one, as in Paysera's library.
func (c *Callback) Fields() url.Values {
	f, err := form.Parse(c.Query)
	if err != nil { // Query was validated when the callback was parsed
		f = url.Values{}
	}
	if c.Type != "" {
		f.Set("type", c.Type)
	}
	return f
}

// Refund holds the refund fields of a status 5 callback.
type Refund struct {
	// Timestamp is refund_timestamp (Unix seconds), zero if absent or not
	// a number.
	Timestamp time.Time
	// Amount and CommissionAmount are in minor units when sent as whole
	// numbers; the raw strings stay in [Callback.Fields].
	Amount, CommissionAmount     int64
	Currency, CommissionCurrency string
}

// Paid reports whether the callback confirms money received: a macro
// callback with status 1, or any micro (SMS) callback.
func (c *Callback) Paid() bool {
	return c.Type == TypeMicro || c.Status == StatusSuccess
}

// Summary implements [paykit.Notification]:
//
//	macro: status 5 → refund/refunded, 3 → info/unknown, 1 → payment/paid,
//	       2 and 4 → payment/pending, 0 → payment/failed, other → payment/unknown;
//	       ID requestid, OrderID orderid, Amount amount+currency (upper case).
//	micro: payment/paid, ID the SMS id, no OrderID, Amount amount+currency.
func (c *Callback) Summary() paykit.Summary {
	s := paykit.Summary{
		Provider: paykit.Paysera,
		Type:     c.Type,
		Kind:     paykit.KindPayment,
		Amount:   paykit.Money{Amount: c.Amount, Currency: strings.ToUpper(c.Currency)},
		Test:     c.Test,
	}
	if c.Type == TypeMicro {
		s.Status = paykit.StatusPaid
		s.ID = c.SMSID
		return s
	}
	s.ID = c.RequestID
	s.OrderID = c.OrderID
	switch c.Status {
	case StatusSuccess:
		s.Status = paykit.StatusPaid
	case StatusAccepted, StatusExecutedWithoutConfirmation:
		s.Status = paykit.StatusPending
	case StatusNotExecuted:
		s.Status = paykit.StatusFailed
	case StatusRefunded:
		s.Kind, s.Status = paykit.KindRefund, paykit.StatusRefunded
	case StatusAdditionalInfo:
		s.Kind, s.Status = paykit.KindInfo, paykit.StatusUnknown
	default:
		s.Status = paykit.StatusUnknown
	}
	return s
}
