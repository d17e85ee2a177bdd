package playvision_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/playvision"
	"github.com/paykit-go/paykit/playvision/playvisiontest"
)

func TestBuildPaymentURL(t *testing.T) {
	w := playvision.PaymentWindow{UserID: 100, Item: "test item+1", Token: "68d4dd4dca288a7656b421135dca6ea4"}
	tests := []struct {
		name string
		cfg  func(*playvision.Config)
		want string
	}{
		{"default domain", nil, "https://api.playvision.ru/v1/payment.window"},
		{"second domain", func(c *playvision.Config) { c.Domain = playvision.DomainPlayvis }, "https://api.playvis.com/v1/payment.window"},
		{"base URL", func(c *playvision.Config) { c.BaseURL = "http://127.0.0.1:8080/emulator/playvision/" }, "http://127.0.0.1:8080/emulator/playvision/v1/payment.window"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mods []func(*playvision.Config)
			if tt.cfg != nil {
				mods = append(mods, tt.cfg)
			}
			got, err := newClient(t, mods...).BuildPaymentURL(w)
			require.NoError(t, err)
			u, err := url.Parse(got)
			require.NoError(t, err)
			assert.Equal(t, tt.want, u.Scheme+"://"+u.Host+u.Path)
			assert.Equal(t, url.Values{
				"user_id": {"100"}, "project_id": {"7001"}, "item": {"test item+1"},
				"token": {"68d4dd4dca288a7656b421135dca6ea4"},
			}, u.Query())
			assert.NotContains(t, got, "sig=")
			assert.NotContains(t, got, testSecret)
		})
	}
}

func TestBuildPaymentURLValidates(t *testing.T) {
	ok := playvision.PaymentWindow{UserID: 1, Item: "x", Token: "t"}
	tests := []struct {
		name  string
		mod   func(*playvision.PaymentWindow)
		field string
	}{
		{"no user", func(w *playvision.PaymentWindow) { w.UserID = 0 }, "user_id"},
		{"no item", func(w *playvision.PaymentWindow) { w.Item = "" }, "item"},
		{"long item", func(w *playvision.PaymentWindow) { w.Item = strings.Repeat("a", 65) }, "item"},
		{"bad utf8 item", func(w *playvision.PaymentWindow) { w.Item = "\xff" }, "item"},
		{"no token", func(w *playvision.PaymentWindow) { w.Token = "" }, "token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := ok
			tt.mod(&w)
			_, err := newClient(t).BuildPaymentURL(w)
			require.ErrorIs(t, err, paykit.ErrInvalidRequest)
			var fe *paykit.FieldError
			require.True(t, errors.As(err, &fe))
			assert.Equal(t, tt.field, fe.Field)
		})
	}
	t.Run("64 characters of Cyrillic fit", func(t *testing.T) {
		w := ok
		w.Item = strings.Repeat("ж", 64)
		_, err := newClient(t).BuildPaymentURL(w)
		assert.NoError(t, err)
	})
}

func TestVerifyLaunch(t *testing.T) {
	c := newClient(t)
	q := signer.LaunchQuery(playvisiontest.Launch{
		AppID: testAppID, ViewerID: 131, PSID: "3", SID: "eu-1", Nickname: "Вася", Token: "tok", Hash: "a=b",
	})
	l, err := c.VerifyLaunch(q)
	require.NoError(t, err)
	assert.Equal(t, &playvision.Launch{
		APIID: testAppID, ViewerID: 131, PSID: "3", SID: "eu-1", Nickname: "Вася", Token: "tok", Hash: "a=b",
		AuthKey: q.Get("auth_key"),
	}, l)

	t.Run("rotation", func(t *testing.T) {
		old := playvisiontest.Signer{Secret: "old"}.LaunchQuery(playvisiontest.Launch{AppID: testAppID, ViewerID: 1})
		_, err := c.VerifyLaunch(old)
		assert.ErrorIs(t, err, paykit.ErrInvalidSignature)
		_, err = newClient(t, func(cfg *playvision.Config) { cfg.PreviousSecrets = []string{"old"} }).VerifyLaunch(old)
		assert.NoError(t, err)
	})

	mod := func(f func(url.Values)) url.Values {
		cp := url.Values{}
		for k, v := range q {
			cp[k] = append([]string(nil), v...)
		}
		f(cp)
		return cp
	}
	tests := []struct {
		name string
		q    url.Values
		want error
	}{
		{"no auth_key", mod(func(v url.Values) { v.Del("auth_key") }), paykit.ErrMissingSignature},
		{"other viewer", mod(func(v url.Values) { v.Set("viewer_id", "132") }), paykit.ErrInvalidSignature},
		{"other app", signer.LaunchQuery(playvisiontest.Launch{AppID: 1, ViewerID: 131}), paykit.ErrWrongAccount},
		{"repeated viewer", mod(func(v url.Values) { v.Add("viewer_id", "131") }), paykit.ErrMalformed},
		{"upper case key", mod(func(v url.Values) { v.Set("auth_key", strings.ToUpper(v.Get("auth_key"))) }), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.VerifyLaunch(tt.q)
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.want)
		})
	}
}

func TestVerifyLaunchMalformedIDs(t *testing.T) {
	// auth_key matches, but the ids it covers are not numbers.
	c := newClient(t)
	q := url.Values{"api_id": {"x"}, "viewer_id": {"1"}}
	q.Set("auth_key", md5hex("x_1_"+testSecret))
	_, err := c.VerifyLaunch(q)
	assert.ErrorIs(t, err, paykit.ErrMalformed)
}
