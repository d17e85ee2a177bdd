package xsollatest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/xsolla"
	"github.com/paykit-go/paykit/xsolla/xsollatest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shop is a merchant backend: the xsolla handler at /xsolla with hooks
// that record every event.
type shop struct {
	srv     *httptest.Server
	mu      sync.Mutex
	events  []paykit.Notification
	users   int
	refuse  atomic.Bool  // User hook refuses
	failing atomic.Int32 // Event fails temporarily this many more times
}

func (s *shop) recorded() []paykit.Notification {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]paykit.Notification(nil), s.events...)
}

var catalog = map[string]paykit.Money{
	"gems_500": {Amount: 499, Currency: "USD"},
	"sword":    {Amount: 1250, Currency: "USD"},
}

// setup starts a shop and an emulator that delivers to it, and returns a
// client configured for the emulator.
func setup(t *testing.T, sandbox bool) (*shop, *xsollatest.Server, *xsolla.Client) {
	t.Helper()
	sh := &shop{}
	var handler http.Handler
	sh.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(sh.srv.Close)
	emu, err := xsollatest.NewServer(xsollatest.Options{
		MerchantID: 2340, ProjectID: 18404, APIKey: "api-key", WebhookSecret: "hook-secret",
		WebhookURL: sh.srv.URL + "/xsolla", Catalog: catalog,
		RetrySchedule: []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond},
	})
	require.NoError(t, err)
	t.Cleanup(emu.Close)
	cfg := emu.ClientConfig()
	cfg.Sandbox = sandbox
	c, err := xsolla.New(cfg)
	require.NoError(t, err)
	handler = c.Handler(paykit.Hooks{
		User: func(ctx context.Context, n paykit.Notification) error {
			sh.mu.Lock()
			sh.users++
			sh.mu.Unlock()
			if sh.refuse.Load() {
				return paykit.ErrUnknownUser
			}
			return nil
		},
		Event: func(ctx context.Context, n paykit.Notification) error {
			if sh.failing.Add(-1) >= 0 {
				return paykit.Temporary(errors.New("database busy"))
			}
			sh.mu.Lock()
			defer sh.mu.Unlock()
			sh.events = append(sh.events, n)
			return nil
		},
	})
	return sh, emu, c
}

// sent waits for quiet and returns the deliveries about token.
func sent(t *testing.T, emu *xsollatest.Server, token string) []xsollatest.Delivery {
	t.Helper()
	require.NoError(t, emu.Wait(t.Context()))
	var out []xsollatest.Delivery
	for _, d := range emu.Deliveries() {
		if d.OrderID == token {
			out = append(out, d)
		}
	}
	return out
}

func types(ds []xsollatest.Delivery) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Event)
	}
	return out
}

func TestCheckoutPurchaseThroughPayStationPage(t *testing.T) {
	sh, emu, c := setup(t, true)
	ctx := context.Background()
	payURL, err := c.BuildPaymentURL(ctx, xsolla.TokenRequest{
		UserID: "player-42", ExternalID: "order-1", Email: "p@example.com",
		Checkout:         &paykit.Money{Amount: 499, Currency: "USD"},
		CustomParameters: map[string]any{"source": "web"},
	})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(payURL, emu.URL+"/paystation4/?token="), payURL)

	// A person opens the page and clicks Pay.
	resp, err := http.Get(payURL)
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(page), "4.99 USD")
	assert.Contains(t, string(page), `action="pay"`)
	token := mustToken(t, payURL)
	resp, err = http.PostForm(emu.URL+"/paystation4/pay", url.Values{"token": {token}})
	require.NoError(t, err)
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(page), `id="status">paid<`)

	assert.Equal(t, []string{"user_validation", "payment"}, types(emu.Deliveries()))
	events := sh.recorded()
	require.Len(t, events, 1, "Event runs once")
	p, ok := events[0].(*xsolla.Payment)
	require.True(t, ok)
	s := p.Summary()
	assert.Equal(t, paykit.KindPayment, s.Kind)
	assert.Equal(t, paykit.Money{Amount: 499, Currency: "USD"}, s.Amount)
	assert.Equal(t, "order-1", s.OrderID)
	assert.Equal(t, "player-42", s.UserID)
	assert.True(t, s.Test, "sandbox token → dry_run")
	assert.JSONEq(t, `{"source":"web"}`, string(p.CustomParameters))

	// Xsolla redelivers the same webhook: answered identically, no new Event.
	again := resendLast(t, emu, sh, "payment")
	assert.Equal(t, http.StatusNoContent, again)
	assert.Len(t, sh.recorded(), 1)

	// A second click cannot pay twice.
	_, err = emu.Pay(ctx, token)
	assert.ErrorIs(t, err, xsollatest.ErrState)
}

