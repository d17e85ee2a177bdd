package checkouttest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The API paths, under the prefix (the same as package checkout's).
const (
	tokenPath    = "auth/realms/Paysera/protocol/openid-connect/token"
	ordersPath   = "merchant-order/integration/v1/orders"
	linksPath    = "checkout-payment-link/integration/v1/payment-links"
	methodsPath  = "checkout-project/integration/v1/methods"
	paymentsPath = "payment-executor/integration/v1/payments"
)

// apiError writes the current error format: error, error_description and
// optional error_properties.
func apiError(w http.ResponseWriter, status int, code, desc string, props map[string][]string) {
	body := map[string]any{"error": code, "error_description": desc}
	if props != nil {
		body["error_properties"] = props
	}
	writeJSON(w, status, body)
}

func invalid(w http.ResponseWriter, field, msg string) {
	apiError(w, http.StatusBadRequest, "invalid_request", "Validation failed", map[string][]string{field: {msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decodeStrict decodes a JSON request body: Content-Type
// application/json, no unknown field, nothing after the object.
func decodeStrict(r *http.Request, v any) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return fmt.Errorf("Content-Type must be application/json")
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("data after the JSON object")
	}
	return nil
}

// throttled answers 429 when Throttle queued one.
func (e *Emulator) throttled(w http.ResponseWriter) bool {
	e.mu.Lock()
	if len(e.throttle) == 0 {
		e.mu.Unlock()
		return false
	}
	d := e.throttle[0]
	e.throttle = e.throttle[1:]
	e.mu.Unlock()
	w.Header().Set("Retry-After", strconv.FormatInt(int64(d/time.Second), 10))
	apiError(w, http.StatusTooManyRequests, "too_many_requests", "Rate limit exceeded", nil)
	return true
}

// token answers the token endpoint: a client-credentials form with the
// project's id and secret.
func (e *Emulator) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		apiError(w, http.StatusMethodNotAllowed, "invalid_request", "POST only", nil)
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		apiError(w, http.StatusBadRequest, "invalid_request", "form body expected", nil)
		return
	}
	b, _ := io.ReadAll(io.LimitReader(r.Body, 16<<10))
	form, err := url.ParseQuery(string(b))
	if err != nil || form.Get("grant_type") != "client_credentials" {
		apiError(w, http.StatusBadRequest, "unsupported_grant_type", "client_credentials expected", nil)
		return
	}
	if form.Get("client_id") != e.opts.ClientID || form.Get("client_secret") != e.opts.ClientSecret {
		apiError(w, http.StatusUnauthorized, "invalid_client", "Invalid client credentials", nil)
		return
	}
	var raw [24]byte
	_, _ = rand.Read(raw[:])
	tok := "emu." + hex.EncodeToString(raw[:])
	e.mu.Lock()
	e.tokens[tok] = e.now().Add(e.opts.TokenTTL)
	e.tokenCalls++
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "expires_in": int64(e.opts.TokenTTL / time.Second),
		"refresh_expires_in": 0, "token_type": "Bearer", "not-before-policy": 0, "scope": "profile email"})
}

// authorized checks the bearer token; it answers 401 itself when not.
func (e *Emulator) authorized(w http.ResponseWriter, r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	e.mu.Lock()
	exp, known := e.tokens[tok]
	e.mu.Unlock()
	if !ok || !known || !e.now().Before(exp) {
		apiError(w, http.StatusUnauthorized, "invalid_token", "Token is missing, expired or invalid", nil)
		return false
	}
	if r.Header.Get("Accept") != "application/json" {
		apiError(w, http.StatusNotAcceptable, "invalid_request", "Accept: application/json expected", nil)
		return false
	}
	return true
}

// api routes an authenticated API call; rest is the path under the prefix.
func (e *Emulator) api(w http.ResponseWriter, r *http.Request, rest string) bool {
	switch {
	case rest == ordersPath && r.Method == http.MethodPost:
		e.createOrder(w, r)
	case strings.HasPrefix(rest, ordersPath+"/") && r.Method == http.MethodGet:
		e.getOrder(w, strings.TrimPrefix(rest, ordersPath+"/"))
	case rest == linksPath && r.Method == http.MethodPost:
		e.createLink(w, r)
	case strings.HasPrefix(rest, linksPath+"/") && strings.HasSuffix(rest, "/cancel") && r.Method == http.MethodPut:
		e.cancelLink(w, strings.TrimSuffix(strings.TrimPrefix(rest, linksPath+"/"), "/cancel"))
	case strings.HasPrefix(rest, linksPath+"/") && r.Method == http.MethodGet:
		e.getLink(w, strings.TrimPrefix(rest, linksPath+"/"))
	case rest == methodsPath && r.Method == http.MethodGet:
		e.methods(w, r)
	case strings.HasPrefix(rest, paymentsPath+"/"):
		e.paymentCall(w, r, strings.TrimPrefix(rest, paymentsPath+"/"))
	default:
		return false
	}
	return true
}

