package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/paysera"
	"github.com/paykit-go/paykit/playvision"
	"github.com/paykit-go/paykit/vkpay"
	"github.com/paykit-go/paykit/xsolla"
)

func TestParseFlags(t *testing.T) {
	c, err := parseFlags(nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:8090", c.addr)
	assert.Equal(t, "http://127.0.0.1:8080/callback/vkpay", c.vk.NotifyURL)
	assert.Nil(t, c.retry)

	c, err = parseFlags([]string{"-retry", "5ms,10ms", "-xsolla-item", "gems_500=499:usd", "-vk-test"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{5 * time.Millisecond, 10 * time.Millisecond}, c.retry)
	assert.Equal(t, paykit.Money{Amount: 499, Currency: "USD"}, c.xsolla.Catalog["gems_500"])
	assert.True(t, c.vk.Test)

	for _, bad := range [][]string{
		{"-retry", "soon"}, {"-retry", "-1s"}, {"-xsolla-item", "gems"}, {"-xsolla-item", "g=4.99:USD"}, {"extra"},
	} {
		_, err := parseFlags(bad, io.Discard)
		assert.Error(t, err, "%v", bad)
	}
}

// merchant is a stand-in for the merchant's application: the four
// providers' handlers with one set of hooks, counting what they fulfil.
type merchant struct {
	mu          sync.Mutex
	events      []paykit.Summary
	refuseItems atomic.Bool // answer every item request "unknown item"
}

func (m *merchant) hooks() paykit.Hooks {
	return paykit.Hooks{
		Item: func(_ context.Context, req paykit.ItemRequest) (paykit.Item, error) {
			if m.refuseItems.Load() {
				return paykit.Item{}, paykit.ErrUnknownItem
			}
			return paykit.Item{ID: req.Item, Title: "Gems", Price: 10}, nil
		},
		Event: func(_ context.Context, n paykit.Notification) error {
			m.mu.Lock()
			defer m.mu.Unlock()
			m.events = append(m.events, n.Summary())
			return nil
		},
	}
}

func (m *merchant) paid() map[paykit.Provider]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[paykit.Provider]int{}
	for _, s := range m.events {
		if s.Kind == paykit.KindPayment && s.Status == paykit.StatusPaid {
			out[s.Provider]++
		}
	}
	return out
}

// TestSandboxServesACheckout runs a merchant's checkout against the
// sandbox, as a CI job would: one payment through each provider.
func TestSandboxServesACheckout(t *testing.T) {
	m := &merchant{}
	app := http.NewServeMux()
	appSrv := httptest.NewServer(app)
	defer appSrv.Close()

	c, err := parseFlags([]string{"-retry", "5ms,10ms",
		"-vk-notify-url", appSrv.URL + "/vk", "-xsolla-webhook-url", appSrv.URL + "/xsolla",
		"-playvision-callback-url", appSrv.URL + "/playvision"}, io.Discard)
	require.NoError(t, err)
	srv := httptest.NewUnstartedServer(nil)
	s, err := newSandbox(c, "http://"+srv.Listener.Addr().String())
	require.NoError(t, err)
	srv.Config.Handler = s.mux
	srv.Start()
	defer srv.Close()
	defer s.set.Close()

	hooks := m.hooks()
	ps, err := paysera.New(paysera.Config{ProjectID: c.paysera.ProjectID, Password: c.paysera.Password,
		BaseURL: srv.URL + "/paysera", FetchPublicKey: true})
	require.NoError(t, err)
	vk, err := vkpay.New(vkpay.Config{AppID: c.vk.AppID, Secret: c.vk.Secret})
	require.NoError(t, err)
	xs, err := xsolla.New(xsolla.Config{MerchantID: c.xsolla.MerchantID, ProjectID: c.xsolla.ProjectID,
		APIKey: c.xsolla.APIKey, WebhookSecret: c.xsolla.WebhookSecret, BaseURL: srv.URL + "/xsolla",
		PayStationURL: srv.URL + "/xsolla/paystation4/"})
	require.NoError(t, err)
	pv, err := playvision.New(playvision.Config{AppID: c.playvision.AppID, Secret: c.playvision.Secret, BaseURL: srv.URL + "/playvision"})
	require.NoError(t, err)
	app.Handle("/paysera", ps.Handler(hooks))
	app.Handle("/vk", vk.Handler(hooks))
	app.Handle("/xsolla", xs.Handler(hooks))
	app.Handle("/playvision", pv.Handler(hooks))

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	payURL, err := ps.BuildPaymentURL(paysera.PaymentRequest{OrderID: "7", Amount: 250, Currency: "EUR",
		AcceptURL: appSrv.URL + "/ok", CancelURL: appSrv.URL + "/cancel", CallbackURL: appSrv.URL + "/paysera"})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(payURL, srv.URL+"/paysera/pay/"), payURL)
	id, err := s.set.Paysera.Open(payURL)
	require.NoError(t, err)
	_, err = s.set.Paysera.Pay(ctx, id)
	require.NoError(t, err)
	require.NoError(t, s.set.Paysera.Wait(ctx))

	o, err := s.set.VK.Open(ctx, "gems", 1)
	require.NoError(t, err)
	_, err = s.set.VK.Pay(ctx, o.ID)
	require.NoError(t, err)

	token, err := xs.CreateToken(ctx, xsolla.TokenRequest{UserID: "u1", ExternalID: "8",
		Checkout: &paykit.Money{Amount: 499, Currency: "USD"}})
	require.NoError(t, err)
	assert.Equal(t, srv.URL+"/xsolla/paystation4/?token="+token, xs.PaymentURL(token))
	_, err = s.set.Xsolla.Pay(ctx, token)
	require.NoError(t, err)

	windowURL, err := pv.BuildPaymentURL(playvision.PaymentWindow{UserID: 1, Item: "gems", Token: s.set.Playvision.Token(1)})
	require.NoError(t, err)
	resp, err := srv.Client().Get(windowURL) // the purchase dialog asks the app with get_item
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	orders := s.set.Playvision.Orders()
	require.Len(t, orders, 1)
	_, err = s.set.Playvision.Pay(ctx, orders[0].TransactionID)
	require.NoError(t, err)

	assert.Equal(t, map[paykit.Provider]int{paykit.Paysera: 1, paykit.VKPay: 1, paykit.Xsolla: 1, paykit.Playvision: 1}, m.paid())
}

func TestRunPrintsURLsAndStops(t *testing.T) {
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0"}, pw)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	require.True(t, lines.Scan())
	base, ok := strings.CutPrefix(lines.Text(), "paykit sandbox: ")
	require.True(t, ok, lines.Text())
	var printed []string
	for i := 0; i < 10 && lines.Scan(); i++ {
		printed = append(printed, lines.Text())
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	assert.Contains(t, strings.Join(printed, "\n"), base+"/playvision")
	assert.Contains(t, strings.Join(printed, "\n"), "  Paysera Checkout:  "+base+"/paysera-checkout\n")

	resp, err := http.Get(base + "/")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(body), base+"/xsolla/")

	cancel()
	// A run that does not stop hangs here until go test's own timeout:
	// no wall-clock guard that a loaded machine could trip.
	assert.NoError(t, <-done)
}
