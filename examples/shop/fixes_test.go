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
