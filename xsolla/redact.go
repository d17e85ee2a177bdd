package xsolla

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"html"
	"net/url"
	"sort"
	"strings"
)

// redacted replaces every credential found in what a server sent back.
const redacted = "[REDACTED]"

// withheldBody replaces a whole error body that still holds a credential
// once its JSON escapes are decoded (e.g. written as \u0041…): such a body
// cannot be redacted in place without re-encoding it.
const withheldBody = `{"paykit":"error body withheld: it echoed a credential"}`

// credentialForms lists every spelling of the client's credentials that a
// server or proxy echoing the request could send back: the API key, the
// webhook secrets, the Basic credentials "user:key" of both APIs in base64,
// the key in base64; each as is, JSON-escaped (Go's and PHP's "\/"
// spelling), URL-encoded and HTML-escaped. Longest first, so that a
// credential containing another is replaced whole.
func credentialForms(cfg Config, users ...string) []string {
	var raw []string
	add := func(s string) {
		if s != "" {
			raw = append(raw, s)
		}
	}
	add(cfg.APIKey)
	add(cfg.WebhookSecret)
	for _, s := range cfg.PreviousSecrets {
		add(s)
	}
	if cfg.APIKey != "" {
		add(base64.StdEncoding.EncodeToString([]byte(cfg.APIKey)))
		for _, u := range users {
			add(base64.StdEncoding.EncodeToString([]byte(u + ":" + cfg.APIKey)))
		}
	}
	seen := map[string]bool{}
	var out []string
	for _, s := range raw {
		q, _ := json.Marshal(s)
		inner := string(q[1 : len(q)-1])
		for _, f := range []string{s, inner, strings.ReplaceAll(s, "/", `\/`), strings.ReplaceAll(inner, "/", `\/`),
			url.QueryEscape(s), url.PathEscape(s), html.EscapeString(s)} {
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

func redactString(s string, forms []string) string {
	for _, f := range forms {
		if strings.Contains(s, f) {
			s = strings.ReplaceAll(s, f, redacted)
		}
	}
	return s
}

func redactBytes(b []byte, forms []string) []byte {
	for _, f := range forms {
		if bytes.Contains(b, []byte(f)) {
			b = bytes.ReplaceAll(b, []byte(f), []byte(redacted))
		}
	}
	return b
}

// leaksDecoded reports whether a JSON body still holds a credential in one
// of its strings (keys included) once decoded.
func leaksDecoded(body []byte, forms []string) bool {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return false
	}
	var walk func(v any) bool
	walk = func(v any) bool {
		switch v := v.(type) {
		case string:
			return redactString(v, forms) != v
		case []any:
			for _, e := range v {
				if walk(e) {
					return true
				}
			}
		case map[string]any:
			for k, e := range v {
				if redactString(k, forms) != k || walk(e) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}
