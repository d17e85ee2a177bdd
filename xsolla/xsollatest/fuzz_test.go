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

// FuzzReportEndpoints sends arbitrary refund bodies and search queries to
// the report endpoints of an emulator with no paid transaction: no panic,
// and only 200 or a 4xx answer (a refund can never be accepted).
func FuzzReportEndpoints(f *testing.F) {
	f.Add(`{"description":"d","email":"a@b.c"}`, "datetime_from=2020-01-01&limit=5", uint8(0))
	f.Add(`{"refund_amount":1.5,"description":"d"}`, "transaction_id=800000001", uint8(1))
	f.Add(`{"refund_amount":"1","description":""}`, "external_id=o&transaction_id=1", uint8(2))
	f.Add(`[]`, "type=test&offset=-1&project_id=2", uint8(3))
	e, err := New(Options{MerchantID: 1, ProjectID: 2, APIKey: "k"})
	if err != nil {
		f.Fatal(err)
	}
	defer e.Close()
	base := "/merchant/v2/merchants/1/reports/transactions/"
	f.Fuzz(func(t *testing.T, body, rawQuery string, which uint8) {
		var r *http.Request
		switch which % 4 {
		case 0:
			r = httptest.NewRequest(http.MethodPut, base+"800000001/refund", strings.NewReader(body))
		case 1:
			r = httptest.NewRequest(http.MethodPut, base+"800000001/partial_refund", strings.NewReader(body))
		case 2:
			r = httptest.NewRequest(http.MethodGet, base+"search.json", nil)
		default:
			r = httptest.NewRequest(http.MethodGet, base+"simple_search", nil)
		}
		r.URL.RawQuery = rawQuery
		r.Header.Set("Content-Type", "application/json")
		r.SetBasicAuth("1", "k")
		w := httptest.NewRecorder()
		e.ServeHTTP(w, r)
		if w.Code != http.StatusOK && (w.Code < 400 || w.Code > 499) {
			t.Fatalf("status %d for %q %q", w.Code, body, rawQuery)
		}
	})
}
