package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/examples/internal/emulators"
	"github.com/paykit-go/paykit/paysera"
	"github.com/paykit-go/paykit/paysera/checkout"
	"github.com/paykit-go/paykit/paysera/payseratest"
	"github.com/paykit-go/paykit/playvision"
	"github.com/paykit-go/paykit/vkpay"
	"github.com/paykit-go/paykit/xsolla"
)

// receiver is a merchant with the four handlers on the demo accounts,
// remembering what reached its hooks.
type receiver struct {
	mu      sync.Mutex
	summary []paykit.Summary
	srv     *httptest.Server
}

func (r *receiver) record(n paykit.Notification) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.summary = append(r.summary, n.Summary())
}

func (r *receiver) last(t *testing.T) paykit.Summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	require.NotEmpty(t, r.summary)
	return r.summary[len(r.summary)-1]
}

func newReceiver(t *testing.T, payseraKey []byte) *receiver {
	r := &receiver{}
	hooks := paykit.Hooks{
		Item: func(_ context.Context, req paykit.ItemRequest) (paykit.Item, error) {
			r.record(req.Notification)
			item := paykit.Item{ID: req.Item, Title: "Thing", Price: 5}
			if strings.HasPrefix(req.Notification.Summary().Type, "get_subscription") {
				item.Period = 30 * 24 * time.Hour
			}
			return item, nil
		},
		User:  func(_ context.Context, n paykit.Notification) error { r.record(n); return nil },
		Event: func(_ context.Context, n paykit.Notification) error { r.record(n); return nil },
	}
	ps, err := paysera.New(paysera.Config{ProjectID: emulators.DemoPayseraProject, Password: emulators.DemoPayseraPassword, PublicKeyPEM: payseraKey})
	require.NoError(t, err)
	vk, err := vkpay.New(vkpay.Config{AppID: emulators.DemoVKApp, Secret: emulators.DemoVKSecret})
	require.NoError(t, err)
	xs, err := xsolla.New(xsolla.Config{MerchantID: emulators.DemoXsollaMerchant, ProjectID: emulators.DemoXsollaProject,
		APIKey: "unused", WebhookSecret: emulators.DemoXsollaSecret})
	require.NoError(t, err)
	pv, err := playvision.New(playvision.Config{AppID: emulators.DemoPlayvisionApp, Secret: emulators.DemoPlayvisionSecret})
	require.NoError(t, err)
	co, err := checkout.New(checkout.Config{ClientID: emulators.DemoPayseraCheckoutClientID,
		ClientSecret: emulators.DemoPayseraCheckoutClientSecret})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/paysera_checkout", co.Handler(hooks))
	mux.Handle("/paysera", ps.Handler(hooks))
	mux.Handle("/vkpay", vk.Handler(hooks))
	mux.Handle("/xsolla", xs.Handler(hooks))
	mux.Handle("/playvision", pv.Handler(hooks))
	r.srv = httptest.NewServer(mux)
	t.Cleanup(r.srv.Close)
	return r
}

func trigger(t *testing.T, r *receiver, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), args, &out, r.srv.Client()))
	return out.String()
}

