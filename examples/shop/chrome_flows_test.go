package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
)

// The flows of every provider in a real browser: pay, duplicate, refund
// (where the provider refunds) and cancel, each ending on a shop page that
// shows the outcome and does not keep reloading.

// assertOrderPage checks what an order page says once it has settled.
func assertOrderPage(t *testing.T, tb *tab, status OrderStatus, goods string, duplicates int) {
	t.Helper()
	tb.settled()
	text := tb.text()
	assert.Equal(t, string(status), eval[string](tb, `document.querySelector("#status").textContent`))
	assert.Equal(t, goods, eval[string](tb, `document.querySelector("#goods").textContent`))
	assert.Equal(t, duplicates, strings.Count(text, "duplicate, answered from the store"), text)
}

// buttonOf is the start of each provider's button on the shop's page.
var buttonOf = map[paykit.Provider]string{
	paykit.Paysera: "Paysera", paykit.PayseraCheckout: "Paysera Checkout", paykit.VKPay: "VK", paykit.Xsolla: "Xsolla",
	paykit.Playvision: "Playvision",
}

// cancelFlow starts a new order with provider, cancels it on the
// provider's page and comes back to the shop (through back, a link, when
// the provider's page has one).
func cancelFlow(t *testing.T, h *shopHarness, tb *tab, provider paykit.Provider, back string) {
	t.Helper()
	tb.open(h.srv.URL+"/", "shop again")
	tb.press(buttonOf[provider], "new order: "+string(provider)+" page")
	tb.press("Cancel", "cancelled on the provider page")
	if back != "" {
		tb.press(back, "back at the shop after cancelling")
	}
	assertOrderPage(t, tb, OrderCancelled, "not delivered", 0)
	assert.Contains(t, tb.text(), "You left the payment page without paying.")
	assert.Contains(t, tb.text(), "Pay again with")
}

func TestChromePaysera(t *testing.T) {
	h := newShopHarness(t)
	tb := newTab(t)
	tb.open(h.srv.URL+"/", "shop")
	tb.press("Paysera", "paysera payment page")
	require.Contains(t, tb.location(), "/emulator/paysera/payment/")
	payment := tb.location()
	tb.press("Pay", "back at the shop, waiting")
	id := tb.orderID()
	tb.waitStatus(OrderPaid, "paid")
	assertOrderPage(t, tb, OrderPaid, "delivered", 0)

	tb.open(payment, "paysera payment page after paying")
	tb.press("Send the callback again", "callback sent again")
	flush(t, h)
	tb.open(h.srv.URL+"/orders/"+id, "duplicate shown")
	assertOrderPage(t, tb, OrderPaid, "delivered", 1)

	// The emulator's Go API sends the status-5 callback (its payment page
	// has a Refund button too).
	o, _ := h.shop.orders.get(id)
	_, err := h.shop.emu.Paysera.Refund(context.Background(), o.ProviderID)
	require.NoError(t, err)
	flush(t, h)
	tb.open(h.srv.URL+"/orders/"+id, "refunded")
	assertOrderPage(t, tb, OrderRefunded, "taken back", 1)

	cancelFlow(t, h, tb, paykit.Paysera, "")
}

func TestChromePayseraCheckout(t *testing.T) {
	h := newShopHarness(t)
	tb := newTab(t)
	tb.open(h.srv.URL+"/", "shop")
	tb.press("Paysera Checkout", "paysera checkout link page")
	require.Contains(t, tb.location(), "/emulator/paysera-checkout/pay/")
	require.Contains(t, tb.text(), "4.99 EUR")
	link := tb.location()
	tb.press("Pay", "paysera checkout paid")
	tb.press("Send the webhook again", "paysera checkout webhook sent again")
	tb.open(link, "paysera checkout link page after paying") // the resend lands on the emulator's index
	tb.press("Return to the shop", "back at the shop")
	assertOrderPage(t, tb, OrderPaid, "delivered", 1)
	id := tb.orderID()

	tb.open(link, "paysera checkout link page again")
	tb.press("Refund", "paysera checkout refunded")
	tb.open(h.srv.URL+"/orders/"+id, "refunded")
	assertOrderPage(t, tb, OrderRefunded, "taken back", 1)

	cancelFlow(t, h, tb, paykit.PayseraCheckout, "Return to the shop")
	tb.press("pay", "pay again: a new link")
	require.Contains(t, tb.location(), "/emulator/paysera-checkout/pay/")
	tb.press("Pay", "paysera checkout paid on the new link")
	tb.press("Return to the shop", "back at the shop, paid")
	assertOrderPage(t, tb, OrderPaid, "delivered", 0)
}

