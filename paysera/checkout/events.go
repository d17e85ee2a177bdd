package checkout

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/paykit-go/paykit"
)

// Event is a webhook's event object.
type Event struct {
	// Type is event.type: order, payment, refund, payment_link, ….
	Type string
	// Name is event.name as received: amount_paid_updated,
	// status_updated, or a dotted older name (order.paid,
	// order.amount_paid_updated, payment_link.completed).
	Name string
	// Timestamp is event.timestamp (v3) or the body's timestamp (thin
	// events), when sent.
	Timestamp time.Time
}

// Action is Name without a leading "<type>.", so that the older
// "order.amount_paid_updated" and the newer "amount_paid_updated" read
// the same.
func (e Event) Action() string {
	return strings.TrimPrefix(e.Name, e.Type+".")
}

// summaryType is Summary.Type: type and name as received.
func (e Event) summaryType() string { return e.Type + "/" + e.Name }

// OrderEvent is a webhook carrying an order: the snapshot of
// order/amount_paid_updated (and the older order.* names, v3's order.paid
// and order.pending_payment). It is the event to fulfil on: Summary is
// Kind payment, Status paid once the order is fully paid.
type OrderEvent struct {
	Event Event
	// Order is the order's state, payment links and payment attempts
	// included.
	Order Order
	// PaymentLink is v3's paymentLink object, when sent.
	PaymentLink *PaymentLink
	Headers     Headers
	// Test is Config.TestMode or the order's is_test.
	Test bool
	// Account is the [Client.Account] of the client that verified the
	// webhook (Config.ProjectID, else the client id): the project it
	// belongs to, which Paysera's current webhooks do not name. An
	// [Accounts] endpoint keys and answers it as that project's.
	Account string
}

// OrderRef names the order of a thin event.
type OrderRef struct {
	// ID is paysera_order_id, Reference merchant_order_id (your order id).
	ID, Reference string
	// ProjectID is the order's project when the event names one
	// (order.project_id, or v3's order.projectId); a client with
	// Config.ProjectID refuses an event of another project.
	ProjectID string
}

// UnmarshalJSON reads either generation's names.
func (r *OrderRef) UnmarshalJSON(b []byte) error {
	var o Order
	if err := json.Unmarshal(b, &o); err != nil {
		return err
	}
	*r = OrderRef{ID: o.ID, Reference: o.Reference, ProjectID: o.ProjectID}
	return nil
}

// StatusChange is the object of a thin payment or refund event.
type StatusChange struct {
	ID string
	// Status as sent (payment: settled, failed, chargeback, …; refund:
	// pending, processing, completed, refunded, failed).
	Status   string
	Amount   int64
	Currency string
}

