package playvision_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/playvision"
)

// TestAPIErrorRedactsSecretAndSignature runs secure.* calls against a
// server that echoes what it received — the signed request, and the secrets
// as a badly configured proxy or a debug page might — in its error reply.
// Neither the APIError's message nor its Body may keep them.
func TestAPIErrorRedactsSecretAndSignature(t *testing.T) {
	const secret, previous = "pv-api-secret-42", "pv-old-secret-41"
	var sentSig string
	tests := []struct {
		name   string
		status int
		reply  func(form url.Values, raw string) string
	}{
		{"documented error echoing the request", 200, func(f url.Values, raw string) string {
			return fmt.Sprintf(`{"status":0,"message":"bad sig %s for %s, expected with %s","request":%q}`, f.Get("sig"), raw, secret, raw)
		}},
		{"upper-case sig in the message", 200, func(f url.Values, _ string) string {
			return fmt.Sprintf(`{"status":"0","message":"sig %s wrong"}`, strings.ToUpper(f.Get("sig")))
		}},
		{"HTML error page with the previous secret", 500, func(f url.Values, raw string) string {
			return "<html>debug: secret=" + previous + " body=" + raw + "</html>"
		}},
		{"not JSON", 200, func(f url.Values, _ string) string { return "sig=" + f.Get("sig") + "&secret=" + secret }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				raw, _ := io.ReadAll(r.Body)
				form, _ := url.ParseQuery(string(raw))
				sentSig = form.Get("sig")
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.reply(form, string(raw)))
			}))
			defer srv.Close()
			c := newClient(t, func(cfg *playvision.Config) {
				cfg.Secret, cfg.PreviousSecrets = secret, []string{previous}
				cfg.BaseURL = srv.URL
				cfg.HTTPClient = srv.Client()
			})
			err := c.SetUserInfo(context.Background(), playvision.SetUserInfo{UserID: 7, Attribute: "name", Value: "Bob"})
			var apiErr *paykit.APIError
			require.True(t, errors.As(err, &apiErr), "%v", err)
			require.Len(t, sentSig, 32)
			for _, leak := range []string{secret, previous, sentSig, strings.ToUpper(sentSig)} {
				assert.NotContains(t, err.Error(), leak)
				assert.NotContains(t, apiErr.Message, leak)
				assert.NotContains(t, string(apiErr.Body), leak)
			}
			assert.Contains(t, string(apiErr.Body), "[redacted]", "the rest of the body is kept for diagnosis")
			assert.Equal(t, tt.status, apiErr.StatusCode)
		})
	}
}
