package main

import (
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
)

// The journal page in a real browser on a phone: the list, a delivery's
// request and reply, Run again; nothing wider than the screen, no page
// reloading by itself.
func TestChromeJournalPage(t *testing.T) {
	h := newShopHarness(t)
	tb := newTab(t)
	tb.do(chromedp.EmulateViewport(360, 740))
	tb.open(h.srv.URL+"/", "shop")
	tb.press("Xsolla", "pay station")
	tb.press("Pay", "paid")
	tb.press("back", "order page")
	order := tb.location()

	u, err := url.Parse(h.srv.URL + "/journal/")
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword("merchant", testJournalPassword)
	tb.open(u.String(), "journal list")
	tb.settled()
	tb.fitsWidth()
	assert.Contains(t, tb.text(), "Payment journal")
	assert.Contains(t, tb.text(), "payment / paid")
	assert.Contains(t, eval[[]string](tb, `[...document.querySelectorAll('td[data-label="Amount"]')].map(e => e.textContent)`), "4.99 EUR",
		"the amount in major units, in the cell the phone's card labels")

	tb.open(order, "order page again")
	tb.press("HTTP 204", "journal delivery")
	detail := tb.location()
	tb.settled()
	tb.fitsWidth()
	text := tb.text()
	assert.Contains(t, text, "Reply: HTTP 204")
	assert.Contains(t, text, "notification_type")
	assert.Equal(t, "4.99 EUR (499 minor units)", eval[string](tb, `document.querySelector("#amount").innerText`))

	tb.press("run-again", "ran again")
	tb.settled()
	tb.fitsWidth()
	assert.Contains(t, tb.text(), "Ran again: the handler answered HTTP 204")
	assert.Contains(t, tb.text(), "replayed from the store")

	tb.press("new-delivery", "the new delivery")
	tb.fitsWidth()
	assert.Contains(t, tb.text(), "Runs again")

	tb.do(chromedp.EmulateViewport(1280, 900))
	tb.open(u.String(), "journal list, desktop")
	assert.Contains(t, tb.text(), "4.99 EUR")
	tb.open(detail, "journal delivery, desktop")
	tb.fitsWidth()
}
