package xsolla

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/paykit-go/paykit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	v2URL = "https://api.xsolla.com/merchant/v2/merchants/2340/token"
	v3URL = "https://store.xsolla.com/api/v3/project/18404/admin/payment/token"
)

func mockedClient(t *testing.T, mod ...func(*Config)) *Client {
	t.Helper()
	hc := &http.Client{}
	httpmock.ActivateNonDefault(hc)
	t.Cleanup(httpmock.DeactivateAndReset)
	return newTestClient(t, append([]func(*Config){func(c *Config) {
		c.HTTPClient = hc
		c.RetryBaseDelay = time.Millisecond
	}}, mod...)...)
}

func TestCreateTokenSendsV2Body(t *testing.T) {
	c := mockedClient(t, func(c *Config) { c.Sandbox = true })
	var got map[string]any
	httpmock.RegisterResponder(http.MethodPost, v2URL, func(r *http.Request) (*http.Response, error) {
		user, pass, ok := r.BasicAuth()
		assert.True(t, ok)
		assert.Equal(t, "2340", user)
		assert.Equal(t, "key", pass)
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		b, _ := io.ReadAll(r.Body)
		require.NoError(t, json.Unmarshal(b, &got))
		assert.Contains(t, string(b), `"amount":4.99`, "amount is a JSON number with the currency's exponent")
		return httpmock.NewStringResponse(200, `{"token":"tok_123"}`), nil
	})
	tok, err := c.CreateToken(context.Background(), TokenRequest{
		UserID: "u1", ExternalID: "o-1", Checkout: &paykit.Money{Amount: 499, Currency: "USD"},
		Email: "a@b.c", AllowModifyEmail: true, Country: "US", Language: "en", Currency: "USD",
		ReturnURL: "https://shop/return", UITheme: "63295aab2e47fab76f7708e3", PaymentMethod: 1380,
		VirtualItems: []ItemQuantity{{SKU: "gem", Quantity: 2}}, VirtualCurrency: 100,
		Subscription:     &SubscriptionPurchase{PlanID: "p1"},
		CustomParameters: map[string]any{"registration_date": "2020-01-01"},
	})
	require.NoError(t, err)
	assert.Equal(t, "tok_123", tok)
	want := `{
		"user":{"id":{"value":"u1"},"email":{"value":"a@b.c","allow_modify":true},"country":{"value":"US"}},
		"settings":{"project_id":18404,"currency":"USD","language":"en","mode":"sandbox","return_url":"https://shop/return",
			"external_id":"o-1","payment_method":1380,"ui":{"theme":"63295aab2e47fab76f7708e3"}},
		"purchase":{"checkout":{"amount":4.99,"currency":"USD"},"virtual_items":{"items":[{"sku":"gem","amount":2}]},
			"virtual_currency":{"quantity":100},"subscription":{"plan_id":"p1"}},
		"custom_parameters":{"registration_date":"2020-01-01"}}`
	b, _ := json.Marshal(got)
	assert.JSONEq(t, want, string(b))
}

func TestCreateTokenValidation(t *testing.T) {
	c := mockedClient(t)
	tests := map[string]TokenRequest{
		"user.id":                                  {},
		"purchase.checkout.amount":                 {UserID: "u", Checkout: &paykit.Money{Amount: 0, Currency: "USD"}},
		"purchase.checkout.currency":               {UserID: "u", Checkout: &paykit.Money{Amount: 1, Currency: "GOLD"}},
		"purchase.virtual_items.items[0].sku":      {UserID: "u", VirtualItems: []ItemQuantity{{Quantity: 1}}},
		"purchase.virtual_items.items[1].quantity": {UserID: "u", VirtualItems: []ItemQuantity{{SKU: "a", Quantity: 1}, {SKU: "b"}}},
		"custom_parameters":                        {UserID: "u", CustomParameters: map[string]any{"": 1}},
	}
	for field, req := range tests {
		_, err := c.CreateToken(context.Background(), req)
		var fe *paykit.FieldError
		require.True(t, errors.As(err, &fe), field)
		assert.Equal(t, field, fe.Field)
	}
	long := strings.Repeat("é", 256)
	_, err := c.CreateToken(context.Background(), TokenRequest{UserID: long})
	assert.ErrorIs(t, err, paykit.ErrInvalidRequest)
	assert.Zero(t, httpmock.GetTotalCallCount(), "nothing is sent for invalid requests")

	noKey := newTestClient(t, func(c *Config) { c.APIKey = "" })
	_, err = noKey.CreateToken(context.Background(), TokenRequest{UserID: "u"})
	assert.ErrorIs(t, err, paykit.ErrInvalidRequest)
}

