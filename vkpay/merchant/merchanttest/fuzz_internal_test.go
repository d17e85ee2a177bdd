package merchanttest

import (
	"crypto"
	"testing"

	"github.com/paykit-go/paykit/internal/emulator"
)

// FuzzDecodeForm feeds arbitrary pay-form JSON to the page's decoder: no
// panic, and a form it accepts has params.
func FuzzDecodeForm(f *testing.F) {
	f.Add(`{"app_id":7000,"action":"pay-to-service","params":{"amount":15,"data":{"order_id":"1","ts":"1","currency":"RUB"},"merchant_id":1,"version":2,"sign":"x"}}`)
	f.Add(`{"params":{"data":{"cashback":{}}}}`)
	f.Add(`{"params":{"amount":"1.5"}}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, s string) {
		form, err := decodeForm([]byte(s))
		if err == nil && form.Params == nil {
			t.Fatal("accepted without params")
		}
	})
}

// FuzzJudgeAnswer feeds arbitrary answers to VK Pay's reading of them: no
// panic; only HTTP 200 with a verified signature is acknowledged.
func FuzzJudgeAnswer(f *testing.F) {
	f.Add(200, `{"version":"2-03","data":"eyJoZWFkZXIiOnsic3RhdHVzIjoiT0sifX0=","signature":"x"}`)
	f.Add(500, `oops`)
	f.Add(200, `{"data":"!!"}`)
	judge := judgeAnswer("key", crypto.SHA1)
	f.Fuzz(func(t *testing.T, status int, body string) {
		v := judge(status, []byte(body))
		if status != 200 && v.Outcome != emulator.Retrying {
			t.Fatal("a non-200 answer must be resent")
		}
	})
}
