package xsolla

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
)

// echoServer answers every request with status and a body that echoes the
// request's headers and body, as a misconfigured proxy or debug endpoint
// does.
func echoServer(t *testing.T, status int, format func(headers http.Header, body []byte) string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, format(r.Header, b))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestAPIErrorRedactsEchoedCredentials: whatever a server echoes, no stored
// body, message, code, request id or extended detail holds the API key, the
// webhook secret or the Basic credential (base64 or decoded).
func TestAPIErrorRedactsEchoedCredentials(t *testing.T) {
	const apiKey = "k3y/With+Odd=chars<&>"
	const whSecret = "whsec-0123456789"
	const prev = "previous-secret-42"
	basic := base64.StdEncoding.EncodeToString([]byte("2340:" + apiKey))
	storeBasic := base64.StdEncoding.EncodeToString([]byte("18404:" + apiKey))
	jsonQuote := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	formats := map[string]func(h http.Header, body []byte) string{
		"plain text headers": func(h http.Header, _ []byte) string {
			var b strings.Builder
			_ = h.Write(&b)
			return b.String() + "\nkey=" + apiKey + "\nsecret=" + whSecret + " " + prev
		},
		"json message": func(h http.Header, _ []byte) string {
			return `{"http_status_code":400,"message":` + jsonQuote("bad auth: "+h.Get("Authorization")+" user 2340:"+apiKey) +
				`,"extended_message":{"auth":` + jsonQuote(h.Get("Authorization")) + `,"key":` + jsonQuote(apiKey) + `},"request_id":` + jsonQuote(apiKey) + `}`
		},
		"php escaped slashes": func(h http.Header, _ []byte) string {
			esc := strings.ReplaceAll(h.Get("Authorization")+" "+apiKey, "/", `\/`)
			return `{"statusCode":401,"errorCode":` + jsonQuote(apiKey) + `,"errorMessage":"` + esc + `","transactionId":"` + strings.ReplaceAll(basic, "/", `\/`) + `"}`
		},
		"unicode escaped": func(h http.Header, _ []byte) string {
			var b strings.Builder
			for _, r := range apiKey {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
			return `{"message":"key ` + b.String() + `","extended_message":["` + b.String() + `"]}`
		},
		"decoded basic": func(h http.Header, _ []byte) string {
			raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(h.Get("Authorization"), "Basic "))
			return `<html>` + string(raw) + `</html>`
		},
	}
	for name, format := range formats {
		t.Run(name, func(t *testing.T) {
			srv := echoServer(t, http.StatusBadRequest, format)
			c := newTestClient(t, func(c *Config) {
				c.APIKey, c.WebhookSecret, c.PreviousSecrets = apiKey, whSecret, []string{prev}
				c.BaseURL, c.StoreBaseURL, c.MaxRetries = srv.URL, srv.URL, -1
			})
			_, err1 := c.CreateToken(context.Background(), TokenRequest{UserID: "u"})
			_, err2 := c.CreatePaymentToken(context.Background(), TokenRequest{UserID: "u", Country: "DE", Items: []ItemQuantity{{SKU: "x", Quantity: 1}}})
			for _, err := range []error{err1, err2} {
				var ae *paykit.APIError
				require.True(t, errors.As(err, &ae), "%v", err)
				stored := strings.Join([]string{err.Error(), string(ae.Body), ae.Message, ae.Code, fmt.Sprintf("%+v", *ae)}, "\n")
				// Decode any JSON escapes the server used.
				var decoded any
				if json.Unmarshal(ae.Body, &decoded) == nil {
					d, _ := json.Marshal(decoded)
					stored += "\n" + string(d) + fmt.Sprint(decoded)
				}
				for _, secret := range []string{apiKey, whSecret, prev, basic, storeBasic, strings.ReplaceAll(basic, "/", `\/`)} {
					assert.NotContains(t, stored, secret)
				}
				assert.Equal(t, http.StatusBadRequest, ae.StatusCode)
			}
		})
	}
}

// TestAPIErrorKeepsUsefulText: redaction touches only credentials.
func TestAPIErrorKeepsUsefulText(t *testing.T) {
	srv := echoServer(t, http.StatusUnprocessableEntity, func(http.Header, []byte) string {
		return `{"http_status_code":422,"message":"user.id is required","request_id":"req-1"}`
	})
	c := newTestClient(t, func(c *Config) { c.APIKey, c.BaseURL, c.MaxRetries = "long-api-key-123", srv.URL, -1 })
	_, err := c.CreateToken(context.Background(), TokenRequest{UserID: "u"})
	var ae *paykit.APIError
	require.True(t, errors.As(err, &ae))
	assert.Equal(t, "user.id is required [request req-1]", ae.Message)
	assert.JSONEq(t, `{"http_status_code":422,"message":"user.id is required","request_id":"req-1"}`, string(ae.Body))
}
