package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/paysera/payseratest"
)

// shopHarness runs the shop with all four emulators on a loopback server,
// like `go run ./examples/shop`, and records every callback the shop
// receives so that tests can deliver one again or tamper with it.
type shopHarness struct {
	t    *testing.T
	shop *Shop
	srv  *httptest.Server
	*browser

	mu        sync.Mutex
	callbacks []callback
	// changed is closed, and replaced, each time a callback is recorded:
	// waitFor wakes on it instead of polling.
	changed chan struct{}
}

// callback is a notification as the shop received it, with its answer.
type callback struct {
	Provider paykit.Provider
	Method   string
	URL      string // path and query
	Header   http.Header
	Body     []byte
	Status   int
	Reply    []byte
}

// fastRetry shortens every emulator's resend schedule.
var fastRetry = []time.Duration{5 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond}

// testSigner is one Paysera signing key for all tests: generating an RSA
// key per test would dominate their run time.
var testSigner = sync.OnceValues(func() (*payseratest.Signer, error) {
	return payseratest.NewSigner(demoPayseraProject, demoPayseraPassword)
})

func newShopHarness(t *testing.T, change ...func(*Options)) *shopHarness {
	t.Helper()
	t.Parallel()
	signer, err := testSigner()
	require.NoError(t, err)
	srv := httptest.NewUnstartedServer(nil)
	opts := Options{BaseURL: "http://" + srv.Listener.Addr().String(), RetrySchedule: fastRetry, PayseraSigner: signer,
		JournalPassword: testJournalPassword}
	for _, f := range change {
		f(&opts)
	}
	shop, err := New(opts)
	require.NoError(t, err)
	h := &shopHarness{t: t, shop: shop, srv: srv, browser: newBrowser(t), changed: make(chan struct{})}
	srv.Config.Handler = h.recordCallbacks(shop.Handler())
	srv.Start()
	t.Cleanup(func() {
		shop.Close() // stops deliveries first, so nothing is in flight
		srv.Close()
	})
	return h
}