func TestItemsPurchaseV3ThenRefund(t *testing.T) {
	sh, emu, c := setup(t, false)
	ctx := context.Background()
	pt, err := c.CreatePaymentToken(ctx, xsolla.TokenRequest{
		UserID: "player-7", Country: "US", ExternalID: "order-9",
		Items: []xsolla.ItemQuantity{{SKU: "gems_500", Quantity: 2}, {SKU: "sword", Quantity: 1}},
	})
	require.NoError(t, err)
	require.NotZero(t, pt.OrderID)

	_, err = emu.Pay(ctx, pt.Token)
	require.NoError(t, err)
	res := sent(t, emu, pt.Token)
	assert.Equal(t, []string{"user_validation", "payment", "order_paid"}, types(res))
	events := sh.recorded()
	require.Len(t, events, 1, "payment and order_paid are one purchase: one Event")
	pay := events[0].(*xsolla.Payment)
	assert.Equal(t, paykit.Money{Amount: 2248, Currency: "USD"}, pay.Summary().Amount)
	assert.False(t, pay.Summary().Test)
	assert.Equal(t, http.StatusNoContent, res[2].Status, "order_paid answered from the store")

	// The order_paid delivered decodes with its items and names the
	// payment's transaction.
	body := []byte(res[2].Request)
	on, err := c.ParseBody(body, http.Header{"Authorization": {xsollatest.Sign(body, "hook-secret")}})
	require.NoError(t, err)
	order := on.(*xsolla.OrderPaid)
	os := order.Summary()
	assert.Equal(t, paykit.KindPayment, os.Kind)
	assert.Equal(t, paykit.Money{Amount: 2248, Currency: "USD"}, os.Amount)
	assert.Equal(t, "player-7", os.UserID)
	require.Len(t, order.Items, 2)
	assert.Equal(t, "gems_500", order.Items[0].SKU)
	assert.Equal(t, xsolla.Decimal("9.98"), order.Items[0].Amount, "items.amount is the total for the quantity, as Xsolla documents it")
	assert.Equal(t, xsolla.ID(pay.Transaction.ID), order.Order.InvoiceID)
	assert.Equal(t, c.IdempotencyKey(pay), c.IdempotencyKey(order))

	resendLast(t, emu, sh, "order_paid")
	assert.Len(t, sh.recorded(), 1, "order_paid redelivery is a replay")

	_, err = emu.Refund(ctx, pt.Token)
	require.NoError(t, err)
	res = sent(t, emu, pt.Token)[len(res):]
	assert.Equal(t, []string{"refund", "order_canceled"}, types(res))
	events = sh.recorded()
	require.Len(t, events, 2, "refund and order_canceled are one refund: one Event")
	refund := events[1].Summary()
	assert.Equal(t, paykit.KindRefund, refund.Kind)
	assert.Equal(t, paykit.StatusRefunded, refund.Status)
	assert.Equal(t, pay.Summary().ID, refund.ID)
	assert.IsType(t, &xsolla.Refund{}, events[1])
	assert.Equal(t, http.StatusNoContent, res[1].Status, "order_canceled answered from the store")
	s, _ := emu.Order(pt.Token)
	assert.Equal(t, xsollatest.StateRefunded, s.State)
}