// orderIn is the create-order request, decoded strictly.
type orderIn struct {
	ProjectID string `json:"project_id"`
	Purchase  struct {
		Reference string          `json:"reference"`
		Amount    json.RawMessage `json:"amount"`
		Currency  string          `json:"currency"`
	} `json:"purchase"`
	RedirectURLs struct {
		SuccessURL  string `json:"success_url"`
		FailureURL  string `json:"failure_url"`
		CancelURL   string `json:"cancel_url"`
		CallbackURL string `json:"callback_url"`
	} `json:"redirect_urls"`
	Metadata     map[string]string `json:"metadata"`
	MerchantData map[string]string `json:"merchant_data"`
	Source       string            `json:"source"`
}

func (e *Emulator) createOrder(w http.ResponseWriter, r *http.Request) {
	var in orderIn
	if err := decodeStrict(r, &in); err != nil {
		apiError(w, http.StatusBadRequest, "invalid_request", "Malformed request: "+err.Error(), nil)
		return
	}
	amount, msg := e.orderAmount(in.Purchase.Amount)
	switch {
	case msg != "":
		invalid(w, "purchase.amount", msg)
		return
	case !validReference(in.Purchase.Reference):
		invalid(w, "purchase.reference", "1 to 255 characters of A-Z a-z 0-9 space _ / ? : ( ) . , ' + -")
		return
	case len(in.Purchase.Currency) != 3 || strings.ToUpper(in.Purchase.Currency) != in.Purchase.Currency:
		invalid(w, "purchase.currency", "ISO 4217 code in upper case")
		return
	case in.ProjectID != "" && in.ProjectID != e.opts.ProjectID:
		apiError(w, http.StatusForbidden, "forbidden", "Project does not belong to the client", nil)
		return
	}
	for field, u := range map[string]string{"redirect_urls.success_url": in.RedirectURLs.SuccessURL,
		"redirect_urls.failure_url": in.RedirectURLs.FailureURL, "redirect_urls.cancel_url": in.RedirectURLs.CancelURL,
		"redirect_urls.callback_url": in.RedirectURLs.CallbackURL} {
		if u != "" && (!httpURL(u) || len(u) > 2048) {
			invalid(w, field, "absolute URL of at most 2048 characters")
			return
		}
	}
	now := e.now()
	o := Order{ID: e.newOrderID(), Reference: in.Purchase.Reference, Currency: in.Purchase.Currency,
		Amount: amount, Status: "pending_payment", State: StateOpen, SuccessURL: in.RedirectURLs.SuccessURL,
		FailureURL: in.RedirectURLs.FailureURL, CancelURL: in.RedirectURLs.CancelURL,
		Callback: in.RedirectURLs.CallbackURL, Source: in.Source, Metadata: in.Metadata,
		MerchantData: in.MerchantData, Test: e.opts.Test, Created: now, Updated: now}
	e.orders.Add(o.ID, record{Order: o})
	body := e.orderJSON(o)
	writeJSON(w, http.StatusCreated, body)
}

// orderAmount checks the create-order amount's JSON type: a string of
// digits as documented (or a number when Options allow it), > 0.
func (e *Emulator) orderAmount(raw json.RawMessage) (int64, string) {
	s := string(bytes.TrimSpace(raw))
	if s == "" || s == "null" {
		return 0, "required"
	}
	if s[0] == '"' {
		s = strings.Trim(s, `"`)
	} else if !e.opts.AcceptNumericOrderAmount {
		return 0, "must be a string of digits (minor units)"
	}
	n, ok := digits(s)
	if !ok || n <= 0 {
		return 0, "must be a positive integer in minor units"
	}
	return n, ""
}

func digits(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func validReference(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(" _/?:().,'+-", c) >= 0) {
			return false
		}
	}
	return true
}

func (e *Emulator) orderJSON(o Order) map[string]any {
	return map[string]any{"order_id": o.ID, "project_id": e.opts.ProjectID, "created_at": o.Created.Unix(),
		"updated_at": o.Updated.Unix(), "source": o.Source, "status": o.Status, "amount_paid": o.AmountPaid,
		"merchant_data": o.MerchantData, "metadata": o.Metadata, "is_test": o.Test,
		"purchase": map[string]any{"reference": o.Reference, "amount": o.Amount, "currency": o.Currency}}
}

func (e *Emulator) getOrder(w http.ResponseWriter, id string) {
	o, ok := e.Order(id)
	if !ok {
		apiError(w, http.StatusNotFound, "not_found", "Order not found", nil)
		return
	}
	writeJSON(w, http.StatusOK, e.orderJSON(o))
}
