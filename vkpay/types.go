package vkpay

import (
	"strconv"
	"time"

	"github.com/paykit-go/paykit"
)

// Notification types as VK sends them. In test mode VK appends [TestSuffix]
// ("get_item_test", …); the parsed notifications carry the base type in
// their Type method and Test set to true.
const (
	TypeGetItem                  = "get_item"
	TypeOrderStatusChange        = "order_status_change"
	TypeGetSubscription          = "get_subscription"
	TypeSubscriptionStatusChange = "subscription_status_change"

	// TestSuffix marks a notification sent for a payment tester.
	TestSuffix = "_test"
)

// OrderStatus is the status of an order_status_change notification.
type OrderStatus string

// The order statuses VK notifies.
const (
	// OrderChargeable: the user paid; deliver the goods.
	OrderChargeable OrderStatus = "chargeable"
	// OrderRefunded: the payment was refunded (payments API 5.132 and
	// later); take the goods back.
	OrderRefunded OrderStatus = "refunded"
)

// SubscriptionStatus is the status of a subscription_status_change
// notification.
type SubscriptionStatus string

// The subscription statuses VK notifies.
const (
	// SubscriptionChargeable: the first payment of a new subscription.
	SubscriptionChargeable SubscriptionStatus = "chargeable"
	// SubscriptionActive: the subscription is active again (resumed).
	SubscriptionActive SubscriptionStatus = "active"
	// SubscriptionCancelled: the subscription was cancelled (VK spells it
	// with two l).
	SubscriptionCancelled SubscriptionStatus = "cancelled"
)

// CancelReason says why a subscription was cancelled.
type CancelReason string

// The cancel reasons VK documents.
const (
	CancelUserDecision CancelReason = "user_decision"
	CancelAppDecision  CancelReason = "app_decision" // the app called orders.cancelSubscription
	CancelPaymentFail  CancelReason = "payment_fail" // may be resumed within 5 days
	CancelUnknown      CancelReason = "unknown"
)

// Common holds the parameters of every VK payments notification.
type Common struct {
	// NotificationType is the type exactly as received, for example
	// "order_status_change_test".
	NotificationType string
	AppID            int64
	UserID           int64
	// Version is the payments API version ("5.132"); "" for apps on older
	// settings, which send no version.
	Version string
	// Test is true for the "_test" variants sent for payment testers.
	Test bool
	// Sig is the received signature (already verified).
	Sig string
	// Extra keeps every parameter this package does not model (for
	// example "site" when the app runs inside Odnoklassniki), decoded.
	// It is nil when there are none.
	Extra map[string]string
}

// Type returns the notification type without the "_test" suffix.
func (c *Common) Type() string {
	if c.Test && len(c.NotificationType) > len(TestSuffix) {
		return c.NotificationType[:len(c.NotificationType)-len(TestSuffix)]
	}
	return c.NotificationType
}

func (c *Common) summary(kind paykit.Kind) paykit.Summary {
	return paykit.Summary{
		Provider: paykit.VKPay,
		Type:     c.NotificationType,
		Kind:     kind,
		UserID:   strconv.FormatInt(c.UserID, 10),
		Test:     c.Test,
	}
}

// GetItem asks for a product's title and price before VK opens the
// purchase window (VKWebAppShowOrderBox). Answer with an [ItemReply].
type GetItem struct {
	Common
	ReceiverID int64
	OrderID    int64
	// Item is the product key the client passed to VKWebAppShowOrderBox.
	// The buyer controls it: look it up in a server-side catalogue.
	Item string
	// Lang is the buyer's language: ru_RU, uk_UA, be_BY or en_US.
	Lang string
}

// Summary implements [paykit.Notification]: Kind item_request, ID the
// order id.
func (n *GetItem) Summary() paykit.Summary {
	s := n.summary(paykit.KindItemRequest)
	s.ID = strconv.FormatInt(n.OrderID, 10)
	return s
}

