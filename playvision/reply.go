package playvision

import (
	"encoding/json"
	"strconv"

	"github.com/paykit-go/paykit"
)

// ItemReply is the answer to get_item. Every value is a JSON string, as in
// the platform's current example ({"item_price": "5", …}); the first
// version of the docs used bare numbers and was changed on purpose.
type ItemReply struct {
	ItemID    string `json:"item_id"`
	ItemTitle string `json:"item_title"`
	// ItemPrice is the price in PlayGold, in decimal.
	ItemPrice string `json:"item_price"`
	// ItemPhotoURL is optional; without it the dialog shows the app's
	// image.
	ItemPhotoURL string `json:"item_photo_url,omitempty"`
}

// NewItemReply renders item as an [ItemReply]. It fails with an error
// matching paykit.ErrInvalidRequest when item has no ID or title or a
// price below 1.
func NewItemReply(item paykit.Item) (ItemReply, error) {
	switch {
	case item.ID == "":
		return ItemReply{}, &paykit.FieldError{Field: "item_id", Reason: "is empty"}
	case item.Title == "":
		return ItemReply{}, &paykit.FieldError{Field: "item_title", Reason: "is empty"}
	case item.Price < 1:
		return ItemReply{}, &paykit.FieldError{Field: "item_price", Reason: "must be at least 1"}
	}
	return ItemReply{
		ItemID:       item.ID,
		ItemTitle:    item.Title,
		ItemPrice:    strconv.FormatInt(item.Price, 10),
		ItemPhotoURL: item.PhotoURL,
	}, nil
}

// The status values of [OrderReply], strings as in the platform's
// examples. Playvision reads 1 as success and any other number as failure.
const (
	StatusOK     = "1"
	StatusFailed = "-1"
)

// OrderReply is the answer to order_status_change, and this package's
// answer to any notification it refuses: {"status":"1"|"-1","message":…}.
// Message appears in the transaction log's "Result" column.
type OrderReply struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

// Messages of the replies the Handler writes. They never carry a hook's
// error text, which may hold internal details.
const (
	MessageSuccess          = "success"
	MessageInvalidSignature = "Invalid signature"
	MessageMissingSignature = "Missing signature"
	MessageMalformed        = "Malformed notification"
	MessageUnknownType      = "Unknown notification type"
	MessageWrongApp         = "Notification for another application"
	MessageTooLarge         = "Notification too large"
	MessageUnknownItem      = "Unknown item"
	MessageUnknownUser      = "Unknown user"
	MessageTemporary        = "Temporary failure, try again later"
	MessageFailed           = "Internal error"
)

// successReply is the exact body of a successful order_status_change
// answer; stored and replayed byte for byte.
var successReply = mustJSON(OrderReply{Status: StatusOK, Message: MessageSuccess})

// SuccessReply returns the body the Handler sends when an
// order_status_change was fulfilled: {"status":"1","message":"success"}.
func SuccessReply() []byte { return append([]byte(nil), successReply...) }

// FailureReply returns the failure body {"status":"-1","message":message}.
func FailureReply(message string) []byte {
	return mustJSON(OrderReply{Status: StatusFailed, Message: message})
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Only fixed struct types of this file are marshalled; they
		// cannot fail.
		panic("playvision: " + err.Error())
	}
	return b
}
