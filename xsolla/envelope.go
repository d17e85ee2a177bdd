package xsolla

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/paykit-go/paykit"
)

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
	Action                 string
	Dispute                DisputeDetails
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
	if n := e.purchaseMessage(m); n != nil {
		return n, nil
	}
	if n := e.subscriptionMessage(m); n != nil {
		return n, nil
	}
	switch e.Type {
	case TypeUserValidation:
		return &UserValidation{m}, nil
	case TypeUserSearch:
		return &UserSearch{m}, nil
	case TypeOrderPaid, TypeOrderCanceled:
		return e.orderMessage(m)
	case TypeAFSReject:
		return &AFSReject{Message: m, Transaction: e.Transaction, RefundDetails: e.RefundDetails}, nil
	case TypeAFSBlackList:
		return &AFSBlackList{m}, nil
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
	case TypeDispute:
		return &Dispute{Message: m, Action: e.Action, Transaction: e.Transaction, Dispute: e.Dispute}, nil
	}
	return &Unknown{m}, nil
}

// purchaseMessage is the payment or refund message of m, or nil for
// another type.
func (e *envelope) purchaseMessage(m Message) paykit.Notification {
	switch e.Type {
	case TypePayment:
		return &Payment{Message: m, Purchase: e.Purchase, Transaction: e.Transaction, PaymentDetails: e.PaymentDetails}
	case TypeRefund:
		return &Refund{Payment: e.payment(m), RefundDetails: e.RefundDetails}
	case TypePartialRefund:
		return &PartialRefund{Refund{Payment: e.payment(m), RefundDetails: e.RefundDetails}}
	case TypeUpgradeRefund:
		return &UpgradeRefund{Refund{Payment: e.payment(m), RefundDetails: e.RefundDetails}}
	}
	return nil
}

func (e *envelope) payment(m Message) Payment {
	return Payment{Message: m, Purchase: e.Purchase, Transaction: e.Transaction, PaymentDetails: e.PaymentDetails}
}

// subscriptionMessage is the subscription message of m, or nil for another
// type.
func (e *envelope) subscriptionMessage(m Message) paykit.Notification {
	sub := SubscriptionMessage{Message: m, Subscription: e.Subscription, Coupon: e.Coupon}
	switch e.Type {
	case TypeCreateSubscription:
		return &CreateSubscription{sub}
	case TypeUpdateSubscription:
		return &UpdateSubscription{sub}
	case TypeCancelSubscription:
		return &CancelSubscription{sub}
	case TypeNonRenewalSubscription:
		return &NonRenewalSubscription{sub}
	}
	return nil
}

// orderMessage is the order_paid or order_canceled message of m, with its
// items decoded.
func (e *envelope) orderMessage(m Message) (paykit.Notification, error) {
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
	case *Dispute:
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
