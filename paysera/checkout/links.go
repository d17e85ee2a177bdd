package checkout

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/paykit-go/paykit"
)

// LinksPath is the payment-links endpoint under the API base.
const LinksPath = "/checkout-payment-link/integration/v1/payment-links"

// The payment flows of a link.
const (
	// FlowCheckout shows Paysera's page with the list of methods (the
	// default).
	FlowCheckout = "paysera_checkout"
	// FlowDirect goes straight to the method named by LinkRequest.MethodKey.
	FlowDirect = "direct_payment"
)

// DefaultLanguage is the payment page's language when LinkRequest.Language
// is empty.
const DefaultLanguage = "en"

// LinkRequest creates a payment link for an order.
type LinkRequest struct {
	// OrderID is Paysera's order id (Order.ID). Required.
	OrderID string
	// Name is shown to the payer; 1 to 255 characters. Required.
	Name string
	// Language is the page's language, two lower-case letters (ISO
	// 639-1); "" means [DefaultLanguage].
	Language string
	// PaymentFlow is [FlowCheckout] ("" leaves Paysera's default, the
	// same) or [FlowDirect].
	PaymentFlow string
	// Amount is in minor units and sent as a JSON integer; 0 leaves it
	// out (an order whose payer sets the amount).
	Amount int64
	// Lifetime is how long the link can be used, in whole seconds up to
	// 999 days; 0 leaves Paysera's default (3 days). NoExpiry asks for a
	// link that never expires.
	Lifetime time.Duration
	NoExpiry bool
	// MethodKey preselects a payment method (a key of PaymentMethods),
	// Purpose is the payment purpose shown to the payer and the bank (free
	// text, ≤ 255), CountryCode filters methods by country (ISO 3166-1
	// alpha-2).
	MethodKey, Purpose, CountryCode string
	// PayerName (≤ 150 characters) and PayerEmail prefill the page.
	PayerName, PayerEmail string
	// Metadata is sent as metadata (keys and values ≤ 255 characters).
	Metadata map[string]string
}

// PaymentLink is a payment link as the API or an order snapshot describes
// it.
type PaymentLink struct {
	// ID is link_id (id in snapshots).
	ID      string
	OrderID string
	// URL is where to send the payer (payment_URL, or payment_url).
	URL string
	// Status is active, completed, expired or canceled, when sent.
	Status      string
	Name        string
	Language    string
	PaymentFlow string
	MethodKey   string
	Purpose     string
	CountryCode string
	PayerName   string
	PayerEmail  string
	// Amount is purchase.amount in minor units.
	Amount    int64
	CreatedAt time.Time
	UpdatedAt time.Time
	// ExpiresAt is expired_at; zero for a link that never expires.
	ExpiresAt time.Time
	// Payments are the payment attempts through the link (order
	// snapshots only).
	Payments []Payment
}

type linkWire struct {
	LinkID        string `json:"link_id"`
	ID            string `json:"id"`
	OrderID       string `json:"order_id"`
	PaymentURL    string `json:"payment_URL"`
	PaymentURLAlt string `json:"payment_url"`
	PaymentURLv3  string `json:"paymentUrl"`
	Status        string `json:"status"`
	Name          string `json:"name"`
	ExperienceRaw struct {
		Language    string `json:"language"`
		PaymentFlow string `json:"payment_flow"`
	} `json:"experience"`
	PaymentDetails struct {
		Key         string `json:"key"`
		Purpose     string `json:"purpose"`
		CountryCode string `json:"country_code"`
	} `json:"payment_details"`
	Payer struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"payer_information"`
	PayerName  string `json:"payer_name"`
	PayerEmail string `json:"payer_email"`
	Purchase   struct {
		Amount *flexInt `json:"amount"`
	} `json:"purchase"`
	CreatedAt flexTime  `json:"created_at"`
	UpdatedAt flexTime  `json:"updated_at"`
	ExpiredAt flexTime  `json:"expired_at"`
	Payments  []Payment `json:"payments"`
}

// UnmarshalJSON reads a link in any documented shape.
func (l *PaymentLink) UnmarshalJSON(b []byte) error {
	var w linkWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*l = PaymentLink{
		ID: first(w.LinkID, w.ID), OrderID: w.OrderID,
		URL:    first(w.PaymentURL, w.PaymentURLAlt, w.PaymentURLv3),
		Status: w.Status, Name: w.Name,
		Language: w.ExperienceRaw.Language, PaymentFlow: w.ExperienceRaw.PaymentFlow,
		MethodKey: w.PaymentDetails.Key, Purpose: w.PaymentDetails.Purpose, CountryCode: w.PaymentDetails.CountryCode,
		PayerName: first(w.Payer.Name, w.PayerName), PayerEmail: first(w.Payer.Email, w.PayerEmail),
		Amount:    firstInt(w.Purchase.Amount),
		CreatedAt: time.Time(w.CreatedAt), UpdatedAt: time.Time(w.UpdatedAt), ExpiresAt: time.Time(w.ExpiredAt),
		Payments: w.Payments,
	}
	return nil
}

// Payment is one payment attempt, as an order snapshot lists it.
type Payment struct {
	ID string
	// Method is the method key (swedbank, card-payment, …).
	Method string
	// Status is the payment status as sent (settled, failed, …).
	Status  string
	Purpose string
	Country string
	// Amount and Currency are payment_amount and payment_currency.
	Amount   int64
	Currency string
	// OriginalAmount and OriginalCurrency are sent when the payment was
	// converted.
	OriginalAmount   int64
	OriginalCurrency string
	PayerName        string
	PayerEmail       string
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// UnmarshalJSON reads a payment attempt.
func (p *Payment) UnmarshalJSON(b []byte) error {
	var w struct {
		ID               string   `json:"id"`
		Method           string   `json:"method"`
		Status           string   `json:"status"`
		Purpose          string   `json:"purpose"`
		Country          string   `json:"payment_country"`
		Amount           *flexInt `json:"payment_amount"`
		AmountAlt        *flexInt `json:"amount"`
		Currency         string   `json:"payment_currency"`
		CurrencyAlt      string   `json:"currency"`
		OriginalAmount   *flexInt `json:"original_amount"`
		OriginalCurrency string   `json:"original_currency"`
		PayerName        string   `json:"payer_name"`
		PayerEmail       string   `json:"payer_email"`
		CreatedAt        flexTime `json:"created_at"`
		UpdatedAt        flexTime `json:"updated_at"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = Payment{ID: w.ID, Method: w.Method, Status: w.Status, Purpose: w.Purpose, Country: w.Country,
		Amount: firstInt(w.Amount, w.AmountAlt), Currency: first(w.Currency, w.CurrencyAlt),
		OriginalAmount: firstInt(w.OriginalAmount), OriginalCurrency: w.OriginalCurrency,
		PayerName: w.PayerName, PayerEmail: w.PayerEmail,
		CreatedAt: time.Time(w.CreatedAt), UpdatedAt: time.Time(w.UpdatedAt)}
	return nil
}

