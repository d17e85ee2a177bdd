package checkout

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/paykit-go/paykit"
)

// OrdersPath is the orders endpoint under the API base.
const OrdersPath = "/merchant-order/integration/v1/orders"

// OrderRequest creates a payment order.
type OrderRequest struct {
	// Reference is your order id, sent as purchase.reference and echoed
	// in webhooks as merchant_order_id. Required; at most 255 characters
	// of A–Z a–z 0–9, space and _ / ? : ( ) . , ' + - (Paysera puts it in
	// the bank payment purpose). Put free text in LinkRequest.Purpose.
	Reference string
	// Amount is the order total in minor units (> 0) and its ISO 4217
	// currency, upper case. Sent as a string of digits, as the docs
	// specify (Config.OrderAmountAsNumber sends a number).
	Amount paykit.Money
	// SuccessURL, FailureURL and CancelURL are where the payer's browser
	// returns to. Optional. Never fulfil on a return: only webhooks count.
	SuccessURL, FailureURL, CancelURL string
	// CallbackURL is where Paysera sends this order's webhooks. Required:
	// without it Paysera sends none.
	CallbackURL string
	// Metadata is sent as metadata; "referer" (and "referrer", the docs'
	// spelling) default to the origin of SuccessURL, else CallbackURL.
	// Keys and values at most 255 characters.
	Metadata map[string]string
	// MerchantData is echoed in the order and its webhooks. Keys and
	// values at most 255 characters.
	MerchantData map[string]string
	// Source says where the order came from (free text, ≤ 255); "" leaves
	// Paysera's default.
	Source string
	// ProjectID is sent as project_id; "" means Config.ProjectID, and when
	// that is empty too the token's project.
	ProjectID string
}

// Order is a payment order as the API or a webhook describes it. Both
// generations of field names are read (order_id or id, snake_case or
// camelCase) and amounts as numbers or strings.
type Order struct {
	// ID is Paysera's order id (a UUID): order_id in replies,
	// paysera_order_id in webhooks.
	ID        string
	ProjectID string
	// Reference is your order id (purchase.reference, merchant_order_id).
	Reference string
	// Amount is the order total in minor units; 0 for an order whose
	// payer sets the amount.
	Amount int64
	// AmountPaid is the sum of the settled payments, in minor units.
	AmountPaid int64
	Currency   string
	// Status is the order status as sent: pending_payment, paid,
	// canceled, closed.
	Status string
	Source string
	// Test is is_test: the order was created as a test payment.
	Test         bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Metadata     map[string]string
	MerchantData map[string]string
	// PaymentLinks are the order's links with their payment attempts, as
	// an order snapshot webhook carries them.
	PaymentLinks []PaymentLink
}

// Paid reports whether the order is fully paid: status paid, or the amount
// paid reached a (non-zero) order amount.
func (o *Order) Paid() bool {
	return o.Status == "paid" || (o.Amount > 0 && o.AmountPaid >= o.Amount)
}

type orderWire struct {
	OrderID        string `json:"order_id"`
	ID             string `json:"id"`
	PayseraOrderID string `json:"paysera_order_id"`
	ProjectID      string `json:"project_id"`
	ProjectIDv3    string `json:"projectId"`
	Purchase       struct {
		Reference string   `json:"reference"`
		Amount    *flexInt `json:"amount"`
		Currency  string   `json:"currency"`
	} `json:"purchase"`
	Reference       string        `json:"reference"`
	MerchantOrderID string        `json:"merchant_order_id"`
	Amount          *flexInt      `json:"amount"`
	AmountPaid      *flexInt      `json:"amount_paid"`
	AmountPaidv3    *flexInt      `json:"amountPaid"`
	Currency        string        `json:"currency"`
	Status          string        `json:"status"`
	Source          string        `json:"source"`
	IsTest          bool          `json:"is_test"`
	CreatedAt       flexTime      `json:"created_at"`
	CreatedAtv3     flexTime      `json:"createdAt"`
	UpdatedAt       flexTime      `json:"updated_at"`
	UpdatedAtv3     flexTime      `json:"updatedAt"`
	Metadata        stringMap     `json:"metadata"`
	MerchantData    stringMap     `json:"merchant_data"`
	PaymentLinks    []PaymentLink `json:"payment_links"`
}

