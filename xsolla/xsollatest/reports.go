package xsollatest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/xsolla"
)

// The merchant API's refund and report endpoints: PUT
// …/reports/transactions/{id}/refund and …/partial_refund, GET
// …/reports/transactions/search.json and …/simple_search. Like the token
// endpoints they check Basic auth (merchant_id:api_key) and the request
// shape strictly: unknown body fields and query parameters are a 422.
// An accepted refund sends its webhooks as Pay does: the first attempts
// within the request, Xsolla's retries in the background.

func (e *Emulator) routeReports(m *http.ServeMux) {
	const base = "/merchant/v2/merchants/{merchant}/reports/transactions/"
	m.HandleFunc("PUT "+base+"{tx}/refund", e.apiRefund)
	m.HandleFunc("PUT "+base+"{tx}/partial_refund", e.apiPartialRefund)
	m.HandleFunc("GET "+base+"search.json", e.apiSearch)
	m.HandleFunc("GET "+base+"simple_search", e.apiSimpleSearch)
}

// merchantAuth answers 401 unless the path and Basic auth name the
// emulator's merchant with its API key.
func (e *Emulator) merchantAuth(w http.ResponseWriter, r *http.Request) bool {
	if r.PathValue("merchant") != strconv.Itoa(e.opts.MerchantID) || !e.authorized(r, e.opts.MerchantID) {
		merchantError(w, http.StatusUnauthorized, "Invalid credentials")
		return false
	}
	return true
}

// jsonBody decodes a PUT body strictly; false after answering 422.
func jsonBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		merchantError(w, http.StatusUnprocessableEntity, "Content-Type must be application/json")
		return false
	}
	if err := decodeStrict(r, v); err != nil {
		merchantError(w, http.StatusUnprocessableEntity, "Invalid request body: "+err.Error())
		return false
	}
	return true
}

func validDescription(d string) bool { return d != "" && utf8.RuneCountInString(d) <= 4000 }

// sessionOfTransaction finds the order paid by transaction tx.
func (e *Emulator) sessionOfTransaction(tx string) (Order, bool) {
	id, err := strconv.ParseInt(tx, 10, 64)
	if err != nil || id <= 0 {
		return Order{}, false
	}
	for _, s := range e.Orders() {
		if s.TransactionID == id {
			return s, true
		}
	}
	return Order{}, false
}

func (e *Emulator) apiRefund(w http.ResponseWriter, r *http.Request) {
	if !e.merchantAuth(w, r) {
		return
	}
	var b struct {
		Description string `json:"description"`
		Email       string `json:"email"`
	}
	if !jsonBody(w, r, &b) {
		return
	}
	if !validDescription(b.Description) || utf8.RuneCountInString(b.Email) > 100 {
		merchantError(w, http.StatusUnprocessableEntity, "description (1-4000 characters) is required; email is at most 100 characters")
		return
	}
	s, ok := e.sessionOfTransaction(r.PathValue("tx"))
	switch {
	case !ok:
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Transaction ID not valid. Please check payment credentials."})
		return
	case s.Refunded.Amount > 0:
		merchantError(w, http.StatusUnprocessableEntity, "Full refund is unavailable because there are successful partial refunds for this transaction.")
		return
	}
	e.runAPI(w, r, s.Token, e.Refund)
}

func (e *Emulator) apiPartialRefund(w http.ResponseWriter, r *http.Request) {
	if !e.merchantAuth(w, r) {
		return
	}
	var b struct {
		RefundAmount json.RawMessage `json:"refund_amount"`
		Description  string          `json:"description"`
	}
	if !jsonBody(w, r, &b) {
		return
	}
	if !validDescription(b.Description) || !isNumber(b.RefundAmount) {
		merchantError(w, http.StatusUnprocessableEntity, "refund_amount (a number) and description (1-4000 characters) are required")
		return
	}
	s, ok := e.sessionOfTransaction(r.PathValue("tx"))
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Transaction ID not valid. Please check payment credentials."})
		return
	}
	amount, err := xsolla.ParseAmount(string(b.RefundAmount), s.Total.Currency)
	if err != nil || amount.Amount <= 0 || amount.Amount > s.Total.Amount-s.Refunded.Amount {
		merchantError(w, http.StatusUnprocessableEntity, "refund_amount must be positive, in the purchase currency, and at most what is left to refund")
		return
	}
	e.runAPI(w, r, s.Token, func(ctx context.Context, token string) (Order, error) {
		return e.PartialRefund(ctx, token, amount)
	})
}

// isNumber reports whether raw is a JSON number (not a string holding
// one, which encoding/json would accept for a json.Number).
func isNumber(raw json.RawMessage) bool {
	var n json.Number
	return len(raw) > 0 && (raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9')) && json.Unmarshal(raw, &n) == nil
}

// runAPI runs an accepted refund with its webhooks: 422 when the order is
// not in a state to refund, else 204 once the first attempts were made
// (retries go on in the background).
func (e *Emulator) runAPI(w http.ResponseWriter, r *http.Request, token string, act func(context.Context, string) (Order, error)) {
	if _, err := act(r.Context(), token); errors.Is(err, ErrState) {
		merchantError(w, http.StatusUnprocessableEntity, "Incorrect payment status. Refund is possible only for payments with \"completed\" status.")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// PartialRefund refunds part of a paid order as if the merchant called
// the partial refund API: it sends partial_refund (payment_details.payment
// is the amount refunded [unsure: Xsolla's reference describes the
// webhook's payment_details without saying which amount it holds]) with
// the same retry rules as Pay. The order stays paid until everything was
// refunded; a 4xx to the webhook's first attempt is ErrRejected (the
// refund happened at Xsolla either way).
func (e *Emulator) PartialRefund(ctx context.Context, token string, amount paykit.Money) (Order, error) {
	s, err := e.orders.Update(token, func(s *Order) error {
		switch {
		case s.State != StatePaid:
			return fmt.Errorf("%w: the order is %s", ErrState, s.State)
		case amount.Currency != s.Total.Currency || amount.Amount <= 0 || amount.Amount > s.Total.Amount-s.Refunded.Amount:
			return fmt.Errorf("%w: partial refund of %d %s", ErrState, amount.Amount, amount.Currency)
		}
		s.Refunded = paykit.Money{Amount: s.Refunded.Amount + amount.Amount, Currency: amount.Currency}
		if s.Refunded.Amount == s.Total.Amount {
			s.State = StateRefunded
		}
		return nil
	})
	if err != nil {
		return s, err
	}
	_, err = e.send(ctx, e.webhook(token, xsolla.TypePartialRefund, e.partialRefundBody(s, amount), nil))
	return s, err
}

func (e *Emulator) partialRefundBody(s Order, amount paykit.Money) []byte {
	var body map[string]any
	d := json.NewDecoder(bytes.NewReader(e.paymentBody(s, s.TransactionID, xsolla.TypePartialRefund)))
	d.UseNumber()
	_ = d.Decode(&body) // the emulator's own JSON
	body["payment_details"] = map[string]any{"payment": money(amount)}
	tx, _ := body["transaction"].(map[string]any)
	if tx != nil {
		tx["date"] = e.opts.Now().Format(time.RFC3339)
	}
	body["refund_details"] = map[string]any{"code": 10, "reason": "Cancellation by the game request", "author": "emulator"}
	return mustJSON(body)
}