// linkBody is the create-link request.
type linkBody struct {
	OrderID    string `json:"order_id"`
	Name       string `json:"name"`
	Lifetime   *int64 `json:"lifetime,omitempty"`
	Experience struct {
		Language    string `json:"language"`
		PaymentFlow string `json:"payment_flow,omitempty"`
	} `json:"experience"`
	Purchase       *linkPurchase     `json:"purchase,omitempty"`
	PaymentDetails *linkDetails      `json:"payment_details,omitempty"`
	Payer          *linkPayer        `json:"payer_information,omitempty"`
	Metadata       map[string]string `json:"metadata,omitempty"`
}

type linkPurchase struct {
	Amount int64 `json:"amount"` // a JSON integer, as the docs specify
}

type linkDetails struct {
	Key         string `json:"key,omitempty"`
	Purpose     string `json:"purpose,omitempty"`
	CountryCode string `json:"country_code,omitempty"`
}

type linkPayer struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
}

func newLinkBody(req LinkRequest) linkBody {
	b := linkBody{OrderID: req.OrderID, Name: req.Name, Metadata: req.Metadata}
	b.Experience.Language = first(req.Language, DefaultLanguage)
	b.Experience.PaymentFlow = req.PaymentFlow
	switch {
	case req.NoExpiry:
		b.Lifetime = new(int64)
	case req.Lifetime > 0:
		s := int64(req.Lifetime / time.Second)
		b.Lifetime = &s
	}
	if req.Amount > 0 {
		b.Purchase = &linkPurchase{Amount: req.Amount}
	}
	if req.MethodKey != "" || req.Purpose != "" || req.CountryCode != "" {
		b.PaymentDetails = &linkDetails{Key: req.MethodKey, Purpose: req.Purpose, CountryCode: req.CountryCode}
	}
	if req.PayerName != "" || req.PayerEmail != "" {
		b.Payer = &linkPayer{Name: req.PayerName, Email: req.PayerEmail}
	}
	return b
}

// CreatePaymentLink creates a link for an order; send the payer to its
// URL. Like every POST it is retried only after 429.
func (c *Client) CreatePaymentLink(ctx context.Context, req LinkRequest) (*PaymentLink, error) {
	if err := validLink(req); err != nil {
		return nil, err
	}
	var l PaymentLink
	if err := c.call(ctx, http.MethodPost, LinksPath, newLinkBody(req), &l); err != nil {
		return nil, err
	}
	if l.ID == "" || l.URL == "" {
		return nil, errMissingID("payment link")
	}
	return &l, nil
}

// GetPaymentLink reads a link.
func (c *Client) GetPaymentLink(ctx context.Context, linkID string) (*PaymentLink, error) {
	if linkID == "" {
		return nil, &paykit.FieldError{Field: "link_id", Reason: "required"}
	}
	var l PaymentLink
	if err := c.call(ctx, http.MethodGet, LinksPath+"/"+url.PathEscape(linkID), nil, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// CancelPaymentLink cancels a link (PUT …/{id}/cancel) and returns it as
// the API describes it after the change (its ID alone when the reply has
// no body). A payment the payer already started may still settle.
func (c *Client) CancelPaymentLink(ctx context.Context, linkID string) (*PaymentLink, error) {
	if linkID == "" {
		return nil, &paykit.FieldError{Field: "link_id", Reason: "required"}
	}
	l := PaymentLink{ID: linkID}
	if err := c.call(ctx, http.MethodPut, LinksPath+"/"+url.PathEscape(linkID)+"/cancel", nil, &l); err != nil {
		return nil, err
	}
	return &l, nil
}