func TestTriggerSendsVerifiedNotifications(t *testing.T) {
	r := newReceiver(t, nil)
	cases := []struct {
		args   []string
		reply  string
		expect paykit.Summary
	}{
		{[]string{"-provider", "paysera", "-order", "42", "-amount", "499", "-id", "9001", "-test"}, "HTTP 200 OK\nOK",
			paykit.Summary{Provider: paykit.Paysera, Type: "macro", Kind: paykit.KindPayment, Status: paykit.StatusPaid,
				ID: "9001", OrderID: "42", Amount: paykit.Money{Amount: 499, Currency: "EUR"}, Test: true}},
		{[]string{"-provider", "paysera", "-order", "42", "-amount", "499", "-id", "9001", "-status", "2"}, "HTTP 200 OK\nOK",
			paykit.Summary{Provider: paykit.Paysera, Type: "macro", Kind: paykit.KindPayment, Status: paykit.StatusPending,
				ID: "9001", OrderID: "42", Amount: paykit.Money{Amount: 499, Currency: "EUR"}}},
		{[]string{"-provider", "paysera_checkout", "-order", "44", "-id", "o-9"}, "HTTP 200 OK",
			paykit.Summary{Provider: paykit.PayseraCheckout, Type: "order/amount_paid_updated", Kind: paykit.KindPayment,
				Status: paykit.StatusPaid, ID: "o-9", OrderID: "44", Amount: paykit.Money{Amount: 499, Currency: "EUR"}}},
		{[]string{"-provider", "paysera_checkout", "-type", "refund/status_updated", "-order", "44", "-id", "r-1", "-amount", "200"}, "HTTP 200 OK",
			paykit.Summary{Provider: paykit.PayseraCheckout, Type: "refund/status_updated", Kind: paykit.KindRefund,
				Status: paykit.StatusRefunded, ID: "r-1", OrderID: "44", Amount: paykit.Money{Amount: 200, Currency: "EUR"}}},
		{[]string{"-provider", "vkpay", "-type", "get_item_test", "-item", "order-7", "-id", "55"}, `"title":"Thing"`,
			paykit.Summary{Provider: paykit.VKPay, Type: "get_item_test", Kind: paykit.KindItemRequest, ID: "55", UserID: "1", Test: true}},
		{[]string{"-provider", "vkpay", "-item", "order-7", "-id", "55", "-amount", "5", "-status", "refunded"}, `{"response":{"order_id":55`,
			paykit.Summary{Provider: paykit.VKPay, Type: "order_status_change", Kind: paykit.KindRefund, Status: paykit.StatusRefunded,
				ID: "55", UserID: "1", Amount: paykit.Money{Amount: 5}}},
		{[]string{"-provider", "xsolla", "-type", "user_validation", "-user", "u-1"}, "HTTP 204 No Content",
			paykit.Summary{Provider: paykit.Xsolla, Type: "user_validation", Kind: paykit.KindUserCheck, UserID: "u-1"}},
		{[]string{"-provider", "xsolla", "-order", "43", "-amount", "999", "-id", "800001", "-test"}, "HTTP 204 No Content",
			paykit.Summary{Provider: paykit.Xsolla, Type: "payment", Kind: paykit.KindPayment, Status: paykit.StatusPaid,
				ID: "800001", OrderID: "43", UserID: "1", Amount: paykit.Money{Amount: 999, Currency: "EUR"}, Test: true}},
		{[]string{"-provider", "xsolla", "-type", "refund", "-order", "43", "-amount", "999", "-id", "800001"}, "HTTP 204 No Content",
			paykit.Summary{Provider: paykit.Xsolla, Type: "refund", Kind: paykit.KindRefund, Status: paykit.StatusRefunded,
				ID: "800001", OrderID: "43", UserID: "1", Amount: paykit.Money{Amount: 999, Currency: "EUR"}}},
		{[]string{"-provider", "playvision", "-type", "get_item", "-item", "order-8"}, `"item_title":"Thing"`,
			paykit.Summary{Provider: paykit.Playvision, Type: "get_item", Kind: paykit.KindItemRequest, UserID: "1"}},
		{[]string{"-provider", "playvision", "-item", "order-8", "-id", "1001", "-amount", "50", "-test"}, `{"status":"1","message":"success"}`,
			paykit.Summary{Provider: paykit.Playvision, Type: "order_status_change_test", Kind: paykit.KindPayment,
				Status: paykit.StatusPaid, ID: "1001", UserID: "1", Amount: paykit.Money{Amount: 50}, Test: true}},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out := trigger(t, r, append(tc.args, "-url", r.srv.URL+"/"+tc.args[1])...)
			assert.Contains(t, out, tc.reply)
			assert.Equal(t, tc.expect, r.last(t))
		})
	}
}

func TestTriggerWrongSecretIsRefused(t *testing.T) {
	r := newReceiver(t, nil)
	// Each receiver's own refusal: its HTTP status and its error in the body.
	for provider, want := range map[string][]string{
		"paysera":          {"HTTP 400 Bad Request\n"},
		"paysera_checkout": {"HTTP 400 Bad Request\n"},
		"vkpay":            {"HTTP 200 OK\n", `"error_code":10`},
		"xsolla":           {"HTTP 400 Bad Request\n", "INVALID_SIGNATURE"},
		"playvision":       {"HTTP 200 OK\n", `{"status":"-1","message":"Invalid signature"}`},
	} {
		var buf bytes.Buffer
		err := run(context.Background(), []string{"-provider", provider, "-secret", "not-the-secret", "-amount", "100", "-id", "5",
			"-order", "7", "-url", r.srv.URL + "/" + provider}, &buf, r.srv.Client())
		assert.ErrorIs(t, err, errRefused, "a refusal is an error: trigger exits non-zero")
		out := buf.String()
		assert.True(t, strings.HasPrefix(out, want[0]), "%s: %q", provider, out)
		for _, w := range want[1:] {
			assert.Contains(t, out, w, provider)
		}
		assert.NotContains(t, out, "OK\n"+"OK", provider)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	assert.Empty(t, r.summary, "nothing refused reaches a hook")
}

func TestTriggerSignsPayseraWithAKey(t *testing.T) {
	signer, err := payseratest.NewSigner(emulators.DemoPayseraProject, emulators.DemoPayseraPassword)
	require.NoError(t, err)
	keyFile := filepath.Join(t.TempDir(), "key.pem")
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY",
		Bytes: x509.MarshalPKCS1PrivateKey(signer.Key)}), 0o600))
	r := newReceiver(t, signer.PublicKeyPEM())
	out := trigger(t, r, "-provider", "paysera", "-paysera-key", keyFile, "-order", "9", "-amount", "100", "-id", "77",
		"-show", "-url", r.srv.URL+"/paysera")
	assert.Contains(t, out, "ss2=")
	assert.Contains(t, out, "HTTP 200 OK\nOK")
	assert.Equal(t, "9", r.last(t).OrderID)
}

