package xsolla

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/paykit-go/paykit"
)

// Message holds what every webhook carries. Each concrete notification type
// embeds it.
type Message struct {
	// Type is notification_type as received.
	Type     string
	Settings Settings
	User     User
	// CustomParameters is custom_parameters as sent (only when "Send
	// custom parameters" is enabled in Publisher Account), or nil.
	CustomParameters json.RawMessage
	// Raw is the verified request body, byte for byte, for fields this
	// package does not model. Do not modify it.
	Raw []byte
}

func (m *Message) message() *Message { return m }

func (m *Message) summary(kind paykit.Kind, status paykit.Status) paykit.Summary {
	return paykit.Summary{
		Provider: paykit.Xsolla, Type: m.Type, Kind: kind, Status: status,
		UserID: m.User.ID.String(),
	}
}

// UserValidation (user_validation) asks whether User.ID exists. Answer
// through [paykit.Hooks.User]: return [paykit.ErrUnknownUser] to refuse.
type UserValidation struct{ Message }

// Summary: user_check, no id, no amount.
func (n *UserValidation) Summary() paykit.Summary {
	return n.summary(paykit.KindUserCheck, paykit.StatusUnknown)
}

// UserSearch (user_search) looks a user up by User.PublicID (or User.ID).
// Answer through [Hooks.UserSearch].
type UserSearch struct{ Message }

// Summary: user_check.
func (n *UserSearch) Summary() paykit.Summary {
	s := n.summary(paykit.KindUserCheck, paykit.StatusUnknown)
	if s.UserID == "" {
		s.UserID = n.User.PublicID.String()
	}
	return s
}

// Payment (payment) reports a successful payment: credit the user.
type Payment struct {
	Message
	Purchase       Purchase
	Transaction    Transaction
	PaymentDetails PaymentDetails
}

// IsDryRun reports a sandbox payment (transaction.dry_run = 1).
func (n *Payment) IsDryRun() bool { return bool(n.Transaction.DryRun) }

// Money returns the amount the user paid in minor units:
// payment_details.payment, else purchase.total, else purchase.checkout.
// When payment_details.payment is present but cannot be converted (an
// amount with more decimals than its currency has, "[null]", an unknown
// currency), total or checkout stand in for it only in the same currency:
// an amount in another currency is not what the user paid. The error says
// which field could not be used; the Summary's Amount is then zero.
func (n *Payment) Money() (paykit.Money, error) {
	fallbacks := [...]struct {
		field string
		a     *Amount
	}{{"purchase.total", n.Purchase.Total}, {"purchase.checkout", n.Purchase.Checkout}}
	paid := n.PaymentDetails.Payment
	if paid == nil || paid.Currency == "" {
		for _, f := range fallbacks {
			if f.a != nil && f.a.Currency != "" {
				if m, err := f.a.Money(); err == nil {
					return m, nil
				}
			}
		}
		return paykit.Money{}, errNoAmount
	}
	m, err := paid.Money()
	if err == nil {
		return m, nil
	}
	for _, f := range fallbacks {
		if f.a != nil && f.a.Currency == paid.Currency {
			if m, ferr := f.a.Money(); ferr == nil {
				return m, nil
			}
		}
	}
	return paykit.Money{}, fmt.Errorf("xsolla: payment_details.payment not convertible (%w) and no purchase.total or purchase.checkout in %q",
		err, clip(paid.Currency))
}

// errNoAmount: a payment or refund without any amount.
var errNoAmount = errors.New("xsolla: no payment_details.payment, purchase.total or purchase.checkout")

func (n *Payment) txSummary(kind paykit.Kind, status paykit.Status) paykit.Summary {
	s := n.summary(kind, status)
	s.ID = n.Transaction.ID.String()
	s.OrderID = n.Transaction.ExternalID.String()
	s.Amount, _ = n.Money()
	s.Test = n.IsDryRun()
	return s
}

// Summary: payment, paid, ID transaction.id, OrderID transaction.external_id.
func (n *Payment) Summary() paykit.Summary { return n.txSummary(paykit.KindPayment, paykit.StatusPaid) }

// Refund (refund) reports a cancelled or charged-back payment: take the
// goods back. Its transaction is the original payment's.
type Refund struct {
	Payment
	RefundDetails RefundDetails
}

// Summary: refund, refunded, ID transaction.id.
func (n *Refund) Summary() paykit.Summary {
	return n.txSummary(paykit.KindRefund, paykit.StatusRefunded)
}

// PartialRefund (partial_refund) reports that part of a payment went
// back; Transaction.Date is when.
type PartialRefund struct{ Refund }

