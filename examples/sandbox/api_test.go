package main

import (
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// openAPIRoutes lists "METHOD /path" for every operation of the document.
func openAPIRoutes(t *testing.T, doc []byte) []string {
	t.Helper()
	var d struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(doc, &d), "openapi.json is valid JSON")
	require.True(t, strings.HasPrefix(d.OpenAPI, "3."), d.OpenAPI)
	var out []string
	for path, ops := range d.Paths {
		for method := range ops {
			out = append(out, strings.ToUpper(method)+" "+path)
		}
	}
	sort.Strings(out)
	return out
}

// The document the sandbox serves lists exactly the routes the sandbox
// registers, and each route it lists answers (no 404 or 405 from the
// router: a JSON answer of the API itself).
func TestOpenAPIListsEveryRouteAndOnlyThose(t *testing.T) {
	s, base, _ := startSandbox(t, &merchant{})
	resp, err := http.Get(base + "/openapi.json")
	require.NoError(t, err)
	served, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	listed := openAPIRoutes(t, served)

	registered := append([]string(nil), s.routes...)
	sort.Strings(registered)
	assert.Equal(t, registered, listed, "openapi.json and the sandbox's routes")

	fill := strings.NewReplacer("{provider}", "vkpay", "{id}", "999")
	for _, route := range listed {
		method, path, _ := strings.Cut(route, " ")
		req, err := http.NewRequest(method, base+fill.Replace(path), strings.NewReader("{}"))
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.NotEqual(t, http.StatusMethodNotAllowed, resp.StatusCode, route)
		assert.Equal(t, "application/json", resp.Header.Get("Content-Type"), "%s: %d %s", route, resp.StatusCode, body)
		assert.True(t, json.Valid(body), "%s: %s", route, body)
	}
}
