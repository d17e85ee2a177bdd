package signature_test

import (
	"crypto/x509"
	"errors"
	"testing"

	"github.com/paykit-go/paykit/signature"
)

func FuzzParsePublicKey(f *testing.F) {
	pkix, err := x509.MarshalPKIXPublicKey(&testKey.PublicKey)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(certPEM(f, testKey))
	f.Add(pemOf("PUBLIC KEY", pkix))
	f.Add(pemOf("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&testKey.PublicKey)))
	f.Add([]byte("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := signature.ParsePublicKey(data)
		if err != nil {
			if !errors.Is(err, signature.ErrKey) {
				t.Fatalf("error %v does not match ErrKey", err)
			}
			return
		}
		if k == nil || k.N == nil {
			t.Fatal("nil key without error")
		}
	})
}

func FuzzEqualHex(f *testing.F) {
	f.Add("0a1B", "0A1b")
	f.Add("", "x")
	f.Fuzz(func(t *testing.T, a, b string) {
		if signature.EqualHex(a, b) != signature.EqualHex(b, a) {
			t.Fatal("not symmetric")
		}
		if !signature.EqualHex(a, a) {
			t.Fatal("not reflexive")
		}
	})
}
