// Package redact removes credentials from bytes that came back from a
// remote server before they are kept in an error: a server or a proxy may
// echo the request, with its keys, passwords, signatures and
// Authorization header.
package redact

import (
	"bytes"
	"encoding/base64"
	"net/url"
	"slices"
)

// Mark replaces every credential.
const Mark = "[redacted]"

// minSecret is the shortest secret redacted: shorter strings would blank
// ordinary text (and no provider issues such short secrets).
const minSecret = 4

// Bytes returns b with every occurrence of each secret replaced by [Mark],
// in the forms a request carries it: as is, URL-query-escaped, and in
// standard and URL base64 (as in a Basic credential). Secrets shorter
// than 4 bytes are left alone. b itself is not changed.
func Bytes(b []byte, secrets ...string) []byte {
	var all []string
	for _, s := range secrets {
		all = append(all, forms(s)...)
	}
	// Longest first, so that a credential that contains another (a Basic
	// credential holds the password's base64) goes whole.
	slices.SortFunc(all, func(a, b string) int { return len(b) - len(a) })
	out := b
	copied := false
	for _, form := range all {
		if len(form) < minSecret || !bytes.Contains(out, []byte(form)) {
			continue
		}
		if !copied {
			out = bytes.Clone(out)
			copied = true
		}
		out = bytes.ReplaceAll(out, []byte(form), []byte(Mark))
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

func forms(s string) []string {
	if s == "" {
		return nil
	}
	return []string{
		s,
		url.QueryEscape(s),
		base64.StdEncoding.EncodeToString([]byte(s)),
		base64.RawStdEncoding.EncodeToString([]byte(s)),
		base64.URLEncoding.EncodeToString([]byte(s)),
		base64.RawURLEncoding.EncodeToString([]byte(s)),
	}
}
