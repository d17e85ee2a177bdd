package main

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
)

var metaRE = regexp.MustCompile(`(?is)<meta\b([^>]*)>`)

// refreshOf returns the content of the page's meta refresh, "" if none.
func refreshOf(p *page) string {
	for _, m := range metaRE.FindAllStringSubmatch(p.Body, -1) {
		a := attrs(m[1])
		if strings.EqualFold(a["http-equiv"], "refresh") {
			return a["content"]
		}
	}
	return ""
}

// Returning from a cancelled VK purchase: VK answers its notification
// before the purchase window closes, so an order still unpaid when the
// buyer comes back will not be paid by this window. Before the fix the
// page reloaded forever.
func TestShopVKCancelReturnStopsWaiting(t *testing.T) {
	h := newShopHarness(t)
	closed := h.submit(h.buy(paykit.VKPay), "Cancel")
	back := h.follow(closed, "back")
	assert.Empty(t, refreshOf(back), "nothing will arrive: the page must not reload")
	assert.Contains(t, back.Body, "You left the payment page without paying.")
	assert.Equal(t, OrderCancelled, h.readOrder(back).Status)
}

// Every provider's cancel leaves an order that reads cancelled, on its page
// and in the order list; a verified payment arriving later would still
// count (TestOrderTransitions).
func TestShopCancelledOrderReadsCancelled(t *testing.T) {
	cancel := map[paykit.Provider]func(h *shopHarness) *page{
		paykit.Paysera: func(h *shopHarness) *page { return h.submit(h.buy(paykit.Paysera), "cancel") },
		paykit.PayseraCheckout: func(h *shopHarness) *page {
			return h.follow(h.submit(h.buy(paykit.PayseraCheckout), "Cancel"), "Return to the shop")
		},
		paykit.VKPay: func(h *shopHarness) *page {
			return h.follow(h.submit(h.buy(paykit.VKPay), "Cancel"), "back")
		},
		paykit.Xsolla: func(h *shopHarness) *page {
			return h.follow(h.submit(h.buy(paykit.Xsolla), "Cancel"), "back")
		},
		paykit.Playvision: func(h *shopHarness) *page {
			return h.follow(h.submit(h.buy(paykit.Playvision), "Cancel"), "back")
		},
	}
	for _, p := range providers {
		t.Run(string(p), func(t *testing.T) {
			h := newShopHarness(t)
			back := cancel[p](h)
			o := h.readOrder(back)
			assert.Equal(t, OrderCancelled, o.Status)
			assert.Empty(t, refreshOf(back))
			assert.Contains(t, back.Body, `id="pay"`, "the buyer can try again")
			list := h.get(h.srv.URL + "/orders")
			assert.Contains(t, list.Body, `status-cancelled">cancelled<`)
		})
	}
}

// A refunded order says the goods were taken back, on its page and in the
// order list, not only that they were delivered once.
func TestShopRefundedOrderShowsGoodsTakenBack(t *testing.T) {
	h := newShopHarness(t)
	paid := h.submit(h.buy(paykit.Xsolla), "Pay")
	o := h.readOrder(h.follow(paid, "back"))
	assert.Contains(t, o.Page.Body, `id="goods">delivered<`)
	h.submit(paid, "Refund")
	o = h.order(o.ID)
	require.Equal(t, OrderRefunded, o.Status)
	assert.Contains(t, o.Page.Body, `id="goods">taken back<`)
	list := h.get(h.srv.URL + "/orders")
	assert.Contains(t, list.Body, "taken back")
}

// The waiting page reloads a bounded number of times, then stops and says
// how to look again.
func TestShopReturnWaitsBoundedly(t *testing.T) {
	h := newShopHarness(t)
	id := h.newOrder(paykit.Xsolla)
	first := h.get(h.srv.URL + "/orders/" + id + "?return=xsolla")
	assert.Contains(t, refreshOf(first), "wait=1")
	last := h.get(h.srv.URL + "/orders/" + id + "?return=xsolla&wait=" + strconv.Itoa(maxWaits))
	assert.Empty(t, refreshOf(last))
	assert.Contains(t, last.Body, "No notification has arrived yet")
	assert.Equal(t, OrderNew, h.readOrder(last).Status, "a return that says nothing changes nothing")
}

// Unknown paths get the shop's page, with a link home, and a 404.
func TestShopUnknownPathHasAWayHome(t *testing.T) {
	h := newShopHarness(t)
	for _, path := range []string{"/nope", "/orders/1001/x", "/orders/999999", "/emulator"} {
		p := h.get(h.srv.URL + path)
		assert.Equal(t, http.StatusNotFound, p.Status, path)
		assert.Contains(t, p.Body, `<a href="/">`, path)
		assert.Contains(t, p.Body, "<nav>", path)
	}
}
