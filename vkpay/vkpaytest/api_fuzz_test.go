package vkpaytest_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paykit-go/paykit/vkpay/vkpaytest"
)

// FuzzEmulatedAPI feeds arbitrary methods and form bodies to the emulated
// payments API: every answer is HTTP 200 with exactly one of response and
// error, never echoes the token, and nothing panics.
func FuzzEmulatedAPI(f *testing.F) {
	f.Add("orders.getById", "v=5.199&order_ids=1,2", true)
	f.Add("orders.changeState", "v=5.199&order_id=1&action=refund&test_mode=1", true)
	f.Add("orders.get", "v=5.199&count=-1&offset=x", true)
	f.Add("orders.cancelSubscription", "v=5.199&user_id=1&subscription_id=1&pending_cancel=1", false)
	f.Add("orders.getById", "v=5.199&order_id=1&order_id=2&access_token="+apiToken, false)
	f.Add("orders.updateSubscription", "v=5.199&user_id=1&subscription_id=99999999999999999999&price=1", true)
	e, err := vkpaytest.New(vkpaytest.Options{AppID: appID, Secret: secret, AccessToken: apiToken})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(e.Close)
	f.Fuzz(func(t *testing.T, method, body string, bearer bool) {
		if strings.ContainsFunc(method, func(r rune) bool { return r <= ' ' || r >= 0x7f || strings.ContainsRune("/?#%", r) }) {
			return // not a path segment a client could send
		}
		r := httptest.NewRequest(http.MethodPost, "/method/"+method, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if bearer {
			r.Header.Set("Authorization", "Bearer "+apiToken)
		}
		w := httptest.NewRecorder()
		e.ServeHTTP(w, r)
		if w.Code == http.StatusNotFound {
			return // a method name the router does not take as one
		}
		var env map[string]json.RawMessage
		if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &env) != nil || len(env) != 1 {
			t.Fatalf("HTTP %d %s", w.Code, w.Body)
		}
		if _, ok := env["response"]; !ok {
			if _, ok := env["error"]; !ok {
				t.Fatalf("%s", w.Body)
			}
		}
		if strings.Contains(w.Body.String(), apiToken) {
			t.Fatalf("echoes the token: %s", w.Body)
		}
	})
}
