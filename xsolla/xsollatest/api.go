package xsollatest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/xsolla"
)

// The token endpoints decode strictly (unknown parameters are refused with
// 422, as Xsolla does), so that a client sending a wrong shape fails here
// and not in production.

type wValue struct {
	Value       json.RawMessage `json:"value"`
	AllowModify bool            `json:"allow_modify"`
	Hidden      bool            `json:"hidden"`
}

func (v *wValue) str() string {
	if v == nil {
		return ""
	}
	var s string
	if json.Unmarshal(v.Value, &s) != nil {
		return ""
	}
	return s
}

type wUser struct {
	ID         *wValue         `json:"id"`
	Email      *wValue         `json:"email"`
	Name       *wValue         `json:"name"`
	Phone      *wValue         `json:"phone"`
	Country    *wValue         `json:"country"`
	PublicID   *wValue         `json:"public_id"`
	SteamID    *wValue         `json:"steam_id"`
	TrackingID *wValue         `json:"tracking_id"`
	Age        json.RawMessage `json:"age"`
	Attributes json.RawMessage `json:"attributes"`
	UTM        json.RawMessage `json:"utm"`
}

type wSettings struct {
	ProjectID      int             `json:"project_id"`
	Currency       string          `json:"currency"`
	Language       string          `json:"language"`
	Mode           string          `json:"mode"`
	ReturnURL      string          `json:"return_url"`
	ExternalID     string          `json:"external_id"`
	PaymentMethod  int             `json:"payment_method"`
	RedirectPolicy json.RawMessage `json:"redirect_policy"`
	UI             json.RawMessage `json:"ui"`
}

type wItem struct {
	SKU      string `json:"sku"`
	Amount   int    `json:"amount"`
	Quantity int    `json:"quantity"`
}

type wPurchase struct {
	Checkout *struct {
		Amount   json.Number `json:"amount"`
		Currency string      `json:"currency"`
	} `json:"checkout"`
	VirtualItems *struct {
		Items []wItem `json:"items"`
	} `json:"virtual_items"`
	VirtualCurrency json.RawMessage `json:"virtual_currency"`
	Subscription    json.RawMessage `json:"subscription"`
	Description     *wValue         `json:"description"`
	CouponCode      *wValue         `json:"coupon_code"`
	Items           []wItem         `json:"items"`
}

type wBody struct {
	User             wUser           `json:"user"`
	Settings         wSettings       `json:"settings"`
	Purchase         *wPurchase      `json:"purchase"`
	Sandbox          bool            `json:"sandbox"`
	CustomParameters json.RawMessage `json:"custom_parameters"`
}

func decodeStrict(r *http.Request, v any) error {
	d := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	d.DisallowUnknownFields()
	d.UseNumber()
	return d.Decode(v)
}

// merchantError writes the merchant API's error shape.
func merchantError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{
		"http_status_code": status, "message": msg, "extended_message": nil, "request_id": newToken()[4:20],
	})
}

