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

func TestShopPayseraPaid(t *testing.T) {
	h := newShopHarness(t)
	pay := h.buy(paykit.Paysera)
	require.Contains(t, pay.URL.Path, "/emulator/paysera/payment/")
	back := h.submit(pay, "pay")
	o := h.readOrder(back)
	assert.Contains(t, back.Body, "never because of the return address")
	o = h.waitFor(o.ID, OrderPaid)
	assert.Equal(t, 1, o.Deliveries)
	assert.Contains(t, o.Page.Body, "goods delivered")
	assert.Contains(t, o.Page.Body, `data-label="Test">test</td>`, "the emulator's payments are test payments")

	h.assertDuplicateReplayed(paykit.Paysera, o.ID)
	h.assertTamperedRejected(paykit.Paysera, func(c *callback, victim Order) {
		u, err := url.Parse(c.URL)
		require.NoError(t, err)
		q := u.Query()
		data, err := base64.URLEncoding.DecodeString(q.Get("data"))
		require.NoError(t, err)
		forged := strings.Replace(string(data), "orderid="+o.ID, "orderid="+victim.ID, 1)
		require.NotEqual(t, string(data), forged)
		q.Set("data", base64.URLEncoding.EncodeToString([]byte(forged)))
		u.RawQuery = q.Encode()
		c.URL = u.RequestURI()
	})
}

