package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/paysera"
	"github.com/paykit-go/paykit/paysera/checkout"
	"github.com/paykit-go/paykit/playvision"
	"github.com/paykit-go/paykit/vkpay"
	"github.com/paykit-go/paykit/xsolla"
)

// startSandbox runs the sandbox on a loopback server with its
// notifications going to an application on paykit's handlers, whose hooks
// m records; it returns the sandbox's and the application's URLs.
func startSandbox(t *testing.T, m *merchant) (*sandbox, string, string) {
	t.Helper()
	app := http.NewServeMux()
	appSrv := httptest.NewServer(app)
	t.Cleanup(appSrv.Close)
	c, err := parseFlags([]string{"-retry", "5ms,10ms",
		"-vk-notify-url", appSrv.URL + "/callback/vkpay", "-xsolla-webhook-url", appSrv.URL + "/callback/xsolla",
		"-playvision-callback-url", appSrv.URL + "/callback/playvision"}, io.Discard)
	require.NoError(t, err)
	srv := httptest.NewUnstartedServer(nil)
	s, err := newSandbox(c, "http://"+srv.Listener.Addr().String())
	require.NoError(t, err)
	srv.Config.Handler = s.mux
	srv.Start()
	t.Cleanup(func() { s.set.Close(); srv.Close() })

	hooks := m.hooks()
	ps, err := paysera.New(paysera.Config{ProjectID: c.paysera.ProjectID, Password: c.paysera.Password,
		BaseURL: srv.URL + "/paysera", FetchPublicKey: true})
	require.NoError(t, err)
	vk, err := vkpay.New(vkpay.Config{AppID: c.vk.AppID, Secret: c.vk.Secret})
	require.NoError(t, err)
	xs, err := xsolla.New(xsolla.Config{MerchantID: c.xsolla.MerchantID, ProjectID: c.xsolla.ProjectID,
		APIKey: c.xsolla.APIKey, WebhookSecret: c.xsolla.WebhookSecret})
	require.NoError(t, err)
	pv, err := playvision.New(playvision.Config{AppID: c.playvision.AppID, Secret: c.playvision.Secret})
	require.NoError(t, err)
	co, err := checkout.New(checkout.Config{ClientID: c.checkout.ClientID, ClientSecret: c.checkout.ClientSecret})
	require.NoError(t, err)
	app.Handle("/callback/paysera", ps.Handler(hooks))
	app.Handle("/callback/paysera_checkout", co.Handler(hooks))
	app.Handle("/callback/vkpay", vk.Handler(hooks))
	app.Handle("/callback/xsolla", xs.Handler(hooks))
	app.Handle("/callback/playvision", pv.Handler(hooks))
	return s, srv.URL, appSrv.URL
}

// readmeSandboxScript returns the shell blocks of README.md's sandbox
// section, in order, as one script.
func readmeSandboxScript(t *testing.T) string {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(readme), "### The sandbox, from any language")
	require.True(t, ok, "README.md has no sandbox section")
	section, _, _ = strings.Cut(section, "\n## ")
	blocks := regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(section, -1)
	require.Len(t, blocks, 6, "the set-up and one block per provider")
	var script strings.Builder
	for _, b := range blocks {
		script.WriteString(b[1])
	}
	return script.String()
}

// The README's curl walk-through, exactly as written but for the two URLs
// it starts with, runs with bash and curl against the sandbox: every step
// succeeds (curl -f), and the application's hooks saw every payment,
// pending state and refund it describes.
func TestReadmeCurlWalkThrough(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	m := &merchant{}
	_, sandboxURL, appURL := startSandbox(t, m)
	script := readmeSandboxScript(t)
	script = regexp.MustCompile(`(?m)^SANDBOX=\S+`).ReplaceAllString(script, "SANDBOX="+sandboxURL)
	script = regexp.MustCompile(`(?m)^APP=\S+`).ReplaceAllString(script, "APP="+appURL)
	require.Contains(t, script, "SANDBOX="+sandboxURL)

	cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), `"quiet":true`)

	got := map[string]int{}
	m.mu.Lock()
	for _, s := range m.events {
		got[string(s.Provider)+" "+string(s.Kind)+" "+string(s.Status)]++
	}
	m.mu.Unlock()
	for _, want := range []string{
		"paysera payment pending", "paysera payment paid", "paysera refund refunded",
		"paysera_checkout payment paid", "paysera_checkout refund refunded",
		"vkpay payment paid", "vkpay refund refunded",
		"xsolla payment paid", "xsolla refund refunded",
		"playvision payment paid",
	} {
		assert.Equal(t, 1, got[want], "%s: events %v\n%s", want, got, out)
	}
}

// The API's error answers: unknown provider, order or delivery (404), a
// step the provider does not have or a bad body (400), a step the order's
// state does not allow (409), the application refusing (422).
func TestAPIErrors(t *testing.T) {
	m := &merchant{}
	_, base, _ := startSandbox(t, m)
	post := func(path, body string) (int, string) {
		resp, err := http.Post(base+path, "application/json", strings.NewReader(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, _ := post("/api/stripe/orders", "{}")
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = post("/api/vkpay/orders/999/pay", "")
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = post("/api/vkpay/orders/x/pay", "")
	assert.Equal(t, http.StatusNotFound, code)
	code, body := post("/api/vkpay/orders/1/pending", "")
	assert.Equal(t, http.StatusBadRequest, code, body)
	assert.Contains(t, body, "vkpay has no")
	code, _ = post("/api/vkpay/orders", `{"item":"gems","user":1}`)
	assert.Equal(t, http.StatusBadRequest, code, "unknown fields are refused")
	code, _ = post("/api/vkpay/deliveries/nope/resend", "")
	assert.Equal(t, http.StatusNotFound, code)

	code, body = post("/api/vkpay/orders", `{"item":"gems","user_id":5}`)
	require.Equal(t, http.StatusCreated, code, body)
	assert.Contains(t, body, `"user_id":"5"`)
	id := regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(body)[1]
	code, _ = post("/api/vkpay/orders/"+id+"/pay", "")
	assert.Equal(t, http.StatusOK, code)
	code, _ = post("/api/vkpay/orders/"+id+"/pay", "")
	assert.Equal(t, http.StatusConflict, code, "paying twice")

	m.refuseItems.Store(true)
	code, body = post("/api/playvision/orders", `{"user_id":3,"item":"gems"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, code, body)
	code, body = post("/api/playvision/orders", `{"user_id":3,"item":"gems","token":"not-the-token"}`)
	assert.NotEqual(t, http.StatusCreated, code, body)
}
