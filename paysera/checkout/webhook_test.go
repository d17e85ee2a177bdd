package checkout

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/paykit-go/paykit"
)

const testSecret = "pGx7Vq2mT9sLr4Kc8Wd1Yz6Hb3Nf5Ja0"

func hmacHex(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func signed(secret string, body []byte) http.Header {
	h := http.Header{}
	h.Set(HeaderSignature, hmacHex(secret, body))
	h.Set(HeaderSignatureAlg, SignatureAlgorithm)
	h.Set(HeaderCreatedAt, "1736433571")
	h.Set(HeaderRequestID, "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b")
	h.Set(HeaderCallbackID, "0b9a8c7d-6e5f-4a3b-9c2d-1e0f2a3b4c5d")
	return h
}

const thinPayment = `{"version":1,"event":{"type":"payment","name":"status_updated"},"order":{"paysera_order_id":"019ed03a-84f0-7ba0-874a-f7473738875b","merchant_order_id":"ORDER-1"},"payment":{"id":"5b0e8c2a-1f3d-4e6a-9b7c-2d4f6a8c0e1b","status":"settled","amount":2500,"currency":"EUR"},"timestamp":1736433570}`

func flipCase(s string, i int) string {
	b := []byte(s)
	if b[i] >= 'a' && b[i] <= 'f' {
		b[i] -= 'a' - 'A'
	}
	return string(b)
}

func otherHex(c byte) byte {
	if c == '0' {
		return '1'
	}
	return '0'
}

func TestParseBody_SignatureNearMissesAreRefused(t *testing.T) {
	c := vectorClient(t, testSecret)
	body := []byte(thinPayment)
	good := hmacHex(testSecret, body)
	firstLetter := strings.IndexAny(good, "abcdef")
	cases := map[string]string{
		"first byte changed": string(otherHex(good[0])) + good[1:],
		"last byte changed":  good[:63] + string(otherHex(good[63])),
		"one digit upper":    flipCase(good, firstLetter),
		"all upper case":     strings.ToUpper(good),
		"truncated":          good[:63],
		"extended":           good + "0",
		"sha256= prefix":     "sha256=" + good,
		"base64 instead":     "+Jm8QbUn+L2gQezLtY/w1IqNP/MH3X6PQz6VfpIWHw8=",
		"space padded":       " " + good,
		"other secret":       hmacHex(testSecret+"x", body),
		"secret one short":   hmacHex(testSecret[:len(testSecret)-1], body),
	}
	for name, sig := range cases {
		t.Run(name, func(t *testing.T) {
			h := signed(testSecret, body)
			h.Set(HeaderSignature, sig)
			if _, err := c.ParseBody(body, h); !errors.Is(err, paykit.ErrInvalidSignature) {
				t.Fatalf("got %v, want ErrInvalidSignature", err)
			}
		})
	}
	t.Run("body one byte longer", func(t *testing.T) {
		if _, err := c.ParseBody(append(body, ' '), signed(testSecret, body)); !errors.Is(err, paykit.ErrInvalidSignature) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestParseBody_SignatureHeaders(t *testing.T) {
	c := vectorClient(t, testSecret)
	body := []byte(thinPayment)
	cases := []struct {
		name string
		edit func(h http.Header)
		want error
	}{
		{"no signature", func(h http.Header) { h.Del(HeaderSignature) }, paykit.ErrMissingSignature},
		{"empty signature", func(h http.Header) { h.Set(HeaderSignature, "") }, paykit.ErrMissingSignature},
		{"signature twice", func(h http.Header) { h.Add(HeaderSignature, h.Get(HeaderSignature)) }, paykit.ErrInvalidSignature},
		{"alg HMAC-SHA1", func(h http.Header) { h.Set(HeaderSignatureAlg, "HMAC-SHA1") }, paykit.ErrInvalidSignature},
		{"alg HMAC-SHA2560", func(h http.Header) { h.Set(HeaderSignatureAlg, "HMAC-SHA2560") }, paykit.ErrInvalidSignature},
		{"alg empty", func(h http.Header) { h.Set(HeaderSignatureAlg, "") }, paykit.ErrInvalidSignature},
		{"alg lower case accepted", func(h http.Header) { h.Set(HeaderSignatureAlg, "hmac-sha256") }, nil},
		{"alg absent accepted (v3)", func(h http.Header) { h.Del(HeaderSignatureAlg) }, nil},
		{"created-at zero", func(h http.Header) { h.Set(HeaderCreatedAt, "0") }, paykit.ErrMalformed},
		{"created-at signed", func(h http.Header) { h.Set(HeaderCreatedAt, "+1736433571") }, paykit.ErrMalformed},
		{"created-at absent accepted", func(h http.Header) { h.Del(HeaderCreatedAt) }, nil},
		{"request id not a UUID", func(h http.Header) { h.Set(HeaderRequestID, "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4") }, paykit.ErrMalformed},
		{"callback id not a UUID", func(h http.Header) { h.Set(HeaderCallbackID, "0b9a8c7d_6e5f-4a3b-9c2d-1e0f2a3b4c5d") }, paykit.ErrMalformed},
		{"upper-case UUID accepted", func(h http.Header) { h.Set(HeaderRequestID, "6F1D2C3B-4A5E-4F60-8A7B-9C0D1E2F3A4B") }, nil},
		{"v3 timestamp garbage", func(h http.Header) { h.Set(HeaderTimestamp, "soon") }, paykit.ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := signed(testSecret, body)
			tc.edit(h)
			_, err := c.ParseBody(body, h)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestParseBody_PreviousSecretVerifiesDuringRotation(t *testing.T) {
	c, err := New(Config{ClientID: "id", ClientSecret: "new-secret", PreviousSecrets: []string{testSecret}})
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(thinPayment)
	if _, err := c.ParseBody(body, signed(testSecret, body)); err != nil {
		t.Fatalf("old secret refused: %v", err)
	}
	if _, err := c.ParseBody(body, signed("new-secret", body)); err != nil {
		t.Fatalf("new secret refused: %v", err)
	}
}

func TestParseBody_ErrorsNeverHoldSecretsOrSignatures(t *testing.T) {
	c := vectorClient(t, testSecret)
	body := []byte(thinPayment)
	h := signed(testSecret, body)
	want := h.Get(HeaderSignature)
	h.Set(HeaderSignature, want[:63]+string(otherHex(want[63])))
	_, err := c.ParseBody(body, h)
	if err == nil {
		t.Fatal("accepted")
	}
	for _, s := range []string{testSecret, want, h.Get(HeaderSignature)} {
		if strings.Contains(err.Error(), s) {
			t.Fatalf("error %q echoes %q", err, s)
		}
	}
}

func TestParseBody_MalformedVerifiedBodies(t *testing.T) {
	c := vectorClient(t, testSecret)
	cases := map[string]string{
		"not JSON":               `event=order`,
		"no event":               `{"order":{}}`,
		"event without name":     `{"event":{"type":"order"}}`,
		"order without id":       `{"event":{"type":"order","name":"amount_paid_updated"},"order":{"status":"paid","amount":1}}`,
		"amount with fraction":   `{"event":{"type":"order","name":"amount_paid_updated"},"order":{"paysera_order_id":"o","status":"paid","amount":25.5}}`,
		"amount with plus":       `{"event":{"type":"order","name":"amount_paid_updated"},"order":{"paysera_order_id":"o","status":"paid","amount":"+25"}}`,
		"negative amount":        `{"event":{"type":"order","name":"amount_paid_updated"},"order":{"paysera_order_id":"o","status":"paid","amount":-1}}`,
		"payment without status": `{"event":{"type":"payment","name":"status_updated"},"payment":{"id":"p"}}`,
		"bad currency":           `{"event":{"type":"payment","name":"status_updated"},"payment":{"id":"p","status":"settled","currency":"EURO"}}`,
		"trailing garbage":       thinPayment + `x`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			b := []byte(body)
			if _, err := c.ParseBody(b, signed(testSecret, b)); !errors.Is(err, paykit.ErrMalformed) {
				t.Fatalf("got %v, want ErrMalformed", err)
			}
		})
	}
}

func TestParseBody_WrongProjectIsRefused(t *testing.T) {
	c, err := New(Config{ClientID: "id", ClientSecret: testSecret, ProjectID: "11111111-2c90-7103-9169-752bdaac7a52"})
	if err != nil {
		t.Fatal(err)
	}
	all := loadVectors(t)
	v := all["PCK-4"] // carries projectId 01990618-…
	if _, err := c.ParseBody(v.body(t, all), v.header()); !errors.Is(err, paykit.ErrWrongAccount) {
		t.Fatalf("got %v, want ErrWrongAccount", err)
	}
	same, _ := New(Config{ClientID: "id", ClientSecret: testSecret, ProjectID: "01990618-2C90-7103-9169-752BDAAC7A52"})
	if _, err := same.ParseBody(v.body(t, all), v.header()); err != nil {
		t.Fatalf("own project refused: %v", err)
	}
}

func TestParseCallback_OnlyPOST(t *testing.T) {
	c := vectorClient(t, testSecret)
	r, _ := http.NewRequest(http.MethodGet, "http://shop.test/cb", nil)
	if _, err := c.ParseCallback(r); !errors.Is(err, paykit.ErrMalformed) {
		t.Fatalf("got %v", err)
	}
}

// Limits and UUID syntax at their boundaries (the survivors of a gremlins
// run over webhook.go).
func TestParseBody_Boundaries(t *testing.T) {
	c := vectorClient(t, testSecret)
	event := func(typ, name string) []byte {
		return []byte(`{"event":{"type":"` + typ + `","name":"` + name + `"}}`)
	}
	cases := []struct {
		name string
		body []byte
		edit func(h http.Header)
		want error
	}{
		{"event type of 100 bytes", event(strings.Repeat("t", 100), "n"), nil, nil},
		{"event type of 101 bytes", event(strings.Repeat("t", 101), "n"), nil, paykit.ErrMalformed},
		{"event name of 200 bytes", event("t", strings.Repeat("n", 200)), nil, nil},
		{"event name of 201 bytes", event("t", strings.Repeat("n", 201)), nil, paykit.ErrMalformed},
		{"v3 event header of 200 bytes", []byte(thinPayment), func(h http.Header) { h.Set(HeaderEvent, strings.Repeat("e", 200)) }, nil},
		{"v3 event header of 201 bytes", []byte(thinPayment), func(h http.Header) { h.Set(HeaderEvent, strings.Repeat("e", 201)) }, paykit.ErrMalformed},
	}
	for _, bad := range []string{"g", "G", "/", ":", "`", "@", "-"} {
		id := "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4" + bad
		cases = append(cases, struct {
			name string
			body []byte
			edit func(h http.Header)
			want error
		}{"request id ending in " + bad, []byte(thinPayment), func(h http.Header) { h.Set(HeaderRequestID, id) }, paykit.ErrMalformed})
	}
	for _, good := range []string{"0", "9", "a", "f", "A", "F"} {
		id := "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4" + good
		cases = append(cases, struct {
			name string
			body []byte
			edit func(h http.Header)
			want error
		}{"request id ending in " + good, []byte(thinPayment), func(h http.Header) { h.Set(HeaderRequestID, id) }, nil})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := signed(testSecret, tc.body)
			if tc.edit != nil {
				tc.edit(h)
			}
			_, err := c.ParseBody(tc.body, h)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestParseCallback_BodyOverTheCap(t *testing.T) {
	c := vectorClient(t, testSecret)
	body := []byte(`{"pad":"` + strings.Repeat("a", 70<<10) + `"}`)
	r, _ := http.NewRequest(http.MethodPost, "http://shop.test/cb", bytes.NewReader(body))
	r.Header = signed(testSecret, body)
	if _, err := c.ParseCallback(r); !errors.Is(err, paykit.ErrBodyTooLarge) {
		t.Fatalf("got %v", err)
	}
}

// A thin payment or refund event names its order's project only in some
// generations; when it does, a client of another project refuses it as
// it refuses an order snapshot of another project (an Accounts endpoint
// routes on the same field).
func TestParseBody_ThinEventOfAnotherProjectIsRefused(t *testing.T) {
	const own, other = "01990618-2c90-7103-9169-752bdaac7a52", "11111111-2c90-7103-9169-752bdaac7a52"
	c, err := New(Config{ClientID: "id", ClientSecret: testSecret, ProjectID: own})
	if err != nil {
		t.Fatal(err)
	}
	thinRefund := `{"event":{"type":"refund","name":"status_updated"},"order":{"paysera_order_id":"019ed03a-84f0-7ba0-874a-f7473738875b","merchant_order_id":"ORDER-1"},"refund":{"id":"r-1","status":"completed","amount":500,"currency":"EUR"}}`
	for name, body := range map[string]string{"payment": thinPayment, "refund": thinRefund} {
		for _, field := range []string{"project_id", "projectId"} {
			t.Run(name+" "+field, func(t *testing.T) {
				named := func(project string) []byte {
					return []byte(strings.Replace(body, `"order":{`, `"order":{"`+field+`":"`+project+`",`, 1))
				}
				b := named(other)
				if _, err := c.ParseBody(b, signed(testSecret, b)); !errors.Is(err, paykit.ErrWrongAccount) {
					t.Fatalf("another project's event: got %v, want ErrWrongAccount", err)
				}
				b = named(strings.ToUpper(own))
				n, err := c.ParseBody(b, signed(testSecret, b))
				if err != nil {
					t.Fatalf("own project refused: %v", err)
				}
				if got := n.Summary().OrderID; got != "ORDER-1" {
					t.Fatalf("order id %q", got)
				}
			})
		}
		t.Run(name+" naming no project", func(t *testing.T) {
			b := []byte(body)
			if _, err := c.ParseBody(b, signed(testSecret, b)); err != nil {
				t.Fatalf("refused: %v", err)
			}
		})
	}
}
