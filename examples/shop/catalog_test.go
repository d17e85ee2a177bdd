package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/playvision/playvisiontest"
	"github.com/paykit-go/paykit/vkpay"
	"github.com/paykit-go/paykit/vkpay/vkpaytest"
)

// post sends a signed form to one of the shop's callback URLs.
func post(t *testing.T, s *Shop, path string, body string) (int, string) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, r)
	return w.Code, w.Body.String()
}

// A VK mini app or a game may sell a product of the catalogue by its SKU,
// as real mini apps do: get_item prices it, the paid order_status_change
// creates the order and delivers it once, a refund takes it back.
func TestShopSellsCatalogItemsToClientSidePurchases(t *testing.T) {
	s, err := New(Options{BaseURL: "http://127.0.0.1:1"})
	require.NoError(t, err)
	defer s.Close()
	vk := vkpaytest.Signer{AppID: demoVKApp, Secret: demoVKSecret, Version: "5.132"}

	_, reply := post(t, s, "/callback/vkpay", vk.Body(vk.GetItem("gems-500", 1, 77, "en_US")))
	assert.JSONEq(t, `{"response":{"item_id":"gems-500","title":"500 gems","price":14}}`, reply)

	paid := vk.Body(vk.OrderStatusChange(vkpaytest.OrderParams{ID: 77, UserID: 1, Item: "gems-500", ItemID: "gems-500", Title: "500 gems", Price: 14}, vkpay.OrderChargeable))
	_, reply = post(t, s, "/callback/vkpay", paid)
	assert.Contains(t, reply, `"response"`)
	_, again := post(t, s, "/callback/vkpay", paid)
	assert.Equal(t, reply, again)
	orders := s.orders.list()
	require.Len(t, orders, 1, "one order, however often VK delivers")
	o := orders[0]
	assert.Equal(t, OrderPaid, o.Status)
	assert.Equal(t, 1, o.Deliveries)
	assert.Equal(t, "77", o.ProviderID)
	assert.Equal(t, "gems-500", o.SKU)

	refund := vk.Body(vk.OrderStatusChange(vkpaytest.OrderParams{ID: 77, UserID: 1, Item: "gems-500", ItemID: "gems-500", Title: "500 gems", Price: 14}, vkpay.OrderRefunded))
	_, reply = post(t, s, "/callback/vkpay", refund)
	assert.Contains(t, reply, `"response"`)
	o, _ = s.orders.get(o.ID)
	assert.Equal(t, OrderRefunded, o.Status)
	assert.Len(t, s.orders.list(), 1)

	cheap := vk.Body(vk.OrderStatusChange(vkpaytest.OrderParams{ID: 78, UserID: 1, Item: "gems-500", ItemID: "gems-500", Title: "500 gems", Price: 1}, vkpay.OrderChargeable))
	_, reply = post(t, s, "/callback/vkpay", cheap)
	assert.Contains(t, reply, `"error"`, "the price of the catalogue, not the notification's")
	unknown := vk.Body(vk.OrderStatusChange(vkpaytest.OrderParams{ID: 79, UserID: 1, Item: "gold", ItemID: "gold", Title: "gold", Price: 14}, vkpay.OrderChargeable))
	_, reply = post(t, s, "/callback/vkpay", unknown)
	assert.Contains(t, reply, `"error"`)
	refundOfUnknown := vk.Body(vk.OrderStatusChange(vkpaytest.OrderParams{ID: 80, UserID: 1, Item: "gems-500", ItemID: "gems-500", Title: "500 gems", Price: 14}, vkpay.OrderRefunded))
	_, reply = post(t, s, "/callback/vkpay", refundOfUnknown)
	assert.Contains(t, reply, `"error"`, "a refund never creates an order")
	assert.Len(t, s.orders.list(), 1)

	pv := playvisiontest.Signer{Secret: demoPlayvisionSecret}
	_, reply = post(t, s, "/callback/playvision", pv.Body(playvisiontest.GetItem{AppID: demoPlayvisionApp, UserID: 1, Item: "season-pass"}.Params()))
	assert.Contains(t, reply, `"item_price":"150"`)
	_, reply = post(t, s, "/callback/playvision", pv.Body(playvisiontest.OrderStatusChange{UserID: 1, TransactionID: 9, Sum: 150, ItemID: "season-pass"}.Params()))
	assert.Contains(t, reply, `"status":"1"`)
	assert.Len(t, s.orders.list(), 2)
}

// A paid payment must bring the order's amount: a notification without one
// (zero) is refused like a wrong one. Before the fix a zero amount skipped
// the check.
func TestPaidPaymentWithoutAmountIsRefused(t *testing.T) {
	b := newOrderBook(nil)
	o := b.create(catalog[0], paykit.VKPay, catalog[0].PriceIn(paykit.VKPay))
	zero := paykit.Summary{Provider: paykit.VKPay, Kind: paykit.KindPayment, Status: paykit.StatusPaid}
	assert.Error(t, b.apply(o.ID, zero))
	got, _ := b.get(o.ID)
	assert.Equal(t, OrderNew, got.Status)
}

// Prices are written with their currency's ISO 4217 exponent (not always
// two decimals), virtual units as whole numbers with their name.
func TestPriceTextUsesTheCurrencysExponent(t *testing.T) {
	for _, tc := range []struct {
		provider paykit.Provider
		m        paykit.Money
		want     string
	}{
		{paykit.Paysera, paykit.Money{Amount: 499, Currency: "EUR"}, "4.99 EUR"},
		{paykit.Xsolla, paykit.Money{Amount: 500, Currency: "JPY"}, "500 JPY"},
		{paykit.Xsolla, paykit.Money{Amount: 1000, Currency: "KWD"}, "1.000 KWD"},
		{paykit.Paysera, paykit.Money{Amount: -5, Currency: "EUR"}, "-0.05 EUR"},
		{paykit.VKPay, paykit.Money{Amount: 7}, "7 votes"},
		{paykit.Playvision, paykit.Money{Amount: 50}, "50 PlayGold"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			assert.Equal(t, tc.want, priceText(tc.provider, tc.m))
		})
	}
}
