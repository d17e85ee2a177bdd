// Command sandbox runs the provider emulators of paykit's test kits —
// Paysera, Paysera Checkout (New), VK payments, Xsolla and Playvision — as
// one standalone HTTP
// server, so that a merchant's application in any language can run its
// checkout against them, locally or in CI, with no network and no accounts.
//
//	go run ./examples/sandbox                      # serves http://127.0.0.1:8090
//	go run ./examples/sandbox -addr :8090 \
//	    -vk-notify-url http://app:3000/vk/callback \
//	    -xsolla-webhook-url http://app:3000/xsolla/webhook \
//	    -playvision-callback-url http://app:3000/playvision/callback
//
// Each emulator lives under its own path (/paysera/, /paysera-checkout/,
// /vkpay/, /xsolla/, /playvision/) and serves the same clickable pages and
// endpoints as when it is used from Go (see packages payseratest,
// checkouttest, vkpaytest, xsollatest and playvisiontest):
//
//   - Paysera: the payment page at /paysera/pay/ for data/sign requests
//     (point the Paysera library's base URL at /paysera), callbacks to each
//     request's callbackurl signed with ss1, ss2 and ss3, the signing
//     certificate at /paysera/download/public.key (-paysera-key pins the
//     private key, so the certificate stays the same between runs).
//   - Paysera Checkout (New): the token endpoint and the REST API (orders,
//     payment links, methods, refunds) under /paysera-checkout (the
//     checkout.Config.BaseURL), a payment page per link at
//     /paysera-checkout/pay/{link}, webhooks to each order's callback_url
//     signed under -paysera-checkout-client-secret.
//   - VK: /vkpay/pay?item=…&user_id=…&return_url=… does what
//     VKWebAppShowOrderBox does (get_item, then order_status_change when the
//     buyer pays), notifications to -vk-notify-url.
//   - Xsolla: the token APIs (/xsolla/merchant/v2/merchants/{id}/token,
//     /xsolla/api/v3/project/{id}/admin/payment/token) and Pay Station at
//     /xsolla/paystation4/?token=…, webhooks to -xsolla-webhook-url.
//   - Playvision: /playvision/v1/payment.window (get_item, then
//     order_status_change) and the secure.* methods, callbacks to
//     -playvision-callback-url.
//
// Every step is also a JSON control API, for a test in any language:
// GET /openapi.json describes it (api.go; README.md walks through it with
// curl for each provider). /api/{provider}/orders starts a payment or
// opens a purchase dialog for any user; …/orders/{id}/pay, decline,
// pending, cancel and refund move it; /api/{provider}/deliveries lists
// the notifications sent and …/deliveries/{id}/resend sends one again;
// /api/{provider}/wait returns when none is in flight;
// /api/playvision/users/{id} gives any user's token.
//
// The default callback URLs are the demo shop's (go run ./examples/shop), so
// the two run together out of the box. -retry shortens the resend schedules
// (for example -retry 100ms,200ms in CI). The emulators only ever call the
// URLs given to them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/examples/internal/emulators"
	"github.com/paykit-go/paykit/examples/internal/serve"
	"github.com/paykit-go/paykit/paysera/payseratest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		log.Fatal(err)
	}
}

// config is the sandbox's command line.
type config struct {
	addr      string
	publicURL string
	retry     []time.Duration

	paysera        emulators.Paysera
	payseraKeyFile string
	checkout       emulators.PayseraCheckout
	vk             emulators.VK
	xsolla         emulators.Xsolla
	playvision     emulators.Playvision
}

const shopURL = "http://127.0.0.1:8080"

