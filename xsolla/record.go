package xsolla

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/paykit-go/paykit"
)

// TransactionRecord is one transaction as the merchant API's searches
// answer it ([Client.FindTransactions], [Client.Transaction],
// [Client.TransactionsByExternalID]). Fields Xsolla leaves out stay zero;
// Raw keeps the record as received. [TransactionRecord.Notification] turns
// it into the notification the webhooks produce, under the same
// idempotency key.
type TransactionRecord struct {
	Transaction    RecordTransaction    `json:"transaction"`
	PaymentDetails RecordPaymentDetails `json:"payment_details"`
	Purchase       RecordPurchase       `json:"purchase"`
	User           RecordUser           `json:"user"`
	PaymentSystem  struct {
		DeclineReason string `json:"decline_reason"`
	} `json:"payment_system"`
	// Raw is this record's JSON as received.
	Raw json.RawMessage `json:"-"`
}

// RecordTransaction is a record's transaction object. Status is one of
// "created", "processing", "review", "error", "done", "awaitingRefund",
// "refunded", "canceled", "partiallyRefunded".
type RecordTransaction struct {
	ID              ID     `json:"id"`
	ExternalID      ID     `json:"external_id"`
	Status          string `json:"status"`
	DryRun          Flag   `json:"dry_run"`
	CreateDate      string `json:"create_date"`
	PaymentDate     string `json:"payment_date"`
	TransferDate    string `json:"transfer_date"`
	IsRefundAllowed Flag   `json:"is_refund_allowed"`
	RefundReason    string `json:"refund_reason"`
	PaymentMethod   struct {
		ID   ID     `json:"id"`
		Name string `json:"name"`
	} `json:"payment_method"`
	Project struct {
		ID   ID     `json:"id"`
		Name string `json:"name"`
	} `json:"project"`
}

// RecordPaymentDetails is a record's payment_details: what the user paid,
// the payout, fees and taxes.
type RecordPaymentDetails struct {
	Payment            *Amount `json:"payment,omitempty"`
	Payout             *Amount `json:"payout,omitempty"`
	XsollaFee          *Amount `json:"xsolla_fee,omitempty"`
	VAT                *Tax    `json:"vat,omitempty"`
	SalesTax           *Tax    `json:"sales_tax,omitempty"`
	PayoutCurrencyRate Decimal `json:"payout_currency_rate,omitempty"`
}

// RecordPurchase is a record's purchase: SimpleCheckout is the checkout
// amount; the other parts are kept as sent.
type RecordPurchase struct {
	SimpleCheckout  *Amount         `json:"simple_checkout,omitempty"`
	VirtualCurrency json.RawMessage `json:"virtual_currency,omitempty"`
	VirtualItems    json.RawMessage `json:"virtual_items,omitempty"`
	Subscription    json.RawMessage `json:"subscription,omitempty"`
	PinCodes        json.RawMessage `json:"pin_codes,omitempty"`
}

// RecordUser is a record's user.
type RecordUser struct {
	ID      ID              `json:"id"`
	Name    string          `json:"name"`
	Email   string          `json:"email"`
	Phone   string          `json:"phone"`
	Country string          `json:"country"`
	Custom  json.RawMessage `json:"custom,omitempty"`
}

// Notification returns the record as the webhook notification of its
// state: a *Payment for status "done", a *Refund for "refunded", a
// *PartialRefund for "partiallyRefunded"; ok is false for a transaction in
// any other state (not paid, or a refund not done yet), which no webhook
// reports as done. Its Summary and [Client.IdempotencyKey] are those of
// the webhook of the same transaction, so a reconciler can fulfil a
// missed webhook through the same Store without doing it twice: a
// *Payment keys like the payment and order_paid webhooks, a *Refund like
// refund and order_canceled. A *PartialRefund built from a record keys on
// the record's bytes, not the webhook's (Xsolla names no id per partial
// refund). Message.Raw is the record's JSON, not a webhook body.
func (r TransactionRecord) Notification() (paykit.Notification, bool) {
	typ := ""
	switch r.Transaction.Status {
	case "done":
		typ = TypePayment
	case "refunded":
		typ = TypeRefund
	case "partiallyRefunded":
		typ = TypePartialRefund
	default:
		return nil, false
	}
	if _, ok := canonicalID(r.Transaction.ID); !ok {
		return nil, false
	}
	p := Payment{
		Message: Message{Type: typ, Settings: Settings{ProjectID: r.Transaction.Project.ID},
			User: User{ID: r.User.ID, Name: r.User.Name, Email: r.User.Email, Phone: r.User.Phone, Country: r.User.Country},
			Raw:  r.Raw},
		Purchase: Purchase{Checkout: r.Purchase.SimpleCheckout},
		Transaction: Transaction{ID: r.Transaction.ID, ExternalID: r.Transaction.ExternalID,
			PaymentDate:   firstNonEmpty(r.Transaction.PaymentDate, r.Transaction.CreateDate),
			PaymentMethod: r.Transaction.PaymentMethod.ID, PaymentMethodName: r.Transaction.PaymentMethod.Name,
			DryRun: r.Transaction.DryRun},
		PaymentDetails: PaymentDetails{Payment: r.PaymentDetails.Payment, Payout: r.PaymentDetails.Payout,
			XsollaFee: r.PaymentDetails.XsollaFee, VAT: r.PaymentDetails.VAT, SalesTax: r.PaymentDetails.SalesTax,
			PayoutCurrencyRate: r.PaymentDetails.PayoutCurrencyRate},
	}
	refund := Refund{Payment: p, RefundDetails: RefundDetails{Reason: r.Transaction.RefundReason}}
	switch typ {
	case TypeRefund:
		return &refund, true
	case TypePartialRefund:
		return &PartialRefund{refund}, true
	}
	return &p, true
}

// maxRecords bounds how many records one answer may hold.
const maxRecords = 100000

// decodeRecords decodes a JSON array of transaction records (an object
// with a "transactions" array is accepted too), keeping each record's
// bytes. Anything else is an error that does not echo the input.
func decodeRecords(b []byte) ([]TransactionRecord, error) {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		var wrapped struct {
			Transactions json.RawMessage `json:"transactions"`
		}
		if err := json.Unmarshal(b, &wrapped); err != nil {
			return nil, fmt.Errorf("xsolla: decoding transactions: %s", jsonReason(err))
		}
		b = wrapped.Transactions
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(b, &raws); err != nil {
		return nil, fmt.Errorf("xsolla: decoding transactions: %s", jsonReason(err))
	}
	if len(raws) > maxRecords {
		return nil, fmt.Errorf("xsolla: decoding transactions: more than %d records", maxRecords)
	}
	out := make([]TransactionRecord, 0, len(raws))
	for i, raw := range raws {
		var r TransactionRecord
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, fmt.Errorf("xsolla: decoding transaction %d: %s", i, jsonReason(err))
		}
		r.Raw = raw
		out = append(out, r)
	}
	return out, nil
}
