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
)

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