// UnmarshalJSON reads an order in any documented shape.
func (o *Order) UnmarshalJSON(b []byte) error {
	var w orderWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*o = Order{
		ID:           first(w.OrderID, w.PayseraOrderID, w.ID),
		ProjectID:    first(w.ProjectID, w.ProjectIDv3),
		Reference:    first(w.Purchase.Reference, w.MerchantOrderID, w.Reference),
		Amount:       firstInt(w.Purchase.Amount, w.Amount),
		AmountPaid:   firstInt(w.AmountPaid, w.AmountPaidv3),
		Currency:     first(w.Purchase.Currency, w.Currency),
		Status:       w.Status,
		Source:       w.Source,
		Test:         w.IsTest,
		CreatedAt:    firstTime(w.CreatedAt, w.CreatedAtv3),
		UpdatedAt:    firstTime(w.UpdatedAt, w.UpdatedAtv3),
		Metadata:     w.Metadata,
		MerchantData: w.MerchantData,
		PaymentLinks: w.PaymentLinks,
	}
	return nil
}

// orderBody is the create-order request.
type orderBody struct {
	ProjectID    string            `json:"project_id,omitempty"`
	Purchase     purchaseBody      `json:"purchase"`
	RedirectURLs redirectBody      `json:"redirect_urls"`
	Metadata     map[string]string `json:"metadata,omitempty"`
	MerchantData map[string]string `json:"merchant_data,omitempty"`
	Source       string            `json:"source,omitempty"`
}

type purchaseBody struct {
	Reference string `json:"reference"`
	// Amount is a JSON string of digits (the docs) or a number.
	Amount   json.RawMessage `json:"amount"`
	Currency string          `json:"currency"`
}

type redirectBody struct {
	SuccessURL  string `json:"success_url,omitempty"`
	FailureURL  string `json:"failure_url,omitempty"`
	CancelURL   string `json:"cancel_url,omitempty"`
	CallbackURL string `json:"callback_url"`
}

// CreateOrder creates a payment order and returns it as Paysera stored
// it. The amount is sent as a JSON string of digits (see
// Config.OrderAmountAsNumber). The call is not retried after a 5xx or a
// network error, since Paysera has no idempotency keys and the order may
// exist: keep Order.ID before creating its link. Invalid input is a
// *paykit.FieldError; API failures are *paykit.APIError.
func (c *Client) CreateOrder(ctx context.Context, req OrderRequest) (*Order, error) {
	body, err := c.orderBody(req)
	if err != nil {
		return nil, err
	}
	var o Order
	if err := c.call(ctx, http.MethodPost, OrdersPath, body, &o); err != nil {
		return nil, err
	}
	if o.ID == "" {
		return nil, errMissingID("order")
	}
	return &o, nil
}

// GetOrder reads an order (GET /merchant-order/integration/v1/orders/{id},
// which Paysera's current docs list for reconciliation; an older crawl
// said there was no public GET). An unknown order, or a missing endpoint,
// is a *paykit.APIError (404, 405). [Reconciler] uses it to find orders
// whose webhooks were lost.
func (c *Client) GetOrder(ctx context.Context, orderID string) (*Order, error) {
	if orderID == "" {
		return nil, &paykit.FieldError{Field: "order_id", Reason: "required"}
	}
	var o Order
	if err := c.call(ctx, http.MethodGet, OrdersPath+"/"+url.PathEscape(orderID), nil, &o); err != nil {
		return nil, err
	}
	return &o, nil
}

func (c *Client) orderBody(req OrderRequest) (orderBody, error) {
	if err := validateOrder(req); err != nil {
		return orderBody{}, err
	}
	amount := strconv.Quote(strconv.FormatInt(req.Amount.Amount, 10))
	if c.cfg.OrderAmountAsNumber {
		amount = strconv.FormatInt(req.Amount.Amount, 10)
	}
	meta := make(map[string]string, len(req.Metadata)+2)
	if origin := originOf(first(req.SuccessURL, req.CallbackURL)); origin != "" {
		meta["referer"], meta["referrer"] = origin, origin
	}
	for k, v := range req.Metadata {
		meta[k] = v
	}
	return orderBody{
		ProjectID: first(req.ProjectID, c.cfg.ProjectID),
		Purchase:  purchaseBody{Reference: req.Reference, Amount: json.RawMessage(amount), Currency: req.Amount.Currency},
		RedirectURLs: redirectBody{SuccessURL: req.SuccessURL, FailureURL: req.FailureURL,
			CancelURL: req.CancelURL, CallbackURL: req.CallbackURL},
		Metadata:     meta,
		MerchantData: req.MerchantData,
		Source:       req.Source,
	}, nil
}

func originOf(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}
