package paykit_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/paysera"
	"github.com/paykit-go/paykit/paysera/checkout"
	"github.com/paykit-go/paykit/playvision"
	"github.com/paykit-go/paykit/signature"
	"github.com/paykit-go/paykit/vkpay"
	"github.com/paykit-go/paykit/xsolla"
)

// The contract of DESIGN.md: code outside this repository is written
// against these names and signatures. This file fails to compile if one
// changes.
var (
	_ paykit.Provider = paykit.Paysera
	_                 = [...]paykit.Provider{paykit.VKPay, paykit.Xsolla, paykit.Playvision, paykit.PayseraCheckout}
	_                 = [...]paykit.Kind{paykit.KindItemRequest, paykit.KindUserCheck, paykit.KindPayment,
		paykit.KindRefund, paykit.KindSubscription, paykit.KindInfo}
	_ = [...]paykit.Status{paykit.StatusUnknown, paykit.StatusPending, paykit.StatusPaid,
		paykit.StatusFailed, paykit.StatusRefunded, paykit.StatusCanceled}
	_ = paykit.Money{Amount: int64(0), Currency: ""}
	_ = paykit.Summary{Provider: "", Type: "", Kind: "", Status: "", ID: "", OrderID: "", UserID: "",
		Amount: paykit.Money{}, Test: false}
	_ = paykit.ItemRequest{Provider: "", Item: "", UserID: "", Lang: "", Test: false, Notification: nil}
	_ = paykit.Item{ID: "", Title: "", PhotoURL: "", Price: int64(0), Discount: int64(0),
		CacheFor: time.Duration(0), Period: time.Duration(0), Trial: time.Duration(0)}
	_ = paykit.Hooks{
		Item:  func(context.Context, paykit.ItemRequest) (paykit.Item, error) { return paykit.Item{}, nil },
		User:  func(context.Context, paykit.Notification) error { return nil },
		Event: func(context.Context, paykit.Notification) error { return nil },
		Store: paykit.Store(nil),
	}
	_ = [...]error{paykit.ErrMissingSignature, paykit.ErrInvalidSignature, paykit.ErrMalformed,
		paykit.ErrUnknownType, paykit.ErrWrongAccount, paykit.ErrBodyTooLarge, paykit.ErrInvalidRequest,
		paykit.ErrUnknownItem, paykit.ErrUnknownUser}
	_ func(error) error                                          = paykit.Temporary
	_ paykit.Journal                                             = (*paykit.MemoryJournal)(nil)
	_ paykit.Observer                                            = paykit.ObserverFunc(nil)
	_                                                            = paykit.Hooks{Observer: paykit.Observer(nil)}
	_                                                            = paykit.Delivery{ID: "", Provider: paykit.Paysera, Body: []byte(nil)}
	_ func(error) bool                                           = paykit.IsTemporary
	_ func(string, paykit.Notification) string                   = paykit.IdempotencyKey
	_ func(url.Values, string) string                            = signature.SortedMD5
	_ paykit.Notification                                        = (*paysera.Callback)(nil)
	_ func(paysera.Config) (*paysera.Client, error)              = paysera.New
	_ func(*http.Request) (*paysera.Callback, error)             = (*paysera.Client)(nil).ParseCallback
	_ func(paysera.PaymentRequest) (string, error)               = (*paysera.Client)(nil).BuildPaymentURL
	_ func(paykit.Hooks) http.Handler                            = (*paysera.Client)(nil).Handler
	_ func(vkpay.Config) (*vkpay.Client, error)                  = vkpay.New
	_ func(*http.Request) (paykit.Notification, error)           = (*vkpay.Client)(nil).ParseCallback
	_ func(paykit.Hooks) http.Handler                            = (*vkpay.Client)(nil).Handler
	_ func(paykit.Hooks, vkpay.HandlerOptions) http.Handler      = (*vkpay.Client)(nil).HandlerWith
	_ func(paykit.Notification) string                           = (*vkpay.Client)(nil).IdempotencyKey
	_ func(xsolla.Config) (*xsolla.Client, error)                = xsolla.New
	_ func(context.Context, xsolla.TokenRequest) (string, error) = (*xsolla.Client)(nil).CreateToken
	_ func(string) string                                        = (*xsolla.Client)(nil).PaymentURL
	_ func(context.Context, xsolla.TokenRequest) (string, error) = (*xsolla.Client)(nil).BuildPaymentURL
	_ func(*http.Request) (paykit.Notification, error)           = (*xsolla.Client)(nil).ParseCallback
	_ func(paykit.Hooks) http.Handler                            = (*xsolla.Client)(nil).Handler
	_ func(paykit.Hooks, xsolla.HandlerOptions) http.Handler     = (*xsolla.Client)(nil).HandlerWith
	_ func(paykit.Notification) string                           = (*xsolla.Client)(nil).IdempotencyKey
	_ func(playvision.Config) (*playvision.Client, error)        = playvision.New
	_ func(playvision.PaymentWindow) (string, error)             = (*playvision.Client)(nil).BuildPaymentURL
	_ func(*http.Request) (paykit.Notification, error)           = (*playvision.Client)(nil).ParseCallback
	_ func(paykit.Hooks) http.Handler                            = (*playvision.Client)(nil).Handler
	_ func(paykit.Hooks, playvision.HandlerOptions) http.Handler = (*playvision.Client)(nil).HandlerWith
	_ func(paykit.Notification) string                           = (*playvision.Client)(nil).IdempotencyKey
	_                                                            = []paykit.Notification{(*vkpay.GetItem)(nil),
		(*vkpay.OrderStatusChange)(nil), (*vkpay.GetSubscription)(nil), (*vkpay.SubscriptionStatusChange)(nil)}
)