// parseFlags reads the command line.
func parseFlags(args []string, errOut io.Writer) (config, error) {
	c := config{xsolla: emulators.Xsolla{Catalog: map[string]paykit.Money{}}}
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8090", "address to listen on")
	fs.StringVar(&c.publicURL, "public-url", "", "externally visible URL of the sandbox (default: from -addr)")
	fs.Func("retry", "comma-separated delays between delivery attempts of every emulator, e.g. 100ms,200ms (default: each provider's real schedule)", func(s string) error {
		var err error
		c.retry, err = parseDurations(s)
		return err
	})

	fs.IntVar(&c.paysera.ProjectID, "paysera-project", emulators.DemoPayseraProject, "Paysera project id")
	fs.StringVar(&c.paysera.Password, "paysera-password", emulators.DemoPayseraPassword, "Paysera project password")
	fs.StringVar(&c.payseraKeyFile, "paysera-key", "", "PEM file of the RSA private key that signs Paysera callbacks (default: a new key per run)")

	fs.StringVar(&c.checkout.ClientID, "paysera-checkout-client-id", emulators.DemoPayseraCheckoutClientID, "Paysera Checkout client id")
	fs.StringVar(&c.checkout.ClientSecret, "paysera-checkout-client-secret", emulators.DemoPayseraCheckoutClientSecret, "Paysera Checkout client secret (signs the webhooks)")

	fs.Int64Var(&c.vk.AppID, "vk-app", emulators.DemoVKApp, "VK app id")
	fs.StringVar(&c.vk.Secret, "vk-secret", emulators.DemoVKSecret, "VK app secure key")
	fs.StringVar(&c.vk.NotifyURL, "vk-notify-url", shopURL+"/callback/vkpay", "the app's payment notifications URL")
	fs.BoolVar(&c.vk.Test, "vk-test", false, "send the _test notification types")

	fs.IntVar(&c.xsolla.MerchantID, "xsolla-merchant", emulators.DemoXsollaMerchant, "Xsolla merchant id")
	fs.IntVar(&c.xsolla.ProjectID, "xsolla-project", emulators.DemoXsollaProject, "Xsolla project id")
	fs.StringVar(&c.xsolla.APIKey, "xsolla-api-key", emulators.DemoXsollaAPIKey, "Xsolla API key the token endpoints accept")
	fs.StringVar(&c.xsolla.WebhookSecret, "xsolla-webhook-secret", emulators.DemoXsollaSecret, "Xsolla webhook secret")
	fs.StringVar(&c.xsolla.WebhookURL, "xsolla-webhook-url", shopURL+"/callback/xsolla", "where webhooks are sent")
	fs.Func("xsolla-item", "a catalogue item tokens may buy, as sku=amount:CUR in minor units, e.g. gems_500=499:USD (repeatable)", func(s string) error {
		sku, price, err := parseItem(s)
		if err == nil {
			c.xsolla.Catalog[sku] = price
		}
		return err
	})

	fs.Int64Var(&c.playvision.AppID, "playvision-app", emulators.DemoPlayvisionApp, "Playvision app id")
	fs.StringVar(&c.playvision.Secret, "playvision-secret", emulators.DemoPlayvisionSecret, "Playvision app secret")
	fs.StringVar(&c.playvision.CallbackURL, "playvision-callback-url", shopURL+"/callback/playvision", "the app's Payment link")
	fs.BoolVar(&c.playvision.Test, "playvision-test", false, "send the _test notification types")
	fs.StringVar(&c.playvision.ReturnURL, "playvision-return-url", "", "where the purchase dialog links back to after Pay or Cancel (payment.window's return_url wins)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return c, nil
}

func parseDurations(s string) ([]time.Duration, error) {
	var out []time.Duration
	for _, part := range strings.Split(s, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(part))
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("bad delay %q", part)
		}
		out = append(out, d)
	}
	return out, nil
}

// parseItem reads sku=amount:CUR.
func parseItem(s string) (string, paykit.Money, error) {
	sku, price, ok := strings.Cut(s, "=")
	amount, cur, ok2 := strings.Cut(price, ":")
	n, err := strconv.ParseInt(amount, 10, 64)
	if !ok || !ok2 || sku == "" || err != nil || n < 0 || len(cur) != 3 {
		return "", paykit.Money{}, fmt.Errorf("want sku=amount:CUR, got %q", s)
	}
	return sku, paykit.Money{Amount: n, Currency: strings.ToUpper(cur)}, nil
}

