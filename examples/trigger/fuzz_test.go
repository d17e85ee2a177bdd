package main

import (
	"net/http"
	"testing"
)

// FuzzAccepts: reading a receiver's answer (network input) never panics,
// and no refusal status is ever read as an acceptance.
func FuzzAccepts(f *testing.F) {
	for _, seed := range []string{
		`{"response":{"order_id":5}}`, `{"error":{"error_code":10}}`, `{"response":null}`,
		`{"status":"1","message":"success"}`, `{"status":"-1"}`, `{"status":1}`, `{"item_id":"x"}`,
		`{"version":"2-03","data":"eyJoZWFkZXIiOnsic3RhdHVzIjoiT0sifX0=","signature":"00"}`,
		`{"data":"!!"}`, `OK`, ``, `[`, `null`,
	} {
		f.Add(http.StatusOK, []byte(seed))
	}
	f.Add(http.StatusBadRequest, []byte(`{"response":{}}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		for name, accepts := range map[string]func(int, []byte) bool{
			"vkpay": vkAccepts, "playvision": playvisionAccepts, "vkpay-merchant": merchantAccepts,
		} {
			if accepts(status, body) && status != http.StatusOK {
				t.Fatalf("%s accepted HTTP %d", name, status)
			}
		}
	})
}
