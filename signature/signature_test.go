package signature_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/internal/form"
	"github.com/paykit-go/paykit/signature"
)

func loadJSON(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, v))
}

func TestSortedMD5_PlayvisionDocsVector(t *testing.T) {
	var vec struct {
		Docs struct {
			Params      map[string]string `json:"params"`
			Secret      string            `json:"secret"`
			ExpectedSig string            `json:"expected_sig"`
		} `json:"docs_example"`
		GetItem struct {
			Secret      string `json:"secret"`
			Body        string `json:"body_urlencoded"`
			ExpectedSig string `json:"expected_sig"`
		} `json:"get_item_test"`
	}
	loadJSON(t, "playvision.json", &vec)

	params := url.Values{}
	for k, v := range vec.Docs.Params {
		params.Set(k, v)
	}
	assert.Equal(t, vec.Docs.ExpectedSig, signature.SortedMD5(params, vec.Docs.Secret))

	form, err := form.Parse(vec.GetItem.Body)
	require.NoError(t, err)
	assert.Equal(t, vec.GetItem.ExpectedSig, signature.SortedMD5Except(form, vec.GetItem.Secret, "sig"))
	assert.NoError(t, signature.VerifySortedMD5(form, "sig", form.Get("sig"), []string{"old", vec.GetItem.Secret}))
}

func TestSortedMD5_VKVotesVectors(t *testing.T) {
	var vec struct {
		Votes []struct {
			ID          string `json:"id"`
			Secret      string `json:"secret"`
			Body        string `json:"body_urlencoded"`
			ExpectedSig string `json:"expected_sig"`
			WrongSig    string `json:"wrong_sig_if_values_left_percent_encoded"`
		} `json:"votes"`
	}
	loadJSON(t, "vkpay.json", &vec)
	require.NotEmpty(t, vec.Votes)
	for _, v := range vec.Votes {
		t.Run(v.ID, func(t *testing.T) {
			form, err := form.Parse(v.Body)
			require.NoError(t, err)
			got := signature.SortedMD5(form, v.Secret)
			assert.Equal(t, v.ExpectedSig, got)
			if v.WrongSig != "" {
				assert.NotEqual(t, v.WrongSig, got)
			}
			assert.NoError(t, signature.VerifySortedMD5(form, "sig", strings.ToUpper(v.ExpectedSig), []string{v.Secret}),
				"hex case must not matter")
			assert.Error(t, signature.VerifySortedMD5(form, "sig", v.ExpectedSig, []string{v.Secret + "x"}))
		})
	}
}

func TestSortedMD5_SkipsOnlyNamedKeyAndSignsEveryValue(t *testing.T) {
	p := url.Values{"b": {"2"}, "a": {"1", "x"}, "sig": {"zzz"}}
	want := signature.SortedMD5(url.Values{"a": {"1", "x"}, "b": {"2"}}, "s")
	assert.Equal(t, want, signature.SortedMD5Except(p, "s", "sig"))
	assert.NotEqual(t, want, signature.SortedMD5(p, "s"))
	// a=1a=xb=2s
	assert.Equal(t, md5Hex("a=1a=xb=2s"), want)
}

func TestBodySHA1_XsollaVectors(t *testing.T) {
	var vec struct {
		Vectors []struct {
			Name     string `json:"name"`
			Secret   string `json:"secret"`
			RawBody  string `json:"raw_body"`
			Expected string `json:"expected_signature_hex"`
		} `json:"vectors"`
	}
	loadJSON(t, "xsolla.json", &vec)
	require.NotEmpty(t, vec.Vectors)
	for _, v := range vec.Vectors {
		t.Run(v.Name, func(t *testing.T) {
			assert.Equal(t, v.Expected, signature.BodySHA1([]byte(v.RawBody), v.Secret))
			assert.NoError(t, signature.VerifyBodySHA1([]byte(v.RawBody), v.Expected, []string{"rotated-out", v.Secret}))
			assert.Error(t, signature.VerifyBodySHA1([]byte(v.RawBody+" "), v.Expected, []string{v.Secret}),
				"a re-encoded body must not verify")
		})
	}
}

