package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/paykit-go/paykit/paysera/payseratest"
)

// The JSON control API: every step a test of a merchant's application
// needs, for a backend in any language (curl is enough). openapi.json
// describes it and is served at /openapi.json; api_test.go checks that the
// two list the same routes.

//go:embed openapi.json
var openAPI []byte

// apiOrder is an order (Paysera payment, VK order, Xsolla session,
// Playvision transaction) as the API shows it, the same shape for every
// provider.
type apiOrder struct {
	ID       string `json:"id"`
	Provider string `json:"provider"`
	State    string `json:"state"`
	UserID   string `json:"user_id,omitempty"`
	Item     string `json:"item,omitempty"`
	Title    string `json:"title,omitempty"`
	// Amount is in minor units of Currency; votes (VK) or PlayGold
	// (Playvision) when Currency is "".
	Amount   int64  `json:"amount"`
	Currency string `json:"currency,omitempty"`
	// OrderID is the merchant's own order id where the provider carries
	// one (Paysera orderid, Xsolla external_id).
	OrderID string `json:"order_id,omitempty"`
	Test    bool   `json:"test"`
	// Page is the emulator's page of the order, for a person.
	Page string `json:"page,omitempty"`
}

// apiDelivery is one notification attempt: what was sent to the
// application and what it answered.
type apiDelivery struct {
	ID      string    `json:"id"`
	OrderID string    `json:"order_id,omitempty"`
	Event   string    `json:"event"`
	Attempt int       `json:"attempt"`
	Resent  bool      `json:"resent"`
	At      time.Time `json:"at"`
	Method  string    `json:"method,omitempty"`
	URL     string    `json:"url,omitempty"`
	Request string    `json:"request,omitempty"`
	Status  int       `json:"status"`
	Reply   string    `json:"reply,omitempty"`
	Outcome string    `json:"outcome"`
	Error   string    `json:"error,omitempty"`
}

// fromDelivery converts the kits' one Delivery shape.
func fromDelivery(d payseratest.Delivery) apiDelivery {
	return apiDelivery{ID: d.ID, OrderID: d.OrderID, Event: d.Event, Attempt: d.Attempt, Resent: d.Resent, At: d.At,
		Method: d.Method, URL: d.URL, Request: d.Request, Status: d.Status, Reply: d.Reply, Outcome: string(d.Outcome), Error: d.Err}
}

// errUnsupported: the provider has no such step.
var errUnsupported = errors.New("this provider has no such step")

// errBadRequest marks an error in the request's JSON.
var errBadRequest = errors.New("bad request")

// provider is one emulator behind the API.
type provider interface {
	// start opens an order from the request body (the provider's own
	// fields: see openapi.json).
	start(ctx context.Context, body []byte) (apiOrder, error)
	order(id string) (apiOrder, bool)
	orders() []apiOrder
	// act runs a step on an order: pay, decline, pending, cancel, refund.
	act(ctx context.Context, id, step string) (apiOrder, error)
	deliveries() []apiDelivery
	resend(ctx context.Context, deliveryID string) (apiDelivery, error)
	// wait returns when no notification is pending or scheduled.
	wait(ctx context.Context) error
}

// apiRoutes registers the API on mux and lists its patterns in s.routes.
func (s *sandbox) apiRoutes(mux *http.ServeMux) {
	handle := func(pattern string, h http.HandlerFunc) {
		s.routes = append(s.routes, pattern)
		mux.HandleFunc(pattern, h)
	}
	handle("GET /openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(openAPI)
	})
	handle("GET /api/providers", s.apiProviders)
	handle("GET /api/{provider}/orders", s.withProvider(func(w http.ResponseWriter, r *http.Request, p provider) {
		writeJSON(w, http.StatusOK, map[string]any{"orders": p.orders()})
	}))
	handle("POST /api/{provider}/orders", s.withProvider(func(w http.ResponseWriter, r *http.Request, p provider) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		if err != nil {
			writeError(w, err)
			return
		}
		o, err := p.start(r.Context(), body)
		reply(w, http.StatusCreated, o, err)
	}))
	handle("GET /api/{provider}/orders/{id}", s.withProvider(func(w http.ResponseWriter, r *http.Request, p provider) {
		o, ok := p.order(r.PathValue("id"))
		if !ok {
			writeError(w, payseratest.ErrNotFound)
			return
		}
		writeJSON(w, http.StatusOK, o)
	}))
	for _, step := range []string{"pay", "decline", "pending", "cancel", "refund"} {
		handle("POST /api/{provider}/orders/{id}/"+step, s.withProvider(func(w http.ResponseWriter, r *http.Request, p provider) {
			o, err := p.act(r.Context(), r.PathValue("id"), step)
			reply(w, http.StatusOK, o, err)
		}))
	}
	handle("GET /api/{provider}/deliveries", s.withProvider(func(w http.ResponseWriter, r *http.Request, p provider) {
		out := []apiDelivery{}
		for _, d := range p.deliveries() {
			if o := r.URL.Query().Get("order_id"); o == "" || o == d.OrderID {
				out = append(out, d)
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"deliveries": out})
	}))
	handle("POST /api/{provider}/deliveries/{id}/resend", s.withProvider(func(w http.ResponseWriter, r *http.Request, p provider) {
		d, err := p.resend(r.Context(), r.PathValue("id"))
		reply(w, http.StatusOK, d, err)
	}))
	handle("POST /api/{provider}/wait", s.withProvider(func(w http.ResponseWriter, r *http.Request, p provider) {
		ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
		defer cancel()
		if err := p.wait(ctx); err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"quiet": true})
	}))
	handle("GET /api/playvision/users/{id}", s.playvisionUser)
}

// withProvider finds the path's provider or answers 404.
func (s *sandbox) withProvider(h func(http.ResponseWriter, *http.Request, provider)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok := s.providers[r.PathValue("provider")]
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": fmt.Sprintf("no provider %q (paysera, paysera_checkout, vkpay, xsolla, playvision)", r.PathValue("provider"))})
			return
		}
		h(w, r, p)
	}
}

// apiProviders lists the emulators: where their pages are and where they
// send notifications.
func (s *sandbox) apiProviders(w http.ResponseWriter, _ *http.Request) {
	type info struct {
		Name  string `json:"name"`
		URL   string `json:"url"`
		Sends string `json:"sends"`
	}
	var out []info
	for _, e := range s.emulators() {
		out = append(out, info{e.ID, e.URL, e.Sends})
	}
	writeJSON(w, http.StatusOK, map[string]any{"providers": out})
}

func reply(w http.ResponseWriter, status int, v any, err error) {
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, status, v)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers {"error": …} with 404 for an unknown order or
// delivery, 409 when the order's state does not allow the step, 400 for
// a bad request and 422 for anything else (e.g. the application refused
// get_item).
func writeError(w http.ResponseWriter, err error) {
	status := http.StatusUnprocessableEntity
	switch {
	case errors.Is(err, payseratest.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, payseratest.ErrState):
		status = http.StatusConflict
	case errors.Is(err, errBadRequest), errors.Is(err, errUnsupported):
		status = http.StatusBadRequest
	}
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

// decode reads a request body strictly into v: known fields only, one
// JSON value.
func decode(body []byte, v any) error {
	d := json.NewDecoder(bytesReader(body))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("%w: %v", errBadRequest, err)
	}
	// One JSON value: `{}0` or `{}{}` is not a body this API takes.
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: data after the JSON value", errBadRequest)
	}
	return nil
}