func TestItemsPurchaseSandboxThroughBuildPaymentURL(t *testing.T) {
	sh, emu, c := setup(t, true)
	payURL, err := c.BuildPaymentURL(context.Background(), xsolla.TokenRequest{
		UserID: "u", UserIP: "203.0.113.5", Items: []xsolla.ItemQuantity{{SKU: "sword", Quantity: 1}},
	})
	require.NoError(t, err)
	tok := mustToken(t, payURL)
	s, ok := emu.Order(tok)
	require.True(t, ok)
	assert.Equal(t, "v3", s.API, "items go through the v3 payment token")
	assert.True(t, s.Sandbox)
	_, err = emu.Pay(context.Background(), tok)
	require.NoError(t, err)
	res := sent(t, emu, tok)
	assert.Equal(t, []string{"user_validation", "payment", "order_paid"}, types(res))
	events := sh.recorded()
	require.Len(t, events, 1, "payment and order_paid are one purchase")
	assert.True(t, events[0].Summary().Test, "dry_run")
	body := []byte(res[2].Request)
	on, err := c.ParseBody(body, http.Header{"Authorization": {xsollatest.Sign(body, "hook-secret")}})
	require.NoError(t, err)
	assert.True(t, on.Summary().Test, "order.mode sandbox")
	assert.Equal(t, c.IdempotencyKey(events[0]), c.IdempotencyKey(on), "same test flag, same key")
}

func TestWebhookRetriedOn5xxNotOn4xx(t *testing.T) {
	sh, emu, c := setup(t, true)
	ctx := context.Background()
	tok, err := c.CreateToken(ctx, xsolla.TokenRequest{UserID: "u", Checkout: &paykit.Money{Amount: 100, Currency: "EUR"}})
	require.NoError(t, err)
	sh.failing.Store(2)
	_, err = emu.Pay(ctx, tok)
	require.NoError(t, err)
	var statuses []int
	for _, d := range sent(t, emu, tok) {
		if d.Event == "payment" {
			statuses = append(statuses, d.Status)
		}
	}
	assert.Equal(t, []int{500, 500, 204}, statuses)
	assert.Len(t, sh.recorded(), 1)

	tok2, err := c.CreateToken(ctx, xsolla.TokenRequest{UserID: "nobody", Checkout: &paykit.Money{Amount: 100, Currency: "EUR"}})
	require.NoError(t, err)
	sh.refuse.Store(true)
	_, err = emu.Pay(ctx, tok2)
	assert.ErrorIs(t, err, xsollatest.ErrRejected)
	res := sent(t, emu, tok2)
	require.Len(t, res, 1, "a 4xx is not retried and stops the payment")
	assert.Equal(t, 400, res[0].Status)
	assert.Contains(t, res[0].Reply, "INVALID_USER")
	s, _ := emu.Order(tok2)
	assert.Equal(t, xsollatest.StateDeclined, s.State)
	assert.Len(t, sh.recorded(), 1)
}

func TestCancelSendsNothing(t *testing.T) {
	_, emu, c := setup(t, true)
	tok, err := c.CreateToken(context.Background(), xsolla.TokenRequest{UserID: "u", Checkout: &paykit.Money{Amount: 1, Currency: "USD"}})
	require.NoError(t, err)
	resp, err := http.PostForm(emu.URL+"/paystation4/cancel", url.Values{"token": {tok}})
	require.NoError(t, err)
	resp.Body.Close()
	s, _ := emu.Order(tok)
	assert.Equal(t, xsollatest.StateCanceled, s.State)
	assert.Empty(t, emu.Deliveries())
	_, err = emu.Pay(context.Background(), tok)
	assert.ErrorIs(t, err, xsollatest.ErrState)
	_, err = emu.Pay(context.Background(), "nope")
	assert.ErrorIs(t, err, xsollatest.ErrNotFound)
}