// OrderStatusChange reports a paid order (Status chargeable) or a refund
// (Status refunded). Answer with an [OrderReply]; a repeat of the same
// order must get exactly the same answer, which the handlers ensure.
type OrderStatusChange struct {
	Common
	ReceiverID int64
	// OrderID is VK's order id, the idempotency key.
	OrderID int64
	Status  OrderStatus
	// Date is when the order was created.
	Date time.Time
	// Item is the client-side product key from VKWebAppShowOrderBox.
	Item string
	// ItemID echoes the item_id of your get_item answer. VK's table calls
	// it an integer but sends your own string, so it is kept as a string.
	ItemID       string
	ItemTitle    string
	ItemPhotoURL string
	// ItemPrice is the price in votes (an echo of your get_item price).
	ItemPrice int64
	// ItemDiscount is the discount in votes; 0 when none was given.
	ItemDiscount int64
	// ItemCurrencyAmount is the legacy price in app currency, as sent;
	// "" when absent.
	ItemCurrencyAmount string
}

// IsRefund reports whether the notification is a refund.
func (n *OrderStatusChange) IsRefund() bool { return n.Status == OrderRefunded }

// Summary implements [paykit.Notification]: chargeable is a paid payment,
// refunded a refund; Amount is item_price in votes (no currency).
func (n *OrderStatusChange) Summary() paykit.Summary {
	s := n.summary(paykit.KindPayment)
	s.Status = paykit.StatusPaid
	if n.Status == OrderRefunded {
		s.Kind, s.Status = paykit.KindRefund, paykit.StatusRefunded
	}
	s.ID = strconv.FormatInt(n.OrderID, 10)
	s.Amount = paykit.Money{Amount: n.ItemPrice}
	return s
}

// GetSubscription asks for a subscription's title, price and period before
// VK opens the subscription window (VKWebAppShowSubscriptionBox). Answer
// with a [SubscriptionReply].
type GetSubscription struct {
	Common
	ReceiverID int64
	OrderID    int64
	// Item is the subscription key the client passed; untrusted.
	Item string
	Lang string
}

// Summary implements [paykit.Notification]: Kind item_request, ID the
// order id.
func (n *GetSubscription) Summary() paykit.Summary {
	s := n.summary(paykit.KindItemRequest)
	s.ID = strconv.FormatInt(n.OrderID, 10)
	return s
}

// SubscriptionStatusChange reports a new subscription (Status chargeable,
// the first payment), a resumed one (active) or a cancelled one. Renewals
// are not notified. Answer with a [SubscriptionStatusReply].
type SubscriptionStatusChange struct {
	Common
	// SubscriptionID is VK's subscription id. The docs show both numbers
	// and strings, so it is kept as received; see SubscriptionIDInt.
	SubscriptionID string
	Status         SubscriptionStatus
	// CancelReason is set when Status is active or cancelled.
	CancelReason CancelReason
	// ItemID is your subscription id from the get_subscription answer.
	ItemID string
	// ItemPrice is the price per period in votes.
	ItemPrice int64
	// NextBillTime is the next charge; zero when not sent.
	NextBillTime time.Time
	// PendingCancel: the subscription stays active until the end of the
	// paid period.
	PendingCancel bool
}

// SubscriptionIDInt returns SubscriptionID as a number, for API methods
// such as orders.getUserSubscriptionById, and false when it is not one.
func (n *SubscriptionStatusChange) SubscriptionIDInt() (int64, bool) {
	v, err := strconv.ParseInt(n.SubscriptionID, 10, 64)
	return v, err == nil && v > 0
}

// Summary implements [paykit.Notification]: Kind subscription; chargeable
// and active are paid, cancelled is canceled; Amount is item_price.
func (n *SubscriptionStatusChange) Summary() paykit.Summary {
	s := n.summary(paykit.KindSubscription)
	s.Status = paykit.StatusPaid
	if n.Status == SubscriptionCancelled {
		s.Status = paykit.StatusCanceled
	}
	s.ID = n.SubscriptionID
	s.Amount = paykit.Money{Amount: n.ItemPrice}
	return s
}

var (
	_ paykit.Notification = (*GetItem)(nil)
	_ paykit.Notification = (*OrderStatusChange)(nil)
	_ paykit.Notification = (*GetSubscription)(nil)
	_ paykit.Notification = (*SubscriptionStatusChange)(nil)
)
