package vkpay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/go-querystring/query"

	"github.com/paykit-go/paykit"
)

// OrderState is an order's status as the orders.* API methods report it.
// It is not the status of an order_status_change notification: there
// "chargeable" means paid, here it means paid but not confirmed.
type OrderState string

// The order states of VK's payments API (dev.vk.com, orders.getById).
const (
	// OrderStateCreated: the order exists, nothing is paid yet.
	OrderStateCreated OrderState = "created"
	// OrderStateChargeable: the user paid but the app did not confirm the
	// order (its order_status_change was not answered); orders.changeState
	// with charge or cancel settles it.
	OrderStateChargeable OrderState = "chargeable"
	// OrderStateDeclined: refused after get_item (e.g. error 20).
	OrderStateDeclined OrderState = "declined"
	// OrderStateCancelled: cancelled before it was charged.
	OrderStateCancelled OrderState = "cancelled"
	// OrderStateCharged: paid and confirmed.
	OrderStateCharged OrderState = "charged"
	// OrderStateRefunded: cancelled after payment; the votes went back.
	OrderStateRefunded OrderState = "refunded"
)

// OrderAction is the action of orders.changeState.
type OrderAction string

// The actions of orders.changeState.
const (
	// OrderCharge confirms a chargeable order whose notification failed.
	OrderCharge OrderAction = "charge"
	// OrderCancel cancels a chargeable (unconfirmed) order.
	OrderCancel OrderAction = "cancel"
	// OrderRefund refunds a charged order.
	OrderRefund OrderAction = "refund"
)

// ErrOrderNotSettled is returned by [Order.StatusChange] for an order that
// is neither paid (charged, chargeable) nor refunded: there is nothing to
// fulfil or take back.
var ErrOrderNotSettled = errors.New("vkpay: the order is neither paid nor refunded")

// Order is an order as orders.getById and orders.get return it.
type Order struct {
	// ID is VK's order id, the order_id of its notifications.
	ID int64
	// AppOrderID is your app_order_id for it; 0 when none was given.
	AppOrderID int64
	Status     OrderState
	UserID     int64
	ReceiverID int64
	// Item is the client-side product key (VKWebAppShowOrderBox's item).
	Item string
	// Amount is the order's price as VK reports it. VK's documentation
	// does not name its unit; it is taken as votes, like the item_price
	// of the order's notification, which [Order.StatusChange] sets from it.
	Amount int64
	// Date is when the order was created.
	Date time.Time
	// TransactionID and CancelTransactionID are VK's payment and refund
	// transactions; "" when none.
	TransactionID, CancelTransactionID string
	// AppID is the app of the Client that fetched the order.
	AppID int64
	// Test is the test_mode of the request that returned the order:
	// test orders live apart from production ones.
	Test bool
}

// StatusChange returns the order as the notification order_status_change
// would have brought it, so that an order found by reconciliation
// (orders.getById) goes through the same code, the same
// [Client.IdempotencyKey] and the same store as the notification: a paid
// order (charged, or chargeable: paid but not confirmed) has Status
// chargeable, a refunded one refunded. Item, ItemPrice (Amount), Date,
// user and receiver are set; the fields VK's API does not return (ItemID,
// ItemTitle, ItemPhotoURL, ItemDiscount, Version, Sig) stay empty. Other
// states return [ErrOrderNotSettled].
func (o *Order) StatusChange() (*OrderStatusChange, error) {
	var status OrderStatus
	switch o.Status {
	case OrderStateCharged, OrderStateChargeable:
		status = OrderChargeable
	case OrderStateRefunded:
		status = OrderRefunded
	default:
		return nil, fmt.Errorf("%w: order %d is %q", ErrOrderNotSettled, o.ID, o.Status)
	}
	typ := TypeOrderStatusChange
	if o.Test {
		typ += TestSuffix
	}
	return &OrderStatusChange{
		Common:     Common{NotificationType: typ, AppID: o.AppID, UserID: o.UserID, Test: o.Test},
		ReceiverID: o.ReceiverID, OrderID: o.ID, Status: status, Date: o.Date, Item: o.Item, ItemPrice: o.Amount,
	}, nil
}

// OrdersByIDRequest is the orders.getById call.
type OrdersByIDRequest struct {
	// OrderIDs are VK's order ids: 1 to 500 positive ids.
	OrderIDs []int64 `url:"order_ids,comma"`
	// TestMode asks for test orders (payment testers' orders).
	TestMode bool `url:"test_mode,int,omitempty"`
}

// MaxOrdersByID is how many ids one orders.getById call takes.
const MaxOrdersByID = 500

// GetOrdersByID returns the orders with the given ids (orders.getById),
// newest first as VK sorts them; ids VK does not know are absent. Errors
// as [Client.Call]; bad ids are a *paykit.FieldError.
func (c *Client) GetOrdersByID(ctx context.Context, req OrdersByIDRequest) ([]Order, error) {
	if len(req.OrderIDs) == 0 || len(req.OrderIDs) > MaxOrdersByID {
		return nil, &paykit.FieldError{Field: "order_ids", Reason: "must hold 1 to 500 order ids"}
	}
	for _, id := range req.OrderIDs {
		if id <= 0 {
			return nil, &paykit.FieldError{Field: "order_ids", Reason: "must be positive order ids"}
		}
	}
	return c.orders(ctx, "orders.getById", req, req.TestMode)
}

// OrdersRequest is the orders.get call.
type OrdersRequest struct {
	// Offset skips that many orders.
	Offset int `url:"offset,omitempty"`
	// Count is how many orders to return: 0 means VK's default (100), at
	// most 1000.
	Count int `url:"count,omitempty"`
	// TestMode asks for test orders.
	TestMode bool `url:"test_mode,int,omitempty"`
}

