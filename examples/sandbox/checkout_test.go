package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/paysera/checkout"
)

// apiCall sends a JSON API request to the sandbox and decodes the answer.
func apiCall(t *testing.T, method, url, body string, wantStatus int, into any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, wantStatus, resp.StatusCode, "%s %s: %s", method, url, b)
	if into != nil {
		require.NoError(t, json.Unmarshal(b, into), "%s", b)
	}
}

// An application on package checkout runs its whole Paysera Checkout flow
// against the sandbox: it creates the order and link through the
// emulated REST API, and a test in any language drives the payer through
// the JSON API — pay, a resent webhook answered from the store, refund —
// and cancels and declines other orders.
func TestSandboxServesPayseraCheckout(t *testing.T) {
	m := &merchant{}
	app := http.NewServeMux()
	appSrv := httptest.NewServer(app)
	defer appSrv.Close()
	c, err := parseFlags([]string{"-retry", "5ms,10ms"}, io.Discard)
	require.NoError(t, err)
	srv := httptest.NewUnstartedServer(nil)
	s, err := newSandbox(c, "http://"+srv.Listener.Addr().String())
	require.NoError(t, err)
	srv.Config.Handler = s.mux
	srv.Start()
	defer srv.Close()
	defer s.set.Close()

	client, err := checkout.New(checkout.Config{ClientID: c.checkout.ClientID, ClientSecret: c.checkout.ClientSecret,
		BaseURL: srv.URL + "/paysera-checkout"})
	require.NoError(t, err)
	app.Handle("/paysera-checkout", client.Handler(m.hooks()))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	newOrder := func(ref string) string {
		u, err := client.BuildPaymentURL(ctx, checkout.PaymentRequest{Order: checkout.OrderRequest{Reference: ref,
			Amount: paykit.Money{Amount: 2500, Currency: "EUR"}, CallbackURL: appSrv.URL + "/paysera-checkout",
			SuccessURL: appSrv.URL + "/ok", CancelURL: appSrv.URL + "/cancel"}})
		require.NoError(t, err)
		return u
	}
	api := srv.URL + "/api/paysera_checkout"

	var o apiOrder
	apiCall(t, http.MethodPost, api+"/orders", `{"payment_url":"`+newOrder("ORDER-1")+`"}`, http.StatusCreated, &o)
	assert.Equal(t, "open", o.State)
	assert.Equal(t, "ORDER-1", o.OrderID)
	assert.Equal(t, int64(2500), o.Amount)
	assert.Contains(t, o.Page, srv.URL+"/paysera-checkout/pay/")

	apiCall(t, http.MethodPost, api+"/orders/"+o.ID+"/pay", "", http.StatusOK, &o)
	assert.Equal(t, "paid", o.State)
	apiCall(t, http.MethodPost, api+"/wait", "", http.StatusOK, nil)
	var ds struct{ Deliveries []apiDelivery }
	apiCall(t, http.MethodGet, api+"/deliveries?order_id="+o.ID, "", http.StatusOK, &ds)
	require.Len(t, ds.Deliveries, 2)
	assert.Equal(t, "payment/status_updated", ds.Deliveries[0].Event)
	assert.Equal(t, "order/amount_paid_updated", ds.Deliveries[1].Event)
	for _, d := range ds.Deliveries {
		assert.Equal(t, "delivered", d.Outcome)
		assert.Equal(t, appSrv.URL+"/paysera-checkout", d.URL)
	}

	var again apiDelivery
	apiCall(t, http.MethodPost, api+"/deliveries/"+ds.Deliveries[1].ID+"/resend", "", http.StatusOK, &again)
	assert.True(t, again.Resent)
	assert.Equal(t, "delivered", again.Outcome)
	apiCall(t, http.MethodPost, api+"/deliveries/"+ds.Deliveries[0].ID+"/resend", "", http.StatusConflict, nil)
	apiCall(t, http.MethodPost, api+"/deliveries/99.1/resend", "", http.StatusNotFound, nil)
	assert.Equal(t, map[paykit.Provider]int{paykit.PayseraCheckout: 1}, m.paid(), "the resent snapshot is answered from the store")

	apiCall(t, http.MethodPost, api+"/orders/"+o.ID+"/refund", "", http.StatusOK, &o)
	assert.Equal(t, "refunded", o.State)
	apiCall(t, http.MethodPost, api+"/orders/"+o.ID+"/refund", "", http.StatusConflict, nil)
	apiCall(t, http.MethodPost, api+"/orders/"+o.ID+"/pay", "", http.StatusConflict, nil)

	var other apiOrder
	u := newOrder("ORDER-2")
	linkID := u[strings.LastIndex(u, "/")+1:]
	apiCall(t, http.MethodPost, api+"/orders", `{"link_id":"`+linkID+`"}`, http.StatusCreated, &other)
	apiCall(t, http.MethodPost, api+"/orders/"+other.ID+"/pending", "", http.StatusOK, &other)
	assert.Equal(t, "pending", other.State)
	apiCall(t, http.MethodPost, api+"/orders/"+other.ID+"/cancel", "", http.StatusOK, &other)
	assert.Equal(t, "canceled", other.State)

	apiCall(t, http.MethodPost, api+"/orders", `{"payment_url":"`+newOrder("ORDER-3")+`"}`, http.StatusCreated, &other)
	apiCall(t, http.MethodPost, api+"/orders/"+other.ID+"/decline", "", http.StatusOK, &other)
	assert.Equal(t, "declined", other.State)

	apiCall(t, http.MethodPost, api+"/orders", `{}`, http.StatusBadRequest, nil)
	apiCall(t, http.MethodPost, api+"/orders", `{"payment_url":"https://elsewhere.example/pay/1"}`, http.StatusBadRequest, nil)
	apiCall(t, http.MethodPost, api+"/orders", `{"order_id":"nope"}`, http.StatusNotFound, nil)
	apiCall(t, http.MethodPost, api+"/orders/nope/pay", "", http.StatusNotFound, nil)

	m.mu.Lock()
	defer m.mu.Unlock()
	var refunds int
	for _, e := range m.events {
		if e.Kind == paykit.KindRefund && e.Status == paykit.StatusRefunded {
			refunds++
			assert.Equal(t, "ORDER-1", e.OrderID)
		}
	}
	assert.Equal(t, 1, refunds)
}
