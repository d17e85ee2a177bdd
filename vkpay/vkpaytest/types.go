package vkpaytest

import (
	"net/url"
	"time"

	"github.com/paykit-go/paykit/vkpay"
)

// OrderState is the state of an emulated order.
type OrderState string

// The order states.
const (
	OrderOpen          OrderState = "open"           // get_item answered; waiting for the buyer
	OrderPending       OrderState = "pending"        // chargeable sent, answer missing or temporary; resending
	OrderCharged       OrderState = "charged"        // the merchant accepted the payment
	OrderDeclined      OrderState = "declined"       // the merchant refused (critical error)
	OrderCancelled     OrderState = "cancelled"      // the buyer closed the window
	OrderFailed        OrderState = "failed"         // resends exhausted
	OrderRefundPending OrderState = "refund_pending" // refunded sent; resending
	OrderRefunded      OrderState = "refunded"
)

// Order is a snapshot of an emulated order.
type Order struct {
	ID         int64
	UserID     int64
	Item       string // the key the buyer asked for
	ItemID     string // the merchant's answer from here on
	Title      string
	PhotoURL   string
	Price      int64
	Discount   int64
	Expiration int64
	State      OrderState
	AppOrderID int64
	// Attempts counts deliveries of the current status change.
	Attempts  int
	LastError string
	ReturnURL string
	Created   time.Time
}

// SubscriptionState is the state of an emulated subscription.
type SubscriptionState string

// The subscription states.
const (
	SubscriptionOpen      SubscriptionState = "open"    // get_subscription answered
	SubscriptionPending   SubscriptionState = "pending" // a status change is being resent
	SubscriptionActive    SubscriptionState = "active"
	SubscriptionCancelled SubscriptionState = "cancelled"
	SubscriptionDeclined  SubscriptionState = "declined"
	SubscriptionFailed    SubscriptionState = "failed"
)

// Subscription is a snapshot of an emulated subscription.
type Subscription struct {
	ID            int64
	OrderID       int64 // of the get_subscription request
	UserID        int64
	Item          string
	ItemID        string
	Title         string
	PhotoURL      string
	Price         int64
	Period        int // days
	TrialDuration int // days
	State         SubscriptionState
	// Status is the last status sent (chargeable, active, cancelled).
	Status        vkpay.SubscriptionStatus
	CancelReason  vkpay.CancelReason
	PendingCancel bool
	NextBillTime  time.Time
	AppOrderID    int64
	Attempts      int
	LastError     string
	Created       time.Time
}

// Delivery records one notification the emulator sent.
type Delivery struct {
	Type   string
	Params url.Values
	// Status is the HTTP status, 0 when the request failed.
	Status int
	Body   string
	Err    string
	At     time.Time
}