// Summary: refund, refunded, ID transaction.id.
func (n *PartialRefund) Summary() paykit.Summary {
	return n.txSummary(paykit.KindRefund, paykit.StatusRefunded)
}

// UpgradeRefund (upgrade_refund) is a legacy refund type with the refund
// shape.
type UpgradeRefund struct{ Refund }

// Summary: refund, refunded, ID transaction.id.
func (n *UpgradeRefund) Summary() paykit.Summary {
	return n.txSummary(paykit.KindRefund, paykit.StatusRefunded)
}

// AFSReject (afs_reject) reports a transaction rejected by anti-fraud.
type AFSReject struct {
	Message
	Transaction   Transaction
	RefundDetails RefundDetails
}

// Summary: payment, failed, ID transaction.id.
func (n *AFSReject) Summary() paykit.Summary {
	s := n.summary(paykit.KindPayment, paykit.StatusFailed)
	s.ID, s.OrderID, s.Test = n.Transaction.ID.String(), n.Transaction.ExternalID.String(), bool(n.Transaction.DryRun)
	return s
}

// AFSBlackList (afs_black_list) reports a user added to the anti-fraud
// block list; its details are in Raw.
type AFSBlackList struct{ Message }

// Summary: info.
func (n *AFSBlackList) Summary() paykit.Summary {
	return n.summary(paykit.KindInfo, paykit.StatusUnknown)
}

// OrderMessage is the shape of order_paid and order_canceled. The
// "combined" variant also carries Transaction and PaymentDetails.
type OrderMessage struct {
	Message
	Items          []OrderItem
	Order          Order
	Billing        json.RawMessage
	Transaction    Transaction
	PaymentDetails PaymentDetails
}

// Money returns order.amount in minor units of order.currency.
func (n *OrderMessage) Money() (paykit.Money, error) {
	return n.Order.Amount.Minor(n.Order.Currency)
}

func (n *OrderMessage) orderSummary(kind paykit.Kind, status paykit.Status) paykit.Summary {
	s := n.summary(kind, status)
	s.ID = n.Order.ID.String()
	s.UserID = n.User.ExternalID.String()
	if s.UserID == "" {
		s.UserID = n.User.ID.String()
	}
	s.Amount, _ = n.Money()
	s.Test = n.Order.Mode == "sandbox" || bool(n.Transaction.DryRun)
	return s
}

// transactionID is the Xsolla transaction the order was paid by:
// transaction.id (combined webhooks), else order.invoice_id (separate
// webhooks), else "".
func (n *OrderMessage) transactionID() ID {
	if _, ok := canonicalID(n.Transaction.ID); ok {
		return n.Transaction.ID
	}
	return n.Order.InvoiceID
}

// OrderPaid (order_paid) reports a paid store order: grant Items.
type OrderPaid struct{ OrderMessage }

// Summary: payment, paid, ID order.id, UserID user.external_id.
func (n *OrderPaid) Summary() paykit.Summary {
	return n.orderSummary(paykit.KindPayment, paykit.StatusPaid)
}

// OrderCanceled (order_canceled) reports a cancelled store order.
type OrderCanceled struct{ OrderMessage }

// Summary: refund, canceled, ID order.id.
func (n *OrderCanceled) Summary() paykit.Summary {
	return n.orderSummary(paykit.KindRefund, paykit.StatusCanceled)
}

// SubscriptionMessage is the shape of the subscription webhooks.
type SubscriptionMessage struct {
	Message
	Subscription Subscription
	Coupon       Coupon
}

func (n *SubscriptionMessage) subSummary(status paykit.Status) paykit.Summary {
	s := n.summary(paykit.KindSubscription, status)
	s.ID = n.Subscription.SubscriptionID.String()
	if n.Subscription.Currency != "" {
		s.Amount, _ = n.Subscription.Amount.Minor(n.Subscription.Currency)
	}
	return s
}

// CreateSubscription (create_subscription): a subscription was created.
type CreateSubscription struct{ SubscriptionMessage }

// Summary: subscription, paid, ID subscription_id.
func (n *CreateSubscription) Summary() paykit.Summary { return n.subSummary(paykit.StatusPaid) }

// UpdateSubscription (update_subscription): the plan or date changed, and
// on every renewal.
type UpdateSubscription struct{ SubscriptionMessage }

// Summary: subscription, paid, ID subscription_id.
func (n *UpdateSubscription) Summary() paykit.Summary { return n.subSummary(paykit.StatusPaid) }

// CancelSubscription (cancel_subscription): the subscription ended.
type CancelSubscription struct{ SubscriptionMessage }

// Summary: subscription, canceled, ID subscription_id.
func (n *CancelSubscription) Summary() paykit.Summary { return n.subSummary(paykit.StatusCanceled) }

