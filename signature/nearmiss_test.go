package signature_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/internal/form"
	"github.com/paykit-go/paykit/signature"
)

// nearMiss is a signature one small step away from a valid one.
type nearMiss struct {
	name string
	sig  string
}

// otherHex returns a hex digit different from c (of either case).
func otherHex(c byte) byte {
	if c == '0' {
		return '1'
	}
	return '0'
}

// hexNearMisses returns the hex signatures a verifier must refuse although
// they differ from sig only a little: each one is what a broken comparison
// (first byte only, all but the last, prefix match, length ignored) would
// accept.
func hexNearMisses(sig string) []nearMiss {
	first := string(otherHex(sig[0])) + sig[1:]
	last := sig[:len(sig)-1] + string(otherHex(sig[len(sig)-1]))
	mid := len(sig) / 2
	middle := sig[:mid] + string(otherHex(sig[mid])) + sig[mid+1:]
	return []nearMiss{
		{"first hex digit differs", first},
		{"last hex digit differs", last},
		{"middle hex digit differs", middle},
		{"truncated by one", sig[:len(sig)-1]},
		{"truncated by one byte (two hex digits)", sig[:len(sig)-2]},
		{"extended by one", sig + "0"},
		{"extended by one byte", sig + "00"},
		{"empty", ""},
		{"same length, not hex", strings.Repeat("z", len(sig))},
	}
}

// caseVariants are the documented equal spellings of a hex signature.
func caseVariants(sig string) []nearMiss {
	return []nearMiss{
		{"upper case", strings.ToUpper(sig)},
		{"first letter case flipped", flipFirstLetterCase(sig)},
	}
}

func flipFirstLetterCase(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'f' {
			b[i] = c - 'a' + 'A'
			return string(b)
		}
	}
	return s
}

// nearMissParams is a Playvision get_item_test as received.
var nearMissParams = url.Values{
	"app_id": {"7001"}, "item": {"gold_pack_100"}, "notification_type": {"get_item_test"},
	"user_id": {"131"}, "sig": {"ignored"},
}

func TestVerifySortedMD5_RefusesNearMisses(t *testing.T) {
	secrets := []string{"old", "s3cr3t"}
	good := signature.SortedMD5Except(nearMissParams, "s3cr3t", "sig")
	require.NoError(t, signature.VerifySortedMD5(nearMissParams, "sig", good, secrets))
	for _, m := range hexNearMisses(good) {
		t.Run(m.name, func(t *testing.T) {
			assert.Error(t, signature.VerifySortedMD5(nearMissParams, "sig", m.sig, secrets))
		})
	}
	for _, m := range caseVariants(good) {
		t.Run(m.name+" is accepted (documented)", func(t *testing.T) {
			assert.NoError(t, signature.VerifySortedMD5(nearMissParams, "sig", m.sig, secrets))
		})
	}
	t.Run("secret off by one byte", func(t *testing.T) {
		assert.Error(t, signature.VerifySortedMD5(nearMissParams, "sig", good, []string{"s3cr3u", "s3cr3", "s3cr3tt"}))
	})
	t.Run("one value off by one byte", func(t *testing.T) {
		p := url.Values{}
		for k, v := range nearMissParams {
			p[k] = v
		}
		p["user_id"] = []string{"132"}
		assert.Error(t, signature.VerifySortedMD5(p, "sig", good, secrets))
	})
}

func TestVerifySortedMD5Pairs_RefusesNearMisses(t *testing.T) {
	secrets := []string{"s3cr3t"}
	good := signature.SortedMD5Except(nearMissParams, "s3cr3t", "sig")
	pairs, err := form.ParseSorted(nil, nearMissParams.Encode())
	require.NoError(t, err)
	require.NoError(t, signature.VerifySortedMD5Pairs(pairs, "sig", good, secrets))
	for _, m := range hexNearMisses(good) {
		t.Run(m.name, func(t *testing.T) {
			assert.Error(t, signature.VerifySortedMD5Pairs(pairs, "sig", m.sig, secrets))
		})
	}
	for _, m := range caseVariants(good) {
		t.Run(m.name+" is accepted (documented)", func(t *testing.T) {
			assert.NoError(t, signature.VerifySortedMD5Pairs(pairs, "sig", m.sig, secrets))
		})
	}
}

