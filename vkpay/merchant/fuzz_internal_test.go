package merchant

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/paykit-go/paykit"
)

// FuzzDecodeNotification feeds arbitrary JSON to the notification decoder
// (the part after RSA verification).
func FuzzDecodeNotification(f *testing.F) {
	f.Add(`{"header":{"status":"OK","ts":"1721663752","client_id":1},"body":{"transaction_id":"t","status":"PAID","amount":"10.50","added":"2021-09-07T14:09:23.000+03:00"}}`)
	f.Add(`{"body":{"transaction_id":1,"amount":1e400,"paid":-1}}`)
	f.Add(`{"body":{"transaction_id":"x","amount":10.5,"issuer_id":12,"refund_for":"y"}}`)
	f.Fuzz(func(t *testing.T, js string) {
		n, err := decodeData(base64.StdEncoding.EncodeToString([]byte(js)))
		if err != nil {
			if !errors.Is(err, paykit.ErrMalformed) {
				t.Fatalf("error matches no sentinel: %v", err)
			}
			return
		}
		if n.Body.TransactionID == "" {
			t.Fatal("decoded without transaction_id")
		}
		_ = n.Summary()
	})
}

// FuzzRubles checks the decimal conversion round-trips.
func FuzzRubles(f *testing.F) {
	for _, s := range []string{"1", "1.5", "10.00", "0.01", "-3.2", "1.005", "1e3", ".5", "99999999999999.99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := parseRubles(s)
		if !ok {
			return
		}
		m, ok := parseRubles(formatRubles(n))
		if !ok || m != n {
			t.Fatalf("%q → %d → %q → %d", s, n, formatRubles(n), m)
		}
	})
}

// FuzzDecodeAPI feeds arbitrary bytes to the decoder of VK Pay API replies
// (a Client without keys, so the decoding after verification is reached).
func FuzzDecodeAPI(f *testing.F) {
	env := base64.StdEncoding.EncodeToString([]byte(`{"header":{"status":"OK"},"body":{"transaction_id":"t"}}`))
	f.Add(200, `{"version":"2","data":"`+env+`","signature":"c2ln"}`)
	f.Add(400, `{"data":"`+base64.StdEncoding.EncodeToString([]byte(`{"header":{"status":"ERROR","error":{"code":"ERR_X","message":"m","error_id":7}}}`))+`"}`)
	f.Add(500, `<html>bad gateway</html>`)
	f.Add(200, `{"data":"!!!"}`)
	c, err := New(Config{MerchantID: 1, MerchantKey: "qz"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, status int, raw string) {
		var out map[string]any
		err := c.decodeAPI(status, []byte(raw), &out, "sig")
		if err != nil && !errors.Is(err, paykit.ErrAPI) && !errors.Is(err, ErrAPIResponse) {
			t.Fatalf("error matches neither ErrAPI nor ErrAPIResponse: %v", err)
		}
		var ae *paykit.APIError
		if errors.As(err, &ae) {
			kept := strings.ToLower(ae.Error() + ae.Code + ae.Message + string(ae.Body))
			if strings.Contains(kept, "sig") || strings.Contains(kept, "qz") {
				t.Fatalf("the request signature or the key survived redaction: %q", kept)
			}
		}
	})
}