// storeError writes the store API's error shape with code "0401-<code>".
func storeError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{
		"statusCode": status, "errorCode": code,
		"errorMessage":  fmt.Sprintf("[0401-%d]: %s", code, msg),
		"transactionId": newToken()[4:20],
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func (e *Emulator) authorized(r *http.Request, users ...int) bool {
	user, pass, ok := r.BasicAuth()
	if !ok || pass != e.opts.APIKey || e.opts.APIKey == "" {
		return false
	}
	for _, u := range users {
		if u != 0 && user == strconv.Itoa(u) {
			return true
		}
	}
	return false
}

// v2Token emulates POST /merchant/v2/merchants/{merchant_id}/token.
func (e *Emulator) v2Token(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("merchant") != strconv.Itoa(e.opts.MerchantID) || !e.authorized(r, e.opts.MerchantID) {
		merchantError(w, http.StatusUnauthorized, "Invalid credentials")
		return
	}
	var b wBody
	if err := decodeStrict(r, &b); err != nil {
		merchantError(w, http.StatusUnprocessableEntity, "Invalid request body: "+err.Error())
		return
	}
	if b.Settings.ProjectID != e.opts.ProjectID {
		merchantError(w, http.StatusForbidden, "Access to the project is denied")
		return
	}
	s, msg := e.sessionFrom(b, "v2")
	if msg != "" {
		merchantError(w, http.StatusUnprocessableEntity, msg)
		return
	}
	if b.Purchase != nil && b.Purchase.Checkout != nil {
		c := b.Purchase.Checkout
		m, err := xsolla.ParseAmount(c.Amount.String(), c.Currency)
		if err != nil || m.Amount <= 0 {
			merchantError(w, http.StatusUnprocessableEntity, "purchase.checkout: invalid amount or currency")
			return
		}
		s.Checkout, s.Total = &m, m
	}
	if b.Purchase != nil && (b.Purchase.VirtualItems != nil || len(b.Purchase.Items) > 0) {
		// Xsolla's docs: a v2 token opens the payment UI for
		// subscriptions only; catalog items are bought with the v3 token.
		merchantError(w, http.StatusUnprocessableEntity, "catalog items are bought with the v3 payment token (purchase.items)")
		return
	}
	if s.Checkout == nil {
		merchantError(w, http.StatusUnprocessableEntity, "the emulator needs purchase.checkout")
		return
	}
	s.Sandbox = b.Settings.Mode == "sandbox"
	e.store(s)
	writeJSON(w, http.StatusOK, map[string]string{"token": s.Token})
}

// v3Token emulates POST /api/v3/project/{project_id}/admin/payment/token.
func (e *Emulator) v3Token(w http.ResponseWriter, r *http.Request) {
	users := []int{e.opts.ProjectID}
	if e.opts.AcceptMerchantAuthOnStore {
		users = append(users, e.opts.MerchantID)
	}
	if r.PathValue("project") != strconv.Itoa(e.opts.ProjectID) || !e.authorized(r, users...) {
		storeError(w, http.StatusUnauthorized, 1020, "Basic auth error with the API key")
		return
	}
	var b wBody
	if err := decodeStrict(r, &b); err != nil {
		storeError(w, http.StatusUnprocessableEntity, 1102, "Incorrect input data: "+err.Error())
		return
	}
	if msg := v2Only(b); msg != "" {
		storeError(w, http.StatusUnprocessableEntity, 1102, msg+" is not a v3 parameter")
		return
	}
	s, msg := e.sessionFrom(b, "v3")
	if msg == "" && s.Country == "" && r.Header.Get("X-User-Ip") == "" {
		msg = "user.country.value or the X-User-Ip header is required"
	}
	if msg == "" && (b.Purchase == nil || len(b.Purchase.Items) == 0) {
		msg = "purchase.items is required"
	}
	if msg != "" {
		storeError(w, http.StatusUnprocessableEntity, 1102, msg)
		return
	}
	if msg := e.price(s, b.Purchase.Items); msg != "" {
		storeError(w, http.StatusNotFound, 4001, msg)
		return
	}
	s.Sandbox = b.Sandbox
	s.OrderID = e.newID(&e.nextOrder)
	e.store(s)
	writeJSON(w, http.StatusOK, map[string]any{"token": s.Token, "order_id": s.OrderID})
}

// v2Only names a v2 parameter sent to the v3 endpoint, or "".
func v2Only(b wBody) string {
	switch p := b.Purchase; {
	case b.Settings.ProjectID != 0:
		return "settings.project_id"
	case b.Settings.Mode != "":
		return "settings.mode"
	case b.User.PublicID != nil:
		return "user.public_id"
	case p == nil:
		return ""
	case p.Checkout != nil:
		return "purchase.checkout"
	case p.VirtualItems != nil:
		return "purchase.virtual_items"
	case len(p.VirtualCurrency) > 0:
		return "purchase.virtual_currency"
	case len(p.Subscription) > 0:
		return "purchase.subscription"
	case p.Description != nil, p.CouponCode != nil:
		return "purchase.description/coupon_code"
	}
	return ""
}

func (e *Emulator) sessionFrom(b wBody, api string) (*Order, string) {
	id := b.User.ID.str()
	if id == "" || len(id) > 255 {
		return nil, "user.id.value is required (1-255 characters)"
	}
	s := &Order{
		Token: newToken(), API: api, UserID: id, Email: b.User.Email.str(), Name: b.User.Name.str(),
		Country: b.User.Country.str(), ExternalID: b.Settings.ExternalID, ReturnURL: b.Settings.ReturnURL,
		State: StateOpen,
	}
	if len(b.CustomParameters) > 0 && !bytes.Equal(b.CustomParameters, []byte("null")) {
		s.CustomParameters = b.CustomParameters
	}
	return s, ""
}

// price fills the session's lines from the catalog; all items must share a
// currency.
func (e *Emulator) price(s *Order, items []wItem) string {
	for _, it := range items {
		p, ok := e.opts.Catalog[it.SKU]
		switch {
		case !ok:
			return fmt.Sprintf("item %q not found", it.SKU)
		case it.Quantity <= 0:
			return fmt.Sprintf("item %q: quantity must be positive", it.SKU)
		case s.Total.Currency != "" && p.Currency != s.Total.Currency:
			return "items in different currencies"
		}
		s.Items = append(s.Items, Line{SKU: it.SKU, Quantity: it.Quantity, Price: p})
		s.Total = paykit.Money{Amount: s.Total.Amount + p.Amount*int64(it.Quantity), Currency: p.Currency}
	}
	return ""
}

func (e *Emulator) store(s *Order) { e.orders.Add(s.Token, *s) }
