package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
)

func summary(kind paykit.Kind, status paykit.Status, amount int64) paykit.Summary {
	return paykit.Summary{Provider: paykit.Paysera, Type: "macro", Kind: kind, Status: status, ID: "r1",
		OrderID: "1001", Amount: paykit.Money{Amount: amount, Currency: "EUR"}}
}

func TestOrderTransitions(t *testing.T) {
	cases := []struct {
		name       string
		events     []paykit.Summary
		status     OrderStatus
		deliveries int
		revoked    int
		cancelled  bool // the buyer left the payment page first
	}{
		{"paid", []paykit.Summary{summary(paykit.KindPayment, paykit.StatusPaid, 499)}, OrderPaid, 1, 0, false},
		{"pending then paid", []paykit.Summary{summary(paykit.KindPayment, paykit.StatusPending, 499),
			summary(paykit.KindPayment, paykit.StatusPaid, 499)}, OrderPaid, 1, 0, false},
		{"paid twice through two events", []paykit.Summary{summary(paykit.KindPayment, paykit.StatusPaid, 499),
			summary(paykit.KindPayment, paykit.StatusPaid, 499)}, OrderPaid, 1, 0, false},
		{"failed", []paykit.Summary{summary(paykit.KindPayment, paykit.StatusFailed, 499)}, OrderFailed, 0, 0, false},
		{"late pending does not unpay", []paykit.Summary{summary(paykit.KindPayment, paykit.StatusPaid, 499),
			summary(paykit.KindPayment, paykit.StatusPending, 499)}, OrderPaid, 1, 0, false},
		{"refund", []paykit.Summary{summary(paykit.KindPayment, paykit.StatusPaid, 499),
			summary(paykit.KindRefund, paykit.StatusRefunded, 499)}, OrderRefunded, 1, 1, false},
		// Held as refunded (paykit.Advance): the payment that may follow
		// delivers nothing (TestOrderStatusOnlyMovesForward).
		{"refund of unpaid order", []paykit.Summary{summary(paykit.KindRefund, paykit.StatusRefunded, 499)}, OrderRefunded, 0, 0, false},
		{"paid after refund", []paykit.Summary{summary(paykit.KindPayment, paykit.StatusPaid, 499),
			summary(paykit.KindRefund, paykit.StatusRefunded, 499), summary(paykit.KindPayment, paykit.StatusPaid, 499)}, OrderRefunded, 1, 1, false},
		{"info", []paykit.Summary{summary(paykit.KindInfo, paykit.StatusUnknown, 499)}, OrderNew, 0, 0, false},
		{"cancelled by the buyer", nil, OrderCancelled, 0, 0, true},
		{"paid after the buyer cancelled", []paykit.Summary{summary(paykit.KindPayment, paykit.StatusPaid, 499)}, OrderPaid, 1, 0, true},
		{"pending after the buyer cancelled", []paykit.Summary{summary(paykit.KindPayment, paykit.StatusPending, 499)}, OrderPending, 0, 0, true},
		{"provider cancels an unpaid order", []paykit.Summary{summary(paykit.KindRefund, paykit.StatusCanceled, 499)}, OrderCancelled, 0, 0, false},
		{"provider cancels a paid order", []paykit.Summary{summary(paykit.KindPayment, paykit.StatusPaid, 499),
			summary(paykit.KindRefund, paykit.StatusCanceled, 499)}, OrderRefunded, 1, 1, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := newOrderBook(nil)
			o := b.create(catalog[0], paykit.Paysera, catalog[0].Price)
			if tc.cancelled {
				_, ok := b.cancel(o.ID)
				require.True(t, ok)
			}
			for _, e := range tc.events {
				require.NoError(t, b.apply(o.ID, e))
			}
			got, _ := b.get(o.ID)
			assert.Equal(t, tc.status, got.Status)
			assert.Equal(t, tc.deliveries, got.Deliveries)
			assert.Equal(t, tc.revoked, got.Revoked)
			assert.Len(t, got.History, len(tc.events))
		})
	}
}

