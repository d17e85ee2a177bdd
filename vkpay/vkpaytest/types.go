package vkpaytest

import (
	"time"

	"github.com/paykit-go/paykit/internal/emulator"
	"github.com/paykit-go/paykit/vkpay"
)

// State is the state of an emulated order, the same in every kit.
type State = emulator.State

// The states a VK order goes through: open after get_item; pending while
// order_status_change chargeable is not accepted (resent); paid once the
// merchant accepted; declined when the merchant refused (critical error);
// canceled when the buyer closed the window; failed when resends were
// exhausted; refunding then refunded for a refund.
const (
	StateOpen      = emulator.StateOpen
	StatePending   = emulator.StatePending
	StatePaid      = emulator.StatePaid
	StateDeclined  = emulator.StateDeclined
	StateCanceled  = emulator.StateCanceled
	StateFailed    = emulator.StateFailed
	StateRefunding = emulator.StateRefunding
	StateRefunded  = emulator.StateRefunded
)

// Delivery records one notification the emulator sent and the merchant's
// answer; the same shape in every kit. Its Request is the signed form body.
type Delivery = emulator.Delivery

// Order is a snapshot of an emulated order.
type Order struct {
	ID         int64
	UserID     int64
	Item       string // the key the buyer asked for
	ItemID     string // the merchant's answer from here on
	Title      string
	PhotoURL   string
	Price      int64 // votes
	Discount   int64
	Expiration int64
	State      State
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
