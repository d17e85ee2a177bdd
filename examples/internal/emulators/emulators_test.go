package emulators

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
)

func TestMountsEachEmulatorUnderItsPrefix(t *testing.T) {
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	set, err := New(Config{BaseURL: base, Prefix: "emu",
		Paysera:         &Paysera{ProjectID: DemoPayseraProject, Password: DemoPayseraPassword},
		PayseraCheckout: &PayseraCheckout{ClientID: DemoPayseraCheckoutClientID, ClientSecret: DemoPayseraCheckoutClientSecret},
		VK:              &VK{AppID: DemoVKApp, Secret: DemoVKSecret, NotifyURL: base + "/vk"},
		Xsolla:          &Xsolla{MerchantID: DemoXsollaMerchant, ProjectID: DemoXsollaProject, APIKey: DemoXsollaAPIKey, WebhookSecret: DemoXsollaSecret},
		Playvision:      &Playvision{AppID: DemoPlayvisionApp, Secret: DemoPlayvisionSecret, CallbackURL: base + "/pv"},
	})
	require.NoError(t, err)
	defer set.Close()
	mux := http.NewServeMux()
	set.Mount(mux)
	srv.Config.Handler = mux
	srv.Start()
	defer srv.Close()

	for p, path := range map[paykit.Provider]string{
		paykit.Paysera: "/emu/paysera/", paykit.PayseraCheckout: "/emu/paysera-checkout/", paykit.VKPay: "/emu/vkpay/", paykit.Xsolla: "/emu/xsolla/", paykit.Playvision: "/emu/playvision/",
	} {
		assert.Equal(t, path, set.Path(p))
		resp, err := srv.Client().Get(srv.URL + path)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
	}
	assert.Equal(t, base+"/emu/paysera", set.Paysera.URL())
	assert.Equal(t, base+"/emu/paysera-checkout", set.PayseraCheckout.URL())
	assert.Equal(t, base+"/emu/paysera-checkout", set.URL(paykit.PayseraCheckout))
	assert.Equal(t, base+"/emu/xsolla", set.Xsolla.URL())
	assert.Equal(t, base+"/emu/playvision", set.Playvision.URL())
	assert.Equal(t, "", set.Path("stripe"))
}

func TestOnlyConfiguredEmulatorsRun(t *testing.T) {
	set, err := New(Config{BaseURL: "http://127.0.0.1:1", VK: &VK{AppID: 1, Secret: "s"}})
	require.NoError(t, err)
	defer set.Close()
	assert.NotNil(t, set.VK)
	assert.Nil(t, set.Paysera)
	assert.Nil(t, set.PayseraCheckout)
	assert.Nil(t, set.Xsolla)
	assert.Nil(t, set.Playvision)

	_, err = New(Config{BaseURL: "127.0.0.1:8080"})
	assert.Error(t, err)
	_, err = New(Config{BaseURL: "http://127.0.0.1:1", Playvision: &Playvision{AppID: 1, Secret: "s"}})
	assert.Error(t, err, "the Playvision emulator needs a callback URL")
}
