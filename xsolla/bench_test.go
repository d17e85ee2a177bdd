package xsolla

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// The baseline is what a naive handler does: SHA-1 of body‖secret, hex,
// compare, then decode into map[string]any. ParseCallback does more (header
// parsing, typed decoding, project check) and should still take at most
// 0.6× of it.

func benchPayment(b *testing.B) (body []byte, secret, header string) {
	v := loadVectors(b)
	vec := v.Vectors[1]
	return []byte(vec.RawBody), vec.Secret, vec.Header
}

func BenchmarkBaselineSHA1MapDecode(b *testing.B) {
	body, secret, header := benchPayment(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for i := 0; i < b.N; i++ {
		h := sha1.New()
		h.Write(body)
		h.Write([]byte(secret))
		if "Signature "+hex.EncodeToString(h.Sum(nil)) != header {
			b.Fatal("signature mismatch")
		}
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseBody(b *testing.B) {
	body, secret, header := benchPayment(b)
	c, err := New(Config{ProjectID: 18404, MerchantID: 2340, WebhookSecret: secret})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for i := 0; i < b.N; i++ {
		if _, err := c.ParseBody(body, authHeader(header)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseCallback(b *testing.B) {
	body, secret, header := benchPayment(b)
	c, err := New(Config{ProjectID: 18404, MerchantID: 2340, WebhookSecret: secret})
	if err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/xsolla", nil)
	r.Header.Set("Authorization", header)
	rd := bytes.NewReader(body)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for i := 0; i < b.N; i++ {
		rd.Reset(body)
		r.Body = noopCloser{rd}
		r.ContentLength = int64(len(body))
		if _, err := c.ParseCallback(r); err != nil {
			b.Fatal(err)
		}
	}
}

type noopCloser struct{ *bytes.Reader }

func (noopCloser) Close() error { return nil }
