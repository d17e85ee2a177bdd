package xsolla

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"unicode/utf8"

	"github.com/paykit-go/paykit"
)

// TokenRequest is the body of the merchant v2 "create token" call: who
// pays, how Pay Station looks, and what is bought. Only UserID is required.
// Whether the token is a sandbox one follows [Config.Sandbox], so that the
// token and the Pay Station host always agree.
type TokenRequest struct {
	// UserID is your user's id (user.id.value, 1–255 characters); it comes
	// back in webhooks as user.id.
	UserID string
	// ExternalID is your order id (settings.external_id); it comes back as
	// transaction.external_id, the Summary's OrderID.
	ExternalID string
	// Checkout is an arbitrary amount to charge (purchase.checkout),
	// rendered with its currency's ISO 4217 exponent (499 USD → 4.99).
	Checkout *paykit.Money

	// User details (user.*). Country is ISO 3166-1 alpha-2.
	Email, Name, Phone, Country, PublicID string
	// AllowModifyEmail and AllowModifyCountry let the user change them.
	AllowModifyEmail, AllowModifyCountry bool
	// UserAttributes is user.attributes.
	UserAttributes map[string]any

	// Settings (settings.*). Currency is ISO 4217, Language ISO 639-1.
	Currency, Language, ReturnURL string
	// PaymentMethod preselects a payment method by Xsolla's id; 0 = none.
	PaymentMethod int
	// UI: settings.ui.theme, size and version ("" = Xsolla's defaults).
	UITheme, UISize, UIVersion string

	// VirtualItems are catalog items to buy (purchase.virtual_items).
	VirtualItems []ItemQuantity
	// VirtualCurrency is a quantity of the project's virtual currency
	// (purchase.virtual_currency.quantity); 0 = none.
	VirtualCurrency int64
	// Subscription is purchase.subscription.
	Subscription *SubscriptionPurchase
	// Description and CouponCode are purchase.description and
	// purchase.coupon_code.
	Description, CouponCode string

	// CustomParameters is custom_parameters: a flat object of your own keys
	// (e.g. anti-fraud hints such as registration_date).
	CustomParameters map[string]any
}

// ItemQuantity is a catalog SKU and how many of it.
type ItemQuantity struct {
	SKU      string
	Quantity int
}

// SubscriptionPurchase is purchase.subscription of a v2 token.
type SubscriptionPurchase struct {
	PlanID         string
	ProductID      string
	Operation      string // e.g. "change_plan"
	AvailablePlans []string
	Currency       string
	TrialDays      int
}

// PaymentTokenRequest is the body of the store v3 "create payment token
// for purchase" call, which creates an order from catalog items. UserID,
// Items and one of Country or UserIP are required (without either, Xsolla
// cannot choose the currency and answers 422).
type PaymentTokenRequest struct {
	UserID, Email, Name, Phone, Country string
	AllowModifyCountry                  bool
	// UserIP is sent as the X-User-Ip header.
	UserIP string
	Items  []ItemQuantity
	// Currency, Language, ExternalID, ReturnURL: settings.*.
	Currency, Language, ExternalID, ReturnURL string
	PaymentMethod                             int
	// UITheme is settings.ui.theme: [ThemeLight] (default) or [ThemeDark].
	UITheme          string
	CustomParameters map[string]any
}

// Pay Station theme ids of the v3 call.
const (
	ThemeLight = "63295a9a2e47fab76f7708e1"
	ThemeDark  = "63295aab2e47fab76f7708e3"
)

// PaymentToken is the answer of [Client.CreatePaymentToken].
type PaymentToken struct {
	Token   string `json:"token"`
	OrderID int64  `json:"order_id"`
}

// value is Xsolla's {"value": …} wrapper.
type value struct {
	Value       any   `json:"value"`
	AllowModify *bool `json:"allow_modify,omitempty"`
	Hidden      *bool `json:"hidden,omitempty"`
}

func wrap(v string) *value {
	if v == "" {
		return nil
	}
	return &value{Value: v}
}

func wrapModify(v string, allow bool) *value {
	w := wrap(v)
	if w != nil && allow {
		w.AllowModify = &allow
	}
	return w
}