// The contract's config fields, by name and type.
var (
	_ = paysera.Config{ProjectID: int(0), Password: "", PublicKeyPEM: []byte(nil), Sandbox: false, Version: ""}
	_ = paysera.PaymentRequest{OrderID: "", Amount: int64(0), Currency: "", AcceptURL: "", CancelURL: "",
		CallbackURL: "", Lang: "", Payment: "", Country: "", PayText: "", Test: false, TimeLimit: time.Time{},
		OnlyPayments: []string(nil), DisallowPayments: []string(nil), Payer: paysera.Payer{FirstName: "",
			LastName: "", Email: "", Street: "", City: "", State: "", Zip: "", CountryCode: ""}, Extra: url.Values(nil)}
	_ = vkpay.Config{AppID: int64(0), Secret: ""}
	_ = xsolla.Config{MerchantID: int(0), ProjectID: int(0), APIKey: "", WebhookSecret: "", Sandbox: false,
		HTTPClient: (*http.Client)(nil), BaseURL: ""}
	_ = xsolla.TokenRequest{UserID: "", ExternalID: "", Checkout: (*paykit.Money)(nil)}
	_ = playvision.Config{AppID: int64(0), Secret: ""}
	_ = playvision.PaymentWindow{UserID: int64(0), Item: "", Token: ""}
)

// Every ParseCallback error matches a root sentinel: a request with no body
// at all is refused the same way by all four providers.
func TestContract_ParseCallbackErrorsAreSentinels(t *testing.T) {
	ps, err := paysera.New(paysera.Config{ProjectID: 1, Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	vk, err := vkpay.New(vkpay.Config{AppID: 1, Secret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	xs, err := xsolla.New(xsolla.Config{MerchantID: 1, ProjectID: 1, APIKey: "k", WebhookSecret: "w"})
	if err != nil {
		t.Fatal(err)
	}
	pv, err := playvision.New(playvision.Config{AppID: 1, Secret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	co, err := checkout.New(checkout.Config{ClientID: "id", ClientSecret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	sentinels := []error{paykit.ErrMissingSignature, paykit.ErrInvalidSignature, paykit.ErrMalformed,
		paykit.ErrUnknownType, paykit.ErrWrongAccount, paykit.ErrBodyTooLarge}
	parsers := map[string]func(*http.Request) error{
		"paysera":    func(r *http.Request) error { _, err := ps.ParseCallback(r); return err },
		"vkpay":      func(r *http.Request) error { _, err := vk.ParseCallback(r); return err },
		"xsolla":     func(r *http.Request) error { _, err := xs.ParseCallback(r); return err },
		"playvision": func(r *http.Request) error { _, err := pv.ParseCallback(r); return err },
		"checkout":   func(r *http.Request) error { _, err := co.ParseCallback(r); return err },
	}
	for name, parse := range parsers {
		t.Run(name, func(t *testing.T) {
			r, _ := http.NewRequest(http.MethodPost, "http://shop.test/cb", http.NoBody)
			err := parse(r)
			if err == nil {
				t.Fatal("an empty request was accepted")
			}
			matched := false
			for _, s := range sentinels {
				matched = matched || errors.Is(err, s)
			}
			if !matched {
				t.Fatalf("error %q matches no root sentinel", err)
			}
		})
	}
}

// A signature under an empty secret can be computed by anyone, so no
// provider accepts one among its rotation secrets.
func TestContract_EmptyPreviousSecretIsRefused(t *testing.T) {
	empty := []string{"old", ""}
	errs := map[string]error{}
	_, errs["paysera"] = paysera.New(paysera.Config{ProjectID: 1, Password: "p", PreviousSecrets: empty})
	_, errs["vkpay"] = vkpay.New(vkpay.Config{AppID: 1, Secret: "s", PreviousSecrets: empty})
	_, errs["xsolla"] = xsolla.New(xsolla.Config{MerchantID: 1, ProjectID: 1, APIKey: "k", WebhookSecret: "w", PreviousSecrets: empty})
	_, errs["playvision"] = playvision.New(playvision.Config{AppID: 1, Secret: "s", PreviousSecrets: empty})
	_, errs["checkout"] = checkout.New(checkout.Config{ClientID: "id", ClientSecret: "s", PreviousSecrets: empty})
	for name, err := range errs {
		if !errors.Is(err, paykit.ErrInvalidRequest) {
			t.Errorf("%s accepted an empty previous secret (err %v)", name, err)
		}
	}
}
