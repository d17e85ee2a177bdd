package merchant_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/paykit-go/paykit/vkpay/merchant"
)

const merchantKey = "627fdbfa24232a5b62f9c295baa93f7db9752873"

var fixedNow = time.Unix(1721663752, 0)

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func privateKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	block, _ := pem.Decode(readFile(t, "test_key.pem"))
	k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newClient(t testing.TB, mod ...func(*merchant.Config)) *merchant.Client {
	t.Helper()
	cfg := merchant.Config{MerchantID: 617001, AppID: 7000, AppSecret: "ug3CQvCkfRyI6svLVpC", MerchantKey: merchantKey,
		PublicKeyPEM: readFile(t, "test_pub.pem"), Now: func() time.Time { return fixedNow }}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := merchant.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// notify returns the form VK Pay would post for data, signed with the test
// key.
func notify(t testing.TB, data any, h crypto.Hash) url.Values {
	t.Helper()
	js, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString(js)
	var digest []byte
	if h == crypto.SHA256 {
		d := sha256.Sum256([]byte(b64))
		digest = d[:]
	} else {
		d := sha1.Sum([]byte(b64))
		digest = d[:]
	}
	sig, err := rsa.SignPKCS1v15(rand.Reader, privateKey(t), h, digest)
	if err != nil {
		t.Fatal(err)
	}
	return url.Values{"data": {b64}, "signature": {base64.StdEncoding.EncodeToString(sig)}, "version": {"2-03"}}
}

func paidData(txn, status string) map[string]any {
	return map[string]any{
		"header": map[string]any{"status": "OK", "ts": "1721663752", "client_id": 617001},
		"body": map[string]any{
			"transaction_id": txn, "notify_type": "TRANSACTION_STATUS", "status": status,
			"added": "2021-09-07T14:09:23.000+03:00", "paid": "1631013000", "issuer_id": "order-42",
			"amount": "10.50", "currency": "RUB", "merchant_id": "617001", "description": "Gold",
			"user_info":      map[string]any{"user_id": 1, "buyer_ip": "127.0.0.1"},
			"merchant_param": map[string]any{"sku": "gold"},
		},
	}
}

func post(h http.Handler, form url.Values) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/vkpay/notify", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}