func (h *shopHarness) recordCallbacks(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := strings.CutPrefix(r.URL.Path, "/callback/")
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		// Recorded before the provider sees the answer, so that a
		// delivery the emulator reports done is in the record.
		h.mu.Lock()
		h.callbacks = append(h.callbacks, callback{Provider: paykit.Provider(p), Method: r.Method, URL: r.URL.RequestURI(),
			Header: r.Header.Clone(), Body: body, Status: rec.Code, Reply: rec.Body.Bytes()})
		close(h.changed)
		h.changed = make(chan struct{})
		h.mu.Unlock()
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// lastCallback returns the last callback of provider that the shop
// accepted.
func (h *shopHarness) lastCallback(provider paykit.Provider) callback {
	h.t.Helper()
	// The Paysera emulator delivers in the background; the others within
	// the buyer's request.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(h.t, h.shop.emu.Paysera.Wait(ctx))
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := len(h.callbacks) - 1; i >= 0; i-- {
		if c := h.callbacks[i]; c.Provider == provider && accepted(c) {
			return c
		}
	}
	h.t.Fatalf("no accepted %s callback", provider)
	return callback{}
}

// accepted tells a provider's success answer from a refusal.
func accepted(c callback) bool {
	switch c.Provider {
	case paykit.Paysera:
		return c.Status == http.StatusOK && bytes.HasPrefix(c.Reply, []byte("OK"))
	case paykit.VKPay:
		return c.Status == http.StatusOK && bytes.HasPrefix(c.Reply, []byte(`{"response"`))
	case paykit.Xsolla, paykit.PayseraCheckout:
		return c.Status/100 == 2
	case paykit.Playvision:
		return c.Status == http.StatusOK && !bytes.Contains(c.Reply, []byte(`"status":"-1"`))
	}
	return false
}

// deliver sends a recorded callback to the shop again, as the provider
// would, and returns the shop's answer.
func (h *shopHarness) deliver(c callback) callback {
	h.t.Helper()
	req, err := http.NewRequest(c.Method, h.srv.URL+c.URL, bytes.NewReader(c.Body))
	require.NoError(h.t, err)
	for k, v := range c.Header {
		// Paysera Checkout signs in X-Paysera-Signature; the others in
		// the body or Authorization.
		if k == "Content-Type" || k == "Authorization" || strings.HasPrefix(k, "X-Paysera-") {
			req.Header[k] = v
		}
	}
	resp, err := h.srv.Client().Do(req)
	require.NoError(h.t, err)
	defer resp.Body.Close()
	reply, err := io.ReadAll(resp.Body)
	require.NoError(h.t, err)
	c.Status, c.Reply = resp.StatusCode, reply
	return c
}

// buy opens the shop, picks the first product and pays with provider:
// it returns the page the shop sends the buyer to.
func (h *shopHarness) buy(provider paykit.Provider) *page {
	h.t.Helper()
	home := h.get(h.srv.URL + "/")
	require.Equal(h.t, http.StatusOK, home.Status)
	return h.submit(home, string(provider))
}

// orderState is what the order page shows.
type orderState struct {
	ID         string
	Status     OrderStatus
	Deliveries int
	Duplicates int
	Page       *page
}

var (
	statusRE     = regexp.MustCompile(`id="status"[^>]*>([^<]*)<`)
	deliveriesRE = regexp.MustCompile(`id="deliveries">(\d+)`)
	orderPathRE  = regexp.MustCompile(`^/orders/(\d+)$`)
)

// readOrder parses an order page.
func (h *shopHarness) readOrder(p *page) orderState {
	h.t.Helper()
	m := orderPathRE.FindStringSubmatch(p.URL.Path)
	require.NotNil(h.t, m, "not an order page: %s", p.URL)
	st := statusRE.FindStringSubmatch(p.Body)
	dl := deliveriesRE.FindStringSubmatch(p.Body)
	require.NotNil(h.t, st, p.Body)
	require.NotNil(h.t, dl, p.Body)
	n, _ := strconv.Atoi(dl[1])
	return orderState{ID: m[1], Status: OrderStatus(st[1]), Deliveries: n,
		Duplicates: strings.Count(p.Body, "duplicate, answered from the store"), Page: p}
}

// order fetches an order's page.
func (h *shopHarness) order(id string) orderState {
	h.t.Helper()
	return h.readOrder(h.get(h.srv.URL + "/orders/" + id))
}

// waitFor returns the order once its status is want. Callbacks of the
// Paysera emulator arrive after the buyer's redirect, so it rereads the
// order page each time the shop has answered a callback (the order is
// updated before the answer is recorded), never on a timer. The deadline
// only ends a test whose callback never comes.
func (h *shopHarness) waitFor(id string, want OrderStatus) orderState {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		h.mu.Lock()
		changed := h.changed // taken before reading, so no callback is missed
		h.mu.Unlock()
		o := h.order(id)
		if o.Status == want {
			return o
		}
		select {
		case <-changed:
		case <-ctx.Done():
			require.Equal(h.t, want, o.Status, "order %s: no callback brought it", id)
			return o
		}
	}
}

// newOrder creates an order for provider without paying it, returning its
// id.
func (h *shopHarness) newOrder(provider paykit.Provider) string {
	h.t.Helper()
	before := len(h.shop.orders.list())
	h.buy(provider)
	orders := h.shop.orders.list()
	require.Len(h.t, orders, before+1)
	return orders[0].ID
}

// assertDuplicateReplayed delivers the last accepted callback of provider
// again: the shop must answer the very same bytes, deliver nothing again
// and show the duplicate on the order page.
func (h *shopHarness) assertDuplicateReplayed(provider paykit.Provider, id string) {
	h.t.Helper()
	first := h.lastCallback(provider)
	dups := h.order(id).Duplicates
	again := h.deliver(first)
	assert.Equal(h.t, first.Status, again.Status)
	assert.Equal(h.t, string(first.Reply), string(again.Reply), "a duplicate gets the stored reply byte for byte")
	o := h.order(id)
	assert.Equal(h.t, 1, o.Deliveries, "a duplicate must not deliver again")
	assert.Equal(h.t, dups+1, o.Duplicates, "the order page shows the duplicate")
}