// UnmarshalJSON reads the object, its amount as a number or a string.
func (s *StatusChange) UnmarshalJSON(b []byte) error {
	var w struct {
		ID       string   `json:"id"`
		Status   string   `json:"status"`
		Amount   *flexInt `json:"amount"`
		Currency string   `json:"currency"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*s = StatusChange{ID: w.ID, Status: w.Status, Amount: firstInt(w.Amount), Currency: w.Currency}
	return nil
}

// PaymentEvent is payment/status_updated: one payment attempt's status
// changed. It arrives beside the order snapshot of the same payment, so it
// is Kind info (a chargeback Kind refund): fulfil on the [OrderEvent].
type PaymentEvent struct {
	Event   Event
	Order   OrderRef
	Payment StatusChange
	Headers Headers
	Test    bool
	// Account is the [Client.Account] of the client that verified the
	// webhook (Config.ProjectID, else the client id): the project it
	// belongs to, which Paysera's current webhooks do not name. An
	// [Accounts] endpoint keys and answers it as that project's.
	Account string
}

// RefundEvent is refund/status_updated: a refund's status changed.
type RefundEvent struct {
	Event   Event
	Order   OrderRef
	Refund  StatusChange
	Headers Headers
	Test    bool
	// Account is the [Client.Account] of the client that verified the
	// webhook (Config.ProjectID, else the client id): the project it
	// belongs to, which Paysera's current webhooks do not name. An
	// [Accounts] endpoint keys and answers it as that project's.
	Account string
}

// LinkEvent is the v3 generation's payment_link.completed, .expired and
// .canceled: Kind info (the order event carries the payment).
type LinkEvent struct {
	Event   Event
	Order   Order
	Link    PaymentLink
	Headers Headers
	Test    bool
	// Account is the [Client.Account] of the client that verified the
	// webhook (Config.ProjectID, else the client id): the project it
	// belongs to, which Paysera's current webhooks do not name. An
	// [Accounts] endpoint keys and answers it as that project's.
	Account string
}

// UnknownEvent is a verified webhook of a type or name this package does
// not model (fund-distribution events, names added later). The handler
// acknowledges it (Kind info) so that Paysera stops retrying.
type UnknownEvent struct {
	Event Event
	// Body is the raw JSON body.
	Body    []byte
	Headers Headers
	Test    bool
	// Account is the [Client.Account] of the client that verified the
	// webhook (Config.ProjectID, else the client id): the project it
	// belongs to, which Paysera's current webhooks do not name. An
	// [Accounts] endpoint keys and answers it as that project's.
	Account string
}

// Summary: Kind payment (info for a closed order), Status from the order
// status (paid also when amount_paid reached the amount), ID the Paysera
// order id, OrderID your reference, Amount the order amount (the amount
// paid for an order whose payer sets it).
func (e *OrderEvent) Summary() paykit.Summary {
	o := e.Order
	kind, status := paykit.KindPayment, orderStatus(&o)
	if o.Status == "closed" {
		kind = paykit.KindInfo
	}
	amount := o.Amount
	if amount == 0 {
		amount = o.AmountPaid
	}
	return paykit.Summary{Provider: paykit.PayseraCheckout, Type: e.Event.summaryType(), Kind: kind,
		Status: status, ID: o.ID, OrderID: o.Reference,
		Amount: paykit.Money{Amount: amount, Currency: strings.ToUpper(o.Currency)}, Test: e.Test}
}

func orderStatus(o *Order) paykit.Status {
	if o.Paid() {
		return paykit.StatusPaid
	}
	switch o.Status {
	case "pending_payment", "pending":
		return paykit.StatusPending
	case "canceled", "cancelled":
		return paykit.StatusCanceled
	}
	return paykit.StatusUnknown
}

// Summary: Kind info (refund for a chargeback), Status from the payment
// status, ID the payment id, OrderID your reference.
func (e *PaymentEvent) Summary() paykit.Summary {
	kind, status := paykit.KindInfo, PaymentStatus(e.Payment.Status)
	if e.Payment.Status == "chargeback" {
		kind = paykit.KindRefund
	}
	return paykit.Summary{Provider: paykit.PayseraCheckout, Type: e.Event.summaryType(), Kind: kind,
		Status: status, ID: e.Payment.ID, OrderID: e.Order.Reference,
		Amount: paykit.Money{Amount: e.Payment.Amount, Currency: strings.ToUpper(e.Payment.Currency)}, Test: e.Test}
}

// Summary: Kind refund, Status from the refund status, ID the refund's id,
// OrderID your reference, Amount the refund's.
func (e *RefundEvent) Summary() paykit.Summary {
	return paykit.Summary{Provider: paykit.PayseraCheckout, Type: e.Event.summaryType(), Kind: paykit.KindRefund,
		Status: refundStatus(e.Refund.Status), ID: e.Refund.ID, OrderID: e.Order.Reference,
		Amount: paykit.Money{Amount: e.Refund.Amount, Currency: strings.ToUpper(e.Refund.Currency)}, Test: e.Test}
}

// Summary: Kind info, Status paid for completed, failed for expired,
// canceled for canceled; ID the link id, OrderID your reference.
func (e *LinkEvent) Summary() paykit.Summary {
	var status paykit.Status
	switch e.Link.Status {
	case "completed":
		status = paykit.StatusPaid
	case "expired":
		status = paykit.StatusFailed
	case "canceled", "cancelled":
		status = paykit.StatusCanceled
	case "active":
		status = paykit.StatusPending
	}
	return paykit.Summary{Provider: paykit.PayseraCheckout, Type: e.Event.summaryType(), Kind: paykit.KindInfo,
		Status: status, ID: e.Link.ID, OrderID: e.Order.Reference,
		Amount: paykit.Money{Amount: e.Order.Amount, Currency: strings.ToUpper(e.Order.Currency)}, Test: e.Test}
}

// Summary: Kind info, nothing else known.
func (e *UnknownEvent) Summary() paykit.Summary {
	return paykit.Summary{Provider: paykit.PayseraCheckout, Type: e.Event.summaryType(), Kind: paykit.KindInfo, Test: e.Test}
}

// PaymentStatus maps a payment attempt's status to paykit's: settled is
// paid; failed, rejected, canceled (or cancelled) and expired are failed;
// refunded and chargeback refunded; the other documented statuses
// (initiated, awaiting_authorization, authorized, processing,
// pending_settlement, on_hold) pending; anything else unknown.
func PaymentStatus(s string) paykit.Status {
	switch s {
	case "settled", "completed":
		return paykit.StatusPaid
	case "failed", "rejected", "canceled", "cancelled", "expired":
		return paykit.StatusFailed
	case "refunded", "chargeback":
		return paykit.StatusRefunded
	case "initiated", "awaiting_authorization", "authorized", "processing", "pending_settlement", "on_hold":
		return paykit.StatusPending
	}
	return paykit.StatusUnknown
}
