package checkouttest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/paysera/checkout"
	"github.com/paykit-go/paykit/paysera/checkout/checkouttest"
)

func TestSign_ReproducesTheSpecVectors(t *testing.T) {
	b, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Vectors []struct {
			ID                   string `json:"id"`
			ClientSecret         string `json:"client_secret"`
			BodyBase64           string `json:"body_base64"`
			ExpectedSignatureHex string `json:"expected_signature_hex"`
		}
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, v := range f.Vectors {
		if v.ExpectedSignatureHex == "" {
			continue
		}
		body, _ := base64.StdEncoding.DecodeString(v.BodyBase64)
		if got := checkouttest.Sign(v.ClientSecret, body); got != v.ExpectedSignatureHex {
			t.Errorf("%s: %s, want %s", v.ID, got, v.ExpectedSignatureHex)
		}
		n++
	}
	if n != 5 {
		t.Fatalf("%d signed vectors, want 5", n)
	}
}

func TestSigner_HeaderGenerations(t *testing.T) {
	now := func() time.Time { return time.Unix(1736433571, 0) }
	body := checkouttest.OrderSnapshot{ID: "o", Reference: "R", Amount: 1, AmountPaid: 1, Currency: "EUR", Status: "paid"}.Body()
	modern := checkouttest.Signer{Secret: "s", Now: now}.Header(body)
	if modern.Get("X-Paysera-Signature-Alg") != "HMAC-SHA256" || modern.Get("X-Paysera-Created-At") != "1736433571" ||
		len(modern.Get("X-Paysera-Request-Id")) != 36 || modern.Get("X-Paysera-Event") != "" {
		t.Fatalf("modern %v", modern)
	}
	v3 := checkouttest.Signer{Secret: "s", Generation: checkouttest.V3, Now: now}.Header(body)
	if v3.Get("X-Paysera-Event") != "amount_paid_updated" || v3.Get("X-Paysera-Timestamp") != "1736433571" ||
		v3.Get("X-Paysera-Signature-Alg") != "" {
		t.Fatalf("v3 %v", v3)
	}
	c, _ := checkout.New(checkout.Config{ClientID: "id", ClientSecret: "s"})
	for _, h := range []http.Header{modern, v3} {
		if _, err := c.ParseBody(body, h); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSigner_SendDeliversToAURL(t *testing.T) {
	c, _ := checkout.New(checkout.Config{ClientID: "id", ClientSecret: "s"})
	got := make(chan paykit.Summary, 1)
	srv := httptest.NewServer(c.Handler(paykit.Hooks{Event: func(_ context.Context, n paykit.Notification) error {
		got <- n.Summary()
		return nil
	}}))
	defer srv.Close()
	body := checkouttest.StatusUpdate{OrderID: "o", Reference: "R", ID: "p", Status: "settled", Amount: 5, Currency: "EUR"}.Body()
	resp, err := checkouttest.Signer{Secret: "s"}.Send(context.Background(), nil, srv.URL, body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if s := <-got; s.ID != "p" || s.Status != paykit.StatusPaid {
		t.Fatalf("%+v", s)
	}
}

func TestNew_RefusesBadOptions(t *testing.T) {
	for name, o := range map[string]checkouttest.Options{
		"no credentials": {},
		"bad base":       {ClientID: "i", ClientSecret: "s", BaseURL: "localhost:1"},
		"negative delay": {ClientID: "i", ClientSecret: "s", RetrySchedule: []time.Duration{-1}},
	} {
		if _, err := checkouttest.New(o); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

// api calls the emulator's API with a valid token.
type api struct {
	t   *testing.T
	srv *checkouttest.Server
	tok string
}

func newAPI(t *testing.T) *api {
	t.Helper()
	srv, err := checkouttest.NewServer(checkouttest.Options{ClientID: "id", ClientSecret: "s", Prefix: "/emu/"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	resp, err := http.PostForm(srv.URL+checkout.TokenPath, url.Values{"grant_type": {"client_credentials"}, "client_id": {"id"}, "client_secret": {"s"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tr)
	if tr.AccessToken == "" {
		t.Fatalf("no token (status %d)", resp.StatusCode)
	}
	return &api{t: t, srv: srv, tok: tr.AccessToken}
}

func (a *api) do(method, path, body string, auth bool) (int, string) {
	a.t.Helper()
	req, _ := http.NewRequest(method, a.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if auth {
		req.Header.Set("Authorization", "Bearer "+a.tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

const goodOrder = `{"purchase":{"reference":"R-1","amount":"100","currency":"EUR"},"redirect_urls":{"callback_url":"http://127.0.0.1:1/wh"}}`

// The emulator checks request shapes strictly, so that client bugs show.
func TestEmulator_RequestShapesAreChecked(t *testing.T) {
	a := newAPI(t)
	code, body := a.do(http.MethodPost, checkout.OrdersPath, goodOrder, true)
	if code != 201 {
		t.Fatalf("good order: %d %s", code, body)
	}
	var o struct {
		OrderID string `json:"order_id"`
	}
	_ = json.Unmarshal([]byte(body), &o)
	cases := []struct {
		name, method, path, body string
		auth                     bool
		want                     int
	}{
		{"no bearer token", http.MethodPost, checkout.OrdersPath, goodOrder, false, 401},
		{"order amount as number", http.MethodPost, checkout.OrdersPath, strings.Replace(goodOrder, `"100"`, `100`, 1), true, 400},
		{"order amount with fraction", http.MethodPost, checkout.OrdersPath, strings.Replace(goodOrder, `"100"`, `"1.00"`, 1), true, 400},
		{"unknown field", http.MethodPost, checkout.OrdersPath, strings.Replace(goodOrder, `"purchase"`, `"orderid":"1","purchase"`, 1), true, 400},
		{"reference with #", http.MethodPost, checkout.OrdersPath, strings.Replace(goodOrder, `R-1`, `R#1`, 1), true, 400},
		{"link amount as string", http.MethodPost, checkout.LinksPath, `{"order_id":"` + o.OrderID + `","name":"n","experience":{"language":"en"},"purchase":{"amount":"100"}}`, true, 400},
		{"link without language", http.MethodPost, checkout.LinksPath, `{"order_id":"` + o.OrderID + `","name":"n","experience":{},"purchase":{"amount":100}}`, true, 400},
		{"link of no order", http.MethodPost, checkout.LinksPath, `{"order_id":"nope","name":"n","experience":{"language":"en"},"purchase":{"amount":100}}`, true, 404},
		{"good link", http.MethodPost, checkout.LinksPath, `{"order_id":"` + o.OrderID + `","name":"n","experience":{"language":"en"},"purchase":{"amount":100}}`, true, 201},
		{"methods amount without currency", http.MethodGet, checkout.MethodsPath + "?amount=100", "", true, 400},
		{"refund of no payment", http.MethodPost, checkout.PaymentsPath + "/p/refunds", `{"amount":1}`, true, 404},
		{"refund amount as string", http.MethodPost, checkout.PaymentsPath + "/p/refunds", `{"amount":"1"}`, true, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if code, body := a.do(tc.method, tc.path, tc.body, tc.auth); code != tc.want {
				t.Fatalf("%d, want %d: %s", code, tc.want, body)
			}
		})
	}
}

// The payment page works without JavaScript: its forms drive the same
// steps as the Go API.
func TestEmulator_PaymentPageForms(t *testing.T) {
	got := make(chan paykit.Summary, 8)
	emu, err := checkouttest.NewServer(checkouttest.Options{ClientID: "id", ClientSecret: "s", Prefix: "/emu/"})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	c, _ := checkout.New(checkout.Config{ClientID: "id", ClientSecret: "s", BaseURL: emu.URL})
	shop := httptest.NewServer(c.Handler(paykit.Hooks{Event: func(_ context.Context, n paykit.Notification) error {
		got <- n.Summary()
		return nil
	}}))
	defer shop.Close()
	payURL, err := c.BuildPaymentURL(context.Background(), checkout.PaymentRequest{Order: checkout.OrderRequest{
		Reference: "R-9", Amount: paykit.Money{Amount: 900, Currency: "EUR"}, SuccessURL: "https://shop.example/ok",
		CallbackURL: shop.URL}})
	if err != nil {
		t.Fatal(err)
	}
	page := get(t, payURL)
	if !strings.Contains(page, "9.00 EUR") || !strings.Contains(page, `action="/emu/pay/`) {
		t.Fatalf("page %s", page)
	}
	resp, err := http.PostForm(payURL+"/pay", url.Values{"method": {"seb"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "https://shop.example/ok") || !strings.Contains(string(b), "delivered") {
		t.Fatalf("after pay %d %s", resp.StatusCode, b)
	}
	first, second := <-got, <-got
	if first.Kind != paykit.KindInfo || second.Kind != paykit.KindPayment || second.Status != paykit.StatusPaid {
		t.Fatalf("events %+v %+v", first, second)
	}
	if !strings.Contains(get(t, emu.URL+"/"), "R-9") {
		t.Fatal("index does not list the order")
	}
}

func get(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