// MaxOrdersCount is the largest Count of orders.get.
const MaxOrdersCount = 1000

// GetOrders returns the app's orders (orders.get), newest first.
func (c *Client) GetOrders(ctx context.Context, req OrdersRequest) ([]Order, error) {
	if req.Offset < 0 || req.Count < 0 || req.Count > MaxOrdersCount {
		return nil, &paykit.FieldError{Field: "count", Reason: "offset must not be negative and count must be 0 to 1000"}
	}
	return c.orders(ctx, "orders.get", req, req.TestMode)
}

func (c *Client) orders(ctx context.Context, method string, req any, test bool) ([]Order, error) {
	params, err := query.Values(req)
	if err != nil {
		return nil, fmt.Errorf("vkpay: %s: encoding the request: %w", method, err)
	}
	var raw json.RawMessage
	if err := c.call(ctx, method, params, &raw, true); err != nil {
		return nil, err
	}
	orders, err := decodeOrders(raw)
	if err != nil {
		return nil, fmt.Errorf("vkpay: %s: %w", method, err)
	}
	for i := range orders {
		orders[i].AppID, orders[i].Test = c.appID, test
	}
	return orders, nil
}

// ChangeOrderStateRequest is the orders.changeState call.
type ChangeOrderStateRequest struct {
	// OrderID is VK's order id.
	OrderID int64 `url:"order_id"`
	// Action is OrderCharge, OrderCancel or OrderRefund.
	Action OrderAction `url:"action"`
	// AppOrderID is your own order id, recorded with a charge; 0 omits it.
	AppOrderID int64 `url:"app_order_id,omitempty"`
	// TestMode acts on a test order.
	TestMode bool `url:"test_mode,int,omitempty"`
}

// ChangeOrderState charges, cancels or refunds an order
// (orders.changeState) and returns its new state. VK answers error 106
// ([APIErrActionFailed]) when the order's state does not allow the action.
// It is retried after 429, 5xx and VK errors 6 and 10 (the call was not
// done), never after a transport error, which may have cut the reply of a
// call that was done.
func (c *Client) ChangeOrderState(ctx context.Context, req ChangeOrderStateRequest) (OrderState, error) {
	if req.OrderID <= 0 {
		return "", &paykit.FieldError{Field: "order_id", Reason: "must be a positive order id"}
	}
	switch req.Action {
	case OrderCharge, OrderCancel, OrderRefund:
	default:
		return "", &paykit.FieldError{Field: "action", Reason: "must be charge, cancel or refund"}
	}
	if req.AppOrderID < 0 {
		return "", &paykit.FieldError{Field: "app_order_id", Reason: "must not be negative"}
	}
	params, err := query.Values(req)
	if err != nil {
		return "", fmt.Errorf("vkpay: orders.changeState: encoding the request: %w", err)
	}
	var state string
	if err := c.call(ctx, "orders.changeState", params, &state, false); err != nil {
		return "", err
	}
	if state == "" {
		return "", fmt.Errorf("vkpay: orders.changeState: %w", badReplyError{errors.New("empty state")})
	}
	return OrderState(state), nil
}

// apiOrderJSON is an order on the wire: VK's schema types every field as a
// string, older replies carry numbers; both are read.
type apiOrderJSON struct {
	ID                  apiInt    `json:"id"`
	AppOrderID          apiInt    `json:"app_order_id"`
	Status              string    `json:"status"`
	UserID              apiInt    `json:"user_id"`
	ReceiverID          apiInt    `json:"receiver_id"`
	Item                string    `json:"item"`
	Amount              apiInt    `json:"amount"`
	Date                apiInt    `json:"date"`
	TransactionID       apiString `json:"transaction_id"`
	CancelTransactionID apiString `json:"cancel_transaction_id"`
}

// decodeOrders reads the response of orders.getById and orders.get: an
// array of orders, each with a positive id and a status.
func decodeOrders(raw []byte) ([]Order, error) {
	var wire []apiOrderJSON
	if err := json.Unmarshal(raw, &wire); err != nil {
		return nil, badReplyError{fmt.Errorf("decoding orders: %w", jsonReason(err))}
	}
	out := make([]Order, 0, len(wire))
	for i, w := range wire {
		if w.ID <= 0 || w.Status == "" || w.Amount < 0 || w.Date < 0 || w.Date > apiInt(maxTimeUnix) {
			return nil, badReplyError{fmt.Errorf("order %d of the reply lacks a positive id or a status, or has a negative amount or date", i)}
		}
		o := Order{ID: int64(w.ID), AppOrderID: int64(w.AppOrderID), Status: OrderState(w.Status),
			UserID: int64(w.UserID), ReceiverID: int64(w.ReceiverID), Item: w.Item, Amount: int64(w.Amount),
			TransactionID: string(w.TransactionID), CancelTransactionID: string(w.CancelTransactionID)}
		if w.Date > 0 {
			o.Date = time.Unix(int64(w.Date), 0).UTC()
		}
		out = append(out, o)
	}
	return out, nil
}

// apiInt is an integer VK sends as a JSON number or as a string of
// digits; "" and null are 0.
type apiInt int64

// UnmarshalJSON reads a number or a quoted integer.
func (n *apiInt) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	if s == "" || s == "null" {
		*n = 0
		return nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return errors.New("not an integer")
	}
	*n = apiInt(v)
	return nil
}

// apiString is a string VK sends as a JSON string or a number.
type apiString string

// UnmarshalJSON reads a string, a number or null.
func (s *apiString) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*s = ""
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = apiString(v)
		return nil
	}
	var num json.Number
	if err := json.Unmarshal(b, &num); err != nil {
		return errors.New("not a string or a number")
	}
	*s = apiString(num.String())
	return nil
}
