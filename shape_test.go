package paykit_test

import (
	"net/http"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/paysera"
	"github.com/paykit-go/paykit/paysera/checkout"
	"github.com/paykit-go/paykit/playvision"
	"github.com/paykit-go/paykit/vkpay"
	"github.com/paykit-go/paykit/vkpay/merchant"
	"github.com/paykit-go/paykit/xsolla"
)

// One shape per concept: every provider package says the same thing the
// same way. This file fails to compile when a package drifts.
var (
	_ func(paysera.Config) (*paysera.Client, error)       = paysera.New
	_ func(vkpay.Config) (*vkpay.Client, error)           = vkpay.New
	_ func(merchant.Config) (*merchant.Client, error)     = merchant.New
	_ func(xsolla.Config) (*xsolla.Client, error)         = xsolla.New
	_ func(playvision.Config) (*playvision.Client, error) = playvision.New
	_ func(checkout.Config) (*checkout.Client, error)     = checkout.New

	_ func(*http.Request) (*paysera.Callback, error)            = (*paysera.Client)(nil).ParseCallback
	_ func(*http.Request) (paykit.Notification, error)          = (*vkpay.Client)(nil).ParseCallback
	_ func(*http.Request) (*merchant.Notification, error)       = (*merchant.Client)(nil).ParseCallback
	_ func(*http.Request) (paykit.Notification, error)          = (*xsolla.Client)(nil).ParseCallback
	_ func(*http.Request) (paykit.Notification, error)          = (*playvision.Client)(nil).ParseCallback
	_ func(*http.Request) (paykit.Notification, error)          = (*checkout.Client)(nil).ParseCallback
	_ func([]byte, http.Header) (*paysera.Callback, error)      = (*paysera.Client)(nil).ParseBody
	_ func([]byte, http.Header) (paykit.Notification, error)    = (*vkpay.Client)(nil).ParseBody
	_ func([]byte, http.Header) (*merchant.Notification, error) = (*merchant.Client)(nil).ParseBody
	_ func([]byte, http.Header) (paykit.Notification, error)    = (*xsolla.Client)(nil).ParseBody
	_ func([]byte, http.Header) (paykit.Notification, error)    = (*playvision.Client)(nil).ParseBody
	_ func([]byte, http.Header) (paykit.Notification, error)    = (*checkout.Client)(nil).ParseBody
	_ func(url.Values) (*paysera.Callback, error)               = (*paysera.Client)(nil).ParseValues
	_ func(url.Values) (paykit.Notification, error)             = (*vkpay.Client)(nil).ParseValues
	_ func(url.Values) (paykit.Notification, error)             = (*playvision.Client)(nil).ParseValues

	_ func(paykit.Hooks) http.Handler                          = (*merchant.Client)(nil).Handler
	_ func(paykit.Hooks, paysera.HandlerOptions) http.Handler  = (*paysera.Client)(nil).HandlerWith
	_ func(paykit.Hooks, merchant.HandlerOptions) http.Handler = (*merchant.Client)(nil).HandlerWith
	_ func(paykit.Notification) string                         = (*paysera.Client)(nil).IdempotencyKey
	_ func(paykit.Notification) string                         = (*merchant.Client)(nil).IdempotencyKey
	_ func(paykit.Hooks) http.Handler                          = (*checkout.Client)(nil).Handler
	_ func(paykit.Hooks, checkout.HandlerOptions) http.Handler = (*checkout.Client)(nil).HandlerWith
	_ func(paykit.Notification) string                         = (*checkout.Client)(nil).IdempotencyKey

	_ func() string = (*paysera.Client)(nil).Account
	_ func() string = (*vkpay.Client)(nil).Account
	_ func() string = (*merchant.Client)(nil).Account
	_ func() string = (*xsolla.Client)(nil).Account
	_ func() string = (*playvision.Client)(nil).Account
	_ func() string = (*checkout.Client)(nil).Account

	_ = [...]time.Duration{paysera.ReplyTimeout, vkpay.ReplyTimeout, merchant.ReplyTimeout,
		xsolla.ReplyTimeout, playvision.ReplyTimeout, checkout.ReplyTimeout}

	// Several accounts per endpoint, the same way in every package.
	_ func(...*paysera.Client) (*paysera.Accounts, error)       = paysera.NewAccounts
	_ func(...*vkpay.Client) (*vkpay.Accounts, error)           = vkpay.NewAccounts
	_ func(...*merchant.Client) (*merchant.Accounts, error)     = merchant.NewAccounts
	_ func(...*xsolla.Client) (*xsolla.Accounts, error)         = xsolla.NewAccounts
	_ func(...*playvision.Client) (*playvision.Accounts, error) = playvision.NewAccounts
	_ func(...*checkout.Client) (*checkout.Accounts, error)     = checkout.NewAccounts

	_ func(string) (*paysera.Client, bool)    = (*paysera.Accounts)(nil).Client
	_ func(string) (*vkpay.Client, bool)      = (*vkpay.Accounts)(nil).Client
	_ func(string) (*merchant.Client, bool)   = (*merchant.Accounts)(nil).Client
	_ func(string) (*xsolla.Client, bool)     = (*xsolla.Accounts)(nil).Client
	_ func(string) (*playvision.Client, bool) = (*playvision.Accounts)(nil).Client
	_ func(string) (*checkout.Client, bool)   = (*checkout.Accounts)(nil).Client

	_ func(*http.Request) (*paysera.Callback, error)            = (*paysera.Accounts)(nil).ParseCallback
	_ func(*http.Request) (paykit.Notification, error)          = (*vkpay.Accounts)(nil).ParseCallback
	_ func(*http.Request) (*merchant.Notification, error)       = (*merchant.Accounts)(nil).ParseCallback
	_ func(*http.Request) (paykit.Notification, error)          = (*xsolla.Accounts)(nil).ParseCallback
	_ func(*http.Request) (paykit.Notification, error)          = (*playvision.Accounts)(nil).ParseCallback
	_ func(*http.Request) (paykit.Notification, error)          = (*checkout.Accounts)(nil).ParseCallback
	_ func([]byte, http.Header) (*paysera.Callback, error)      = (*paysera.Accounts)(nil).ParseBody
	_ func([]byte, http.Header) (paykit.Notification, error)    = (*vkpay.Accounts)(nil).ParseBody
	_ func([]byte, http.Header) (*merchant.Notification, error) = (*merchant.Accounts)(nil).ParseBody
	_ func([]byte, http.Header) (paykit.Notification, error)    = (*xsolla.Accounts)(nil).ParseBody
	_ func([]byte, http.Header) (paykit.Notification, error)    = (*playvision.Accounts)(nil).ParseBody
	_ func([]byte, http.Header) (paykit.Notification, error)    = (*checkout.Accounts)(nil).ParseBody

	_ func(paykit.Notification) string = (*paysera.Accounts)(nil).IdempotencyKey
	_ func(paykit.Notification) string = (*vkpay.Accounts)(nil).IdempotencyKey
	_ func(paykit.Notification) string = (*merchant.Accounts)(nil).IdempotencyKey
	_ func(paykit.Notification) string = (*xsolla.Accounts)(nil).IdempotencyKey
	_ func(paykit.Notification) string = (*playvision.Accounts)(nil).IdempotencyKey
	_ func(paykit.Notification) string = (*checkout.Accounts)(nil).IdempotencyKey

	_ func(paykit.Hooks) http.Handler                            = (*paysera.Accounts)(nil).Handler
	_ func(paykit.Hooks) http.Handler                            = (*vkpay.Accounts)(nil).Handler
	_ func(paykit.Hooks) http.Handler                            = (*merchant.Accounts)(nil).Handler
	_ func(paykit.Hooks) http.Handler                            = (*xsolla.Accounts)(nil).Handler
	_ func(paykit.Hooks) http.Handler                            = (*playvision.Accounts)(nil).Handler
	_ func(paykit.Hooks) http.Handler                            = (*checkout.Accounts)(nil).Handler
	_ func(paykit.Hooks, paysera.HandlerOptions) http.Handler    = (*paysera.Accounts)(nil).HandlerWith
	_ func(paykit.Hooks, vkpay.HandlerOptions) http.Handler      = (*vkpay.Accounts)(nil).HandlerWith
	_ func(paykit.Hooks, merchant.HandlerOptions) http.Handler   = (*merchant.Accounts)(nil).HandlerWith
	_ func(paykit.Hooks, xsolla.HandlerOptions) http.Handler     = (*xsolla.Accounts)(nil).HandlerWith
	_ func(paykit.Hooks, playvision.HandlerOptions) http.Handler = (*playvision.Accounts)(nil).HandlerWith
	_ func(paykit.Hooks, checkout.HandlerOptions) http.Handler   = (*checkout.Accounts)(nil).HandlerWith
)