func TestShopPayseraCancelled(t *testing.T) {
	h := newShopHarness(t)
	back := h.submit(h.buy(paykit.Paysera), "cancel")
	o := h.readOrder(back)
	assert.Contains(t, back.Body, "You left the payment page without paying.")
	assert.NotContains(t, back.Body, `http-equiv="refresh"`, "nothing to wait for")
	assert.Equal(t, OrderCancelled, o.Status)
	assert.Equal(t, 0, o.Deliveries)
	assert.Contains(t, back.Body, "No verified notification yet.")
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

func TestShopPayseraCheckoutPaidDuplicateTamperedRefund(t *testing.T) {
	h := newShopHarness(t)
	link := h.buy(paykit.PayseraCheckout)
	require.Contains(t, link.URL.Path, "/emulator/paysera-checkout/pay/")
	require.Contains(t, link.Body, `id="amount">4.99 EUR<`, "the order's amount in major units")
	paid := h.submit(link, "Pay")
	require.Contains(t, paid.Body, "link completed, order paid")
	back := h.follow(paid, "Return to the shop")
	assert.Contains(t, back.URL.RawQuery, "return=paysera-checkout-success")
	o := h.readOrder(back)
	assert.Equal(t, OrderPaid, o.Status, "the webhooks were answered before the payer came back")
	assert.Equal(t, 1, o.Deliveries)
	assert.Contains(t, o.Page.Body, "payment/status_updated", "the thin payment event is recorded beside the order snapshot")
	assert.Contains(t, o.Page.Body, "order/amount_paid_updated")
	assert.Contains(t, o.Page.Body, `data-label="Test">test</td>`, "the emulated project is in test mode")

	h.assertDuplicateReplayed(paykit.PayseraCheckout, o.ID)
	// The emulator's "Send the webhook again" is one more duplicate.
	h.submit(paid, "Send the webhook again")
	o = h.order(o.ID)
	assert.Equal(t, 1, o.Deliveries)
	assert.Equal(t, 2, o.Duplicates)

	h.assertTamperedRejected(paykit.PayseraCheckout, func(c *callback, victim Order) {
		forged := bytes.Replace(c.Body, []byte(`"merchant_order_id":"`+o.ID+`"`), []byte(`"merchant_order_id":"`+victim.ID+`"`), 1)
		require.NotEqual(t, c.Body, forged)
		c.Body = forged
	})

	refunded := h.submit(paid, "Refund")
	require.Contains(t, refunded.Body, "refunded 4.99 EUR")
	o = h.order(o.ID)
	assert.Equal(t, OrderRefunded, o.Status)
	assert.Contains(t, o.Page.Body, "refund/status_updated")
	assert.Contains(t, o.Page.Body, "goods taken back")
}

func TestShopPayseraCheckoutCancelled(t *testing.T) {
	h := newShopHarness(t)
	first := h.buy(paykit.PayseraCheckout)
	closed := h.submit(first, "Cancel")
	require.Contains(t, closed.Body, "link canceled")
	back := h.follow(closed, "Return to the shop")
	o := h.readOrder(back)
	assert.Contains(t, back.Body, "You left the payment page without paying.")
	assert.NotContains(t, back.Body, `http-equiv="refresh"`, "nothing to wait for")
	assert.Equal(t, OrderCancelled, o.Status)
	assert.Equal(t, 0, o.Deliveries)
	assert.Contains(t, back.Body, "payment/status_updated", "the canceled attempt's webhook is journaled with the order")

	// A cancelled link cannot be paid: "Pay again" opens a new link of
	// the same Paysera order.
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

func TestShopVKPaidDuplicateTamperedRefund(t *testing.T) {
	h := newShopHarness(t)
	window := h.buy(paykit.VKPay)
	require.Contains(t, window.URL.Path, "/emulator/vkpay/order/")
	require.Contains(t, window.Body, "Starter pack")
	require.Contains(t, window.Body, "7 votes")
	paid := h.submit(window, "Pay")
	o := h.readOrder(h.follow(paid, "back"))
	assert.Equal(t, OrderPaid, o.Status)
	assert.Equal(t, 1, o.Deliveries)
	assert.Contains(t, o.Page.Body, "get_item")

	h.assertDuplicateReplayed(paykit.VKPay, o.ID)
	h.assertTamperedRejected(paykit.VKPay, func(c *callback, victim Order) {
		form, err := url.ParseQuery(string(c.Body))
		require.NoError(t, err)
		form.Set("item", victim.ItemKey())
		form.Set("item_id", victim.ItemKey())
		c.Body = []byte(form.Encode())
	})

	h.submit(paid, "Refund")
	o = h.order(o.ID)
	assert.Equal(t, OrderRefunded, o.Status)
	assert.Contains(t, o.Page.Body, "goods taken back")
}

func TestShopVKCancelled(t *testing.T) {
	h := newShopHarness(t)
	closed := h.submit(h.buy(paykit.VKPay), "Cancel")
	o := h.readOrder(h.follow(closed, "back"))
	assert.Equal(t, OrderCancelled, o.Status)
	assert.Equal(t, 0, o.Deliveries)
}

func TestShopXsollaPaidDuplicateTamperedRefund(t *testing.T) {
	h := newShopHarness(t)
	station := h.buy(paykit.Xsolla)
	require.Contains(t, station.URL.Path, "/emulator/xsolla/paystation4/")
	require.Contains(t, station.Body, "4.99 EUR")
	paid := h.submit(station, "Pay")
	require.Contains(t, paid.Body, `id="status">paid<`)
	o := h.readOrder(h.follow(paid, "back"))
	assert.Equal(t, OrderPaid, o.Status)
	assert.Equal(t, 1, o.Deliveries)
	assert.Equal(t, 1, o.Duplicates, "v3 token: payment, then order_paid of the same purchase answered from the store")

	h.assertDuplicateReplayed(paykit.Xsolla, o.ID)
	h.assertTamperedRejected(paykit.Xsolla, func(c *callback, _ Order) {
		// The last accepted webhook is the order_paid: forge its amount.
		forged := bytes.ReplaceAll(c.Body, []byte(`"amount":"4.99"`), []byte(`"amount":"0.01"`))
		require.NotEqual(t, c.Body, forged)
		c.Body = forged
	})

	h.submit(paid, "Refund")
	o = h.order(o.ID)
	assert.Equal(t, OrderRefunded, o.Status)
	assert.Equal(t, 1, o.Deliveries)
}

func TestShopXsollaCancelled(t *testing.T) {
	h := newShopHarness(t)
	closed := h.submit(h.buy(paykit.Xsolla), "Cancel")
	require.Contains(t, closed.Body, `id="status">canceled<`)
	back := h.follow(closed, "back")
	o := h.readOrder(back)
	assert.Equal(t, OrderCancelled, o.Status, "the return URL says canceled: it may cancel an unpaid order, never pay one")
	assert.Contains(t, back.Body, "You left the payment page without paying.")
}

func TestShopPlayvisionPaidDuplicateTampered(t *testing.T) {
	h := newShopHarness(t)
	dialog := h.buy(paykit.Playvision)
	require.Contains(t, dialog.URL.Path, "/emulator/playvision/v1/payment.window")
	require.Contains(t, dialog.Body, "50 PlayGold")
	emuOrder := h.submit(dialog, "Pay")
	require.Contains(t, emuOrder.Body, `id="status">paid<`)
	back := h.follow(emuOrder, "back") // "Back to the app", to the shop's order page
	o := h.readOrder(back)
	assert.Contains(t, back.Body, "You are back from the payment page.")
	o = h.waitFor(o.ID, OrderPaid)
	assert.Equal(t, 1, o.Deliveries)

	h.assertDuplicateReplayed(paykit.Playvision, o.ID)
	// The emulator's own "send again" button is a second duplicate.
	h.submit(emuOrder, "Send the callback again")
	o = h.order(o.ID)
	assert.Equal(t, 1, o.Deliveries)
	assert.Equal(t, 2, o.Duplicates)

	h.assertTamperedRejected(paykit.Playvision, func(c *callback, victim Order) {
		form, err := url.ParseQuery(string(c.Body))
		require.NoError(t, err)
		form.Set("item_id", victim.ItemKey())
		c.Body = []byte(form.Encode())
	})
}

func TestShopPlayvisionCancelled(t *testing.T) {
	h := newShopHarness(t)
	closed := h.submit(h.buy(paykit.Playvision), "Cancel")
	require.Contains(t, closed.Body, "canceled")
	back := h.follow(closed, "back")
	o := h.readOrder(back)
	assert.Contains(t, back.Body, "You left the payment page without paying.")
	assert.NotContains(t, back.Body, `http-equiv="refresh"`, "nothing to wait for")
	assert.Equal(t, OrderCancelled, o.Status)
	assert.Equal(t, 0, o.Deliveries)
}

func TestShopReturnURLDoesNotPay(t *testing.T) {
	h := newShopHarness(t)
	id := h.newOrder(paykit.Xsolla)
	p := h.get(h.srv.URL + "/orders/" + id + "?return=xsolla&status=done&invoice_id=1")
	o := h.readOrder(p)
	assert.Equal(t, OrderNew, o.Status)
	assert.Contains(t, p.Body, `http-equiv="refresh"`, "the page reloads while it waits for the callback")
}