// assertTamperedRejected rewrites the last accepted callback of provider
// to name another order (keeping the signature) and checks that the shop
// refuses it and that order stays untouched.
func (h *shopHarness) assertTamperedRejected(provider paykit.Provider, tamper func(c *callback, victim Order)) {
	h.t.Helper()
	victimID := h.newOrder(provider)
	before, _ := h.shop.orders.get(victimID)
	c := h.lastCallback(provider)
	tamper(&c, before)
	got := h.deliver(c)
	assert.False(h.t, accepted(got), "tampered %s callback accepted: %d %s", provider, got.Status, got.Reply)
	after, _ := h.shop.orders.get(victimID)
	assert.Equal(h.t, before, after, "a refused callback leaves the order untouched")
	assert.Equal(h.t, OrderNew, h.order(victimID).Status)
}

// e2eFlow is one provider's payment page as the buyer goes through it
// without a browser, and what the shop shows of it. One table holds the
// five providers; TestShopPaid and TestShopCancelled run each.
type e2eFlow struct {
	provider paykit.Provider
	// path is where the provider's page is; shows what it shows of the
	// order (title, price in the provider's unit).
	path  string
	shows []string
	// back is the provider page's link back to the shop; "" when Pay and
	// Cancel redirect there by themselves (Paysera).
	back string
	// paidShows and cancelledShows are what the provider's page says once
	// paid and once cancelled ("" when it stays silent).
	paidShows, cancelledShows string
	// backShows is what the order page says to the buyer coming back
	// paid; backQuery what its address carries.
	backShows, backQuery string
	// waits: the callback may arrive after the buyer is back, so the test
	// waits for it (Paysera's emulator delivers it after the redirect,
	// Playvision's after its page). Otherwise it was answered before.
	waits bool
	// orderShows are what the paid order's page lists; replays the
	// duplicates it shows once paid (Xsolla's order_paid of the same
	// purchase is answered from the store).
	orderShows []string
	replays    int
	// resend is the provider page's own "send again" button, one more
	// duplicate ("" when the page has none once paid).
	resend string
	// tamper rewrites the last accepted callback, keeping its signature,
	// to take the victim order (or its price) instead of the paid one.
	tamper func(t *testing.T, c *callback, paid string, victim Order)
	// refunds: the provider page's Refund, which refundShows confirms;
	// refundedShows are what the refunded order's page lists.
	refunds             bool
	refundShows         string
	refundedShows       []string
	cancelledOrderShows string
}

var e2eFlows = []e2eFlow{
	{provider: paykit.Paysera, path: "/emulator/paysera/payment/", shows: []string{"4.99 EUR"},
		cancelledOrderShows: "No verified notification yet.",
		backShows:           "never because of the return address", waits: true,
		orderShows: []string{"goods delivered", `data-label="Test">test</td>`}, // the emulator's payments are test payments
		tamper: func(t *testing.T, c *callback, paid string, victim Order) {
			u, err := url.Parse(c.URL)
			require.NoError(t, err)
			q := u.Query()
			data, err := base64.URLEncoding.DecodeString(q.Get("data"))
			require.NoError(t, err)
			forged := strings.Replace(string(data), "orderid="+paid, "orderid="+victim.ID, 1)
			require.NotEqual(t, string(data), forged)
			q.Set("data", base64.URLEncoding.EncodeToString([]byte(forged)))
			u.RawQuery = q.Encode()
			c.URL = u.RequestURI()
		}},
	{provider: paykit.PayseraCheckout, path: "/emulator/paysera-checkout/pay/",
		shows: []string{`id="amount">4.99 EUR<`}, // the order's amount in major units
		back:  "Return to the shop", paidShows: "link completed, order paid", cancelledShows: "link canceled",
		cancelledOrderShows: "payment/status_updated", // the canceled attempt's webhook is journaled with the order
		backQuery:           "return=paysera-checkout-success",
		// the thin payment event is recorded beside the order snapshot;
		// the emulated project is in test mode
		orderShows: []string{"payment/status_updated", "order/amount_paid_updated", `data-label="Test">test</td>`},
		resend:     "Send the webhook again",
		tamper: func(t *testing.T, c *callback, paid string, victim Order) {
			forged := bytes.Replace(c.Body, []byte(`"merchant_order_id":"`+paid+`"`), []byte(`"merchant_order_id":"`+victim.ID+`"`), 1)
			require.NotEqual(t, c.Body, forged)
			c.Body = forged
		},
		refunds: true, refundShows: "refunded 4.99 EUR", refundedShows: []string{"refund/status_updated", "goods taken back"}},
	{provider: paykit.VKPay, path: "/emulator/vkpay/order/", shows: []string{"Starter pack", "7 votes"},
		back: "back", orderShows: []string{"get_item"},
		tamper: func(t *testing.T, c *callback, _ string, victim Order) {
			form, err := url.ParseQuery(string(c.Body))
			require.NoError(t, err)
			form.Set("item", victim.ItemKey())
			form.Set("item_id", victim.ItemKey())
			c.Body = []byte(form.Encode())
		},
		refunds: true, refundedShows: []string{"goods taken back"}},
	{provider: paykit.Xsolla, path: "/emulator/xsolla/paystation4/", shows: []string{"4.99 EUR"},
		back: "back", paidShows: `id="status">paid<`, cancelledShows: `id="status">canceled<`,
		replays: 1, // v3 token: payment, then order_paid of the same purchase answered from the store
		tamper: func(t *testing.T, c *callback, _ string, _ Order) {
			// The last accepted webhook is the order_paid: forge its amount.
			forged := bytes.ReplaceAll(c.Body, []byte(`"amount":"4.99"`), []byte(`"amount":"0.01"`))
			require.NotEqual(t, c.Body, forged)
			c.Body = forged
		},
		refunds: true, refundedShows: []string{"goods taken back"}},
	{provider: paykit.Playvision, path: "/emulator/playvision/v1/payment.window", shows: []string{"50 PlayGold"},
		back:      "back", // "Back to the app", to the shop's order page
		paidShows: `id="status">paid<`, cancelledShows: "canceled",
		backShows: "You are back from the payment page.", waits: true,
		resend: "Send the callback again",
		tamper: func(t *testing.T, c *callback, _ string, victim Order) {
			form, err := url.ParseQuery(string(c.Body))
			require.NoError(t, err)
			form.Set("item_id", victim.ItemKey())
			c.Body = []byte(form.Encode())
		}},
}