type wireUser struct {
	ID         *value         `json:"id"`
	Email      *value         `json:"email,omitempty"`
	Name       *value         `json:"name,omitempty"`
	Phone      *value         `json:"phone,omitempty"`
	Country    *value         `json:"country,omitempty"`
	PublicID   *value         `json:"public_id,omitempty"`
	Attributes map[string]any `json:"attributes,omitempty"`
}

type wireUI struct {
	Theme   string `json:"theme,omitempty"`
	Size    string `json:"size,omitempty"`
	Version string `json:"version,omitempty"`
}

type wireSettings struct {
	ProjectID     int     `json:"project_id,omitempty"`
	Currency      string  `json:"currency,omitempty"`
	Language      string  `json:"language,omitempty"`
	Mode          string  `json:"mode,omitempty"`
	ReturnURL     string  `json:"return_url,omitempty"`
	ExternalID    string  `json:"external_id,omitempty"`
	PaymentMethod int     `json:"payment_method,omitempty"`
	UI            *wireUI `json:"ui,omitempty"`
}

type wireItem struct {
	SKU      string `json:"sku"`
	Amount   int    `json:"amount,omitempty"`
	Quantity int    `json:"quantity,omitempty"`
}

type wireSubscription struct {
	PlanID         string   `json:"plan_id,omitempty"`
	ProductID      string   `json:"product_id,omitempty"`
	Operation      string   `json:"operation,omitempty"`
	AvailablePlans []string `json:"available_plans,omitempty"`
	Currency       string   `json:"currency,omitempty"`
	TrialDays      int      `json:"trial_days,omitempty"`
}

type wireCheckout struct {
	Amount   json.Number `json:"amount"`
	Currency string      `json:"currency"`
}

type wirePurchase struct {
	Checkout     *wireCheckout `json:"checkout,omitempty"`
	VirtualItems *struct {
		Items []wireItem `json:"items"`
	} `json:"virtual_items,omitempty"`
	VirtualCurrency *struct {
		Quantity int64 `json:"quantity"`
	} `json:"virtual_currency,omitempty"`
	Subscription *wireSubscription `json:"subscription,omitempty"`
	Description  *value            `json:"description,omitempty"`
	CouponCode   *value            `json:"coupon_code,omitempty"`
	Items        []wireItem        `json:"items,omitempty"`
}

// tokenBody is the JSON body of both token calls.
type tokenBody struct {
	User             wireUser       `json:"user"`
	Settings         wireSettings   `json:"settings"`
	Purchase         *wirePurchase  `json:"purchase,omitempty"`
	Sandbox          bool           `json:"sandbox,omitempty"`
	CustomParameters map[string]any `json:"custom_parameters,omitempty"`
}

func bad(field, reason string) error { return &paykit.FieldError{Field: field, Reason: reason} }

func checkUserID(id string) error {
	if id == "" || utf8.RuneCountInString(id) > 255 {
		return bad("user.id", "must be 1–255 characters")
	}
	return nil
}

func checkItems(field string, items []ItemQuantity) ([]wireItem, error) {
	out := make([]wireItem, 0, len(items))
	for i, it := range items {
		f := field + "[" + strconv.Itoa(i) + "]"
		if it.SKU == "" {
			return nil, bad(f+".sku", "empty")
		}
		if it.Quantity <= 0 {
			return nil, bad(f+".quantity", "must be positive")
		}
		out = append(out, wireItem{SKU: it.SKU})
		out[i].Quantity = it.Quantity
	}
	return out, nil
}

func checkCustom(p map[string]any) error {
	if len(p) > 200 {
		return bad("custom_parameters", "at most 200 properties")
	}
	for k := range p {
		if k == "" {
			return bad("custom_parameters", "empty key")
		}
	}
	return nil
}

