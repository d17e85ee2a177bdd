package checkout

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/paykit-go/paykit"
)

// PaymentsPath is the payment-executor endpoint under the API base that
// refunds go through (Paysera's newest docs; spec §5).
const PaymentsPath = "/payment-executor/integration/v1/payments"

// RefundEligibility is what can still be refunded of a payment: the
// refund status of a payment (refunded, pending, remaining).
type RefundEligibility struct {
	Eligible bool
	// Reason says why not, e.g. PAYMENT_NOT_SETTLED.
	Reason string
	// RefundedAmount, PendingRefunds and RemainingRefundable are in minor
	// units of Currency.
	RefundedAmount, PendingRefunds, RemainingRefundable int64
	Currency                                            string
	// MinRefundAmount and MaxRefundAmount bound one refund.
	MinRefundAmount, MaxRefundAmount int64
	// EstimatedFeeAmount in EstimatedFeeCurrency, of FeeType (flat).
	EstimatedFeeAmount   int64
	EstimatedFeeCurrency string
	FeeType              string
	// RequiresManualPayerData: the refund needs RefundRequest.PayerIBAN
	// and PayerName.
	RequiresManualPayerData bool
}

// UnmarshalJSON reads the eligibility reply, amounts as numbers or strings.
func (e *RefundEligibility) UnmarshalJSON(b []byte) error {
	var w struct {
		Eligible                bool     `json:"eligible"`
		Reason                  *string  `json:"reason"`
		RefundedAmount          *flexInt `json:"refunded_amount"`
		PendingRefunds          *flexInt `json:"pending_refunds"`
		RemainingRefundable     *flexInt `json:"remaining_refundable"`
		Currency                string   `json:"currency"`
		MinRefundAmount         *flexInt `json:"min_refund_amount"`
		MaxRefundAmount         *flexInt `json:"max_refund_amount"`
		EstimatedFeeAmount      *flexInt `json:"estimated_fee_amount"`
		EstimatedFeeCurrency    string   `json:"estimated_fee_currency"`
		FeeType                 string   `json:"fee_type"`
		RequiresManualPayerData bool     `json:"requires_manual_payer_data"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*e = RefundEligibility{Eligible: w.Eligible, RefundedAmount: firstInt(w.RefundedAmount),
		PendingRefunds: firstInt(w.PendingRefunds), RemainingRefundable: firstInt(w.RemainingRefundable),
		Currency: w.Currency, MinRefundAmount: firstInt(w.MinRefundAmount), MaxRefundAmount: firstInt(w.MaxRefundAmount),
		EstimatedFeeAmount: firstInt(w.EstimatedFeeAmount), EstimatedFeeCurrency: w.EstimatedFeeCurrency,
		FeeType: w.FeeType, RequiresManualPayerData: w.RequiresManualPayerData}
	if w.Reason != nil {
		e.Reason = *w.Reason
	}
	return nil
}

// RefundRequest refunds a payment in full or in part.
type RefundRequest struct {
	// Amount in minor units, sent as a JSON integer. 0 refunds in full:
	// the client reads the eligibility first and refunds what remains
	// refundable.
	Amount int64 `json:"amount"`
	// PayerIBAN and PayerName are required when the eligibility says
	// RequiresManualPayerData.
	PayerIBAN string `json:"payer_iban,omitempty"`
	PayerName string `json:"payer_name,omitempty"`
}

// Refund is a refund as the API describes it.
type Refund struct {
	ID        string
	PaymentID string
	// Status as sent: pending, processing, completed, refunded, failed.
	Status   string
	Amount   int64
	Currency string
	Created  time.Time
}

// UnmarshalJSON reads a refund in any of the documented shapes (id or
// refund_id, amount or refund_amount, created_at as Unix seconds or RFC
// 3339).
func (r *Refund) UnmarshalJSON(b []byte) error {
	var w struct {
		ID           string   `json:"id"`
		RefundID     string   `json:"refund_id"`
		PaymentID    string   `json:"payment_id"`
		Status       string   `json:"status"`
		Amount       *flexInt `json:"amount"`
		RefundAmount *flexInt `json:"refund_amount"`
		Currency     string   `json:"currency"`
		CreatedAt    flexTime `json:"created_at"`
		CreatedAtv3  flexTime `json:"createdAt"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*r = Refund{ID: first(w.RefundID, w.ID), PaymentID: w.PaymentID, Status: w.Status,
		Amount: firstInt(w.Amount, w.RefundAmount), Currency: w.Currency,
		Created: firstTime(w.CreatedAt, w.CreatedAtv3)}
	return nil
}

// State maps the refund's status to paykit's: pending and processing are
// pending, completed and refunded refunded, failed and rejected failed.
func (r *Refund) State() paykit.Status { return refundStatus(r.Status) }

func refundStatus(s string) paykit.Status {
	switch s {
	case "pending", "processing", "initiated":
		return paykit.StatusPending
	case "completed", "refunded", "settled":
		return paykit.StatusRefunded
	case "failed", "rejected", "canceled", "cancelled":
		return paykit.StatusFailed
	}
	return paykit.StatusUnknown
}

// RefundEligibility reads what can be refunded of a payment (a payment id
// from a webhook: Payment.ID or PaymentEvent.Payment.ID).
func (c *Client) RefundEligibility(ctx context.Context, paymentID string) (*RefundEligibility, error) {
	if paymentID == "" {
		return nil, &paykit.FieldError{Field: "payment_id", Reason: "required"}
	}
	var e RefundEligibility
	path := PaymentsPath + "/" + url.PathEscape(paymentID) + "/refund-eligibility"
	if err := c.call(ctx, http.MethodGet, path, nil, &e); err != nil {
		return nil, err
	}
	return &e, nil
}

// errNotRefundable: a full refund of a payment with nothing refundable.
func errNotRefundable(reason string) error {
	if reason == "" {
		reason = "nothing remains refundable"
	}
	return &paykit.FieldError{Field: "amount", Reason: "payment not refundable: " + reason}
}

// Refund refunds a payment: req.Amount in minor units (partial refunds
// add up), or 0 for everything that remains refundable. Progress arrives
// as refund/status_updated webhooks ([RefundEvent]). Like every POST it
// is retried only after 429.
func (c *Client) Refund(ctx context.Context, paymentID string, req RefundRequest) (*Refund, error) {
	if paymentID == "" {
		return nil, &paykit.FieldError{Field: "payment_id", Reason: "required"}
	}
	if req.Amount < 0 {
		return nil, &paykit.FieldError{Field: "amount", Reason: "must not be negative (minor units)"}
	}
	if req.Amount == 0 {
		e, err := c.RefundEligibility(ctx, paymentID)
		if err != nil {
			return nil, err
		}
		if !e.Eligible || e.RemainingRefundable <= 0 {
			return nil, errNotRefundable(e.Reason)
		}
		req.Amount = e.RemainingRefundable
	}
	var r Refund
	path := PaymentsPath + "/" + url.PathEscape(paymentID) + "/refunds"
	if err := c.call(ctx, http.MethodPost, path, req, &r); err != nil {
		return nil, err
	}
	if r.PaymentID == "" {
		r.PaymentID = paymentID
	}
	return &r, nil
}
