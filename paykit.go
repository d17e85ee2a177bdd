package paykit

import (
	"context"
	"time"

	"github.com/paykit-go/paykit/internal/currency"
)

// Provider names a payment provider.
type Provider string

// The providers paykit supports.
const (
	Paysera    Provider = "paysera"
	VKPay      Provider = "vkpay"
	Xsolla     Provider = "xsolla"
	Playvision Provider = "playvision"
	// PayseraCheckout is Paysera's REST platform "Checkout (New)"
	// (package paysera/checkout), kept apart from Classic (Paysera).
	PayseraCheckout Provider = "paysera_checkout"
)

// Kind says what a notification asks of the merchant.
type Kind string

// The kinds of notification, the same for every provider.
const (
	// KindItemRequest asks for an item's title and price before a purchase
	// (VK get_item / get_subscription, Playvision get_item).
	KindItemRequest Kind = "item_request"
	// KindUserCheck asks whether a user exists (Xsolla user_validation).
	KindUserCheck Kind = "user_check"
	// KindPayment reports money received: fulfil the order.
	KindPayment Kind = "payment"
	// KindRefund reports money returned: take the goods back.
	KindRefund Kind = "refund"
	// KindSubscription reports a change of a subscription's state.
	KindSubscription Kind = "subscription"
	// KindInfo carries information that needs no fulfilment.
	KindInfo Kind = "info"
)

// Status is a notification's payment status, normalised across providers.
type Status string

// The normalised statuses.
const (
	StatusUnknown  Status = ""
	StatusPending  Status = "pending"
	StatusPaid     Status = "paid"
	StatusFailed   Status = "failed"
	StatusRefunded Status = "refunded"
	StatusCanceled Status = "canceled"
)

// Money is an amount in integer minor units.
type Money struct {
	// Amount is in minor units for fiat currencies (cents) and in whole
	// units for virtual currencies (VK votes, PlayGold).
	Amount int64
	// Currency is an ISO 4217 code in upper case, or "" where the provider
	// names none.
	Currency string
}

// String writes m the way people read it: for an ISO 4217 currency the
// amount in major units with the currency's exponent and the code
// ("4.99 EUR", "500 JPY", "1.000 KWD", "-0.05 USD"); for a currency the
// ISO table does not know — a virtual currency such as an Xsolla virtual
// currency code — the whole number and the code ("499 GOLD"); with no
// currency, as VK votes and Playvision PlayGold come, the number alone
// ("7"). The code is looked up as it is, so it must be upper case. The
// decimal is exact for every int64 (no float64) and has no thousands
// separators, so it parses back to the same amount. Amount stays the
// value to compute with.
func (m Money) String() string {
	exp, _ := currency.Exponent(m.Currency) // 0 for a virtual currency: whole units
	s := currency.Format(m.Amount, exp)
	if m.Currency == "" {
		return s
	}
	return s + " " + m.Currency
}

// Notification is any verified callback from any provider. The concrete
// types live in the provider packages and carry every field received; use a
// type switch or errors-free assertion to reach them.
type Notification interface {
	Summary() Summary
}

// Summary describes a notification in provider-neutral terms. The DESIGN
// table in each provider's package documentation says how its fields map.
type Summary struct {
	Provider Provider
	// Type is the provider's own type as received, for example
	// "order_status_change_test"; Paysera: "macro" or "micro".
	Type   string
	Kind   Kind
	Status Status
	// ID is the provider's id of this transaction, order or subscription.
	ID string
	// OrderID is the merchant's own order reference where the provider
	// echoes one, else "".
	OrderID string
	// UserID is the provider's user id where one is sent.
	UserID string
	Amount Money
	// Test is true for test, sandbox and dry-run notifications.
	Test bool
}

// ItemRequest asks the merchant for an item before a purchase.
type ItemRequest struct {
	Provider Provider
	// Item is the key the client passed. It comes from the buyer's
	// browser: treat it as untrusted input.
	Item   string
	UserID string
	Lang   string
	Test   bool
	// Notification is the verified notification that asked, for
	// provider-specific fields.
	Notification Notification
}

// Item is the merchant's answer to an [ItemRequest].
type Item struct {
	ID       string
	Title    string
	PhotoURL string
	// Price and Discount are in the provider's unit (VK votes, PlayGold).
	Price    int64
	Discount int64
	// CacheFor is how long the provider may cache the answer (VK
	// "expiration"); 0 leaves the provider's default.
	CacheFor time.Duration
	// Period and Trial describe subscriptions (VK get_subscription): the
	// billing period and the free trial.
	Period time.Duration
	Trial  time.Duration
}

// Hooks is the merchant's business logic, shared by every provider's
// Handler.
//
// Hooks run with a context whose deadline is under the provider's own limit
// (each provider package's ReplyTimeout, less a margin; see
// [HandlerOptions].HookTimeout). Return [ErrUnknownItem] or
// [ErrUnknownUser] to refuse, wrap an error with [Temporary] to have the
// provider retry later; any other error is reported to the provider as a
// failure of this delivery.
//
// A nil hook behaves the same in every provider:
//
//   - Item nil: every item request is refused as [ErrUnknownItem] (VK
//     error 20, Playvision's "-1" answer);
//   - User nil: every user is accepted (Xsolla user_validation answers 204);
//   - Event nil: every payment, refund or status change is answered as a
//     temporary failure, so the provider keeps it and delivers it again
//     once a hook is installed — nothing is acknowledged unseen.
type Hooks struct {
	// Item answers VK get_item / get_subscription and Playvision get_item.
	Item func(ctx context.Context, req ItemRequest) (Item, error)
	// User answers Xsolla user_validation.
	User func(ctx context.Context, n Notification) error
	// Event fulfils payments, refunds and status changes, once per event
	// while nothing fails: the handler keys it with the client's
	// IdempotencyKey through Store, so a repeated delivery is answered
	// with the first reply and Event does not run again. Across a crash,
	// see the guarantees of the Store in use (package sqlstore).
	Event func(ctx context.Context, n Notification) error
	// Store remembers replies for idempotent replay; nil gives each
	// handler its own [MemoryStore].
	Store Store
	// Observer, when set, is told of every delivery through the handler
	// once its reply is written — a [Journal], a log (see
	// [LogDeliveries]), metrics, or several through [Observers]. Nil costs
	// nothing.
	Observer Observer
}