// TestShopPaid: each provider's payment page pays the order once; the
// same callback again is answered from the store without delivering
// again, one naming another order (or price) under the same signature is
// refused, and a refund takes the goods back.
func TestShopPaid(t *testing.T) {
	for _, f := range e2eFlows {
		t.Run(string(f.provider), func(t *testing.T) {
			h := newShopHarness(t)
			pay := h.buy(f.provider)
			require.Contains(t, pay.URL.Path, f.path)
			for _, s := range f.shows {
				require.Contains(t, pay.Body, s)
			}
			o, paid := f.pay(h, pay)
			h.assertDuplicateReplayed(f.provider, o.ID)
			if f.resend != "" {
				dups := h.order(o.ID).Duplicates
				h.submit(paid, f.resend)
				o = h.order(o.ID)
				assert.Equal(t, 1, o.Deliveries)
				assert.Equal(t, dups+1, o.Duplicates, "the emulator's own send-again is one more duplicate")
			}
			h.assertTamperedRejected(f.provider, func(c *callback, victim Order) { f.tamper(t, c, o.ID, victim) })
			if !f.refunds {
				return
			}
			refunded := h.submit(paid, "Refund")
			if f.refundShows != "" {
				require.Contains(t, refunded.Body, f.refundShows)
			}
			o = h.order(o.ID)
			assert.Equal(t, OrderRefunded, o.Status)
			assert.Equal(t, 1, o.Deliveries)
			for _, s := range f.refundedShows {
				assert.Contains(t, o.Page.Body, s)
			}
		})
	}
}

// pay presses Pay on the provider's page and comes back to the shop: it
// returns the paid order and the provider's page after paying.
func (f e2eFlow) pay(h *shopHarness, pay *page) (orderState, *page) {
	t := h.t
	t.Helper()
	paid := h.submit(pay, "Pay")
	if f.paidShows != "" {
		require.Contains(t, paid.Body, f.paidShows)
	}
	back := paid
	if f.back != "" {
		back = h.follow(paid, f.back)
	}
	assert.Contains(t, back.URL.RawQuery, f.backQuery)
	if f.backShows != "" {
		assert.Contains(t, back.Body, f.backShows)
	}
	o := h.readOrder(back)
	if f.waits {
		o = h.waitFor(o.ID, OrderPaid)
	} else {
		assert.Equal(t, OrderPaid, o.Status, "the callback was answered before the buyer came back")
	}
	assert.Equal(t, 1, o.Deliveries)
	assert.Equal(t, f.replays, o.Duplicates)
	for _, s := range f.orderShows {
		assert.Contains(t, o.Page.Body, s)
	}
	return o, paid
}

