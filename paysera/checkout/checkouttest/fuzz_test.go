package checkouttest

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// FuzzAPI sends arbitrary bodies to every API endpoint the emulator
// parses: it never panics and never answers 5xx.
func FuzzAPI(f *testing.F) {
	f.Add("POST", "merchant-order/integration/v1/orders", `{"purchase":{"reference":"R","amount":"1","currency":"EUR"},"redirect_urls":{"callback_url":"http://127.0.0.1:1/"}}`)
	f.Add("POST", "checkout-payment-link/integration/v1/payment-links", `{"order_id":"x","name":"n","experience":{"language":"en"},"purchase":{"amount":1}}`)
	f.Add("POST", "payment-executor/integration/v1/payments/p/refunds", `{"amount":1}`)
	f.Add("GET", "checkout-project/integration/v1/methods?amount=1&currency=EUR", ``)
	f.Add("PUT", "checkout-payment-link/integration/v1/payment-links/x/cancel", ``)
	f.Fuzz(func(t *testing.T, method, path, body string) {
		if method != "GET" && method != "POST" && method != "PUT" {
			return
		}
		e, err := New(Options{ClientID: "id", ClientSecret: "s", BaseURL: "http://emu.test", RetrySchedule: []time.Duration{}})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		e.tokens["tok"] = time.Now().Add(time.Hour)
		req := httptest.NewRequest(method, "http://emu.test/", strings.NewReader(body))
		req.URL.Path = "/" + path
		req.Header.Set("Authorization", "Bearer tok")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s: %d", method, path, rec.Code)
		}
	})
}

// FuzzOrderIDOf reads any id from a request path: it never panics, and an
// id it accepts names an order id that maps to itself.
func FuzzOrderIDOf(f *testing.F) {
	f.Add(newIDOf('l', 7, 9))
	f.Add(newIDOf('o', 1<<40-1, 1<<40-1))
	f.Add("019ed06c-0000-7000-8001-00000000000")
	f.Add("019ed0zz-0000-7000-8001-000000000002")
	f.Add("")
	f.Fuzz(func(t *testing.T, id string) {
		o, ok := orderIDOf(id)
		if !ok {
			return
		}
		if again, ok := orderIDOf(o); !ok || again != o {
			t.Fatalf("%q: order %q maps to %q", id, o, again)
		}
	})
}

func TestIDsCarryTheirOrder(t *testing.T) {
	for _, n := range []int64{1, 4095, 4096, 1 << 24, 1<<40 - 1} {
		order := newIDOf('o', n, n)
		for _, kind := range []byte{'o', 'l', 'p', 'r'} {
			if got, ok := orderIDOf(newIDOf(kind, n, 12345)); !ok || got != order {
				t.Errorf("order %d kind %c: %q, %v; want %q", n, kind, got, ok, order)
			}
		}
	}
}