func TestEqualHex(t *testing.T) {
	tests := []struct {
		name      string
		got, want string
		equal     bool
	}{
		{"same", "0a1b", "0a1b", true},
		{"case-insensitive", "0A1B", "0a1b", true},
		{"different digit", "0a1c", "0a1b", false},
		{"different length", "0a1", "0a1b", false},
		{"empty both", "", "", true},
		{"non-letters not folded", "[", "{", false},
		{"at-sign vs backtick", "@", "`", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.equal, signature.EqualHex(tt.got, tt.want))
		})
	}
}

func TestMatchAny_TriesEverySecret(t *testing.T) {
	var calls []string
	compute := func(s string) string { calls = append(calls, s); return md5Hex(s) }
	assert.NoError(t, signature.VerifyHex(md5Hex("first"), []string{"first", "second", "third"}, compute))
	assert.Equal(t, []string{"first", "second", "third"}, calls, "no early exit on a match")
	assert.Error(t, signature.VerifyHex(md5Hex("x"), nil, compute))
	assert.Error(t, signature.VerifyHex("", []string{""}, func(string) string { return "ab" }))
}

// testKey is generated once per test binary: RSA key generation is slow.
var testKey = func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}()

func pemOf(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func certPEM(t testing.TB, k *rsa.PrivateKey) []byte {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "paykit test"},
		NotBefore:    time.Unix(0, 0),
		NotAfter:     time.Unix(1, 0), // expired on purpose: dates are not checked
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	require.NoError(t, err)
	return pemOf("CERTIFICATE", der)
}