func TestVerifyBodySHA1_RefusesNearMisses(t *testing.T) {
	body := []byte(`{"notification_type":"payment","transaction":{"id":1}}`)
	secrets := []string{"rotated-out", "webhook-secret"}
	good := signature.BodySHA1(body, "webhook-secret")
	require.NoError(t, signature.VerifyBodySHA1(body, good, secrets))
	for _, m := range hexNearMisses(good) {
		t.Run(m.name, func(t *testing.T) {
			assert.Error(t, signature.VerifyBodySHA1(body, m.sig, secrets))
		})
	}
	for _, m := range caseVariants(good) {
		t.Run(m.name+" is accepted (documented)", func(t *testing.T) {
			assert.NoError(t, signature.VerifyBodySHA1(body, m.sig, secrets))
		})
	}
	t.Run("body off by its last byte", func(t *testing.T) {
		b := append([]byte(nil), body...)
		b[len(b)-1] = ']'
		assert.Error(t, signature.VerifyBodySHA1(b, good, secrets))
	})
}

func TestEqualHex_NearMisses(t *testing.T) {
	want := "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
	require.True(t, signature.EqualHex(want, want))
	for _, m := range hexNearMisses(want) {
		t.Run(m.name, func(t *testing.T) {
			assert.False(t, signature.EqualHex(m.sig, want))
			assert.False(t, signature.EqualHex(want, m.sig))
		})
	}
	// EqualHex is documented to ignore ASCII case, and only that.
	for _, m := range caseVariants(want) {
		t.Run(m.name+" is equal (documented)", func(t *testing.T) {
			assert.True(t, signature.EqualHex(m.sig, want))
		})
	}
}

func TestMatchAny_RefusesNearMisses(t *testing.T) {
	secrets := []string{"first", "second"}
	good := md5Hex("second")
	require.NoError(t, signature.VerifyHex(good, secrets, md5Hex))
	for _, m := range hexNearMisses(good) {
		t.Run(m.name, func(t *testing.T) {
			assert.Error(t, signature.VerifyHex(m.sig, secrets, md5Hex))
		})
	}
}

// rsaNearMisses returns signatures one byte away from sig.
func rsaNearMisses(sig []byte) map[string][]byte {
	mut := func(i int) []byte {
		b := append([]byte(nil), sig...)
		b[i] ^= 0x01
		return b
	}
	return map[string][]byte{
		"first byte differs":  mut(0),
		"last byte differs":   mut(len(sig) - 1),
		"middle byte differs": mut(len(sig) / 2),
		"truncated by one":    append([]byte(nil), sig[:len(sig)-1]...),
		"extended by one":     append(append([]byte(nil), sig...), 0),
		"leading zero added":  append([]byte{0}, sig...),
		"empty":               {},
	}
}

func TestVerifyRSA_RefusesNearMisses(t *testing.T) {
	data := []byte("orderid=1&amount=100&status=1")
	s1 := sha1.Sum(data)
	ss2, err := rsa.SignPKCS1v15(rand.Reader, testKey, crypto.SHA1, s1[:])
	require.NoError(t, err)
	s256 := sha256.Sum256(data)
	ss3, err := rsa.SignPKCS1v15(rand.Reader, testKey, crypto.SHA256, s256[:])
	require.NoError(t, err)
	other, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	keys := []*rsa.PublicKey{&other.PublicKey, &testKey.PublicKey}

	for _, c := range []struct {
		name string
		hash crypto.Hash
		sig  []byte
	}{{"ss2 SHA-1", crypto.SHA1, ss2}, {"ss3 SHA-256", crypto.SHA256, ss3}} {
		require.NoError(t, signature.VerifyRSA(data, c.sig, []*rsa.PublicKey{&testKey.PublicKey}, c.hash))
		require.NoError(t, signature.VerifyRSA(data, c.sig, keys, c.hash))
		for name, bad := range rsaNearMisses(c.sig) {
			t.Run(c.name+"/"+name, func(t *testing.T) {
				assert.ErrorIs(t, signature.VerifyRSA(data, bad, []*rsa.PublicKey{&testKey.PublicKey}, c.hash), signature.ErrMismatch)
				assert.ErrorIs(t, signature.VerifyRSA(data, bad, keys, c.hash), signature.ErrMismatch)
			})
		}
		t.Run(c.name+"/data off by its last byte", func(t *testing.T) {
			d := append([]byte(nil), data...)
			d[len(d)-1] ^= 0x01
			assert.ErrorIs(t, signature.VerifyRSA(d, c.sig, []*rsa.PublicKey{&testKey.PublicKey}, c.hash), signature.ErrMismatch)
			assert.ErrorIs(t, signature.VerifyRSA(d, c.sig, keys, c.hash), signature.ErrMismatch)
		})
		t.Run(c.name+"/only the wrong key", func(t *testing.T) {
			assert.ErrorIs(t, signature.VerifyRSA(data, c.sig, keys[:1], c.hash), signature.ErrMismatch)
		})
	}
}
