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

// TokenRequest is what a Pay Station token is created from, for both token
// calls: [Client.CreatePaymentToken] (store v3, catalog Items — the call
// Xsolla recommends for purchases) and [Client.CreateToken] (merchant v2,
// which Xsolla's docs now restrict to the Subscriptions product and to
// projects allowed an arbitrary Checkout amount). [Client.BuildPaymentURL]
// picks the call: v3 whenever Items are given, v2 for a Subscription or a
// Checkout. A parameter the chosen call does not take is refused with a
// *paykit.FieldError naming it, never silently dropped.
//
// Only UserID is required; v3 also needs Items and Country or UserIP.
// Whether the token is a sandbox one follows [Config.Sandbox]
// (settings.mode "sandbox" on v2, "sandbox": true on v3), so that the token
// and the Pay Station host always agree.
type TokenRequest struct {
	// UserID is your user's id (user.id.value, 1–255 characters); it comes
	// back in webhooks as user.id.
	UserID string
	// ExternalID is your order id (settings.external_id); it comes back as
	// transaction.external_id, the Summary's OrderID.
	ExternalID string

	// Items are catalog SKUs and quantities (purchase.items, v3). Prices
	// come from the Xsolla catalog: every SKU must exist in Publisher
	// Account.
	Items []ItemQuantity
	// Checkout is an arbitrary amount to charge (purchase.checkout, v2
	// only), rendered with its currency's ISO 4217 exponent (499 USD →
	// 4.99). Xsolla enables it per project on request; the v3 Items are the
	// documented way to sell.
	Checkout *paykit.Money
	// Subscription is purchase.subscription (v2 only).
	Subscription *SubscriptionPurchase
	// Description and CouponCode are purchase.description and
	// purchase.coupon_code (v2 only).
	Description, CouponCode string

	// User details (user.*). Country is ISO 3166-1 alpha-2; on v3 it
	// chooses the currency unless UserIP is given.
	Email, Name, Phone, Country string
	// PublicID is user.public_id, the id of the user_search flow (v2 only).
	PublicID string
	// AllowModifyEmail and AllowModifyCountry let the user change them.
	AllowModifyEmail, AllowModifyCountry bool
	// UserIP is the buyer's IP address, sent as the X-User-Ip header (v3
	// only): Xsolla picks the currency from it when Country is empty.
	UserIP string
	// UserAttributes is user.attributes.
	UserAttributes map[string]any

	// Settings (settings.*). Currency is ISO 4217, Language ISO 639-1.
	Currency, Language string
	// ReturnURL is where Pay Station sends the user back
	// (settings.return_url); RedirectPolicy says when.
	ReturnURL      string
	RedirectPolicy *RedirectPolicy
	// PaymentMethod preselects a payment method by Xsolla's id; 0 = none.
	PaymentMethod int
	// UI is settings.ui; nil leaves Xsolla's defaults.
	UI *UI

	// CustomParameters is custom_parameters: a flat object of your own keys
	// (e.g. anti-fraud hints such as registration_date), at most 200.
	CustomParameters map[string]any
	// Extra passes parameters this type does not model straight through:
	// each key is a dotted path into the JSON body ("settings.ui.desktop",
	// "user.steam_id") and its value is encoded with encoding/json. A path
	// that would overwrite a parameter set by another field, or go through
	// a value that is not an object, is refused.
	Extra map[string]any
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

// RedirectPolicy is settings.redirect_policy: when Pay Station sends the
// user to ReturnURL. Conditions are "none", "successful",
// "successful_or_canceled" or "any".
type RedirectPolicy struct {
	// RedirectConditions: when the user is redirected automatically.
	RedirectConditions string
	// Delay is the wait before the automatic redirect, in seconds.
	Delay int
	// StatusForManualRedirection: when a "back to the game" button shows.
	StatusForManualRedirection string
	// RedirectButtonCaption labels that button.
	RedirectButtonCaption string
}

// UI is settings.ui: how Pay Station looks. Empty fields are left out.
type UI struct {
	// Theme is a theme id: [ThemeLight] or [ThemeDark] (or one of your
	// own themes from Publisher Account).
	Theme string
	// Size is "small", "medium" or "large"; Version "desktop" or "mobile".
	Size, Version string
	// Components configures the menu tabs by name ("virtual_items",
	// "virtual_currency", "subscriptions").
	Components map[string]UIComponent
}

// UIComponent is one of settings.ui.components.
type UIComponent struct {
	// Hidden hides the tab; Order is its position (0 = default).
	Hidden bool
	Order  int
}

// Pay Station theme ids.
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

type wireComponent struct {
	Hidden bool `json:"hidden,omitempty"`
	Order  int  `json:"order,omitempty"`
}

type wireUI struct {
	Theme      string                   `json:"theme,omitempty"`
	Size       string                   `json:"size,omitempty"`
	Version    string                   `json:"version,omitempty"`
	Components map[string]wireComponent `json:"components,omitempty"`
}

type wireRedirect struct {
	RedirectConditions         string `json:"redirect_conditions,omitempty"`
	Delay                      int    `json:"delay,omitempty"`
	StatusForManualRedirection string `json:"status_for_manual_redirection,omitempty"`
	RedirectButtonCaption      string `json:"redirect_button_caption,omitempty"`
}

type wireSettings struct {
	ProjectID      int           `json:"project_id,omitempty"`
	Currency       string        `json:"currency,omitempty"`
	Language       string        `json:"language,omitempty"`
	Mode           string        `json:"mode,omitempty"`
	ReturnURL      string        `json:"return_url,omitempty"`
	RedirectPolicy *wireRedirect `json:"redirect_policy,omitempty"`
	ExternalID     string        `json:"external_id,omitempty"`
	PaymentMethod  int           `json:"payment_method,omitempty"`
	UI             *wireUI       `json:"ui,omitempty"`
}

type wireItem struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
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
	Checkout     *wireCheckout     `json:"checkout,omitempty"`
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

// commonBody validates and encodes what both calls share: user, settings
// and custom parameters.
func commonBody(r TokenRequest) (*tokenBody, error) {
	if r.UserID == "" || utf8.RuneCountInString(r.UserID) > 255 {
		return nil, bad("user.id", "must be 1–255 characters")
	}
	if err := checkCustom(r.CustomParameters); err != nil {
		return nil, err
	}
	rp, err := redirectPolicy(r.RedirectPolicy)
	if err != nil {
		return nil, err
	}
	return &tokenBody{
		User: wireUser{
			ID: &value{Value: r.UserID}, Email: wrapModify(r.Email, r.AllowModifyEmail), Name: wrap(r.Name),
			Phone: wrap(r.Phone), Country: wrapModify(r.Country, r.AllowModifyCountry), Attributes: r.UserAttributes,
		},
		Settings: wireSettings{
			Currency: r.Currency, Language: r.Language, ReturnURL: r.ReturnURL, RedirectPolicy: rp,
			ExternalID: r.ExternalID, PaymentMethod: r.PaymentMethod, UI: r.UI.wire(),
		},
		CustomParameters: r.CustomParameters,
	}, nil
}

func (u *UI) wire() *wireUI {
	if u == nil {
		return nil
	}
	w := &wireUI{Theme: u.Theme, Size: u.Size, Version: u.Version}
	if len(u.Components) > 0 {
		w.Components = make(map[string]wireComponent, len(u.Components))
		for k, c := range u.Components {
			w.Components[k] = wireComponent(c)
		}
	}
	return w
}

var redirectConditions = map[string]bool{"": true, "none": true, "successful": true, "successful_or_canceled": true, "any": true}

func redirectPolicy(p *RedirectPolicy) (*wireRedirect, error) {
	if p == nil {
		return nil, nil
	}
	switch {
	case !redirectConditions[p.RedirectConditions]:
		return nil, bad("settings.redirect_policy.redirect_conditions", "none, successful, successful_or_canceled or any")
	case !redirectConditions[p.StatusForManualRedirection]:
		return nil, bad("settings.redirect_policy.status_for_manual_redirection", "none, successful, successful_or_canceled or any")
	case p.Delay < 0:
		return nil, bad("settings.redirect_policy.delay", "must not be negative")
	}
	w := wireRedirect(*p)
	return &w, nil
}

func checkItems(items []ItemQuantity) ([]wireItem, error) {
	out := make([]wireItem, 0, len(items))
	for i, it := range items {
		f := "purchase.items[" + strconv.Itoa(i) + "]"
		if it.SKU == "" {
			return nil, bad(f+".sku", "empty")
		}
		if it.Quantity <= 0 {
			return nil, bad(f+".quantity", "must be positive")
		}
		out = append(out, wireItem(it))
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

// v2Body validates r for the merchant v2 call and returns its body.
func (c *Client) v2Body(r TokenRequest) (*tokenBody, error) {
	switch {
	case len(r.Items) > 0:
		return nil, bad("purchase.items", "catalog items are bought through CreatePaymentToken (v3)")
	case r.UserIP != "":
		return nil, bad("X-User-Ip", "sent by CreatePaymentToken (v3) only")
	}
	b, err := commonBody(r)
	if err != nil {
		return nil, err
	}
	b.User.PublicID = wrap(r.PublicID)
	b.Settings.ProjectID = c.cfg.ProjectID
	if c.cfg.Sandbox {
		b.Settings.Mode = "sandbox"
	}
	p := &wirePurchase{Description: wrap(r.Description), CouponCode: wrap(r.CouponCode)}
	if r.Checkout != nil {
		if r.Checkout.Amount <= 0 {
			return nil, bad("purchase.checkout.amount", "must be positive")
		}
		amount, err := FormatAmount(*r.Checkout)
		if err != nil {
			return nil, bad("purchase.checkout.currency", "not an ISO 4217 currency")
		}
		p.Checkout = &wireCheckout{Amount: json.Number(amount), Currency: r.Checkout.Currency}
	}
	if s := r.Subscription; s != nil {
		p.Subscription = &wireSubscription{PlanID: s.PlanID, ProductID: s.ProductID, Operation: s.Operation,
			AvailablePlans: s.AvailablePlans, Currency: s.Currency, TrialDays: s.TrialDays}
	}
	if p.Checkout != nil || p.Subscription != nil || p.Description != nil || p.CouponCode != nil {
		b.Purchase = p
	}
	return b, nil
}

// v3Body validates r for the store v3 call and returns its body.
func (c *Client) v3Body(r TokenRequest) (*tokenBody, error) {
	for _, v2 := range []struct {
		field string
		set   bool
	}{
		{"purchase.checkout", r.Checkout != nil}, {"purchase.subscription", r.Subscription != nil},
		{"purchase.description", r.Description != ""}, {"purchase.coupon_code", r.CouponCode != ""},
		{"user.public_id", r.PublicID != ""},
	} {
		if v2.set {
			return nil, bad(v2.field, "not a parameter of CreatePaymentToken (v3); CreateToken (v2) takes it")
		}
	}
	if len(r.Items) == 0 {
		return nil, bad("purchase.items", "at least one item")
	}
	if r.Country == "" && r.UserIP == "" {
		return nil, bad("user.country", "Country or UserIP is required: Xsolla picks the currency from one of them")
	}
	b, err := commonBody(r)
	if err != nil {
		return nil, err
	}
	items, err := checkItems(r.Items)
	if err != nil {
		return nil, err
	}
	b.Purchase = &wirePurchase{Items: items}
	b.Sandbox = c.cfg.Sandbox
	return b, nil
}

// CreateToken calls the merchant v2 "create token" API (POST
// {BaseURL}/merchant/v2/merchants/{MerchantID}/token, Basic auth
// MerchantID:APIKey) and returns the Pay Station token (valid 24 h by
// default; a bearer credential for one checkout — do not log it).
//
// Xsolla's docs now say this token opens the payment UI only for the
// Subscriptions product (and a Checkout amount where Xsolla enabled it for
// the project); buy catalog items with [Client.CreatePaymentToken]. Items
// and UserIP are refused here. Validation errors match
// paykit.ErrInvalidRequest; API failures are *paykit.APIError. 429, 5xx and
// network errors are retried with backoff (see [Config.MaxRetries]).
func (c *Client) CreateToken(ctx context.Context, r TokenRequest) (string, error) {
	if err := c.needMerchantAPI(); err != nil {
		return "", err
	}
	body, err := c.v2Body(r)
	if err != nil {
		return "", err
	}
	in, err := withExtra(body, r.Extra)
	if err != nil {
		return "", err
	}
	var out struct {
		Token string `json:"token"`
	}
	u := c.baseURL + "/merchant/v2/merchants/" + c.merchant + "/token"
	if err := c.call(ctx, apiCall{method: http.MethodPost, url: u, user: c.merchant, body: in, retry: true}, &out); err != nil {
		return "", err
	}
	if out.Token == "" {
		return "", fmt.Errorf("xsolla: token response without a token")
	}
	return out.Token, nil
}

// needMerchantAPI refuses a merchant API call the client has no
// credentials for.
func (c *Client) needMerchantAPI() error {
	if c.cfg.MerchantID <= 0 {
		return bad("MerchantID", "required for the merchant API")
	}
	if c.cfg.APIKey == "" {
		return bad("APIKey", "required for API calls")
	}
	return nil
}

// CreatePaymentToken calls the store v3 "create payment token for
// purchase" API (POST {StoreBaseURL}/v3/project/{ProjectID}/admin/payment/token,
// Basic auth [Config.StoreAuthUser]:APIKey), which creates an order of
// r.Items from the Xsolla catalog, and returns its token and order id.
// r needs Items and Country or UserIP (X-User-Ip); the v2-only parameters
// (Checkout, Subscription, Description, CouponCode, PublicID) are refused.
// The sandbox flag follows [Config.Sandbox]. Errors and retries as for
// [Client.CreateToken]; a retried call may leave a second, unpaid order.
func (c *Client) CreatePaymentToken(ctx context.Context, r TokenRequest) (PaymentToken, error) {
	if c.cfg.APIKey == "" {
		return PaymentToken{}, bad("APIKey", "required for API calls")
	}
	body, err := c.v3Body(r)
	if err != nil {
		return PaymentToken{}, err
	}
	in, err := withExtra(body, r.Extra)
	if err != nil {
		return PaymentToken{}, err
	}
	var h http.Header
	if r.UserIP != "" {
		h = http.Header{"X-User-Ip": {r.UserIP}}
	}
	var out PaymentToken
	u := c.storeURL + "/v3/project/" + c.project + "/admin/payment/token"
	if err := c.call(ctx, apiCall{method: http.MethodPost, url: u, user: c.storeUser, header: h, body: in, retry: true}, &out); err != nil {
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

// BuildPaymentURL creates a token and returns its [Client.PaymentURL]:
// with [Client.CreatePaymentToken] (v3) when r has Items, else with
// [Client.CreateToken] (v2) for what v2 still serves — a Subscription, or
// a Checkout amount (which Xsolla restricts to projects it enabled). A
// request with none of them is refused.
func (c *Client) BuildPaymentURL(ctx context.Context, r TokenRequest) (string, error) {
	if len(r.Items) > 0 {
		pt, err := c.CreatePaymentToken(ctx, r)
		if err != nil {
			return "", err
		}
		return c.PaymentURL(pt.Token), nil
	}
	if r.Subscription == nil && r.Checkout == nil {
		return "", bad("purchase", "Items (v3), or a Subscription or Checkout (v2)")
	}
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
