package vkpaytest

import "testing"

// FuzzClassify feeds arbitrary merchant answers to the emulator's answer
// classifier: no panic, and a success always carries a response.
func FuzzClassify(f *testing.F) {
	f.Add(200, `{"response":{"order_id":1}}`)
	f.Add(200, `{"error":{"error_code":2,"error_msg":"x","critical":false}}`)
	f.Add(200, `{"response":null,"error":{"critical":true}}`)
	f.Add(500, `oops`)
	f.Fuzz(func(t *testing.T, status int, body string) {
		res := classify(status, []byte(body))
		if res.outcome == outcomeOK && len(res.response) == 0 {
			t.Fatal("success without a response")
		}
		if status != 200 && res.outcome != outcomeRetry {
			t.Fatal("a non-200 answer must be retried")
		}
	})
}
