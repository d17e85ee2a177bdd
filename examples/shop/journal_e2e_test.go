package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/playvision/playvisiontest"
)

const testJournalPassword = "journal-CANARY-password"

// journal opens a journal page as the merchant, with the demo password in
// the URL: links and forms followed from it keep it.
func (h *shopHarness) journal(path string) *page {
	h.t.Helper()
	u, err := url.Parse(h.srv.URL + path)
	require.NoError(h.t, err)
	u.User = url.UserPassword("merchant", testJournalPassword)
	p := h.get(u.String())
	require.Equal(h.t, http.StatusOK, p.Status, p.Body)
	return p
}

var journalRowRE = regexp.MustCompile(`<td class="at"><a href="/journal/d/([0-9a-f]+)">`)

func TestShopJournalNeedsThePassword(t *testing.T) {
	h := newShopHarness(t)
	h.buy(paykit.VKPay)
	for _, user := range []*url.Userinfo{nil, url.UserPassword("merchant", "wrong"), url.UserPassword("merchant", testJournalPassword+"x"), url.User("merchant")} {
		req, err := http.NewRequest(http.MethodGet, h.srv.URL+"/journal/", nil)
		require.NoError(t, err)
		if user != nil {
			pw, _ := user.Password()
			req.SetBasicAuth(user.Username(), pw)
		}
		resp, err := h.srv.Client().Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "%v", user)
		assert.Contains(t, resp.Header.Get("WWW-Authenticate"), "Basic")
	}

	closed, err := New(Options{BaseURL: "http://127.0.0.1:1"}) // no JournalPassword: closed to everyone
	require.NoError(t, err)
	defer closed.Close()
	req, _ := http.NewRequest(http.MethodGet, "/journal/", nil)
	req.SetBasicAuth("merchant", "")
	assert.False(t, closed.journalAllowed(req))
}

func TestShopJournalListDetailAndRunAgain(t *testing.T) {
	h := newShopHarness(t)
	back := h.submit(h.buy(paykit.Paysera), "pay")
	o := h.waitFor(h.readOrder(back).ID, OrderPaid)

	// The order page's callback log comes from the journal and links to it.
	require.Contains(t, o.Page.Body, `<td data-label="Delivery">first</td>`)
	detail := h.followJournal(o.Page, "HTTP 200")
	assert.Contains(t, detail.Body, `<section id="request">`)
	assert.Contains(t, detail.Body, `<section id="reply">`)
	assert.Contains(t, detail.Body, "<td>orderid</td><td>"+o.ID+"</td>", "Paysera's data decoded into its fields")
	assert.Contains(t, detail.Body, "<pre>OK</pre>")
	assert.Contains(t, detail.Body, `<td id="amount">4.99 EUR <span class="muted unit">(499 minor units)</span>`, "the amount as people read it")

	// The list, filtered by the order id.
	list := h.journal("/journal/?provider=paysera&order=" + o.ID)
	assert.Len(t, journalRowRE.FindAllString(list.Body, -1), 1)
	assert.Contains(t, h.journal("/journal/?order=nothing").Body, "No delivery matches.")

	// Run again: the fulfilled payment is answered from the store.
	ran := h.submit(detail, "Run again")
	require.Equal(t, http.StatusOK, ran.Status, ran.Body)
	assert.Contains(t, ran.Body, "replayed</b> from the store")
	again := h.follow(ran, "new-delivery")
	assert.Contains(t, again.Body, `id="replayed">yes`)
	assert.Contains(t, again.Body, `id="run-of"`)
	o = h.order(o.ID)
	assert.Equal(t, 1, o.Deliveries, "Run again of a fulfilled payment delivers nothing")
	assert.Equal(t, 1, o.Duplicates)
	assert.Contains(t, o.Page.Body, "HTTP 200, run again")
	assert.Len(t, journalRowRE.FindAllString(h.journal("/journal/?provider=paysera&order="+o.ID).Body, -1), 2)
}

// A payment that reached the shop before its order existed (another
// replica had taken it) is refused; once the order is there, Run again
// fulfils it.
func TestShopJournalRunAgainFulfilsARefusedPayment(t *testing.T) {
	h := newShopHarness(t)
	next := strconv.Itoa(1001 + len(h.shop.orders.list()))
	price := catalog[0].PriceIn(paykit.Playvision)
	params := playvisiontest.OrderStatusChange{AppID: demoPlayvisionApp, UserID: demoUser, TransactionID: 77001,
		Sum: price.Amount, ItemID: itemKeyPrefix + next}.Params()
	refused := h.deliver(callback{Provider: paykit.Playvision, Method: http.MethodPost, URL: "/callback/playvision",
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		Body:   []byte(playvisiontest.Signer{Secret: demoPlayvisionSecret}.Body(params))})
	require.False(t, accepted(refused), "%s", refused.Reply)

	list := h.journal("/journal/?provider=playvision&outcome=rejected&id=77001")
	ids := journalRowRE.FindAllStringSubmatch(list.Body, -1)
	require.Len(t, ids, 1)
	detail := h.journal("/journal/d/" + ids[0][1])
	assert.Contains(t, detail.Body, "order "+next+": paykit: unknown item")

	require.Equal(t, next, h.newOrder(paykit.Playvision))
	ran := h.submit(detail, "Run again")
	require.Equal(t, http.StatusOK, ran.Status, ran.Body)
	assert.NotContains(t, ran.Body, "replayed</b>")
	o := h.order(next)
	assert.Equal(t, OrderPaid, o.Status)
	assert.Equal(t, 1, o.Deliveries)
	assert.Contains(t, o.Page.Body, "HTTP 200, run again")
	assert.Contains(t, o.Page.Body, "rejected: ", "the refused delivery is on the order's log too")

	// A second Run again is a duplicate.
	h.submit(detail, "Run again")
	o = h.order(next)
	assert.Equal(t, 1, o.Deliveries)
	assert.Equal(t, 1, o.Duplicates)
}

