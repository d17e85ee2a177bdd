package xsollatest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paykit-go/paykit"
)

// FuzzTokenEndpoints posts arbitrary bodies to both token endpoints: no
// panic, and only 200 or a 4xx answer.
func FuzzTokenEndpoints(f *testing.F) {
	f.Add(`{"user":{"id":{"value":"u"}},"settings":{"project_id":2},"purchase":{"checkout":{"amount":1.5,"currency":"USD"}}}`, false)
	f.Add(`{"user":{"id":{"value":"u"},"country":{"value":"US"}},"purchase":{"items":[{"sku":"a","quantity":2}]},"sandbox":true}`, true)
	f.Add(`{"user":{"id":{"value":1}}}`, false)
	f.Add(`[]`, true)
	e, err := New(Options{MerchantID: 1, ProjectID: 2, APIKey: "k", Catalog: map[string]paykit.Money{"a": {Amount: 1, Currency: "USD"}}})
	if err != nil {
		f.Fatal(err)
	}
	defer e.Close()
	f.Fuzz(func(t *testing.T, body string, v3 bool) {
		path, user := "/merchant/v2/merchants/1/token", "1"
		if v3 {
			path, user = "/api/v3/project/2/admin/payment/token", "2"
		}
		r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		r.SetBasicAuth(user, "k")
		w := httptest.NewRecorder()
		e.ServeHTTP(w, r)
		if w.Code != http.StatusOK && (w.Code < 400 || w.Code > 499) {
			t.Fatalf("status %d for %q", w.Code, body)
		}
	})
}
