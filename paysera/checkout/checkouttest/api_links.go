package checkouttest

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// linkIn is the create-link request, decoded strictly: the amount must be
// a JSON integer.
type linkIn struct {
	OrderID    string `json:"order_id"`
	Name       string `json:"name"`
	Lifetime   *int64 `json:"lifetime"`
	Experience struct {
		Language    string `json:"language"`
		PaymentFlow string `json:"payment_flow"`
	} `json:"experience"`
	Purchase *struct {
		Amount *int64 `json:"amount"`
	} `json:"purchase"`
	PaymentDetails struct {
		Key         string `json:"key"`
		Purpose     string `json:"purpose"`
		CountryCode string `json:"country_code"`
	} `json:"payment_details"`
	Payer struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"payer_information"`
	Metadata map[string]string `json:"metadata"`
}

func (e *Emulator) createLink(w http.ResponseWriter, r *http.Request) {
	var in linkIn
	if err := decodeStrict(r, &in); err != nil {
		apiError(w, http.StatusBadRequest, "invalid_request", "Malformed request: "+err.Error(), nil)
		return
	}
	if msg, field := checkLink(in); msg != "" {
		invalid(w, field, msg)
		return
	}
	var l Link
	_, err := e.update(in.OrderID, func(r *record) error {
		if r.Order.ID != in.OrderID {
			return ErrNotFound
		}
		l = Link{ID: e.childID('l', r.Order.ID), OrderID: r.Order.ID, Name: in.Name, Language: in.Experience.Language,
			Flow: first(in.Experience.PaymentFlow, "paysera_checkout"), MethodKey: in.PaymentDetails.Key,
			Purpose: in.PaymentDetails.Purpose, Country: in.PaymentDetails.CountryCode,
			PayerName: in.Payer.Name, PayerEmail: in.Payer.Email, Status: "active", Created: e.now()}
		if in.Purchase != nil && in.Purchase.Amount != nil {
			l.Amount = *in.Purchase.Amount
		}
		lifetime := int64(259200)
		if in.Lifetime != nil {
			lifetime = *in.Lifetime
		}
		if lifetime > 0 {
			l.Expires = l.Created.Add(time.Duration(lifetime) * time.Second)
		}
		r.Links = append(slices.Clip(r.Links), l)
		r.Order.Links = append(slices.Clip(r.Order.Links), l.ID)
		return nil
	})
	if err != nil {
		apiError(w, http.StatusNotFound, "not_found", "Order not found", nil)
		return
	}
	writeJSON(w, http.StatusCreated, e.linkJSON(l))
}

// checkLink returns what is wrong with a link request, and the field.
func checkLink(in linkIn) (string, string) {
	switch {
	case in.OrderID == "":
		return "required", "order_id"
	case in.Name == "" || len([]rune(in.Name)) > 255:
		return "1 to 255 characters", "name"
	case len(in.Experience.Language) != 2 || strings.ToLower(in.Experience.Language) != in.Experience.Language:
		return "two lower-case letters (ISO 639-1)", "experience.language"
	case in.Experience.PaymentFlow != "" && in.Experience.PaymentFlow != "paysera_checkout" && in.Experience.PaymentFlow != "direct_payment":
		return "paysera_checkout or direct_payment", "experience.payment_flow"
	case in.Purchase == nil || in.Purchase.Amount == nil || *in.Purchase.Amount <= 0:
		return "a positive JSON integer in minor units", "purchase.amount"
	case in.Lifetime != nil && (*in.Lifetime < 0 || *in.Lifetime > 86313600):
		return "0 to 86313600 seconds", "lifetime"
	}
	return "", ""
}

func (e *Emulator) linkJSON(l Link) map[string]any {
	m := map[string]any{"link_id": l.ID, "order_id": l.OrderID, "payment_URL": e.opts.BaseURL + "/pay/" + l.ID,
		"status": l.Status, "name": l.Name, "created_at": l.Created.Unix(),
		"experience":      map[string]any{"language": l.Language, "payment_flow": l.Flow},
		"purchase":        map[string]any{"amount": l.Amount},
		"payment_details": map[string]any{"key": l.MethodKey, "purpose": l.Purpose, "country_code": l.Country}}
	if !l.Expires.IsZero() {
		m["expired_at"] = l.Expires.Unix()
	}
	return m
}

func (e *Emulator) getLink(w http.ResponseWriter, id string) {
	l, ok := e.Link(id)
	if !ok {
		apiError(w, http.StatusNotFound, "not_found", "Payment link not found", nil)
		return
	}
	writeJSON(w, http.StatusOK, e.linkJSON(l))
}

func (e *Emulator) cancelLink(w http.ResponseWriter, id string) {
	var l Link
	_, err := e.update(id, func(r *record) error {
		cp := *r
		p := cp.link(id)
		switch {
		case p == nil:
			return ErrNotFound
		case p.Status != "active" && p.Status != "canceled":
			return fmt.Errorf("%w: payment link is %s", ErrState, p.Status)
		}
		p.Status = "canceled"
		l, *r = *p, cp
		return nil
	})
	switch {
	case errors.Is(err, ErrNotFound):
		apiError(w, http.StatusNotFound, "not_found", "Payment link not found", nil)
	case err != nil:
		apiError(w, http.StatusConflict, "conflict", "Payment link is not active", nil)
	default:
		writeJSON(w, http.StatusOK, e.linkJSON(l))
	}
}

// methods lists a fixed set; amount and currency filter only together.
func (e *Emulator) methods(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	amount, currency := q.Get("amount"), q.Get("currency")
	if (amount == "") != (currency == "") {
		invalid(w, "amount", "amount and currency go together")
		return
	}
	if amount != "" {
		if _, ok := digits(amount); !ok {
			invalid(w, "amount", "digits (minor units)")
			return
		}
	}
	item := func(key, title, typ string) map[string]any {
		return map[string]any{"key": key, "title": title, "description": title, "type": typ, "flow": "redirect",
			"available_countries": []string{"LT", "LV", "EE"}, "available_currencies": map[string]any{"EUR": map[string]bool{"main": true}},
			"logo_url": e.opts.BaseURL + "/logo/" + key + ".png"}
	}
	items := []map[string]any{item("swedbank", "Swedbank", "banklink"), item("seb", "SEB", "banklink"),
		item("card-payment", "Card", "card")}
	if currency != "" && currency != "EUR" {
		items = []map[string]any{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

// paymentCall answers refund-eligibility (GET) and refunds (POST).
func (e *Emulator) paymentCall(w http.ResponseWriter, r *http.Request, rest string) {
	id, op, _ := strings.Cut(rest, "/")
	switch {
	case op == "refund-eligibility" && r.Method == http.MethodGet:
		e.eligibility(w, id)
	case op == "refunds" && r.Method == http.MethodPost:
		e.refundCall(w, r, id)
	default:
		apiError(w, http.StatusNotFound, "not_found", "No such endpoint", nil)
	}
}

func (e *Emulator) eligibility(w http.ResponseWriter, id string) {
	p, ok := e.Payment(id)
	if !ok {
		apiError(w, http.StatusNotFound, "not_found", "Payment not found", nil)
		return
	}
	left := p.Amount - p.Refunded
	eligible := (p.Status == "settled" || p.Status == "refunded") && left > 0
	var reason any
	if !eligible {
		reason = "PAYMENT_NOT_SETTLED"
		if p.Status == "refunded" || left == 0 {
			reason = "FULLY_REFUNDED"
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"eligible": eligible, "reason": reason,
		"refunded_amount": p.Refunded, "pending_refunds": 0, "remaining_refundable": left, "currency": p.Currency,
		"min_refund_amount": 1, "max_refund_amount": left, "estimated_fee_amount": 0,
		"estimated_fee_currency": p.Currency, "fee_type": "flat", "requires_manual_payer_data": false})
}

func (e *Emulator) refundCall(w http.ResponseWriter, r *http.Request, id string) {
	var in struct {
		Amount    *int64 `json:"amount"`
		PayerIBAN string `json:"payer_iban"`
		PayerName string `json:"payer_name"`
	}
	if err := decodeStrict(r, &in); err != nil {
		apiError(w, http.StatusBadRequest, "invalid_request", "Malformed request: "+err.Error(), nil)
		return
	}
	if in.Amount == nil || *in.Amount <= 0 {
		invalid(w, "amount", "a positive JSON integer in minor units")
		return
	}
	ref, hook, err := e.refund(id, *in.Amount)
	var cur string
	if p, ok := e.Payment(id); ok {
		cur = p.Currency
	}
	switch {
	case errors.Is(err, ErrNotFound):
		apiError(w, http.StatusNotFound, "not_found", "Payment not found", nil)
		return
	case errors.Is(err, ErrClosed):
		apiError(w, http.StatusServiceUnavailable, "unavailable", "The emulator is closed", nil)
		return
	case err != nil:
		invalid(w, "amount", err.Error())
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": ref.ID, "payment_id": id, "status": "processing",
		"amount": ref.Amount, "currency": cur, "created_at": ref.Created.Unix()})
	// The webhook follows the reply, as Paysera's would.
	e.sendAfter([]webhook{hook})
}