// sandbox is the running emulators behind one handler.
type sandbox struct {
	cfg       config
	base      string
	set       *emulators.Set
	mux       *http.ServeMux
	providers map[string]provider // the JSON API's view of each emulator
	routes    []string            // the JSON API's patterns, as registered
}

// newSandbox starts the emulators for a server reachable at base.
func newSandbox(c config, base string) (*sandbox, error) {
	if c.payseraKeyFile != "" {
		pem, err := os.ReadFile(c.payseraKeyFile)
		if err != nil {
			return nil, err
		}
		if c.paysera.Signer, err = payseratest.NewSignerWithKey(c.paysera.ProjectID, c.paysera.Password, pem); err != nil {
			return nil, err
		}
	}
	p, co, v, x, pv := c.paysera, c.checkout, c.vk, c.xsolla, c.playvision
	set, err := emulators.New(emulators.Config{BaseURL: base, RetrySchedule: c.retry, Paysera: &p, PayseraCheckout: &co,
		VK: &v, Xsolla: &x, Playvision: &pv})
	if err != nil {
		return nil, err
	}
	s := &sandbox{cfg: c, base: strings.TrimRight(base, "/"), set: set, mux: http.NewServeMux()}
	set.Mount(s.mux)
	s.mux.HandleFunc("GET /{$}", s.index)
	s.providers = map[string]provider{
		string(paykit.Paysera): payseraAPI{set.Paysera}, string(paykit.PayseraCheckout): checkoutAPI{set.PayseraCheckout},
		string(paykit.VKPay):  vkAPI{set.VK},
		string(paykit.Xsolla): &xsollaAPI{e: set.Xsolla}, string(paykit.Playvision): playvisionAPI{set.Playvision},
	}
	s.apiRoutes(s.mux)
	return s, nil
}

// emulator describes one emulator for the index page and the banner.
type emulator struct {
	ID, Name, URL, Sends string
}

func (s *sandbox) emulators() []emulator {
	c := s.cfg
	u := s.set.URL
	return []emulator{
		{"paysera", "Paysera", u(paykit.Paysera), "callbacks to each request's callbackurl; key at " + u(paykit.Paysera) + "/download/public.key"},
		{"paysera_checkout", "Paysera Checkout", u(paykit.PayseraCheckout), "webhooks to each order's callback_url; REST API at " + u(paykit.PayseraCheckout)},
		{"vkpay", "VK", u(paykit.VKPay), "notifications to " + c.vk.NotifyURL},
		{"xsolla", "Xsolla", u(paykit.Xsolla), "webhooks to " + c.xsolla.WebhookURL},
		{"playvision", "Playvision", u(paykit.Playvision), "callbacks to " + c.playvision.CallbackURL},
	}
}

var indexPage = template.Must(template.New("index").Parse(`<!doctype html><html><head><meta charset="utf-8">
<title>paykit sandbox</title><style>body{font-family:sans-serif;max-width:50em;margin:2em auto}td{padding:.3em .8em}</style></head>
<body><h1>paykit sandbox</h1><p>Provider emulators for testing a checkout without the network.</p>
<table>{{range .}}<tr><td><a href="{{.URL}}/">{{.Name}}</a></td><td>{{.Sends}}</td></tr>{{end}}</table>
<p>Every step is also a JSON API for tests in any language: <a href="/openapi.json">/openapi.json</a> describes it.</p></body></html>`))

func (s *sandbox) index(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = indexPage.Execute(w, s.emulators())
}

// run parses args, serves the sandbox and prints its URLs, until ctx ends.
func run(ctx context.Context, args []string, out io.Writer) error {
	c, err := parseFlags(args, out)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	base := c.publicURL
	if base == "" {
		base = serve.LocalURL(ln.Addr())
	}
	s, err := newSandbox(c, base)
	if err != nil {
		ln.Close()
		return err
	}
	defer s.set.Close()
	fmt.Fprintf(out, "paykit sandbox: %s\n", s.base)
	for _, e := range s.emulators() {
		fmt.Fprintf(out, "  %-18s %s\n%21s%s\n", e.Name+":", e.URL, "", e.Sends)
	}
	return serve.Serve(ctx, ln, s.mux)
}