// An Accounts is one endpoint for several clients of its package: each of
// its callback methods has exactly the signature of the same method of
// the package's Client, so code written for one client serves several.
func TestEveryAccountsMirrorsItsClient(t *testing.T) {
	pairs := []struct{ accounts, client any }{
		{(*paysera.Accounts)(nil), (*paysera.Client)(nil)},
		{(*vkpay.Accounts)(nil), (*vkpay.Client)(nil)},
		{(*merchant.Accounts)(nil), (*merchant.Client)(nil)},
		{(*xsolla.Accounts)(nil), (*xsolla.Client)(nil)},
		{(*playvision.Accounts)(nil), (*playvision.Client)(nil)},
		{(*checkout.Accounts)(nil), (*checkout.Client)(nil)},
	}
	for _, p := range pairs {
		at, ct := reflect.TypeOf(p.accounts), reflect.TypeOf(p.client)
		for _, name := range []string{"ParseCallback", "ParseBody", "IdempotencyKey", "Handler", "HandlerWith"} {
			am, okA := at.MethodByName(name)
			cm, okC := ct.MethodByName(name)
			if !okA || !okC {
				t.Errorf("%s or %s has no %s", at, ct, name)
				continue
			}
			if !sameSignature(am.Type, cm.Type) {
				t.Errorf("%s.%s is %s, %s.%s is %s", at, name, am.Type, ct, name, cm.Type)
			}
		}
	}
}

