package paysera

import (
	"crypto"
	"crypto/rsa"
	"testing"
	"time"

	"github.com/paykit-go/paykit/signature"
)

// The two benchmarks below run over the same callback (vector C1, ss3,
// RSA-2048 test key): read the ratio ParseCallback / BareVerify from one
// `go test -bench . -benchmem -run '^$'` run. The key is parsed once, as
// in the client.

// BenchmarkBaselineBareVerifySS3 is the floor: one RSA-SHA256 verification
// of data with an already decoded signature.
func BenchmarkBaselineBareVerifySS3(b *testing.B) {
	v := mustVectors(b)
	cv := v.Callbacks["C1_macro_status1"]
	pub, err := signature.ParsePublicKey([]byte(v.About.PublicKeyPEM))
	if err != nil {
		b.Fatal(err)
	}
	sig, err := decodeBase64(cv.SS3)
	if err != nil {
		b.Fatal(err)
	}
	data := []byte(cv.Data)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := signature.VerifyRSA(data, sig, []*rsa.PublicKey{pub}, crypto.SHA256); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseCallbackSS3 is the whole ParseCallback of an HTTP request:
// query parsing, signature decoding and verification, data decoding, field
// parsing and the project check.
func BenchmarkParseCallbackSS3(b *testing.B) {
	v := mustVectors(b)
	c := vectorClient(b, "")
	r := getRequest(v.Callbacks["C1_macro_status1"].Raw)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.ParseCallback(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseCallbackEncrypted is an AES-GCM callback (vector E1), for
// reference.
func BenchmarkParseCallbackEncrypted(b *testing.B) {
	v := mustVectors(b)
	c := vectorClient(b, "")
	r := getRequest(v.Encrypted["E1_gcm_32char_password"].Raw)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.ParseCallback(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildPaymentURL builds the full R1 request.
func BenchmarkBuildPaymentURL(b *testing.B) {
	c := vectorClient(b, "3.1.5")
	req := PaymentRequest{OrderID: "ORDER-1001", Amount: 1250, Currency: "EUR",
		AcceptURL: "https://shop.example.com/accept", CancelURL: "https://shop.example.com/cancel",
		CallbackURL: "https://shop.example.com/callback", Lang: "ENG", PayText: "Order [order_nr] at [site_name]"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.BuildPaymentURL(req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRatioParseCallbackToBareVerify runs both operations above
// alternately in one loop and reports ParseCallback's time as a multiple
// of the bare verification: of the sums ("x-bare"), which stays
// meaningful on a busy machine where separate benchmarks drift apart, and
// of the fastest single runs ("x-bare-min"), which also holds on a
// machine so loaded that the sums swing by half.
func BenchmarkRatioParseCallbackToBareVerify(b *testing.B) {
	v := mustVectors(b)
	cv := v.Callbacks["C1_macro_status1"]
	pub, err := signature.ParsePublicKey([]byte(v.About.PublicKeyPEM))
	if err != nil {
		b.Fatal(err)
	}
	sig, err := decodeBase64(cv.SS3)
	if err != nil {
		b.Fatal(err)
	}
	data := []byte(cv.Data)
	c := vectorClient(b, "")
	r := getRequest(cv.Raw)
	var bare, full time.Duration
	minBare, minFull := time.Duration(1<<62), time.Duration(1<<62)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if err := signature.VerifyRSA(data, sig, []*rsa.PublicKey{pub}, crypto.SHA256); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := c.ParseCallback(r); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		bare += t1.Sub(t0)
		full += t2.Sub(t1)
		minBare, minFull = min(minBare, t1.Sub(t0)), min(minFull, t2.Sub(t1))
	}
	if bare > 0 {
		b.ReportMetric(float64(full)/float64(bare), "x-bare")
		// The ratio of the fastest runs of each: on a loaded machine the
		// sums above take whatever else runs; the minimums do not.
		b.ReportMetric(float64(minFull)/float64(minBare), "x-bare-min")
	}
}
