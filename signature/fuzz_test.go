package signature_test

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"net/url"
	"sort"
	"strings"
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

// refEqualHex is the plain reference for EqualHex: same length, and equal
// after folding ASCII A-Z (and nothing else) to lower case.
func refEqualHex(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	fold := func(c byte) byte {
		if 'A' <= c && c <= 'Z' {
			return c + 'a' - 'A'
		}
		return c
	}
	for i := 0; i < len(a); i++ {
		if fold(a[i]) != fold(b[i]) {
			return false
		}
	}
	return true
}

// FuzzEqualHex checks EqualHex against the reference over any strings, and
// against hex decoding over hex strings: an always-true, first-byte-only
// or case-sensitive EqualHex fails here.
func FuzzEqualHex(f *testing.F) {
	f.Add("0a1B", "0A1b")
	f.Add("", "x")
	f.Add("0a1b", "1a1b")
	f.Add("0a1b", "0a1c")
	f.Add("0a1b", "0a1")
	f.Add("[", "{")
	f.Fuzz(func(t *testing.T, a, b string) {
		got := signature.EqualHex(a, b)
		if want := refEqualHex(a, b); got != want {
			t.Fatalf("EqualHex(%q, %q) = %v, reference says %v", a, b, got, want)
		}
		if got != signature.EqualHex(b, a) {
			t.Fatal("not symmetric")
		}
		if !signature.EqualHex(a, a) || !signature.EqualHex(strings.ToUpper(a), strings.ToLower(a)) && isASCII(a) {
			t.Fatal("not reflexive up to ASCII case")
		}
		da, errA := hex.DecodeString(a)
		db, errB := hex.DecodeString(b)
		if errA == nil && errB == nil && got != bytes.Equal(da, db) {
			t.Fatalf("EqualHex(%q, %q) = %v, decoded bytes equal: %v", a, b, got, bytes.Equal(da, db))
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// fuzzParams turns fuzz text into parameters: pairs split on '&', key and
// value on the first '='; a key may repeat.
func fuzzParams(form string) url.Values {
	p := url.Values{}
	for _, kv := range strings.Split(form, "&") {
		k, v, _ := strings.Cut(kv, "=")
		p[k] = append(p[k], v)
	}
	return p
}

// refSortedMD5 builds the canonical string naively — sort the keys, write
// key=value for every value, append the secret — and hashes it.
func refSortedMD5(p url.Values, secret, skip string) string {
	var keys []string
	for k := range p {
		if k != skip {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var s string
	for _, k := range keys {
		for _, v := range p[k] {
			s += k + "=" + v
		}
	}
	sum := md5.Sum([]byte(s + secret))
	return hex.EncodeToString(sum[:])
}

// mutateHex changes the hex digit at i (mod len) of sig, or returns sig
// when it is empty.
func mutateHex(sig string, i uint8) string {
	if sig == "" {
		return sig
	}
	n := int(i) % len(sig)
	return sig[:n] + string(otherHex(sig[n])) + sig[n+1:]
}

// FuzzSortedMD5 checks SortedMD5Except, VerifySortedMD5 and
// VerifySortedMD5Pairs against the naive reference: the right signature
// (in either case) verifies, a one-digit change anywhere does not, and an
// arbitrary candidate verifies exactly when the reference says it should.
func FuzzSortedMD5(f *testing.F) {
	f.Add("user_id=131&project_id=1&level=16&time=1409581492", "api_secret", "old", "81555196e23f9950c0d2780ce2274fc7", uint8(0))
	f.Add("a=1&a=x&b=2&sig=zz", "s", "", "", uint8(31))
	f.Add("item=x&item_id=y", "k", "k2", "0123456789abcdef0123456789abcdeF", uint8(7))
	f.Fuzz(func(t *testing.T, form, secret, previous, candidate string, at uint8) {
		p := fuzzParams(form)
		secrets := []string{previous, secret}
		want := refSortedMD5(p, secret, "sig")
		if got := signature.SortedMD5Except(p, secret, "sig"); got != want {
			t.Fatalf("SortedMD5Except = %s, reference %s", got, want)
		}
		if got := signature.SortedMD5(p, secret); got != refSortedMD5(p, secret, "") {
			t.Fatalf("SortedMD5 = %s, reference %s", got, refSortedMD5(p, secret, ""))
		}
		pairs := sortedPairs(p)
		refVerify := func(sig string) bool {
			ok := false
			for _, s := range secrets {
				ok = ok || refEqualHex(sig, refSortedMD5(p, s, "sig"))
			}
			_, err := hex.DecodeString(sig)
			return ok && err == nil
		}
		for _, sig := range []string{want, strings.ToUpper(want), mutateHex(want, at), want[:31], want + "0", candidate} {
			expect := refVerify(sig)
			if got := signature.VerifySortedMD5(p, "sig", sig, secrets) == nil; got != expect {
				t.Fatalf("VerifySortedMD5(%q) = %v, reference %v", sig, got, expect)
			}
			if pairs != nil {
				if got := signature.VerifySortedMD5Pairs(pairs, "sig", sig, secrets) == nil; got != expect {
					t.Fatalf("VerifySortedMD5Pairs(%q) = %v, reference %v", sig, got, expect)
				}
			}
		}
	})
}

// sortedPairs returns p as pairs sorted by key (values in order), or nil
// when a key repeats: the pairs path serves forms without repeats.
func sortedPairs(p url.Values) []signature.Pair {
	keys := make([]string, 0, len(p))
	for k, v := range p {
		if len(v) != 1 {
			return nil
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	pairs := make([]signature.Pair, 0, len(keys))
	for _, k := range keys {
		pairs = append(pairs, signature.Pair{Key: k, Value: p[k][0]})
	}
	return pairs
}

// FuzzBodySHA1 checks BodySHA1 and VerifyBodySHA1 against crypto/sha1 of
// body‖secret.
func FuzzBodySHA1(f *testing.F) {
	f.Add([]byte(`{"notification_type":"user_validation"}`), "secret", "old", "", uint8(0))
	f.Add([]byte{}, "", "x", "da39a3ee5e6b4b0d3255bfef95601890afd80709", uint8(39))
	f.Fuzz(func(t *testing.T, body []byte, secret, previous, candidate string, at uint8) {
		ref := func(s string) string {
			sum := sha1.Sum(append(append([]byte(nil), body...), s...))
			return hex.EncodeToString(sum[:])
		}
		want := ref(secret)
		if got := signature.BodySHA1(body, secret); got != want {
			t.Fatalf("BodySHA1 = %s, reference %s", got, want)
		}
		secrets := []string{previous, secret}
		for _, sig := range []string{want, strings.ToUpper(want), mutateHex(want, at), want[:39], want + "0", candidate} {
			expect := refEqualHex(sig, ref(previous)) || refEqualHex(sig, want)
			if got := signature.VerifyBodySHA1(body, sig, secrets) == nil; got != expect {
				t.Fatalf("VerifyBodySHA1(%q) = %v, reference %v", sig, got, expect)
			}
		}
	})
}