// v2Body validates r and returns the v2 body.
func (c *Client) v2Body(r TokenRequest) (*tokenBody, error) {
	if err := checkUserID(r.UserID); err != nil {
		return nil, err
	}
	if err := checkCustom(r.CustomParameters); err != nil {
		return nil, err
	}
	b := &tokenBody{
		User: wireUser{
			ID: &value{Value: r.UserID}, Email: wrapModify(r.Email, r.AllowModifyEmail), Name: wrap(r.Name),
			Phone: wrap(r.Phone), Country: wrapModify(r.Country, r.AllowModifyCountry), PublicID: wrap(r.PublicID),
			Attributes: r.UserAttributes,
		},
		Settings: wireSettings{
			ProjectID: c.cfg.ProjectID, Currency: r.Currency, Language: r.Language, ReturnURL: r.ReturnURL,
			ExternalID: r.ExternalID, PaymentMethod: r.PaymentMethod,
		},
		CustomParameters: r.CustomParameters,
	}
	if c.cfg.Sandbox {
		b.Settings.Mode = "sandbox"
	}
	if r.UITheme != "" || r.UISize != "" || r.UIVersion != "" {
		b.Settings.UI = &wireUI{Theme: r.UITheme, Size: r.UISize, Version: r.UIVersion}
	}
	p, used, err := v2Purchase(r)
	if err != nil {
		return nil, err
	}
	if used {
		b.Purchase = p
	}
	return b, nil
}

// v2Purchase is the purchase object of a v2 token request, and whether it
// holds anything.
func v2Purchase(r TokenRequest) (*wirePurchase, bool, error) {
	p := &wirePurchase{Description: wrap(r.Description), CouponCode: wrap(r.CouponCode)}
	used := p.Description != nil || p.CouponCode != nil
	if r.Checkout != nil {
		if r.Checkout.Amount <= 0 {
			return nil, false, bad("purchase.checkout.amount", "must be positive")
		}
		amount, err := FormatAmount(*r.Checkout)
		if err != nil {
			return nil, false, bad("purchase.checkout.currency", "not an ISO 4217 currency")
		}
		p.Checkout, used = &wireCheckout{Amount: json.Number(amount), Currency: r.Checkout.Currency}, true
	}
	if len(r.VirtualItems) > 0 {
		items, err := checkItems("purchase.virtual_items.items", r.VirtualItems)
		if err != nil {
			return nil, false, err
		}
		for i := range items {
			items[i].Amount, items[i].Quantity = items[i].Quantity, 0
		}
		p.VirtualItems = &struct {
			Items []wireItem `json:"items"`
		}{items}
		used = true
	}
	if r.VirtualCurrency < 0 {
		return nil, false, bad("purchase.virtual_currency.quantity", "must not be negative")
	} else if r.VirtualCurrency > 0 {
		p.VirtualCurrency = &struct {
			Quantity int64 `json:"quantity"`
		}{r.VirtualCurrency}
		used = true
	}
	if s := r.Subscription; s != nil {
		p.Subscription = &wireSubscription{PlanID: s.PlanID, ProductID: s.ProductID, Operation: s.Operation,
			AvailablePlans: s.AvailablePlans, Currency: s.Currency, TrialDays: s.TrialDays}
		used = true
	}
	return p, used, nil
}

// CreateToken calls the merchant v2 "create token" API (POST
// {BaseURL}/merchant/v2/merchants/{MerchantID}/token, Basic auth
// MerchantID:APIKey) and returns the Pay Station token (valid 24 h by
// default; a bearer credential for one checkout — do not log it).
//
// Xsolla now calls this API legacy for item and checkout purchases; use
// [Client.CreatePaymentToken] for catalog items. Validation errors match
// paykit.ErrInvalidRequest; API failures are *paykit.APIError. 429, 5xx and
// network errors are retried with backoff (see [Config.MaxRetries]).
func (c *Client) CreateToken(ctx context.Context, r TokenRequest) (string, error) {
	if c.cfg.MerchantID <= 0 {
		return "", bad("MerchantID", "required for the merchant API")
	}
	if c.cfg.APIKey == "" {
		return "", bad("APIKey", "required for API calls")
	}
	body, err := c.v2Body(r)
	if err != nil {
		return "", err
	}
	var out struct {
		Token string `json:"token"`
	}
	u := c.baseURL + "/merchant/v2/merchants/" + c.merchant + "/token"
	if err := c.call(ctx, u, c.merchant, nil, body, &out); err != nil {
		return "", err
	}
	if out.Token == "" {
		return "", fmt.Errorf("xsolla: token response without a token")
	}
	return out.Token, nil
}

