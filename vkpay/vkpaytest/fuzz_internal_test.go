package vkpaytest

import (
	"testing"

	"github.com/paykit-go/paykit/internal/emulator"
)

// FuzzJudge feeds arbitrary merchant answers to the emulator's reading of
// them: no panic, a success always carries a response, and only HTTP 200
// can succeed or refuse.
func FuzzJudge(f *testing.F) {
	f.Add(200, `{"response":{"order_id":1}}`)
	f.Add(200, `{"error":{"error_code":2,"error_msg":"x","critical":false}}`)
	f.Add(200, `{"response":null,"error":{"critical":true}}`)
	f.Add(500, `oops`)
	f.Fuzz(func(t *testing.T, status int, body string) {
		v := judge(status, []byte(body))
		if v.Outcome == emulator.Delivered && len(response(body)) == 0 {
			t.Fatal("success without a response")
		}
		if status != 200 && v.Outcome != emulator.Retrying {
			t.Fatal("a non-200 answer must be retried")
		}
		if o := judgeOrder(7)(status, []byte(body)); o.Outcome == emulator.Delivered && v.Outcome != emulator.Delivered {
			t.Fatal("the order check accepted what judge did not")
		}
	})
}
