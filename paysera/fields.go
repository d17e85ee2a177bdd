package paysera

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/form"
	"github.com/paykit-go/paykit/signature"
)

// callbackFromQuery reads the verified parameter string q into a Callback:
// parsed strictly by form.Parse (a repeated key, a bad escape or a
// semicolon is refused), then each known parameter copied to its typed
// field.
func callbackFromQuery(q string) (*Callback, error) {
	var arr [stackFields]signature.Pair
	pairs, err := form.ParseSorted(arr[:0], q)
	if err != nil {
		return nil, err
	}
	v := fieldList(pairs)
	cb := &Callback{Query: q}
	cb.setPayment(v)
	cb.setPayer(v)
	cb.setSMS(v)
	cb.setRefund(v)
	return cb.finish()
}

// stackFields is how many fields are parsed without a heap allocation:
// more than any callback has.
const stackFields = 48

// fieldList is the decoded fields of a callback, sorted by key.
type fieldList []signature.Pair

// lookup returns the value of key and whether it was sent.
func (f fieldList) lookup(key string) (string, bool) {
	i, ok := slices.BinarySearchFunc(f, key, func(p signature.Pair, k string) int { return strings.Compare(p.Key, k) })
	if !ok {
		return "", false
	}
	return f[i].Value, true
}

// Get returns the value of key, "" when it was not sent.
func (f fieldList) Get(key string) string {
	v, _ := f.lookup(key)
	return v
}

// newCallback fills a Callback from parameters, as if they were verified.
func newCallback(f url.Values) (*Callback, error) {
	return callbackFromQuery(f.Encode())
}

// setPayment copies the fields every macro callback has.
func (cb *Callback) setPayment(v fieldList) {
	cb.Type = v.Get("type")
	cb.ProjectID = v.Get("projectid")
	cb.Version = v.Get("version")
	cb.Test = v.Get("test") == "1"
	cb.amountText = v.Get("amount")
	cb.Currency = v.Get("currency")
	cb.Country = v.Get("country")
	cb.OrderID = v.Get("orderid")
	cb.RequestID = v.Get("requestid")
	cb.Status = Status(v.Get("status"))
	cb.payAmountText = v.Get("payamount")
	cb.PayCurrency = v.Get("paycurrency")
	cb.Payment = v.Get("payment")
	cb.Lang = v.Get("lang")
	cb.PayText = v.Get("paytext")
	cb.OriginalPayText = v.Get("original_paytext")
}

// setPayer copies what the bank reports and what the request echoed about
// the payer.
func (cb *Callback) setPayer(v fieldList) {
	cb.Name = v.Get("name")
	// Paysera spells it "surename"; the facade's "surname" is the fallback.
	cb.Surname = v.Get("surename")
	if cb.Surname == "" {
		cb.Surname = v.Get("surname")
	}
	cb.Account = v.Get("account")
	cb.PaymentCountry = v.Get("payment_country")
	cb.PayerIPCountry = v.Get("payer_ip_country")
	cb.PayerCountry = v.Get("payer_country")
	cb.PersonCodeStatus = PersonCodeStatus(v.Get("personcodestatus"))
	cb.Payer = Payer{
		FirstName: v.Get("p_firstname"), LastName: v.Get("p_lastname"), Email: v.Get("p_email"),
		Street: v.Get("p_street"), City: v.Get("p_city"), State: v.Get("p_state"),
		Zip: v.Get("p_zip"), CountryCode: v.Get("p_countrycode"),
	}
}

// setSMS copies the fields of a micro (SMS) callback.
func (cb *Callback) setSMS(v fieldList) {
	cb.SMSID = v.Get("id")
	cb.To, cb.hasTo = v.lookup("to")
	cb.From, cb.hasFrom = v.lookup("from")
	cb.Text, cb.hasSMS = v.lookup("sms")
	cb.Key = v.Get("key")
	cb.Operator = v.Get("operator")
}

// setRefund copies the refund fields of a status 5 callback.
func (cb *Callback) setRefund(v fieldList) {
	cb.refundTimestamp, cb.hasRefund = v.lookup("refund_timestamp")
	cb.refundAmount = v.Get("refund_amount")
	cb.refundCurrency = v.Get("refund_currency")
	cb.refundCommission = v.Get("refund_commission_amount")
	cb.refundCommCur = v.Get("refund_commission_currency")
}

// finish derives the type like Paysera's library, parses the amounts and
// the refund.
func (cb *Callback) finish() (*Callback, error) {
	if cb.Type != TypeMacro && cb.Type != TypeMicro {
		// Paysera's library: micro when to, from and sms are all present.
		cb.Type = TypeMacro
		if cb.hasTo && cb.hasFrom && cb.hasSMS {
			cb.Type = TypeMicro
		}
	}
	var err error
	if cb.Amount, err = minorUnits(cb.amountText, "amount"); err != nil {
		return nil, err
	}
	if cb.PayAmount, err = minorUnits(cb.payAmountText, "payamount"); err != nil {
		return nil, err
	}
	// Paysera's id names the event (see Client.IdempotencyKey): without it
	// two different payments would look like one, so refuse rather than
	// key on "". Paysera retries an unacknowledged callback.
	if cb.Type == TypeMicro && cb.SMSID == "" {
		return nil, fmt.Errorf("%w: micro callback without SMS id", paykit.ErrMalformed)
	}
	if cb.Type == TypeMacro && cb.RequestID == "" {
		return nil, fmt.Errorf("%w: macro callback without requestid", paykit.ErrMalformed)
	}
	if cb.hasRefund || cb.Status == StatusRefunded {
		cb.Refund = cb.newRefund()
	}
	return cb, nil
}

func (cb *Callback) newRefund() *Refund {
	r := &Refund{Currency: cb.refundCurrency, CommissionCurrency: cb.refundCommCur}
	r.Amount, _ = form.Digits(cb.refundAmount)
	r.CommissionAmount, _ = form.Digits(cb.refundCommission)
	if ts, err := strconv.ParseInt(cb.refundTimestamp, 10, 64); err == nil && ts > 0 {
		r.Timestamp = time.Unix(ts, 0).UTC()
	}
	return r
}

// minorUnits reads an integer amount in minor units; absent is 0.
func minorUnits(s, key string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	n, ok := form.Digits(s)
	if !ok {
		return 0, fmt.Errorf("%w: %s is not a whole number of minor units", paykit.ErrMalformed, key)
	}
	return n, nil
}
