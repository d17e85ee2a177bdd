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
// shows the outcome and does not keep reloading. One table says how each
// provider's pages differ; one runner drives them all.

// refundWay is how a flow refunds a paid order.
type refundWay int

const (
	noRefund       refundWay = iota // the provider has no refund (Playvision)
	refundOnPage                    // the emulator page's Refund button
	refundByGoCall                  // the emulator's Go API
)

// browserFlow is one provider's flows as a buyer clicks through them.
type browserFlow struct {
	provider paykit.Provider
	// path is where the provider's page is; price is what it shows.
	path, price string
	// resend is the page's button that sends the callback again.
	resend string
	// back leads from the provider's page to the shop after paying or
	// cancelling; "" when the provider's Pay and Cancel go there by
	// themselves (Paysera, whose callback then arrives later).
	back string
	// resendLeavesPage: the resend lands elsewhere, so the provider's page
	// is opened again before going back.
	resendLeavesPage bool
	// waitAfterBack: the callback may still be on its way when the buyer
	// is back at the shop; the order page shows paid once it came.
	waitAfterBack bool
	refund        refundWay
	// paidDuplicates and refundedDuplicates are the duplicates the order
	// page shows once paid (and the callback sent again) and once
	// refunded.
	paidDuplicates, refundedDuplicates int
	// payAgain: after cancelling, "Pay again" opens a new payment page
	// that pays the same order.
	payAgain bool
}

var browserFlows = []browserFlow{
	{provider: paykit.Paysera, path: "/emulator/paysera/payment/", price: "4.99 EUR",
		resend: "Send the callback again", refund: refundByGoCall, paidDuplicates: 1, refundedDuplicates: 1},
	{provider: paykit.PayseraCheckout, path: "/emulator/paysera-checkout/pay/", price: "4.99 EUR",
		resend: "Send the webhook again", back: "Return to the shop", resendLeavesPage: true,
		refund: refundOnPage, paidDuplicates: 1, refundedDuplicates: 1, payAgain: true},
	{provider: paykit.VKPay, path: "/emulator/vkpay/order/", price: "7 votes",
		resend: "Send the callback again", back: "back", refund: refundOnPage, paidDuplicates: 1, refundedDuplicates: 1},
	// order_paid, Xsolla's second webhook of the same purchase, is
	// answered from the store like the duplicate: two replays; refund is
	// followed by order_canceled, again one event with it: three.
	{provider: paykit.Xsolla, path: "/emulator/xsolla/paystation4/", price: "4.99 EUR",
		resend: "Send the callback again", back: "back", refund: refundOnPage, paidDuplicates: 2, refundedDuplicates: 3},
	{provider: paykit.Playvision, path: "/emulator/playvision/v1/payment.window", price: "50 PlayGold",
		resend: "Send the callback again", back: "back", waitAfterBack: true, paidDuplicates: 1},
}

func TestChromeFlows(t *testing.T) {
	for _, f := range browserFlows {
		t.Run(string(f.provider), func(t *testing.T) {
			h := newShopHarness(t)
			tb := newTab(t)
			id, page := f.payAndResend(t, h, tb)
			f.refundPaid(t, h, tb, id, page)
			f.cancel(t, h, tb)
			if f.payAgain {
				f.payAgainAfterCancel(t, tb)
			}
		})
	}
}

// payAndResend pays a new order on the provider's page, has the callback
// sent again, and returns the order's id and the provider's page.
func (f browserFlow) payAndResend(t *testing.T, h *shopHarness, tb *tab) (id, page string) {
	t.Helper()
	name := string(f.provider)
	tb.open(h.srv.URL+"/", "shop")
	tb.press(buttonOf[f.provider], name+" page")
	require.Contains(t, tb.location(), f.path)
	require.Contains(t, tb.text(), f.price)
	page = tb.location()
	if f.back == "" { // Pay leads back to the shop, which waits for the callback
		tb.press("Pay", "back at the shop, waiting")
		id = tb.orderID()
		tb.waitStatus(OrderPaid, "paid")
		assertOrderPage(t, tb, OrderPaid, "delivered", 0)
		tb.open(page, name+" page after paying")
		tb.press(f.resend, name+" callback sent again")
		flush(t, h)
		tb.open(h.srv.URL+"/orders/"+id, "duplicate shown")
		assertOrderPage(t, tb, OrderPaid, "delivered", f.paidDuplicates)
		return id, page
	}
	tb.press("Pay", name+" paid")
	tb.press(f.resend, name+" callback sent again")
	if f.resendLeavesPage {
		tb.open(page, name+" page after paying")
	}
	tb.press(f.back, "back at the shop")
	if f.waitAfterBack {
		tb.waitStatus(OrderPaid, "paid")
	}
	assertOrderPage(t, tb, OrderPaid, "delivered", f.paidDuplicates)
	return tb.orderID(), page
}

// refundPaid refunds the paid order id the provider's way.
func (f browserFlow) refundPaid(t *testing.T, h *shopHarness, tb *tab, id, page string) {
	t.Helper()
	switch f.refund {
	case noRefund:
		return
	case refundOnPage:
		tb.open(page, string(f.provider)+" page again")
		tb.press("Refund", string(f.provider)+" refunded")
	case refundByGoCall: // the emulator's payment page has a Refund button too
		o, _ := h.shop.orders.get(id)
		_, err := h.shop.emu.Paysera.Refund(context.Background(), o.ProviderID)
		require.NoError(t, err)
		flush(t, h)
	}
	tb.open(h.srv.URL+"/orders/"+id, "refunded")
	assertOrderPage(t, tb, OrderRefunded, "taken back", f.refundedDuplicates)
}

// cancel starts a new order, cancels it on the provider's page and comes
// back to the shop.
func (f browserFlow) cancel(t *testing.T, h *shopHarness, tb *tab) {
	t.Helper()
	tb.open(h.srv.URL+"/", "shop again")
	tb.press(buttonOf[f.provider], "new order: "+string(f.provider)+" page")
	tb.press("Cancel", "cancelled on the provider page")
	if f.back != "" {
		tb.press(f.back, "back at the shop after cancelling")
	}
	assertOrderPage(t, tb, OrderCancelled, "not delivered", 0)
	assert.Contains(t, tb.text(), "You left the payment page without paying.")
	assert.Contains(t, tb.text(), "Pay again with")
}

// payAgainAfterCancel pays the cancelled order on a new payment page.
func (f browserFlow) payAgainAfterCancel(t *testing.T, tb *tab) {
	t.Helper()
	tb.press("pay", "pay again: a new "+string(f.provider)+" page")
	require.Contains(t, tb.location(), f.path)
	tb.press("Pay", string(f.provider)+" paid on the new page")
	tb.press(f.back, "back at the shop, paid")
	assertOrderPage(t, tb, OrderPaid, "delivered", 0)
}

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
