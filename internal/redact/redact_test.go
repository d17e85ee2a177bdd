package redact_test

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/paykit-go/paykit/internal/redact"
)

func TestBytes_RemovesEveryFormOfTheSecret(t *testing.T) {
	const secret = "s3cr3t+key/=="
	basic := redact.BasicCredential("18404", secret)
	echo := strings.Join([]string{
		"raw " + secret,
		"upper " + strings.ToUpper(secret),
		"query " + url.QueryEscape(secret),
		"path " + url.PathEscape(secret),
		`php json "s3cr3t+key\/=="`,
		"b64 " + base64.StdEncoding.EncodeToString([]byte(secret)),
		"b64url " + base64.RawURLEncoding.EncodeToString([]byte(secret)),
		"Authorization: Basic " + basic,
	}, "\n")
	in := []byte(echo)
	out := string(redact.Bytes(in, secret, basic))
	for _, leak := range []string{secret, strings.ToUpper(secret), url.QueryEscape(secret), `s3cr3t+key\/==`,
		basic, base64.StdEncoding.EncodeToString([]byte(secret))} {
		assert.NotContains(t, out, leak)
	}
	assert.Contains(t, out, "Authorization: Basic "+redact.Mark, "a credential holding another goes whole")
	assert.Equal(t, echo, string(in), "the input is not changed")
}

func TestBytes_WithholdsJSONHidingASecretBehindEscapes(t *testing.T) {
	body := []byte(`{"echo":"\u0073\u0033cr3t-key"}`)
	assert.Equal(t, redact.Withheld, string(redact.Bytes(body, "s3cr3t-key")))
	clean := []byte(`{"error":"\u00e9chec"}`)
	assert.Equal(t, string(clean), string(redact.Bytes(clean, "s3cr3t-key")))
}

func TestBytes_LeavesCleanBodiesAndSkipsEmptySecrets(t *testing.T) {
	body := []byte(`{"error":"invalid amount"}`)
	assert.Equal(t, body, redact.Bytes(body, "", "zzzz"))
	assert.Equal(t, "x [redacted] y", redact.String("x abcd y", "ABCD"))
	assert.Equal(t, "[redacted]", redact.String("ab", "ab"), "short secrets are redacted too")
}

func FuzzBytes(f *testing.F) {
	f.Add([]byte(`{"a":"secret"}`), "secret")
	f.Add([]byte(`SECRET%2F`), "secret/")
	f.Fuzz(func(t *testing.T, body []byte, secret string) {
		out := redact.Bytes(body, secret)
		if secret == "" {
			return
		}
		if strings.Contains(lowerASCII(string(out)), lowerASCII(secret)) &&
			!strings.Contains(lowerASCII(redact.Mark+redact.Withheld), lowerASCII(secret)) {
			t.Fatalf("secret %q survives in %q", secret, out)
		}
	})
}

// lowerASCII folds A-Z only, as the redaction matches.
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