func TestParsePublicKey_Formats(t *testing.T) {
	pkix, err := x509.MarshalPKIXPublicKey(&testKey.PublicKey)
	require.NoError(t, err)
	tests := []struct {
		name string
		pem  []byte
	}{
		{"certificate", certPEM(t, testKey)},
		{"PUBLIC KEY", pemOf("PUBLIC KEY", pkix)},
		{"RSA PUBLIC KEY", pemOf("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&testKey.PublicKey))},
		{"leading text and CRLF", append([]byte("issuer: test\r\n"), pemOf("PUBLIC KEY", pkix)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := signature.ParsePublicKey(tt.pem)
			require.NoError(t, err)
			assert.True(t, k.Equal(&testKey.PublicKey))
		})
	}
}

func TestParsePublicKey_Rejects(t *testing.T) {
	tests := []struct {
		name string
		pem  []byte
	}{
		{"empty", nil},
		{"not PEM", []byte("hello")},
		{"private key", pemOf("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(testKey))},
		{"garbage DER", pemOf("PUBLIC KEY", []byte{1, 2, 3})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := signature.ParsePublicKey(tt.pem)
			assert.ErrorIs(t, err, signature.ErrKey)
			assert.NotContains(t, err.Error(), "PRIVATE KEY-----")
		})
	}
}

func TestVerifyRSA_PayseraVectors(t *testing.T) {
	var vec struct {
		About struct {
			PrivateKey string `json:"test_rsa_private_key_pem"`
		} `json:"about"`
		Callbacks map[string]struct {
			Data string `json:"data"`
			SS2  string `json:"ss2_rsa_sha1_base64url"`
			SS3  string `json:"ss3_rsa_sha256_base64url"`
		} `json:"callbacks_signed"`
	}
	loadJSON(t, "paysera.json", &vec)
	block, _ := pem.Decode([]byte(vec.About.PrivateKey))
	require.NotNil(t, block)
	priv, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	require.NoError(t, err)
	pub, err := signature.ParsePublicKey(pemOf("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&priv.PublicKey)))
	require.NoError(t, err)

	require.NotEmpty(t, vec.Callbacks)
	for name, c := range vec.Callbacks {
		t.Run(name, func(t *testing.T) {
			ss2, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(c.SS2, "="))
			require.NoError(t, err)
			ss3, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(c.SS3, "="))
			require.NoError(t, err)
			assert.NoError(t, signature.VerifyRSA([]byte(c.Data), ss2, []*rsa.PublicKey{pub}, crypto.SHA1))
			assert.NoError(t, signature.VerifyRSA([]byte(c.Data), ss3, []*rsa.PublicKey{pub}, crypto.SHA256))
			assert.ErrorIs(t, signature.VerifyRSA([]byte(c.Data), ss2, []*rsa.PublicKey{pub}, crypto.SHA256), signature.ErrMismatch)
			assert.ErrorIs(t, signature.VerifyRSA([]byte(c.Data+"x"), ss2, []*rsa.PublicKey{pub}, crypto.SHA1), signature.ErrMismatch)
			assert.NoError(t, signature.VerifyRSA([]byte(c.Data), ss2, []*rsa.PublicKey{&testKey.PublicKey, pub}, crypto.SHA1))
		})
	}
}

func TestVerifyRSA_RejectsBadInput(t *testing.T) {
	data := []byte("data")
	d := sha256.Sum256(data)
	sig, err := rsa.SignPKCS1v15(rand.Reader, testKey, crypto.SHA256, d[:])
	require.NoError(t, err)
	assert.NoError(t, signature.VerifyRSA(data, sig, []*rsa.PublicKey{&testKey.PublicKey}, crypto.SHA256))
	assert.ErrorIs(t, signature.VerifyRSA(data, sig, []*rsa.PublicKey{nil}, crypto.SHA256), signature.ErrMismatch)
	assert.ErrorIs(t, signature.VerifyRSA(data, sig, []*rsa.PublicKey{&testKey.PublicKey}, crypto.MD5), signature.ErrMismatch)
	assert.ErrorIs(t, signature.VerifyRSA(data, nil, []*rsa.PublicKey{&testKey.PublicKey}, crypto.SHA256), signature.ErrMismatch)
	assert.ErrorIs(t, signature.VerifyRSA(data, sig, nil, crypto.SHA256), signature.ErrMismatch)
	s1 := sha1.Sum(data)
	sig1, err := rsa.SignPKCS1v15(rand.Reader, testKey, crypto.SHA1, s1[:])
	require.NoError(t, err)
	assert.NoError(t, signature.VerifyRSA(data, sig1, []*rsa.PublicKey{&testKey.PublicKey}, crypto.SHA1))
}

func TestVerifySortedMD5_MalformedSigMatchesNothing(t *testing.T) {
	p := url.Values{"a": {"1"}}
	good := signature.SortedMD5(p, "s")
	for _, sig := range []string{"", good[:31], good + "0", "zz" + good[2:], strings.Repeat("0", 32)} {
		assert.Error(t, signature.VerifySortedMD5(p, "sig", sig, []string{"s"}), sig)
	}
	assert.NoError(t, signature.VerifySortedMD5(p, "sig", strings.ToUpper(good), []string{"s"}))
	assert.Error(t, signature.VerifySortedMD5(p, "sig", good, nil), "no secrets, no match")
}

func TestVerifySortedMD5Pairs_AgreesWithValues(t *testing.T) {
	var vec struct {
		Votes []struct {
			Secret      string `json:"secret"`
			Body        string `json:"body_urlencoded"`
			ExpectedSig string `json:"expected_sig"`
		} `json:"votes"`
	}
	loadJSON(t, "vkpay.json", &vec)
	for _, v := range vec.Votes {
		pairs, err := form.ParseSorted(nil, v.Body+"&sig="+v.ExpectedSig)
		require.NoError(t, err)
		assert.NoError(t, signature.VerifySortedMD5Pairs(pairs, "sig", v.ExpectedSig, []string{"other", v.Secret}))
		assert.Error(t, signature.VerifySortedMD5Pairs(pairs, "sig", v.ExpectedSig, []string{"other"}))
		assert.Error(t, signature.VerifySortedMD5Pairs(pairs, "", v.ExpectedSig, []string{v.Secret}), "sig itself is not signed")
	}
}
