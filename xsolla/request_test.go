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
		Email: "a@b.c", AllowModifyEmail: true, Country: "US", Language: "en", Currency: "USD", PublicID: "pub",
		ReturnURL:      "https://shop/return",
		RedirectPolicy: &RedirectPolicy{RedirectConditions: "successful", Delay: 5, StatusForManualRedirection: "any", RedirectButtonCaption: "Back"},
		UI: &UI{Theme: ThemeDark, Size: "medium", Version: "desktop",
			Components: map[string]UIComponent{"virtual_currency": {Hidden: true}, "subscriptions": {Order: 2}}},
		PaymentMethod: 1380, Subscription: &SubscriptionPurchase{PlanID: "p1"}, Description: "d", CouponCode: "c",
		CustomParameters: map[string]any{"registration_date": "2020-01-01"},
		Extra:            map[string]any{"user.steam_id": map[string]string{"value": "765"}, "settings.ui.desktop": map[string]any{"header": map[string]bool{"visible_logo": true}}},
	})
	require.NoError(t, err)
	assert.Equal(t, "tok_123", tok)
	want := `{
		"user":{"id":{"value":"u1"},"email":{"value":"a@b.c","allow_modify":true},"country":{"value":"US"},"public_id":{"value":"pub"},
			"steam_id":{"value":"765"}},
		"settings":{"project_id":18404,"currency":"USD","language":"en","mode":"sandbox","return_url":"https://shop/return",
			"redirect_policy":{"redirect_conditions":"successful","delay":5,"status_for_manual_redirection":"any","redirect_button_caption":"Back"},
			"external_id":"o-1","payment_method":1380,
			"ui":{"theme":"63295aab2e47fab76f7708e3","size":"medium","version":"desktop",
				"components":{"virtual_currency":{"hidden":true},"subscriptions":{"order":2}},"desktop":{"header":{"visible_logo":true}}}},
		"purchase":{"checkout":{"amount":4.99,"currency":"USD"},"subscription":{"plan_id":"p1"},
			"description":{"value":"d"},"coupon_code":{"value":"c"}},
		"custom_parameters":{"registration_date":"2020-01-01"}}`
	b, _ := json.Marshal(got)
	assert.JSONEq(t, want, string(b))
}

