package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/examples/internal/emulators"
	"github.com/paykit-go/paykit/vkpay/merchant"
	"github.com/paykit-go/paykit/xsolla"
)

// merchantReceiver is a VK Pay merchant handler trusting a fresh key, and
// that key's PEM file for -vkpay-key.
func merchantReceiver(t *testing.T, r *receiver) (string, string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	keyFile := filepath.Join(t.TempDir(), "vkpay.pem")
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600))
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	require.NoError(t, err)
	c, err := merchant.New(merchant.Config{MerchantID: emulators.DemoVKPayMerchant, MerchantKey: "merchant-key",
		PublicKeyPEM: pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})})
	require.NoError(t, err)
	srv := httptest.NewServer(c.Handler(paykit.Hooks{Event: func(_ context.Context, n paykit.Notification) error { r.record(n); return nil }}))
	t.Cleanup(srv.Close)
	return srv.URL, keyFile
}

// xsollaReceiver answers the Xsolla webhooks that need a hook of their
// own (user_search, get_pincode, partner_side_catalog) besides the shared
// ones.
func xsollaReceiver(t *testing.T, r *receiver) string {
	t.Helper()
	c, err := xsolla.New(xsolla.Config{MerchantID: emulators.DemoXsollaMerchant, ProjectID: emulators.DemoXsollaProject,
		APIKey: "unused", WebhookSecret: emulators.DemoXsollaSecret})
	require.NoError(t, err)
	record := func(_ context.Context, n paykit.Notification) error { r.record(n); return nil }
	srv := httptest.NewServer(c.HandlerWith(paykit.Hooks{User: record, Event: record}, xsolla.HandlerOptions{
		UserSearch: func(_ context.Context, n *xsolla.UserSearch) (xsolla.UserInfo, error) {
			r.record(n)
			return xsolla.UserInfo{ID: "1"}, nil
		},
		PinCode: func(_ context.Context, n *xsolla.GetPinCode) (string, error) { r.record(n); return "PIN-1", nil },
		Catalog: func(_ context.Context, n *xsolla.PartnerSideCatalog) (json.RawMessage, error) {
			r.record(n)
			return json.RawMessage(`{"items":[]}`), nil
		},
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// Every notification type of every provider, VK Pay included, is signed so
// that the provider's handler verifies it, reaches the hooks as that type
// and is accepted (run returns nil: exit status 0).
func TestTriggerSendsEveryType(t *testing.T) {
	r := newReceiver(t, nil)
	merchantURL, vkpayKey := merchantReceiver(t, r)
	xsollaURL := xsollaReceiver(t, r)
	type send struct {
		provider, typ string
		args          []string
		want          string // the Summary's Type
	}
	var cases []send
	for _, st := range []string{"0", "1", "2", "3", "4", "5"} {
		cases = append(cases, send{"paysera", "macro", []string{"-status", st, "-order", "77"}, "macro"})
	}
	cases = append(cases, send{"paysera", "micro", nil, "micro"})
	for _, typ := range []string{"get_item", "get_item_test", "order_status_change", "order_status_change_test",
		"get_subscription", "get_subscription_test", "subscription_status_change", "subscription_status_change_test"} {
		cases = append(cases, send{"vkpay", typ, nil, typ})
	}
	cases = append(cases, send{"vkpay", "order_status_change", []string{"-status", "refunded"}, "order_status_change"},
		send{"vkpay", "subscription_status_change", []string{"-status", "cancelled"}, "subscription_status_change"},
		send{"vkpay", "subscription_status_change", []string{"-status", "active"}, "subscription_status_change"})
	for st := range merchantStatuses {
		cases = append(cases, send{merchantProvider, "payment", []string{"-status", st, "-order", "o-1"}, "TRANSACTION_STATUS"})
	}
	cases = append(cases, send{merchantProvider, "refund", []string{"-order", "o-1"}, "TRANSACTION_STATUS"})
	for _, typ := range xsollaTypes() {
		cases = append(cases, send{"xsolla", typ, []string{"-order", "ord-1"}, typ})
	}
	for _, typ := range []string{"get_item", "get_item_test", "order_status_change", "order_status_change_test"} {
		cases = append(cases, send{"playvision", typ, nil, typ})
	}
	for _, typ := range checkoutTypes() {
		ev := checkoutEvents[typ]
		want := typ
		if !strings.Contains(typ, "/") { // dotted names: the Summary's Type is type/name
			want = strings.SplitN(typ, ".", 2)[0] + "/" + typ
		}
		if ev.statuses == nil {
			cases = append(cases, send{"paysera_checkout", typ, []string{"-order", "ord-1"}, want})
		}
		for _, st := range ev.statuses {
			cases = append(cases, send{"paysera_checkout", typ, []string{"-order", "ord-1", "-status", st}, want})
		}
	}
	require.Len(t, checkoutTypes(), 15, "every Paysera Checkout webhook type, both generations and the current reference's names")
	require.Len(t, xsollaTypes(), 21, "every Xsolla webhook type")

	for i, tc := range cases {
		t.Run(tc.provider+" "+tc.typ+" "+strings.Join(tc.args, " "), func(t *testing.T) {
			target := r.srv.URL + "/" + tc.provider
			switch tc.provider {
			case merchantProvider:
				target = merchantURL
			case "xsolla":
				target = xsollaURL
			}
			args := append([]string{"-provider", tc.provider, "-type", tc.typ, "-id", strconv.Itoa(900000 + i), "-url", target,
				"-vkpay-key", vkpayKey}, tc.args...)
			var out bytes.Buffer
			require.NoError(t, run(context.Background(), args, &out, http.DefaultClient), out.String())
			assert.Equal(t, tc.want, r.last(t).Type, out.String())
		})
	}
}

// A VK Pay notification signed with a key the merchant does not trust is
// refused, and trigger says so with its error (exit status 1).
func TestTriggerVKPayWrongKeyIsRefused(t *testing.T) {
	r := newReceiver(t, nil)
	url, _ := merchantReceiver(t, r)
	_, otherKey := merchantReceiver(t, r)
	var out bytes.Buffer
	err := run(context.Background(), []string{"-provider", merchantProvider, "-id", "5", "-vkpay-key", otherKey, "-url", url}, &out, http.DefaultClient)
	assert.ErrorIs(t, err, errRefused, out.String())
	err = run(context.Background(), []string{"-provider", merchantProvider, "-id", "5", "-url", url}, &out, http.DefaultClient)
	assert.ErrorContains(t, err, "-vkpay-key is required")
}
