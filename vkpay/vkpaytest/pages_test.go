package vkpaytest_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/paykit-go/paykit/vkpay"
	"github.com/paykit-go/paykit/vkpay/vkpaytest"
)

var stateRe = regexp.MustCompile(`id="status">([a-z_]+)<`)

// TestPagesMountedBesideTheShop clicks through the pages of an emulator
// mounted under a prefix in the same mux as the merchant's handler, as the
// demo shop does.
func TestPagesMountedBesideTheShop(t *testing.T) {
	s := &shop{}
	c, _ := vkpay.New(vkpay.Config{AppID: appID, Secret: secret})
	mux := http.NewServeMux()
	mux.Handle("/vk/payments", c.Handler(s.hooks()))
	srv := httptest.NewUnstartedServer(mux)
	base := "http://" + srv.Listener.Addr().String()
	emu, err := vkpaytest.New(vkpaytest.Options{AppID: appID, Secret: secret, Prefix: "/emulator/vkpay/",
		BaseURL: base + "/emulator/vkpay", RetrySchedule: fast})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	if err := emu.SetNotifyURL(base + "/vk/payments"); err != nil {
		t.Fatal(err)
	}
	mux.Handle("/emulator/vkpay/", emu)
	srv.Start()
	defer srv.Close()

	page := func(method, path string, form url.Values) (string, string) {
		t.Helper()
		var resp *http.Response
		var err error
		if method == http.MethodPost {
			resp, err = http.PostForm(base+path, form)
		} else {
			resp, err = http.Get(base + path)
		}
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
		}
		return string(b), resp.Request.URL.Path
	}
	stateOf := func(body string) string {
		if m := stateRe.FindStringSubmatch(body); m != nil {
			return m[1]
		}
		return ""
	}

	body, _ := page("GET", "/emulator/vkpay/", nil)
	if !strings.Contains(body, `action="`+base+`/emulator/vkpay/buy"`) {
		t.Fatalf("index: %s", body)
	}
	body, orderPath := page("GET", "/emulator/vkpay/pay?item=gold&user_id=3&return_url="+url.QueryEscape("http://shop.example/done"), nil)
	if stateOf(body) != "open" || !strings.Contains(body, "100 gold") || !strings.Contains(body, "7 votes") || !strings.Contains(body, "http://shop.example/done") {
		t.Fatalf("order page: %s", body)
	}
	body, _ = page("POST", orderPath+"/pay", url.Values{})
	if stateOf(body) != "paid" || !strings.Contains(body, "/refund") {
		t.Fatalf("after pay: %s", body)
	}
	body, _ = page("POST", orderPath+"/refund", url.Values{})
	if stateOf(body) != "refunded" || !strings.Contains(body, "Send the callback again") {
		t.Fatalf("after refund: %s", body)
	}
	n := len(emu.Deliveries())
	body, _ = page("POST", orderPath+"/resend", url.Values{})
	if stateOf(body) != "refunded" || len(emu.Deliveries()) != n+1 {
		t.Fatalf("after resend: %d deliveries, %s", len(emu.Deliveries()), body)
	}

	body, subPath := page("POST", "/emulator/vkpay/subscribe", url.Values{"item": {"vip"}})
	if stateOf(body) != "open" || !strings.Contains(body, "Every 30 days") {
		t.Fatalf("subscription page: %s", body)
	}
	for _, step := range []struct{ action, want string }{{"pay", "active"}, {"cancel", "cancelled"}, {"resume", "active"}} {
		body, _ = page("POST", subPath+"/"+step.action, url.Values{"reason": {"user_decision"}})
		if stateOf(body) != step.want {
			t.Fatalf("%s: %s", step.action, body)
		}
	}
	body, _ = page("GET", "/emulator/vkpay/", nil)
	if !strings.Contains(body, "refunded") || len(s.log()) != 5 {
		t.Fatalf("index after: events %v", s.log())
	}
}

// TestUnauthenticatedPayRequestsAreBounded: every GET /pay creates an
// order, so the emulator keeps only the newest Options.MaxOrders.
func TestUnauthenticatedPayRequestsAreBounded(t *testing.T) {
	merchant := newMerchant(t, &shop{})
	e := newEmulator(t, merchant.URL, func(o *vkpaytest.Options) { o.MaxOrders = 3 })
	for range 5 {
		resp, err := http.Get(e.URL + "/pay?item=gold")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	orders := e.Orders()
	if len(orders) != 3 || orders[0].ID != 1003 {
		t.Fatalf("%d orders kept, oldest %+v", len(orders), orders[0])
	}
	resp, err := http.Get(e.URL + "/order/1001")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a forgotten order: %d", resp.StatusCode)
	}
}

// TestOrderPageIsACredibleCheckout: the purchase window has the TEST MODE
// banner, the merchant and order, the item, the price in votes, the
// outcomes to simulate and the way back to the app.
func TestOrderPageIsACredibleCheckout(t *testing.T) {
	e := newEmulator(t, newMerchant(t, &shop{}).URL)
	resp, err := http.Get(e.URL + "/pay?item=gold&return_url=" + url.QueryEscape("https://app.example/back"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	body := string(b)
	for _, want := range []string{"TEST MODE", `id="merchant">App 51234<`, `id="reference">VK order 1001<`,
		`id="item">100 gold<`, `id="amount">7 votes<`, "Pay 7 votes", "cancel", `id="back" href="https://app.example/back"`,
		`rel="icon"`, `name="viewport"`} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %q", want)
		}
	}
}
