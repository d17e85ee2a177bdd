package checkout

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"
)

// The baseline is what a naive receiver does with an order snapshot
// (vector PCK-1): HMAC-SHA256 of the body, hex, compare, then decode into
// map[string]any. ParseBody does more (header checks, typed decoding of
// both generations, the account check). BenchmarkRatioParseBodyToBaseline
// times both in every iteration, so that a busy machine moves them
// together, and reports the ratio.

func benchSnapshot(b *testing.B) ([]byte, vector) {
	all := loadVectors(b)
	v := all["PCK-1"]
	return v.body(b, all), v
}

func baseline(b *testing.B, body []byte, sig string) {
	m := hmac.New(sha256.New, []byte(testSecret))
	m.Write(body)
	if !hmac.Equal([]byte(hex.EncodeToString(m.Sum(nil))), []byte(sig)) {
		b.Fatal("signature mismatch")
	}
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkBaselineHMACMapDecode(b *testing.B) {
	body, v := benchSnapshot(b)
	sig := v.Headers["X-Paysera-Signature"]
	b.ReportAllocs()
	for b.Loop() {
		baseline(b, body, sig)
	}
}

func BenchmarkParseBody(b *testing.B) {
	body, v := benchSnapshot(b)
	c, h := vectorClient(b, testSecret), v.header()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.ParseBody(body, h); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRatioParseBodyToBaseline(b *testing.B) {
	body, v := benchSnapshot(b)
	c, h := vectorClient(b, testSecret), v.header()
	sig := v.Headers["X-Paysera-Signature"]
	var ours, base time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := c.ParseBody(body, h); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		baseline(b, body, sig)
		ours, base = ours+t1.Sub(t0), base+time.Since(t1)
	}
	b.ReportMetric(float64(ours)/float64(base), "ratio")
}

// BenchmarkRatioAccountsToClient times a two-project endpoint against the
// project's own client on an order snapshot of the second project, the
// worst case of a webhook naming no project: the peek, then the first
// project's HMAC that fails, then the second's. Both in every iteration;
// the ratio is reported.
func BenchmarkRatioAccountsToClient(b *testing.B) {
	body, _ := benchSnapshot(b)
	a := twoProjects(b)
	cB, _ := a.Client(projectB)
	h := signed(secretB, body)
	var ours, base time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := a.ParseBody(body, h); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := cB.ParseBody(body, h); err != nil {
			b.Fatal(err)
		}
		ours, base = ours+t1.Sub(t0), base+time.Since(t1)
	}
	b.ReportMetric(float64(ours)/float64(base), "ratio")
}
