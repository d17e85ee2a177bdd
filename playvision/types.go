package playvision

import (
	"net/url"
	"strconv"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/form"
)

// The notification types Playvision sends. In test mode (a tester buying
// before the app is verified) the "_test" variants arrive and no PlayGold
// moves.
const (
	TypeGetItem               = "get_item"
	TypeGetItemTest           = "get_item_test"
	TypeOrderStatusChange     = "order_status_change"
	TypeOrderStatusChangeTest = "order_status_change_test"
)

// testSuffix marks test-mode notification types.
const testSuffix = "_test"

// GetItem is a verified get_item (or get_item_test) notification: the
// purchase dialog is opening and asks for the title and price of Item.
type GetItem struct {
	// NotificationType is "get_item" or "get_item_test" as received.
	NotificationType string
	// Test is true for get_item_test.
	Test bool
	// AppID is the app_id sent, 0 if the platform sent none.
	AppID int64
	// UserID is the buyer's Playvision user id.
	UserID int64
	// Item is the item passed to payment.window by the game client. The
	// buyer can change it: look it up, never trust a price or id in it.
	Item string
	// Sig is the verified signature.
	Sig string
	// Params holds every parameter received, including ones this package
	// does not know; all of them were covered by the signature. Do not
	// modify it.
	Params url.Values

	userID string // UserID as received, when canonical
}

// Summary implements paykit.Notification.
func (g *GetItem) Summary() paykit.Summary {
	return paykit.Summary{
		Provider: paykit.Playvision,
		Type:     g.NotificationType,
		Kind:     paykit.KindItemRequest,
		UserID:   decimal(g.userID, g.UserID),
		Test:     g.Test,
	}
}

// Extra returns the received parameters this package does not map to a
// field, e.g. ones added by a later version of the platform. They were
// signed like the rest.
func (g *GetItem) Extra() url.Values { return extra(g.Params, getItemFields) }

// OrderStatusChange is a verified order_status_change (or
// order_status_change_test) notification: the buyer paid for an item and
// the app must deliver it. Playvision sends no status: the notification
// itself means "paid".
type OrderStatusChange struct {
	// NotificationType is "order_status_change" or
	// "order_status_change_test" as received.
	NotificationType string
	// Test is true for order_status_change_test. Test transaction ids can
	// repeat production ones.
	Test bool
	// AppID is the app_id sent, 0 if none (the docs list none for this
	// notification).
	AppID int64
	// UserID is the buyer's Playvision user id.
	UserID int64
	// SID is the game server id when the app runs several servers, "" or
	// "0" otherwise. The payments page types it Int, but the launch
	// parameters call sid the external server id the app chose itself, so
	// it is kept as received rather than refused when it is not a number.
	SID string
	// TransactionID is Playvision's order id.
	TransactionID int64
	// Sum is the amount of game currency to deliver.
	Sum int64
	// ItemID is the item_id the app returned for get_item (documented as
	// an int here, but the app chooses it as a string, so it is kept as
	// received); "" if not sent.
	ItemID string
	// Time is when the platform created the notification; zero if not
	// sent.
	Time time.Time
	// Sig is the verified signature.
	Sig string
	// Params holds every parameter received, including unknown ones such
	// as the historic "bonus"; all of them were covered by the signature.
	// Do not modify it.
	Params url.Values

	userID, id string // UserID and TransactionID as received, when canonical
}

// Summary implements paykit.Notification.
func (o *OrderStatusChange) Summary() paykit.Summary {
	return paykit.Summary{
		Provider: paykit.Playvision,
		Type:     o.NotificationType,
		Kind:     paykit.KindPayment,
		Status:   paykit.StatusPaid,
		ID:       decimal(o.id, o.TransactionID),
		UserID:   decimal(o.userID, o.UserID),
		Amount:   paykit.Money{Amount: o.Sum},
		Test:     o.Test,
	}
}

// Extra returns the received parameters this package does not map to a
// field, such as the historic "bonus". They were signed like the rest.
func (o *OrderStatusChange) Extra() url.Values { return extra(o.Params, orderFields) }

var (
	getItemFields = []string{"notification_type", "app_id", "user_id", "item", "sig"}
	orderFields   = []string{"notification_type", "app_id", "user_id", "sid", "transaction_id", "sum", "item_id", "time", "sig"}
)

func extra(params url.Values, known []string) url.Values {
	out := url.Values{}
outer:
	for k, v := range params {
		for _, kk := range known {
			if k == kk {
				continue outer
			}
		}
		out[k] = append([]string(nil), v...)
	}
	return out
}

// decimal returns text when it is n as parsed, else n formatted: a
// notification built by hand, or changed after parsing, still summarises
// right.
func decimal(text string, n int64) string {
	if text != "" && len(text) <= 18 {
		if v, ok := form.Digits(text); ok && v == n {
			return text
		}
	}
	return strconv.FormatInt(n, 10)
}