// TestTokenRequestValidation: each call refuses what it does not take and
// what is malformed, naming the parameter, before anything is sent.
func TestTokenRequestValidation(t *testing.T) {
	c := mockedClient(t)
	item := []ItemQuantity{{SKU: "gem", Quantity: 1}}
	v2 := map[string]TokenRequest{
		"user.id":                    {},
		"purchase.checkout.amount":   {UserID: "u", Checkout: &paykit.Money{Amount: 0, Currency: "USD"}},
		"purchase.checkout.currency": {UserID: "u", Checkout: &paykit.Money{Amount: 1, Currency: "GOLD"}},
		"purchase.items":             {UserID: "u", Items: item},
		"X-User-Ip":                  {UserID: "u", UserIP: "203.0.113.1"},
		"custom_parameters":          {UserID: "u", CustomParameters: map[string]any{"": 1}},
		"settings.redirect_policy.redirect_conditions":           {UserID: "u", RedirectPolicy: &RedirectPolicy{RedirectConditions: "always"}},
		"settings.redirect_policy.status_for_manual_redirection": {UserID: "u", RedirectPolicy: &RedirectPolicy{StatusForManualRedirection: "x"}},
		"settings.redirect_policy.delay":                         {UserID: "u", RedirectPolicy: &RedirectPolicy{Delay: -1}},
		"Extra[settings.project_id]":                             {UserID: "u", Extra: map[string]any{"settings.project_id": 1}},
		"Extra[user.id.value.x]":                                 {UserID: "u", Extra: map[string]any{"user.id.value.x": 1}},
		"Extra[settings..ui]":                                    {UserID: "u", Extra: map[string]any{"settings..ui": 1}},
		"Extra":                                                  {UserID: "u", Extra: map[string]any{"f": func() {}}},
	}
	v3 := map[string]TokenRequest{
		"user.id":                    {Items: item, Country: "DE"},
		"purchase.items":             {UserID: "u", Country: "DE"},
		"user.country":               {UserID: "u", Items: item},
		"purchase.items[0].sku":      {UserID: "u", Country: "DE", Items: []ItemQuantity{{Quantity: 1}}},
		"purchase.items[1].quantity": {UserID: "u", Country: "DE", Items: []ItemQuantity{{SKU: "a", Quantity: 1}, {SKU: "b"}}},
		"purchase.checkout":          {UserID: "u", Country: "DE", Items: item, Checkout: &paykit.Money{Amount: 1, Currency: "USD"}},
		"purchase.subscription":      {UserID: "u", Country: "DE", Items: item, Subscription: &SubscriptionPurchase{}},
		"purchase.description":       {UserID: "u", Country: "DE", Items: item, Description: "d"},
		"purchase.coupon_code":       {UserID: "u", Country: "DE", Items: item, CouponCode: "c"},
		"user.public_id":             {UserID: "u", Country: "DE", Items: item, PublicID: "p"},
		"Extra[purchase.items]":      {UserID: "u", Country: "DE", Items: item, Extra: map[string]any{"purchase.items": 1}},
	}
	check := func(call string, field string, err error) {
		t.Helper()
		var fe *paykit.FieldError
		require.True(t, errors.As(err, &fe), "%s %s: %v", call, field, err)
		assert.Equal(t, field, fe.Field, call)
		assert.ErrorIs(t, err, paykit.ErrInvalidRequest)
	}
	for field, req := range v2 {
		_, err := c.CreateToken(context.Background(), req)
		check("v2", field, err)
	}
	for field, req := range v3 {
		_, err := c.CreatePaymentToken(context.Background(), req)
		check("v3", field, err)
	}
	_, err := c.BuildPaymentURL(context.Background(), TokenRequest{UserID: "u"})
	check("BuildPaymentURL", "purchase", err)
	long := strings.Repeat("é", 256)
	_, err = c.CreateToken(context.Background(), TokenRequest{UserID: long})
	assert.ErrorIs(t, err, paykit.ErrInvalidRequest)
	assert.Zero(t, httpmock.GetTotalCallCount(), "nothing is sent for invalid requests")

	noKey := newTestClient(t, func(c *Config) { c.APIKey = "" })
	_, err = noKey.CreateToken(context.Background(), TokenRequest{UserID: "u"})
	assert.ErrorIs(t, err, paykit.ErrInvalidRequest)
	_, err = noKey.CreatePaymentToken(context.Background(), TokenRequest{UserID: "u", Country: "DE", Items: item})
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
		assert.JSONEq(t, `{"user":{"id":{"value":"u1"},"email":{"value":"a@b.c"},"country":{"value":"FR","allow_modify":true}},
			"settings":{"currency":"EUR","language":"fr","external_id":"o-9","payment_method":1380,"return_url":"https://shop/r",
				"redirect_policy":{"redirect_conditions":"any"},"ui":{"theme":"63295a9a2e47fab76f7708e1","size":"large"}},
			"purchase":{"items":[{"sku":"gem","quantity":3}]},"sandbox":true,"custom_parameters":{"a":1},
			"settings_extra":true}`, string(b))
		return httpmock.NewStringResponse(201, `{"token":"v3tok","order_id":987}`), nil
	})
	pt, err := c.CreatePaymentToken(context.Background(), TokenRequest{
		UserID: "u1", Email: "a@b.c", Country: "FR", AllowModifyCountry: true, UserIP: "203.0.113.7",
		Items: []ItemQuantity{{SKU: "gem", Quantity: 3}}, Currency: "EUR", Language: "fr", ExternalID: "o-9",
		PaymentMethod: 1380, ReturnURL: "https://shop/r", RedirectPolicy: &RedirectPolicy{RedirectConditions: "any"},
		UI: &UI{Theme: ThemeLight, Size: "large"}, CustomParameters: map[string]any{"a": 1},
		Extra: map[string]any{"settings_extra": true},
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
	_, err := c.CreatePaymentToken(context.Background(), TokenRequest{UserID: "u", Country: "DE", Items: []ItemQuantity{{SKU: "x", Quantity: 1}}})
	var ae *paykit.APIError
	require.True(t, errors.As(err, &ae))
	assert.Equal(t, "4001", ae.Code)
	assert.Contains(t, ae.Message, "[request tx-1]")
	assert.Contains(t, ae.Error(), "[0401-4001]")
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

// TestBuildPaymentURLPicksTheCall: items go through the v3 store call,
// a checkout or a subscription through the v2 merchant call.
func TestBuildPaymentURLPicksTheCall(t *testing.T) {
	c := mockedClient(t)
	httpmock.RegisterResponder(http.MethodPost, v2URL, httpmock.NewStringResponder(200, `{"token":"v2tok"}`))
	httpmock.RegisterResponder(http.MethodPost, v3URL, httpmock.NewStringResponder(200, `{"token":"v3tok","order_id":5}`))
	tests := []struct {
		name string
		req  TokenRequest
		want string
	}{
		{"items", TokenRequest{UserID: "u", Country: "US", Items: []ItemQuantity{{SKU: "gem", Quantity: 1}}}, "v3tok"},
		{"checkout", TokenRequest{UserID: "u", Checkout: &paykit.Money{Amount: 100, Currency: "JPY"}}, "v2tok"},
		{"subscription", TokenRequest{UserID: "u", Subscription: &SubscriptionPurchase{PlanID: "p"}}, "v2tok"},
	}
	for _, tt := range tests {
		u, err := c.BuildPaymentURL(context.Background(), tt.req)
		require.NoError(t, err, tt.name)
		assert.Equal(t, "https://secure.xsolla.com/paystation4/?token="+tt.want, u, tt.name)
	}
	info := httpmock.GetCallCountInfo()
	assert.Equal(t, 1, info["POST "+v3URL])
	assert.Equal(t, 2, info["POST "+v2URL])
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