// sameSignature compares two method types but for their receivers.
func sameSignature(a, b reflect.Type) bool {
	if a.NumIn() != b.NumIn() || a.NumOut() != b.NumOut() || a.IsVariadic() != b.IsVariadic() {
		return false
	}
	for i := 1; i < a.NumIn(); i++ {
		if a.In(i) != b.In(i) {
			return false
		}
	}
	for i := 0; i < a.NumOut(); i++ {
		if a.Out(i) != b.Out(i) {
			return false
		}
	}
	return true
}

// Every provider's HandlerOptions embeds the shared options, so the body
// cap, the hook deadline and the error log are set the same way
// everywhere, and its zero value means Handler.
func TestEveryHandlerOptionsEmbedsTheSharedOptions(t *testing.T) {
	shared := reflect.TypeFor[paykit.HandlerOptions]()
	for _, opts := range []any{paysera.HandlerOptions{}, vkpay.HandlerOptions{}, merchant.HandlerOptions{},
		xsolla.HandlerOptions{}, playvision.HandlerOptions{}, checkout.HandlerOptions{}} {
		typ := reflect.TypeOf(opts)
		f, ok := typ.FieldByName("HandlerOptions")
		if !ok || !f.Anonymous || f.Type != shared {
			t.Errorf("%s does not embed paykit.HandlerOptions", typ)
		}
	}
}