// paymentTokenBody validates r and returns the v3 body.
func (c *Client) paymentTokenBody(r PaymentTokenRequest) (*tokenBody, error) {
	if err := checkUserID(r.UserID); err != nil {
		return nil, err
	}
	if len(r.Items) == 0 {
		return nil, bad("purchase.items", "at least one item")
	}
	items, err := checkItems("purchase.items", r.Items)
	if err != nil {
		return nil, err
	}
	if r.Country == "" && r.UserIP == "" {
		return nil, bad("user.country", "Country or UserIP is required")
	}
	if err := checkCustom(r.CustomParameters); err != nil {
		return nil, err
	}
	b := &tokenBody{
		User: wireUser{ID: &value{Value: r.UserID}, Email: wrap(r.Email), Name: wrap(r.Name), Phone: wrap(r.Phone),
			Country: wrapModify(r.Country, r.AllowModifyCountry)},
		Settings: wireSettings{Currency: r.Currency, Language: r.Language, ExternalID: r.ExternalID,
			ReturnURL: r.ReturnURL, PaymentMethod: r.PaymentMethod},
		Purchase:         &wirePurchase{Items: items},
		Sandbox:          c.cfg.Sandbox,
		CustomParameters: r.CustomParameters,
	}
	if r.UITheme != "" {
		b.Settings.UI = &wireUI{Theme: r.UITheme}
	}
	return b, nil
}

// CreatePaymentToken calls the store v3 "create payment token for
// purchase" API (POST {StoreBaseURL}/v3/project/{ProjectID}/admin/payment/token,
// Basic auth [Config.StoreAuthUser]:APIKey), which creates an order of
// catalog items, and returns its token and order id. Prices come from the
// Xsolla catalog. The sandbox flag follows [Config.Sandbox]. Errors and
// retries as for [Client.CreateToken]; note that a retried call may create
// a second, unpaid order.
func (c *Client) CreatePaymentToken(ctx context.Context, r PaymentTokenRequest) (PaymentToken, error) {
	if c.cfg.APIKey == "" {
		return PaymentToken{}, bad("APIKey", "required for API calls")
	}
	body, err := c.paymentTokenBody(r)
	if err != nil {
		return PaymentToken{}, err
	}
	var h http.Header
	if r.UserIP != "" {
		h = http.Header{"X-User-Ip": {r.UserIP}}
	}
	var out PaymentToken
	u := c.storeURL + "/v3/project/" + c.project + "/admin/payment/token"
	if err := c.call(ctx, u, c.storeUser, h, body, &out); err != nil {
		return PaymentToken{}, err
	}
	if out.Token == "" {
		return PaymentToken{}, fmt.Errorf("xsolla: token response without a token")
	}
	return out, nil
}

// PaymentURL returns the Pay Station 4 URL that opens the payment UI for
// token: https://secure.xsolla.com/paystation4/?token=…, the
// sandbox-secure host with [Config.Sandbox], or [Config.PayStationURL].
func (c *Client) PaymentURL(token string) string {
	base := c.cfg.PayStationURL
	if base == "" {
		base = DefaultPayStationURL
		if c.cfg.Sandbox {
			base = DefaultSandboxPayStation
		}
	}
	return appendQuery(base, "token", token)
}

// BuildPaymentURL creates a token with [Client.CreateToken] and returns its
// [Client.PaymentURL].
func (c *Client) BuildPaymentURL(ctx context.Context, r TokenRequest) (string, error) {
	token, err := c.CreateToken(ctx, r)
	if err != nil {
		return "", err
	}
	return c.PaymentURL(token), nil
}

// PayStationURL returns the Pay Station URL for token on Xsolla's hosts in
// a given UI generation: 4 (…/paystation4/?token=), or the older 3 and 2
// (…/paystation3/?access_token=). Any other version means 4.
func PayStationURL(token string, sandbox bool, version int) string {
	host := "https://secure.xsolla.com"
	if sandbox {
		host = "https://sandbox-secure.xsolla.com"
	}
	switch version {
	case 2, 3:
		return appendQuery(host+"/paystation"+strconv.Itoa(version)+"/", "access_token", token)
	default:
		return appendQuery(host+"/paystation4/", "token", token)
	}
}

func appendQuery(base, key, val string) string {
	sep := "?"
	if u, err := url.Parse(base); err == nil && u.RawQuery != "" {
		sep = "&"
	}
	return base + sep + key + "=" + url.QueryEscape(val)
}