func TestApplyRefusesWhatDoesNotMatchTheOrder(t *testing.T) {
	b := newOrderBook(nil)
	o := b.create(catalog[0], paykit.Paysera, catalog[0].Price)
	wrongAmount := summary(paykit.KindPayment, paykit.StatusPaid, 1)
	otherProvider := summary(paykit.KindPayment, paykit.StatusPaid, 499)
	otherProvider.Provider = paykit.Xsolla
	otherCurrency := summary(paykit.KindPayment, paykit.StatusPaid, 499)
	otherCurrency.Amount.Currency = "USD"
	for _, s := range []paykit.Summary{wrongAmount, otherProvider, otherCurrency} {
		assert.Error(t, b.apply(o.ID, s))
	}
	assert.ErrorIs(t, b.apply("999", summary(paykit.KindPayment, paykit.StatusPaid, 499)), paykit.ErrUnknownItem)
	got, _ := b.get(o.ID)
	assert.Equal(t, o, got, "refused notifications leave the order untouched")
}

func TestItemHookPricesOnlyOpenOrdersOfTheSameProvider(t *testing.T) {
	s, err := New(Options{BaseURL: "http://127.0.0.1:1"})
	require.NoError(t, err)
	defer s.Close()
	vk := s.orders.create(catalog[1], paykit.VKPay, catalog[1].PriceIn(paykit.VKPay))
	pv := s.orders.create(catalog[1], paykit.Playvision, catalog[1].PriceIn(paykit.Playvision))

	item, err := s.item(context.Background(), paykit.ItemRequest{Provider: paykit.VKPay, Item: vk.ItemKey()})
	require.NoError(t, err)
	assert.Equal(t, paykit.Item{ID: "order-" + vk.ID, Title: "500 gems", Price: 14}, item)

	for _, req := range []paykit.ItemRequest{
		{Provider: paykit.VKPay, Item: pv.ItemKey()},
		{Provider: paykit.VKPay, Item: "order-9999"},
		{Provider: paykit.VKPay, Item: "gems-5000"}, // a SKU of the catalogue is priced (TestShopSellsCatalogItemsToClientSidePurchases)
		{Provider: paykit.VKPay, Item: "order-1e3"},
	} {
		_, err := s.item(context.Background(), req)
		assert.ErrorIs(t, err, paykit.ErrUnknownItem, req.Item)
	}
	require.NoError(t, s.orders.apply(vk.ID, paykit.Summary{Provider: paykit.VKPay, Kind: paykit.KindPayment,
		Status: paykit.StatusPaid, Amount: paykit.Money{Amount: 14}}))
	_, err = s.item(context.Background(), paykit.ItemRequest{Provider: paykit.VKPay, Item: vk.ItemKey()})
	assert.ErrorIs(t, err, paykit.ErrUnknownItem, "a paid order is not sold again")
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestRealProvidersFromEnvironment(t *testing.T) {
	s, err := New(Options{BaseURL: "https://shop.example", Getenv: env(map[string]string{
		"PAYSERA_PROJECT_ID": "1234", "PAYSERA_PASSWORD": "pw",
		"PAYSERA_CHECKOUT_CLIENT_ID": "client", "PAYSERA_CHECKOUT_CLIENT_SECRET": "secret",
		"VK_APP_ID": "5", "VK_SECRET": "vk",
		"XSOLLA_MERCHANT_ID": "1", "XSOLLA_PROJECT_ID": "2", "XSOLLA_API_KEY": "k", "XSOLLA_WEBHOOK_SECRET": "w",
		"PLAYVISION_APP_ID": "7", "PLAYVISION_SECRET": "pv",
	})})
	require.NoError(t, err)
	defer s.Close()
	for _, p := range providers {
		assert.False(t, s.Emulated(p), p)
		assert.Empty(t, s.EmulatorURL(p))
		assert.Equal(t, "https://shop.example/callback/"+string(p), s.CallbackURL(p))
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	resp, err := noFollow.PostForm(srv.URL+"/orders", url.Values{"sku": {"starter-pack"}, "provider": {"paysera"}})
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.True(t, strings.HasPrefix(resp.Header.Get("Location"), "https://bank.paysera.com/pay/?data="), resp.Header.Get("Location"))

	resp, err = noFollow.PostForm(srv.URL+"/orders", url.Values{"sku": {"starter-pack"}, "provider": {"vkpay"}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, "/orders/1002", resp.Header.Get("Location"))
	resp, err = srv.Client().Get(srv.URL + "/orders/1002")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(body), "VKWebAppShowOrderBox")
	assert.Contains(t, string(body), "order-1002")
	assert.NotContains(t, string(body), `id="pay"`)

	resp, err = srv.Client().Get(srv.URL + "/emulator/vkpay/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "no emulator runs for a live provider")
}

func TestCredentialErrorsNameTheVariableNotTheValue(t *testing.T) {
	for vars, want := range map[string]string{
		"VK_SECRET=s3cr3t-value":                     "VK_SECRET is set but VK_APP_ID is missing",
		"XSOLLA_API_KEY=s3cr3t":                      "XSOLLA_API_KEY is set but XSOLLA_MERCHANT_ID, XSOLLA_PROJECT_ID, XSOLLA_WEBHOOK_SECRET is missing",
		"PAYSERA_PROJECT_ID=1":                       "PAYSERA_PASSWORD is missing",
		"PAYSERA_CHECKOUT_CLIENT_SECRET=s3cr3t":      "PAYSERA_CHECKOUT_CLIENT_SECRET is set but PAYSERA_CHECKOUT_CLIENT_ID is missing",
		"VK_APP_ID=abc,VK_SECRET=s3cr3t-value":       "VK_APP_ID must be a positive number",
		"PLAYVISION_APP_ID=-1,PLAYVISION_SECRET=s3c": "PLAYVISION_APP_ID must be a positive number",
	} {
		m := map[string]string{}
		for _, kv := range strings.Split(vars, ",") {
			k, v, _ := strings.Cut(kv, "=")
			m[k] = v
		}
		_, err := New(Options{BaseURL: "http://127.0.0.1:1", Getenv: env(m)})
		require.Error(t, err, vars)
		assert.Contains(t, err.Error(), want)
		assert.NotContains(t, err.Error(), "s3cr3t")
	}
}

func TestCreateRefusesUnknownProductOrProvider(t *testing.T) {
	s, err := New(Options{BaseURL: "http://127.0.0.1:1"})
	require.NoError(t, err)
	defer s.Close()
	for _, form := range []url.Values{
		{"sku": {"nothing"}, "provider": {"paysera"}},
		{"sku": {"starter-pack"}, "provider": {"stripe"}},
	} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/orders", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		s.Handler().ServeHTTP(rec, req)
		assert.Equal(t, http.StatusBadRequest, rec.Code)
	}
	assert.Empty(t, s.orders.list())
}

func TestRunPrintsURLAndStops(t *testing.T) {
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, "127.0.0.1:0", env(nil), pw)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	require.True(t, lines.Scan())
	base, ok := strings.CutPrefix(lines.Text(), "paykit demo shop: ")
	require.True(t, ok, lines.Text())
	require.True(t, lines.Scan())
	assert.Contains(t, lines.Text(), "emulator at "+base+"/emulator/paysera/")
	go func() { _, _ = io.Copy(io.Discard, pr) }()

	resp, err := http.Get(base + "/")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(body), "Starter pack")

	cancel()
	// A run that does not stop hangs here until go test's own timeout:
	// no wall-clock guard that a loaded machine could trip.
	assert.NoError(t, <-done)
}