func TestCreateTokenRetriesTemporaryFailures(t *testing.T) {
	c := mockedClient(t)
	httpmock.RegisterResponder(http.MethodPost, v2URL, httpmock.ResponderFromMultipleResponses([]*http.Response{
		httpmock.NewStringResponse(503, `{"http_status_code":503,"message":"busy"}`),
		httpmock.NewStringResponse(429, `{}`),
		httpmock.NewStringResponse(200, `{"token":"t"}`),
	}))
	tok, err := c.CreateToken(context.Background(), TokenRequest{UserID: "u"})
	require.NoError(t, err)
	assert.Equal(t, "t", tok)
	assert.Equal(t, 3, httpmock.GetTotalCallCount())
}

func TestCreateTokenRetriesNetworkErrorsBounded(t *testing.T) {
	c := mockedClient(t, func(c *Config) { c.MaxRetries = 3 })
	httpmock.RegisterResponder(http.MethodPost, v2URL, httpmock.NewErrorResponder(errors.New("connection reset")))
	_, err := c.CreateToken(context.Background(), TokenRequest{UserID: "u"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "connection reset")
	assert.Equal(t, 4, httpmock.GetTotalCallCount())
}

func TestCreateTokenDoesNotRetryClientErrors(t *testing.T) {
	c := mockedClient(t)
	httpmock.RegisterResponder(http.MethodPost, v2URL, httpmock.NewStringResponder(422,
		`{"http_status_code":422,"message":"Unprocessable","extended_message":{"property_errors":{"user.id":["required"]}},"request_id":"req-9"}`))
	_, err := c.CreateToken(context.Background(), TokenRequest{UserID: "u"})
	var ae *paykit.APIError
	require.True(t, errors.As(err, &ae))
	assert.Equal(t, 422, ae.StatusCode)
	assert.Equal(t, paykit.Xsolla, ae.Provider)
	assert.ErrorIs(t, err, paykit.ErrAPI)
	assert.Equal(t, "Unprocessable [request req-9]", ae.Message)
	assert.Contains(t, string(ae.Body), "user.id", "the extended message stays in Body")
	assert.False(t, ae.Temporary())
	assert.NotContains(t, err.Error(), "key")
	assert.Equal(t, 1, httpmock.GetTotalCallCount())
}

func TestRetriesHonourContext(t *testing.T) {
	c := mockedClient(t, func(c *Config) { c.RetryBaseDelay = time.Hour; c.MaxRetries = 5 })
	httpmock.RegisterResponder(http.MethodPost, v2URL, httpmock.NewStringResponder(500, `{}`))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.CreateToken(ctx, TokenRequest{UserID: "u"})
	// RetryBaseDelay is an hour: only the context can have ended the wait.
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	var ae *paykit.APIError
	assert.True(t, errors.As(err, &ae), "the last API error is kept")
}

func TestCreatePaymentTokenV3(t *testing.T) {
	c := mockedClient(t, func(c *Config) { c.Sandbox = true })
	httpmock.RegisterResponder(http.MethodPost, v3URL, func(r *http.Request) (*http.Response, error) {
		user, pass, _ := r.BasicAuth()
		assert.Equal(t, "18404", user, "project id by default")
		assert.Equal(t, "key", pass)
		assert.Equal(t, "203.0.113.7", r.Header.Get("X-User-Ip"))
		b, _ := io.ReadAll(r.Body)
		assert.JSONEq(t, `{"user":{"id":{"value":"u1"},"email":{"value":"a@b.c"}},
			"settings":{"currency":"EUR","external_id":"o-9","ui":{"theme":"63295a9a2e47fab76f7708e1"}},
			"purchase":{"items":[{"sku":"gem","quantity":3}]},"sandbox":true}`, string(b))
		return httpmock.NewStringResponse(201, `{"token":"v3tok","order_id":987}`), nil
	})
	pt, err := c.CreatePaymentToken(context.Background(), PaymentTokenRequest{
		UserID: "u1", Email: "a@b.c", UserIP: "203.0.113.7", Items: []ItemQuantity{{SKU: "gem", Quantity: 3}},
		Currency: "EUR", ExternalID: "o-9", UITheme: ThemeLight,
	})
	require.NoError(t, err)
	assert.Equal(t, PaymentToken{Token: "v3tok", OrderID: 987}, pt)
}

func TestCreatePaymentTokenErrorsAndUsername(t *testing.T) {
	c := mockedClient(t, func(c *Config) { c.StoreAuthUser = "2340" })
	httpmock.RegisterResponder(http.MethodPost, v3URL, func(r *http.Request) (*http.Response, error) {
		user, _, _ := r.BasicAuth()
		assert.Equal(t, "2340", user)
		return httpmock.NewStringResponse(422, `{"statusCode":422,"errorCode":4001,"errorMessage":"[0401-4001]: Item not found","errorMessageExtended":[{"property":"sku","message":"x"}],"transactionId":"tx-1"}`), nil
	})
	_, err := c.CreatePaymentToken(context.Background(), PaymentTokenRequest{UserID: "u", Country: "DE", Items: []ItemQuantity{{SKU: "x", Quantity: 1}}})
	var ae *paykit.APIError
	require.True(t, errors.As(err, &ae))
	assert.Equal(t, "4001", ae.Code)
	assert.Contains(t, ae.Message, "[request tx-1]")
	assert.Contains(t, ae.Error(), "[0401-4001]")

	for field, req := range map[string]PaymentTokenRequest{
		"purchase.items": {UserID: "u", Country: "DE"},
		"user.country":   {UserID: "u", Items: []ItemQuantity{{SKU: "x", Quantity: 1}}},
	} {
		_, err := c.CreatePaymentToken(context.Background(), req)
		var fe *paykit.FieldError
		require.True(t, errors.As(err, &fe))
		assert.Equal(t, field, fe.Field)
	}
}

func TestPaymentURLs(t *testing.T) {
	live := newTestClient(t)
	sandbox := newTestClient(t, func(c *Config) { c.Sandbox = true })
	emu := newTestClient(t, func(c *Config) { c.PayStationURL = "http://127.0.0.1:9/emu/paystation4/?lang=en" })
	assert.Equal(t, "https://secure.xsolla.com/paystation4/?token=a%2Bb%26c", live.PaymentURL("a+b&c"))
	assert.Equal(t, "https://sandbox-secure.xsolla.com/paystation4/?token=t", sandbox.PaymentURL("t"))
	assert.Equal(t, "http://127.0.0.1:9/emu/paystation4/?lang=en&token=t", emu.PaymentURL("t"))
	assert.Equal(t, "https://sandbox-secure.xsolla.com/paystation3/?access_token=t", PayStationURL("t", true, 3))
	assert.Equal(t, "https://secure.xsolla.com/paystation2/?access_token=t", PayStationURL("t", false, 2))
	assert.Equal(t, "https://secure.xsolla.com/paystation4/?token=t", PayStationURL("t", false, 0))
}

func TestBuildPaymentURL(t *testing.T) {
	c := mockedClient(t)
	httpmock.RegisterResponder(http.MethodPost, v2URL, httpmock.NewStringResponder(200, `{"token":"abc"}`))
	u, err := c.BuildPaymentURL(context.Background(), TokenRequest{UserID: "u", Checkout: &paykit.Money{Amount: 100, Currency: "JPY"}})
	require.NoError(t, err)
	assert.Equal(t, "https://secure.xsolla.com/paystation4/?token=abc", u)
}

func TestWidgetAndFormEscape(t *testing.T) {
	c := newTestClient(t, func(c *Config) { c.Sandbox = true })
	evil := `t"></script><script>alert(1)</script>`
	html, err := c.WidgetHTML(evil, WidgetOptions{ButtonText: "<b>Pay</b>", Lightbox: &Lightbox{Width: "740px", ZIndex: 1000}})
	require.NoError(t, err)
	s := string(html)
	assert.NotContains(t, s, "<script>alert")
	assert.NotContains(t, s, "<b>Pay</b>")
	assert.Contains(t, s, "data-xpaystation-widget-open")
	assert.Contains(t, s, `"sandbox":true`)
	assert.Contains(t, s, `"width":"740px"`)
	assert.Contains(t, s, DefaultWidgetScriptURL)

	form, err := c.PaymentFormHTML(evil, "")
	require.NoError(t, err)
	assert.NotContains(t, string(form), "<script>")
	assert.Contains(t, string(form), `action="https://sandbox-secure.xsolla.com/paystation4/"`)
	assert.Contains(t, string(form), `name="token"`)
}