// followJournal follows a link of page p into the journal, with the demo
// password.
func (h *shopHarness) followJournal(p *page, label string) *page {
	h.t.Helper()
	for _, m := range linkRE.FindAllStringSubmatch(p.Body, -1) {
		if strings.HasPrefix(text(m[2]), label) {
			href := attrs(m[1])["href"]
			require.True(h.t, strings.HasPrefix(href, "/journal/"), href)
			return h.journal(href)
		}
	}
	h.t.Fatalf("no journal link %q on %s", label, p.URL)
	return nil
}

// With a logger, every delivery is also one log record — refused ones
// included — holding neither the shop's secret nor the body.
func TestShopLogsEveryDelivery(t *testing.T) {
	var buf strings.Builder
	s, err := New(Options{BaseURL: "http://127.0.0.1:1", Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	require.NoError(t, err)
	defer s.Close()
	signer := playvisiontest.Signer{Secret: demoPlayvisionSecret}
	good := signer.Body(playvisiontest.OrderStatusChange{UserID: 1, TransactionID: 9, Sum: 150, ItemID: "season-pass"}.Params())
	forged := strings.Replace(good, "sum=150", "sum=1", 1)
	require.NotEqual(t, good, forged)
	post(t, s, "/callback/playvision", good)
	post(t, s, "/callback/playvision", forged)

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 2, buf.String())
	assert.Contains(t, lines[0], "level=INFO")
	assert.Contains(t, lines[0], "outcome=ok")
	assert.Contains(t, lines[1], "level=WARN")
	assert.Contains(t, lines[1], "verification=invalid_signature")
	assert.NotContains(t, buf.String(), demoPlayvisionSecret)
	assert.NotContains(t, buf.String(), "season-pass", "no body in the log")
	assert.Equal(t, 2, s.journal.Len(), "and both are in the journal")
}

// Paysera Checkout's handler runs on the shop's hooks like the others:
// each webhook it receives — verified or forged — is in the journal under
// its provider, with the signature headers that Run again needs, and Run
// again of the order snapshot is answered from the store.
func TestShopJournalsPayseraCheckoutDeliveries(t *testing.T) {
	h := newShopHarness(t)
	paid := h.submit(h.buy(paykit.PayseraCheckout), "Pay")
	o := h.readOrder(h.follow(paid, "Return to the shop"))
	require.Equal(t, OrderPaid, o.Status)

	snapshot := h.lastCallback(paykit.PayseraCheckout)
	forged := snapshot
	forged.Body = bytes.Replace(snapshot.Body, []byte(`"amount_paid":499`), []byte(`"amount_paid":1`), 1)
	require.NotEqual(t, snapshot.Body, forged.Body)
	require.False(t, accepted(h.deliver(forged)))

	ctx := context.Background()
	got, err := h.shop.journal.Deliveries(ctx, paykit.DeliveryQuery{Provider: paykit.PayseraCheckout})
	require.NoError(t, err)
	require.Len(t, got.Deliveries, 3, "payment/status_updated, the order snapshot and the forgery")
	forgery, snap, thin := got.Deliveries[0], got.Deliveries[1], got.Deliveries[2]
	assert.Equal(t, paykit.NotVerifiedInvalidSignature, forgery.Verification)
	assert.Equal(t, paykit.OutcomeRejected, forgery.Outcome)
	for _, d := range []paykit.Delivery{thin, snap} {
		assert.Equal(t, paykit.Verified, d.Verification)
		assert.Equal(t, o.ID, d.Summary.OrderID)
		assert.NotEmpty(t, d.Header.Get("X-Paysera-Signature"), "kept so that Run again verifies")
		assert.Equal(t, http.StatusOK, d.ReplyStatus)
	}
	assert.Equal(t, "payment/status_updated", thin.Type)
	assert.Equal(t, paykit.KindPayment, snap.Summary.Kind)
	assert.Equal(t, paykit.StatusPaid, snap.Summary.Status)
	for _, d := range got.Deliveries {
		assert.NotContains(t, string(d.ReplyBody)+d.Error, demoCheckoutSecret)
	}

	list := h.journal("/journal/?provider=paysera_checkout&order=" + o.ID)
	assert.Len(t, journalRowRE.FindAllString(list.Body, -1), 2, "the forgery names no order: it did not verify")
	rejected := h.journal("/journal/?provider=paysera_checkout&outcome=rejected")
	assert.Len(t, journalRowRE.FindAllString(rejected.Body, -1), 1)
	ran := h.submit(h.journal("/journal/d/"+snap.ID), "Run again")
	require.Equal(t, http.StatusOK, ran.Status, ran.Body)
	assert.Contains(t, ran.Body, "replayed</b> from the store")
	o = h.order(o.ID)
	assert.Equal(t, 1, o.Deliveries)
	assert.Equal(t, 1, o.Duplicates)
}