func TestChromeVK(t *testing.T) {
	h := newShopHarness(t)
	tb := newTab(t)
	tb.open(h.srv.URL+"/", "shop")
	tb.press("VK", "vk purchase window")
	require.Contains(t, tb.text(), "7 votes")
	tb.press("Pay", "vk paid")
	window := tb.location()
	tb.press("Send the callback again", "vk callback sent again")
	tb.press("back", "back at the shop")
	assertOrderPage(t, tb, OrderPaid, "delivered", 1)
	id := tb.orderID()

	tb.open(window, "vk window again")
	tb.press("Refund", "vk refunded")
	tb.open(h.srv.URL+"/orders/"+id, "refunded")
	assertOrderPage(t, tb, OrderRefunded, "taken back", 1)

	cancelFlow(t, h, tb, paykit.VKPay, "back")
}

func TestChromeXsolla(t *testing.T) {
	h := newShopHarness(t)
	tb := newTab(t)
	tb.open(h.srv.URL+"/", "shop")
	tb.press("Xsolla", "pay station")
	require.Contains(t, tb.text(), "4.99 EUR")
	station := tb.location()
	tb.press("Pay", "xsolla paid")
	tb.press("Send the callback again", "xsolla webhook sent again")
	tb.press("back", "back at the shop")
	// order_paid, Xsolla's second webhook of the same purchase, is
	// answered from the store like the duplicate: two replays.
	assertOrderPage(t, tb, OrderPaid, "delivered", 2)
	id := tb.orderID()

	tb.open(station, "pay station again")
	tb.press("Refund", "xsolla refunded")
	tb.open(h.srv.URL+"/orders/"+id, "refunded")
	// refund is followed by order_canceled, again one event with it.
	assertOrderPage(t, tb, OrderRefunded, "taken back", 3)

	cancelFlow(t, h, tb, paykit.Xsolla, "back")
}

func TestChromePlayvision(t *testing.T) {
	h := newShopHarness(t)
	tb := newTab(t)
	tb.open(h.srv.URL+"/", "shop")
	tb.press("Playvision", "purchase dialog")
	require.Contains(t, tb.text(), "50 PlayGold")
	tb.press("Pay", "playvision paid")
	tb.press("Send the callback again", "playvision callback sent again")
	tb.press("back", "back at the shop")
	tb.waitStatus(OrderPaid, "paid")
	assertOrderPage(t, tb, OrderPaid, "delivered", 1)

	cancelFlow(t, h, tb, paykit.Playvision, "back")
}

// The shop's pages fit a phone's width: nothing scrolls sideways.
func TestChromePagesFitAPhone(t *testing.T) {
	h := newShopHarness(t)
	tb := newTab(t)
	tb.do(chromedp.EmulateViewport(360, 740))
	tb.open(h.srv.URL+"/", "phone shop")
	tb.fitsWidth()
	tb.press("Xsolla", "phone pay station")
	tb.press("Pay", "phone paid")
	tb.press("back", "phone order page")
	tb.fitsWidth()
	for _, p := range providers {
		tb.open(h.srv.URL+"/", "phone shop again")
		tb.press(buttonOf[p], "phone "+string(p))
	}
	for _, path := range []string{"/orders", "/no/such/page"} { // the journal: TestChromeJournalPage
		tb.open(h.srv.URL+path, "phone "+path)
		tb.fitsWidth()
	}
	assert.Contains(t, tb.text(), "back")
}

// flush waits until the Paysera emulator has delivered what it queued.
func flush(t *testing.T, h *shopHarness) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, h.shop.emu.Paysera.Wait(ctx))
}