func TestTokenEndpointsCheckAuthAndBody(t *testing.T) {
	_, emu, _ := setup(t, false)
	ctx := context.Background()
	badKey := emu.ClientConfig()
	badKey.APIKey = "wrong"
	c, err := xsolla.New(badKey)
	require.NoError(t, err)
	_, err = c.CreateToken(ctx, xsolla.TokenRequest{UserID: "u", Checkout: &paykit.Money{Amount: 1, Currency: "USD"}})
	var ae *paykit.APIError
	require.True(t, errors.As(err, &ae))
	assert.Equal(t, 401, ae.StatusCode)
	assert.NotContains(t, err.Error(), "wrong")

	_, err = c.CreatePaymentToken(ctx, xsolla.TokenRequest{UserID: "u", Country: "US", Items: []xsolla.ItemQuantity{{SKU: "sword", Quantity: 1}}})
	require.True(t, errors.As(err, &ae))
	assert.Equal(t, 401, ae.StatusCode)
	assert.Equal(t, "1020", ae.Code)

	merchantUser := emu.ClientConfig()
	merchantUser.StoreAuthUser = "2340"
	c, err = xsolla.New(merchantUser)
	require.NoError(t, err)
	_, err = c.CreatePaymentToken(ctx, xsolla.TokenRequest{UserID: "u", Country: "US", Items: []xsolla.ItemQuantity{{SKU: "sword", Quantity: 1}}})
	require.True(t, errors.As(err, &ae), "merchant id is refused unless the emulator is told to accept it")

	c, err = xsolla.New(emu.ClientConfig())
	require.NoError(t, err)
	_, err = c.CreatePaymentToken(ctx, xsolla.TokenRequest{UserID: "u", UserIP: "203.0.113.1", Items: []xsolla.ItemQuantity{{SKU: "shield", Quantity: 1}}})
	require.True(t, errors.As(err, &ae))
	assert.Equal(t, "4001", ae.Code)

	// Raw requests: unknown parameters and missing country are 422.
	for _, tc := range []struct{ path, user, body string }{
		{"/merchant/v2/merchants/2340/token", "2340", `{"user":{"id":{"value":"u"}},"settings":{"project_id":18404},"purchase":{"checkout":{"amount":1,"currency":"USD"}},"surprise":1}`},
		{"/merchant/v2/merchants/2340/token", "2340", `{"user":{"id":{"value":"u"}},"settings":{"project_id":18404},"purchase":{"checkout":{"amount":1.001,"currency":"USD"}}}`},
		{"/api/v3/project/18404/admin/payment/token", "18404", `{"user":{"id":{"value":"u"}},"purchase":{"items":[{"sku":"sword","quantity":1}]}}`},
		{"/api/v3/project/18404/admin/payment/token", "18404", `{"user":{"id":{"value":"u"},"country":{"value":"US"}},"purchase":{"items":[{"sku":"sword","quantity":1}],"checkout":{"amount":1,"currency":"USD"}}}`},
		{"/api/v3/project/18404/admin/payment/token", "18404", `{"user":{"id":{"value":"u"},"country":{"value":"US"}},"settings":{"mode":"sandbox"},"purchase":{"items":[{"sku":"sword","quantity":1}]}}`},
		{"/merchant/v2/merchants/2340/token", "2340", `{"user":{"id":{"value":"u"}},"settings":{"project_id":18404},"purchase":{"virtual_items":{"items":[{"sku":"sword","amount":1}]}}}`},
	} {
		req, _ := http.NewRequest(http.MethodPost, emu.URL+tc.path, strings.NewReader(tc.body))
		req.SetBasicAuth(tc.user, "api-key")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, 422, resp.StatusCode, tc.body)
	}
}