// NonRenewalSubscription (non_renewal_subscription): the subscription
// will not renew.
type NonRenewalSubscription struct{ SubscriptionMessage }

// Summary: subscription, status unknown, ID subscription_id.
func (n *NonRenewalSubscription) Summary() paykit.Summary {
	return n.subSummary(paykit.StatusUnknown)
}

// UserBalanceOperation (user_balance_operation): a virtual-currency
// balance changed (spending virtual currency sends no payment webhook).
type UserBalanceOperation struct {
	Message
	VirtualCurrencyBalance VirtualCurrencyBalance
	OperationType          string
	OperationID            ID
	ItemsOperationType     string
	Coupon                 Coupon
	Items                  json.RawMessage
}

// Summary: info, ID id_operation.
func (n *UserBalanceOperation) Summary() paykit.Summary {
	s := n.summary(paykit.KindInfo, paykit.StatusUnknown)
	s.ID = n.OperationID.String()
	return s
}

// PaymentAccountMessage is the shape of payment_account_add/remove.
type PaymentAccountMessage struct {
	Message
	PaymentAccount PaymentAccount
}

// Summary: info, ID payment_account.id.
func (n *PaymentAccountMessage) Summary() paykit.Summary {
	s := n.summary(paykit.KindInfo, paykit.StatusUnknown)
	s.ID = n.PaymentAccount.ID.String()
	return s
}

// PaymentAccountAdd (payment_account_add): a saved account was added.
type PaymentAccountAdd struct{ PaymentAccountMessage }

// PaymentAccountRemove (payment_account_remove): a saved account was
// removed.
type PaymentAccountRemove struct{ PaymentAccountMessage }

// GetPinCode (get_pincode) asks for a game key or PIN. Answer through
// [Hooks.PinCode].
type GetPinCode struct {
	Message
	PinCode PinCodeRequest
}

// Summary: item_request.
func (n *GetPinCode) Summary() paykit.Summary {
	return n.summary(paykit.KindItemRequest, paykit.StatusUnknown)
}

// RedeemKey (redeem_key): a key was redeemed.
type RedeemKey struct {
	Message
	Key            string
	SKU            string
	UserID         ID
	ActivationDate string
	UserCountry    string
	Restriction    json.RawMessage
}

// Summary: info, ID the key, UserID user_id.
func (n *RedeemKey) Summary() paykit.Summary {
	s := n.summary(paykit.KindInfo, paykit.StatusUnknown)
	s.ID = n.Key
	if n.UserID != "" {
		s.UserID = n.UserID.String()
	}
	return s
}

// PartnerSideCatalog (partner_side_catalog) asks for a personalised
// catalog; the request is in Raw. Answer through [Hooks.Catalog].
type PartnerSideCatalog struct{ Message }

// Summary: item_request.
func (n *PartnerSideCatalog) Summary() paykit.Summary {
	return n.summary(paykit.KindItemRequest, paykit.StatusUnknown)
}

// Dispute (dispute) reports that a dispute about a payment was opened
// (Action "adding") or changed its status (Action "updating"). Xsolla
// sends it only to projects that asked for it. Money that the dispute
// takes back arrives later as a refund (refund_details.code 2,
// chargeback).
type Dispute struct {
	Message
	// Action is "adding" or "updating".
	Action      string
	Transaction Transaction
	Dispute     DisputeDetails
}

// Money returns transaction.total in minor units.
func (n *Dispute) Money() (paykit.Money, error) {
	if n.Transaction.Total == nil {
		return paykit.Money{}, errors.New("xsolla: dispute without transaction.total")
	}
	return n.Transaction.Total.Money()
}

// Summary: info, status unknown, ID transaction.id, OrderID
// transaction.external_id, Amount transaction.total.
func (n *Dispute) Summary() paykit.Summary {
	s := n.summary(paykit.KindInfo, paykit.StatusUnknown)
	s.ID, s.OrderID = n.Transaction.ID.String(), n.Transaction.ExternalID.String()
	s.Amount, _ = n.Money()
	s.Test = bool(n.Transaction.DryRun)
	return s
}

// Unknown is a verified webhook of a notification_type this package does
// not model yet. It reaches Event like any other event (once per
// byte-identical delivery), so that a type Xsolla adds is neither lost nor
// refused into hours of retries; read its fields from Raw. Its Summary is
// Kind info with the type as received. The project was checked when
// settings.project_id was sent. [HandlerOptions].RefuseUnknownTypes
// refuses such webhooks instead.
type Unknown struct{ Message }

// Summary: info, status unknown, the type as received.
func (n *Unknown) Summary() paykit.Summary {
	return n.summary(paykit.KindInfo, paykit.StatusUnknown)
}
