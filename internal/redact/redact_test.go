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
		"query " + url.QueryEscape(secret),
		"b64 " + base64.StdEncoding.EncodeToString([]byte(secret)),
		"b64url " + base64.RawURLEncoding.EncodeToString([]byte(secret)),
		"Authorization: Basic " + basic,
	}, "\n")
	in := []byte(echo)
	out := redact.Bytes(in, secret, basic)
	assert.NotContains(t, string(out), secret)
	assert.NotContains(t, string(out), url.QueryEscape(secret))
	assert.NotContains(t, string(out), basic)
	assert.NotContains(t, string(out), base64.StdEncoding.EncodeToString([]byte(secret)))
	assert.Contains(t, string(out), "Authorization: Basic "+redact.Mark)
	assert.Equal(t, echo, string(in), "the input is not changed")
}

func TestBytes_LeavesShortAndEmptySecretsAndCleanBodies(t *testing.T) {
	body := []byte(`{"error":"a b"}`)
	assert.Equal(t, body, redact.Bytes(body, "", "a", "zzzz"))
	assert.Equal(t, "x [redacted] y", redact.String("x abcd y", "abcd"))
}