func TestMountedUnderPrefix(t *testing.T) {
	sh := &shop{}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	emu, err := xsollatest.New(xsollatest.Options{
		MerchantID: 1, ProjectID: 2, APIKey: "k", WebhookSecret: "s", Catalog: catalog,
		WebhookURL: srv.URL + "/hook", Prefix: "/emulator/xsolla/", BaseURL: srv.URL + "/emulator/xsolla",
	})
	require.NoError(t, err)
	defer emu.Close()
	c, err := xsolla.New(emu.ClientConfig())
	require.NoError(t, err)
	mux.Handle("/emulator/xsolla/", emu)
	mux.Handle("/hook", c.Handler(paykit.Hooks{Event: func(_ context.Context, n paykit.Notification) error {
		sh.mu.Lock()
		defer sh.mu.Unlock()
		sh.events = append(sh.events, n)
		return nil
	}}))
	u, err := c.BuildPaymentURL(context.Background(), xsolla.TokenRequest{UserID: "u", Checkout: &paykit.Money{Amount: 5, Currency: "JPY"}})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(u, srv.URL+"/emulator/xsolla/paystation4/?token="))
	resp, err := http.Get(u)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	resp, err = http.PostForm(srv.URL+"/emulator/xsolla/paystation4/pay", url.Values{"token": {mustToken(t, u)}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Len(t, sh.recorded(), 1)
	assert.Equal(t, paykit.Money{Amount: 5, Currency: "JPY"}, sh.recorded()[0].Summary().Amount)
	resp, err = http.Get(srv.URL + "/emulator/xsolla/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
}

func TestCloseStopsRetries(t *testing.T) {
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer hang.Close()
	emu, err := xsollatest.NewServer(xsollatest.Options{
		MerchantID: 1, ProjectID: 2, APIKey: "k", WebhookSecret: "s", WebhookURL: hang.URL,
		RetrySchedule: []time.Duration{time.Hour},
	})
	require.NoError(t, err)
	c, err := xsolla.New(emu.ClientConfig())
	require.NoError(t, err)
	tok, err := c.CreateToken(context.Background(), xsolla.TokenRequest{UserID: "u", Checkout: &paykit.Money{Amount: 1, Currency: "USD"}})
	require.NoError(t, err)
	// user_validation is answered 503: Pay returns declined at once, no
	// retry of a request Pay needs answered.
	o, err := emu.Pay(context.Background(), tok)
	assert.ErrorIs(t, err, xsollatest.ErrRejected)
	assert.Equal(t, xsollatest.StateDeclined, o.State)

	// A refund answered 503 waits an hour for its retry; Close does not.
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.Header.Get("Authorization"), "Signature") && r.ContentLength > 0 {
			b, _ := io.ReadAll(r.Body)
			if strings.Contains(string(b), `"refund"`) {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer ok.Close()
	emu2, err := xsollatest.NewServer(xsollatest.Options{
		MerchantID: 1, ProjectID: 2, APIKey: "k", WebhookSecret: "s", WebhookURL: ok.URL,
		RetrySchedule: []time.Duration{time.Hour},
	})
	require.NoError(t, err)
	c2, err := xsolla.New(emu2.ClientConfig())
	require.NoError(t, err)
	tok2, err := c2.CreateToken(context.Background(), xsolla.TokenRequest{UserID: "u", Checkout: &paykit.Money{Amount: 1, Currency: "USD"}})
	require.NoError(t, err)
	_, err = emu2.Pay(context.Background(), tok2)
	require.NoError(t, err)
	_, err = emu2.Refund(context.Background(), tok2)
	require.NoError(t, err)
	expired, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, emu2.Wait(expired), context.Canceled, "the refund's retry is pending")
	emu2.Close() // a Close that waited for the retry would hang until go test's timeout
	require.NoError(t, emu2.Wait(context.Background()))
	emu.Close()
}

func TestSignerMatchesVectors(t *testing.T) {
	assert.Equal(t, "Signature 89404631c86da9f508954da7b50799199a6b1d3a",
		xsollatest.Sign([]byte(`{"notification_type": "payment"}`), "PROJECT_SECRET_KEY"))
	body := []byte(`{"notification_type": "payment", "transaction": {"id": 1}}`)
	c, err := xsolla.New(xsolla.Config{ProjectID: 1, WebhookSecret: "x", AllowedIPs: xsolla.WebhookIPs()})
	require.NoError(t, err)
	n, err := c.ParseCallback(xsollatest.Signer{Secret: "x"}.NewRequest("/hook", body))
	require.NoError(t, err)
	assert.Equal(t, paykit.KindPayment, n.Summary().Kind)
}

func mustToken(t *testing.T, payURL string) string {
	t.Helper()
	u, err := url.Parse(payURL)
	require.NoError(t, err)
	tok := u.Query().Get("token")
	require.NotEmpty(t, tok)
	return tok
}

// resendLast redelivers the last delivery of typ as Xsolla would and
// returns the shop's status.
func resendLast(t *testing.T, emu *xsollatest.Server, sh *shop, typ string) int {
	t.Helper()
	var body []byte
	for _, d := range emu.Deliveries() {
		if d.Event == typ {
			body = []byte(d.Request)
		}
	}
	require.NotNil(t, body)
	resp, err := xsollatest.Signer{Secret: "hook-secret"}.Send(context.Background(), sh.srv.URL+"/xsolla", body)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

func TestClientConfigWithoutBaseURLFailsClosed(t *testing.T) {
	emu, err := xsollatest.New(xsollatest.Options{MerchantID: 1, ProjectID: 2, APIKey: "k"})
	require.NoError(t, err)
	defer emu.Close()
	cfg := emu.ClientConfig()
	for _, u := range []string{cfg.BaseURL, cfg.StoreBaseURL, cfg.PayStationURL} {
		assert.True(t, strings.HasPrefix(u, "http://xsollatest.invalid"), u)
	}
}

func TestResendDeliversTheLastWebhookAgainByteForByte(t *testing.T) {
	sh, emu, c := setup(t, false)
	ctx := context.Background()
	tok, err := c.CreateToken(ctx, xsolla.TokenRequest{UserID: "u", Checkout: &paykit.Money{Amount: 100, Currency: "USD"}})
	require.NoError(t, err)
	_, err = emu.Pay(ctx, tok)
	require.NoError(t, err)
	before := emu.Deliveries()
	last := before[len(before)-1]
	d, err := emu.Resend(ctx, last.ID)
	require.NoError(t, err)
	assert.Equal(t, "payment", d.Event)
	assert.True(t, d.Resent)
	assert.Equal(t, last.Request, d.Request, "the same bytes")
	assert.Equal(t, http.StatusNoContent, d.Status)
	assert.Equal(t, 2, d.Attempt)
	assert.Len(t, sh.recorded(), 1, "the duplicate runs no Event")
	s, _ := emu.Order(tok)
	assert.Equal(t, xsollatest.StatePaid, s.State)
	_, err = emu.Resend(ctx, "nope")
	assert.ErrorIs(t, err, xsollatest.ErrNotFound)
}

func TestPayStationButtonSendsTheWebhookAgain(t *testing.T) {
	sh, emu, c := setup(t, false)
	tok, err := c.CreateToken(context.Background(), xsolla.TokenRequest{UserID: "u", Checkout: &paykit.Money{Amount: 100, Currency: "USD"}})
	require.NoError(t, err)
	post := func(action string) string {
		resp, err := http.PostForm(emu.URL+"/paystation4/"+action, url.Values{"token": {tok}})
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		require.Equal(t, http.StatusOK, resp.StatusCode, string(b))
		return string(b)
	}
	page := post("pay")
	assert.Contains(t, page, "Send the callback again")
	n := len(emu.Deliveries())
	page = post("resend")
	assert.Contains(t, page, `id="status">paid<`)
	assert.Len(t, emu.Deliveries(), n+1)
	assert.Len(t, sh.recorded(), 1)
}

func TestInvalidOptionsAreErrors(t *testing.T) {
	for name, o := range map[string]xsollatest.Options{
		"no merchant":          {ProjectID: 2, APIKey: "k"},
		"no project":           {MerchantID: 1, APIKey: "k"},
		"no api key":           {MerchantID: 1, ProjectID: 2},
		"webhook, no secret":   {MerchantID: 1, ProjectID: 2, APIKey: "k", WebhookURL: "http://127.0.0.1:1/x"},
		"relative webhook url": {MerchantID: 1, ProjectID: 2, APIKey: "k", WebhookSecret: "s", WebhookURL: "/x"},
		"negative delay":       {MerchantID: 1, ProjectID: 2, APIKey: "k", RetrySchedule: []time.Duration{-1}},
	} {
		_, err := xsollatest.New(o)
		assert.Error(t, err, name)
		_, err = xsollatest.NewServer(o)
		assert.Error(t, err, name)
	}
	_, err := xsollatest.New(xsollatest.Options{MerchantID: 1, ProjectID: 2, APIKey: "k", BaseURL: "emulator/xsolla"})
	assert.Error(t, err, "relative BaseURL")
}

func TestNewServerHonoursThePrefix(t *testing.T) {
	emu, err := xsollatest.NewServer(xsollatest.Options{MerchantID: 1, ProjectID: 2, APIKey: "k", Prefix: "/emulator/xsolla/"})
	require.NoError(t, err)
	defer emu.Close()
	assert.True(t, strings.HasSuffix(emu.URL, "/emulator/xsolla"), emu.URL)
	assert.Equal(t, emu.URL, emu.Emulator.URL())
	resp, err := http.Get(emu.URL + "/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestDefaultRetryScheduleIsXsollas(t *testing.T) {
	s := xsollatest.DefaultRetrySchedule()
	require.Len(t, s, 19)
	assert.Equal(t, 5*time.Minute, s[0])
	assert.Equal(t, 15*time.Minute, s[2])
	assert.Equal(t, time.Hour, s[18])
	s[0] = 0
	assert.Equal(t, 5*time.Minute, xsollatest.DefaultRetrySchedule()[0], "a fresh copy each time")
}

// TestPayStationIsACredibleCheckout: Pay Station has the TEST MODE banner,
// the project, the merchant's order, the item, the total in major units
// with its currency, the outcomes to simulate and the way back to the game.
func TestPayStationIsACredibleCheckout(t *testing.T) {
	_, emu, c := setup(t, false)
	pt, err := c.CreatePaymentToken(context.Background(), xsolla.TokenRequest{
		UserID: "player-7", Country: "US", ExternalID: "order-9", ReturnURL: "https://game.example/back",
		Items: []xsolla.ItemQuantity{{SKU: "sword", Quantity: 2}},
	})
	require.NoError(t, err)
	resp, err := http.Get(emu.URL + "/paystation4/?token=" + pt.Token)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(b)
	for _, want := range []string{"TEST MODE", `id="merchant">Project 18404<`, `id="reference">order-9 · Xsolla order`,
		`id="item">sword<`, `id="amount">25.00 USD<`, "Pay 25.00 USD", `action="decline"`, `action="cancel"`,
		`id="back" href="https://game.example/back"`, `rel="icon"`} {
		assert.Contains(t, page, want)
	}
	assert.NotContains(t, page, "2500")
	o, err := emu.Decline(context.Background(), pt.Token)
	require.NoError(t, err)
	assert.Equal(t, xsollatest.StateDeclined, o.State)
	assert.Empty(t, emu.Deliveries(), "a declined payment sends no webhook")
}

func TestOrdersAreBoundedAndWebhooksCanBeDropped(t *testing.T) {
	sh := &shop{}
	sh.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sh.mu.Lock()
		sh.users++
		sh.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer sh.srv.Close()
	emu, err := xsollatest.NewServer(xsollatest.Options{MerchantID: 1, ProjectID: 2, APIKey: "k",
		WebhookSecret: "s", WebhookURL: sh.srv.URL, MaxOrders: 2, DropCallbacks: true})
	require.NoError(t, err)
	defer emu.Close()
	c, err := xsolla.New(emu.ClientConfig())
	require.NoError(t, err)
	var toks []string
	for range 3 {
		tok, err := c.CreateToken(context.Background(), xsolla.TokenRequest{UserID: "u", Checkout: &paykit.Money{Amount: 1, Currency: "USD"}})
		require.NoError(t, err)
		toks = append(toks, tok)
	}
	require.Len(t, emu.Orders(), 2)
	_, err = emu.Pay(context.Background(), toks[0])
	assert.ErrorIs(t, err, xsollatest.ErrNotFound, "the oldest token is forgotten")
	o, err := emu.Pay(context.Background(), toks[2])
	require.NoError(t, err)
	assert.Equal(t, xsollatest.StatePaid, o.State)
	ds := sent(t, emu, toks[2])
	assert.Equal(t, []string{"user_validation", "payment"}, types(ds))
	assert.Equal(t, "dropped", string(ds[1].Outcome))
	assert.Equal(t, 1, sh.users, "only user_validation reached the merchant")
}
