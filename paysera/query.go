package paysera

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/paykit-go/paykit"
)

// The outer query of a callback (data, ss1, ss2, ss3 beside the
// merchant's own parameters) is scanned here rather than by url.ParseQuery:
// data is a kilobyte or more of base64, and url.ParseQuery decodes it
// byte by byte into a copy, and every signature beside it, although only
// one signature is checked. With url.ParseQuery ParseCallback took 1.30×
// a bare RSA-SHA256 verification, over its bar of 1.25×.
// FuzzCallbackQueryMatchesParseQuery keeps this scanner equal to
// url.ParseQuery.

// callbackParams are the four parameters Paysera adds to the callback URL.
// From a raw query they are kept escaped (raw true) and decoded only when
// used.
type callbackParams struct {
	data, ss1, ss2, ss3             string
	hasData, hasSS1, hasSS2, hasSS3 bool
	raw                             bool
}

// any reports whether any of the four parameters was given.
func (p *callbackParams) any() bool { return p.hasData || p.hasSS1 || p.hasSS2 || p.hasSS3 }

// value returns the parameter s decoded.
func (p *callbackParams) value(s string) string {
	if !p.raw || strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s
	}
	return string(appendUnescaped(make([]byte, 0, len(s)), s))
}

// bytes returns the parameter s decoded, in a new slice.
func (p *callbackParams) bytes(s string) []byte {
	if !p.raw {
		return []byte(s)
	}
	return appendUnescaped(make([]byte, 0, len(s)), s)
}

// appendUnescaped appends s decoded ('+' a space, %XX a byte) to dst; its
// escapes were checked by validEscapes. Runs without escapes are copied
// whole: data and signatures escape at most their padding.
func appendUnescaped(dst []byte, s string) []byte {
	for s != "" {
		i := strings.IndexByte(s, '%')
		if j := strings.IndexByte(s, '+'); j >= 0 && (i < 0 || j < i) {
			dst = append(append(dst, s[:j]...), ' ')
			s = s[j+1:]
			continue
		}
		if i < 0 {
			return append(dst, s...)
		}
		dst = append(dst, s[:i]...)
		dst = append(dst, unhex(s[i+1])<<4|unhex(s[i+2]))
		s = s[i+3:]
	}
	return dst
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

// validEscapes reports whether s has only well-formed %XX escapes.
func validEscapes(s string) bool {
	for i := strings.IndexByte(s, '%'); i >= 0; {
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			return false
		}
		next := strings.IndexByte(s[i+3:], '%')
		if next < 0 {
			return true
		}
		i += 3 + next
	}
	return true
}

// callbackQuery extracts data, ss1, ss2 and ss3 from a callback query
// string without building a map or decoding what is not used. Pairs are
// separated by '&' only, as PHP (Paysera's side) separates them. Only
// Paysera's four parameters are judged: a repeated one, a bad escape or a
// semicolon in one of them is refused. The merchant's own parameters on
// the callback URL are skipped unread, whatever they hold (a semicolon,
// a bad escape, a repeated key): they are not Paysera's, not signed, and
// must not decide whether a valid callback is accepted. A key with a bad
// escape is the merchant's too: it cannot name one of the four.
func callbackQuery(q string) (callbackParams, error) {
	p := callbackParams{raw: true}
	for q != "" {
		var pair string
		pair, q, _ = strings.Cut(q, "&")
		rawKey, rawVal, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(rawKey)
		if err != nil {
			continue
		}
		dst, seen := p.slot(key)
		switch {
		case dst == nil:
			continue
		case *seen:
			return p, fmt.Errorf("%w: parameter %s given more than once", paykit.ErrMalformed, key)
		case strings.IndexByte(rawVal, ';') >= 0:
			return p, fmt.Errorf("%w: semicolon in %s", paykit.ErrMalformed, key)
		case !validEscapes(rawVal):
			return p, fmt.Errorf("%w: bad escape in %s", paykit.ErrMalformed, key)
		}
		*dst, *seen = rawVal, true
	}
	return p, nil
}

// slot returns where the parameter key is kept and whether it was seen;
// nil for a key that is not one of Paysera's four.
func (p *callbackParams) slot(key string) (*string, *bool) {
	switch key {
	case "data":
		return &p.data, &p.hasData
	case "ss1":
		return &p.ss1, &p.hasSS1
	case "ss2":
		return &p.ss2, &p.hasSS2
	case "ss3":
		return &p.ss3, &p.hasSS3
	}
	return nil, nil
}
