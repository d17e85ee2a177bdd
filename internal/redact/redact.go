// Package redact removes credentials from bytes that came back from a
// remote server before they are kept in an error: a server or a proxy may
// echo the request, with its keys, passwords, signatures and
// Authorization header. It is the one redaction every provider's outbound
// client uses.
package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"html"
	"net/url"
	"slices"
	"strings"
)

// Mark replaces every credential.
const Mark = "[redacted]"

// Withheld replaces a whole JSON body that still holds a credential once
// its string escapes are decoded (written as \u0041…, say): such a body
// cannot be redacted in place without re-encoding it.
const Withheld = `{"paykit":"error body withheld: it echoed a credential"}`

// Bytes returns b with every credential among secrets replaced by [Mark],
// in every spelling a request or its echo may carry: as is, URL-query- and
// path-escaped, JSON-escaped (Go's and PHP's "\/" spelling), HTML-escaped,
// and in standard and URL base64 (as in a Basic credential; pass the
// base64 of "user:password" too, see [BasicCredential]), each matched
// ignoring ASCII case (hex signatures come back in either case). A JSON
// body that still holds a credential behind \u escapes is replaced whole by
// [Withheld]. Empty secrets are skipped; b itself is not changed.
func Bytes(b []byte, secrets ...string) []byte {
	all := forms(secrets)
	out := b
	for _, f := range all {
		out = replaceFold(out, f)
	}
	if leaksDecoded(out, all) {
		return []byte(Withheld)
	}
	return out
}

// String is [Bytes] for a string.
func String(s string, secrets ...string) string {
	return string(Bytes([]byte(s), secrets...))
}

// BasicCredential is the base64 of "user:password" as an Authorization:
// Basic header carries it, to pass to [Bytes] beside the password.
func BasicCredential(user, password string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
}

// forms lists every spelling of every secret, longest first, so that a
// credential that contains another (a Basic credential holds the
// password's base64) goes whole.
func forms(secrets []string) []string {
	var out []string
	for _, s := range secrets {
		if s == "" {
			continue
		}
		q, _ := json.Marshal(s)
		inner := string(q[1 : len(q)-1])
		out = append(out, s, inner, strings.ReplaceAll(inner, "/", `\/`),
			url.QueryEscape(s), url.PathEscape(s), html.EscapeString(s),
			base64.StdEncoding.EncodeToString([]byte(s)),
			base64.RawStdEncoding.EncodeToString([]byte(s)),
			base64.URLEncoding.EncodeToString([]byte(s)),
			base64.RawURLEncoding.EncodeToString([]byte(s)))
	}
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return slices.Compact(out)
}

// replaceFold replaces every ASCII-case-insensitive occurrence of old in b
// by [Mark], returning b itself when there is none.
func replaceFold(b []byte, old string) []byte {
	lower, pat := asciiLower(b), asciiLower([]byte(old))
	i := bytes.Index(lower, pat)
	if i < 0 {
		return b
	}
	var out []byte
	for i >= 0 {
		out = append(out, b[:i]...)
		out = append(out, Mark...)
		b, lower = b[i+len(pat):], lower[i+len(pat):]
		i = bytes.Index(lower, pat)
	}
	return append(out, b...)
}

// asciiLower lower-cases ASCII letters only, so that indexes stay those of
// the original bytes.
func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// leaksDecoded reports whether a JSON body still holds a credential in
// one of its strings (keys included) once decoded.
func leaksDecoded(body []byte, forms []string) bool {
	if !bytes.Contains(body, []byte(`\u`)) && !bytes.Contains(body, []byte(`\U`)) {
		return false
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return false
	}
	return walkLeaks(v, forms)
}

func walkLeaks(v any, forms []string) bool {
	switch v := v.(type) {
	case string:
		return holds(v, forms)
	case []any:
		for _, e := range v {
			if walkLeaks(e, forms) {
				return true
			}
		}
	case map[string]any:
		for k, e := range v {
			if holds(k, forms) || walkLeaks(e, forms) {
				return true
			}
		}
	}
	return false
}

func holds(s string, forms []string) bool {
	for _, f := range forms {
		if bytes.Contains(asciiLower([]byte(s)), asciiLower([]byte(f))) {
			return true
		}
	}
	return false
}