// countingServer answers 200 to anything and counts the requests it got.
func countingServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		_, _ = io.WriteString(w, "OK")
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// TestTriggerFlagErrors checks that bad flags fail with their own message
// before anything is sent: the -url given is a live server that counts
// requests, so a flag the trigger forgot to check shows up as a request
// (or as a different error), not as a lucky "connection refused".
func TestTriggerFlagErrors(t *testing.T) {
	srv, hits := countingServer(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-provider", "vkpay"}, "-url is required"},
		{[]string{"-url", srv.URL}, "-provider is required"},
		{[]string{"-provider", "stripe", "-url", srv.URL}, `unknown provider "stripe"`},
		{[]string{"-provider", "vkpay", "-type", "refund", "-url", srv.URL}, `vkpay types are`},
		{[]string{"-provider", "xsolla", "-currency", "XXXX", "-url", srv.URL}, "currency"},
		{[]string{"-provider", "playvision", "-user", "me", "-url", srv.URL}, `-user must be a positive number, got "me"`},
		{[]string{"-provider", "vkpay", "-url", srv.URL, "extra"}, `unexpected argument "extra"`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			err := run(context.Background(), tc.args, io.Discard, srv.Client())
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			var netErr *net.OpError
			assert.False(t, errors.As(err, &netErr), "a flag error is not a connection error: %v", err)
		})
	}
	assert.Zero(t, hits.Load(), "no bad invocation sends anything")
}

// TestTriggerConnectionErrorIsItsOwnOutcome: a receiver that cannot be
// reached is an error wrapping the network failure, while a receiver that
// refuses the notification is errRefused, after its status and body are
// printed (see TestTriggerWrongSecretIsRefused).
func TestTriggerConnectionErrorIsItsOwnOutcome(t *testing.T) {
	srv, _ := countingServer(t)
	closedURL := srv.URL
	srv.Close()
	err := run(context.Background(), []string{"-provider", "playvision", "-id", "5", "-url", closedURL}, io.Discard, http.DefaultClient)
	require.Error(t, err)
	var netErr *net.OpError
	assert.True(t, errors.As(err, &netErr), "want a network error, got %v", err)
	assert.ErrorIs(t, err, syscall.ECONNREFUSED)

	r := newReceiver(t, nil)
	var out bytes.Buffer
	err = run(context.Background(), []string{"-provider", "playvision", "-secret", "not-the-secret", "-id", "5",
		"-url", r.srv.URL + "/playvision"}, &out, r.srv.Client())
	require.ErrorIs(t, err, errRefused)
	assert.False(t, errors.As(err, &netErr))
	assert.Equal(t, "HTTP 200 OK\n"+`{"status":"-1","message":"Invalid signature"}`+"\n", out.String())
}

// TestTriggerXsollaOrderPaidNamesTheTransaction: Xsolla's order_paid names
// the purchase's transaction in order.invoice_id (the merchant's order id
// is not in it), so a payment and an order_paid sent for one -id are one
// purchase: Event runs once and the second delivery is answered from the
// store.
func TestTriggerXsollaOrderPaidNamesTheTransaction(t *testing.T) {
	r := newReceiver(t, nil)
	url := r.srv.URL + "/xsolla"
	out := trigger(t, r, "-provider", "xsolla", "-order", "43", "-amount", "999", "-id", "800002", "-url", url)
	assert.Contains(t, out, "HTTP 204 No Content")
	out = trigger(t, r, "-provider", "xsolla", "-type", "order_paid", "-order", "43", "-amount", "999", "-id", "800002", "-url", url)
	assert.Contains(t, out, "HTTP 204 No Content")
	r.mu.Lock()
	defer r.mu.Unlock()
	require.Len(t, r.summary, 1, "one purchase, one event")
	assert.Equal(t, "payment", r.summary[0].Type)
}