// TestShopCancelled: cancelling on each provider's page leaves an order
// that reads cancelled, on its page and in the order list, delivers
// nothing, lets the buyer pay again and does not keep reloading (VK
// answers its notification before the purchase window closes: before the
// fix, the page came back from a cancelled VK purchase reloading
// forever). A verified payment arriving later would still count
// (TestOrderTransitions).
func TestShopCancelled(t *testing.T) {
	for _, f := range e2eFlows {
		t.Run(string(f.provider), func(t *testing.T) {
			h := newShopHarness(t)
			_, back := f.cancel(h)
			o := h.readOrder(back)
			assert.Equal(t, OrderCancelled, o.Status)
			assert.Equal(t, 0, o.Deliveries)
			assert.Contains(t, back.Body, "You left the payment page without paying.")
			assert.Empty(t, refreshOf(back), "nothing to wait for: the page must not reload")
			assert.Contains(t, back.Body, `id="pay"`, "the buyer can try again")
			if f.cancelledOrderShows != "" {
				assert.Contains(t, back.Body, f.cancelledOrderShows)
			}
			list := h.get(h.srv.URL + "/orders")
			assert.Contains(t, list.Body, `status-cancelled">cancelled<`)
		})
	}
}

// cancel buys with the flow's provider and cancels on its page: it
// returns that page once cancelled and the shop's page the buyer is back
// on.
func (f e2eFlow) cancel(h *shopHarness) (closed, back *page) {
	h.t.Helper()
	first := h.buy(f.provider)
	closed = h.submit(first, "Cancel")
	if f.cancelledShows != "" {
		require.Contains(h.t, closed.Body, f.cancelledShows)
	}
	if f.back == "" {
		return closed, closed
	}
	return closed, h.follow(closed, f.back)
}

func TestShopPayseraPendingThenPaid(t *testing.T) {
	h := newShopHarness(t)
	back := h.submit(h.buy(paykit.Paysera), "pending")
	o := h.waitFor(h.readOrder(back).ID, OrderPending)
	assert.Equal(t, 0, o.Deliveries)

	pay := h.follow(o.Page, "pay") // "Continue the payment": the same payment, reopened
	require.Contains(t, pay.URL.Path, "/emulator/paysera/payment/")
	h.submit(pay, "pay")
	o = h.waitFor(o.ID, OrderPaid)
	assert.Equal(t, 1, o.Deliveries)
	assert.Equal(t, 2, strings.Count(o.Page.Body, ">first</td>"), "pending and paid are two events")
}

// A cancelled Paysera Checkout link cannot be paid: "Pay again" opens a
// new link of the same Paysera order.
func TestShopPayseraCheckoutPayAgainAfterCancel(t *testing.T) {
	h := newShopHarness(t)
	first := h.buy(paykit.PayseraCheckout)
	back := h.follow(h.submit(first, "Cancel"), "Return to the shop")
	o := h.readOrder(back)
	require.Equal(t, OrderCancelled, o.Status)

	again := h.follow(back, "pay")
	require.Contains(t, again.URL.Path, "/emulator/paysera-checkout/pay/")
	require.NotEqual(t, first.URL.Path, again.URL.Path, "a new link")
	require.Contains(t, again.Body, "link active")
	assert.Equal(t, OrderNew, h.order(o.ID).Status, "awaiting payment again")
	paid := h.follow(h.submit(again, "Pay"), "Return to the shop")
	o = h.readOrder(paid)
	assert.Equal(t, OrderPaid, o.Status)
	assert.Equal(t, 1, o.Deliveries)
	emuOrders := h.shop.emu.PayseraCheckout.Orders()
	require.Len(t, emuOrders, 1, "one Paysera order, two links")
	assert.Len(t, emuOrders[0].Links, 2)
}

func TestShopReturnURLDoesNotPay(t *testing.T) {
	h := newShopHarness(t)
	id := h.newOrder(paykit.Xsolla)
	p := h.get(h.srv.URL + "/orders/" + id + "?return=xsolla&status=done&invoice_id=1")
	o := h.readOrder(p)
	assert.Equal(t, OrderNew, o.Status)
	assert.Contains(t, p.Body, `http-equiv="refresh"`, "the page reloads while it waits for the callback")
}
