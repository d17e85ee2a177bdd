package playvision_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/playvision"
)

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// apiClient is configured like the docs' example: project 1, secret
// "api_secret", time 1409581492.
func apiClient(t *testing.T, mod ...func(*playvision.Config)) (*playvision.Client, *httpmock.MockTransport) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	cfg := playvision.Config{
		AppID: 1, Secret: "api_secret",
		HTTPClient: &http.Client{Transport: mt, Timeout: 2 * time.Second},
		Now:        func() time.Time { return time.Unix(1409581492, 0) },
	}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := playvision.New(cfg)
	require.NoError(t, err)
	return c, mt
}

func TestSetUserLevelSignsLikeTheDocs(t *testing.T) {
	v := loadVectors(t).DocsExample
	c, mt := apiClient(t)
	var got url.Values
	mt.RegisterResponder(http.MethodPost, "https://api.playvision.ru/v1/secure.setUserLevel",
		func(r *http.Request) (*http.Response, error) {
			assert.Equal(t, "application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
			require.NoError(t, r.ParseForm())
			got = r.PostForm
			return httpmock.NewStringResponse(200, `{"status":1,"message":"success"}`), nil
		})

	err := c.SetUserLevel(context.Background(), playvision.SetUserLevel{UserID: 131, Level: 16})
	require.NoError(t, err)
	assert.Equal(t, url.Values{
		"level": {"16"}, "project_id": {"1"}, "time": {"1409581492"}, "user_id": {"131"},
		"sig": {v.ExpectedSig},
	}, got)
}

func TestSetUserInfoOnSecondDomain(t *testing.T) {
	c, mt := apiClient(t, func(cfg *playvision.Config) { cfg.Domain = playvision.DomainPlayvis })
	var got url.Values
	mt.RegisterResponder(http.MethodPost, "https://api.playvis.com/v1/secure.setUserInfo",
		func(r *http.Request) (*http.Response, error) {
			require.NoError(t, r.ParseForm())
			got = r.PostForm
			return httpmock.NewStringResponse(200, `{"status":"1","message":"success"}`), nil
		})
	err := c.SetUserInfo(context.Background(), playvision.SetUserInfo{UserID: 113, Attribute: "name", Value: "space lord+", PSID: "2"})
	require.NoError(t, err)
	assert.Equal(t, "space lord+", got.Get("value"))
	assert.Equal(t, "2", got.Get("psid"))
	want := md5hex("attribute=nameproject_id=1psid=2time=1409581492user_id=113value=space lord+api_secret")
	assert.Equal(t, want, got.Get("sig"))
}

func TestAPIErrors(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		apiStatus string
		temporary bool
	}{
		{"documented error", 200, `{"status":0,"message":"Error message"}`, "0", false},
		{"string error", 200, `{"status":"0","message":"bad"}`, "0", false},
		{"server error", 502, `<html>bad gateway</html>`, "", true},
		{"throttled", 429, `{"status":0,"message":"slow down"}`, "0", true},
		{"not json", 200, `OK`, "", false},
		{"no status", 200, `{"response":[]}`, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mt := apiClient(t)
			mt.RegisterResponder(http.MethodPost, "=~secure", httpmock.NewStringResponder(tt.status, tt.body))
			err := c.SetUserLevel(context.Background(), playvision.SetUserLevel{UserID: 1, Level: 2})
			require.ErrorIs(t, err, paykit.ErrAPI)
			var apiErr *paykit.APIError
			require.True(t, errors.As(err, &apiErr))
			assert.Contains(t, err.Error(), "secure.setUserLevel")
			assert.Equal(t, paykit.Playvision, apiErr.Provider)
			assert.Equal(t, tt.status, apiErr.StatusCode)
			assert.Equal(t, tt.apiStatus, apiErr.Code)
			assert.Equal(t, tt.body, string(apiErr.Body))
			assert.Equal(t, tt.temporary, apiErr.Temporary())
			assert.NotContains(t, err.Error(), "api_secret")
		})
	}
}

func TestAPITransportErrorsAndContext(t *testing.T) {
	c, mt := apiClient(t)
	mt.RegisterResponder(http.MethodPost, "=~secure", httpmock.NewErrorResponder(errors.New("connection refused")))
	err := c.SetUserLevel(context.Background(), playvision.SetUserLevel{UserID: 1, Level: 2})
	require.Error(t, err)
	assert.NotErrorIs(t, err, paykit.ErrAPI)

	c, mt = apiClient(t)
	mt.RegisterResponder(http.MethodPost, "=~secure", func(r *http.Request) (*http.Response, error) {
		<-r.Context().Done()
		return nil, r.Context().Err()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err = c.SetUserLevel(ctx, playvision.SetUserLevel{UserID: 1, Level: 2})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestAPIValidatesInput(t *testing.T) {
	c, mt := apiClient(t)
	ctx := context.Background()
	for name, err := range map[string]error{
		"level user":  c.SetUserLevel(ctx, playvision.SetUserLevel{Level: 1}),
		"level":       c.SetUserLevel(ctx, playvision.SetUserLevel{UserID: 1, Level: -1}),
		"info user":   c.SetUserInfo(ctx, playvision.SetUserInfo{Attribute: "name"}),
		"attribute":   c.SetUserInfo(ctx, playvision.SetUserInfo{UserID: 1}),
		"method name": c.Call(ctx, "../admin", nil),
	} {
		assert.ErrorIs(t, err, paykit.ErrInvalidRequest, name)
	}
	assert.Zero(t, mt.GetTotalCallCount())
}

func TestSignParamsDoesNotModifyInput(t *testing.T) {
	c, _ := apiClient(t)
	in := url.Values{"level": {"16"}, "user_id": {"131"}, "sig": {"stale"}}
	out := c.SignParams(in)
	assert.Equal(t, url.Values{"level": {"16"}, "user_id": {"131"}, "sig": {"stale"}}, in)
	assert.Equal(t, loadVectors(t).DocsExample.ExpectedSig, out.Get("sig"))
}
