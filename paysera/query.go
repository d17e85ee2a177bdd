package paysera

import (
	"fmt"
	"strings"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/form"
)

// The outer query of a callback (data, ss1, ss2, ss3 beside the
// merchant's own parameters) is scanned here rather than by url.ParseQuery:
// data is a kilobyte of base64 that url.ParseQuery would decode byte by
// byte only to be thrown away for the merchant's parameters, and that
// cost alone took ParseCallback over its performance bar (1.25× a bare
// RSA-SHA256 verification). FuzzCallbackQueryMatchesParseQuery keeps it
// equal to url.ParseQuery on what it returns.

// unescape decodes a query component: '+' is a space, %XX a byte. It
// returns s itself when there is nothing to decode.
func unescape(s string) (string, bool) {
	i := strings.IndexByte(s, '%')
	if j := strings.IndexByte(s, '+'); j >= 0 && (i < 0 || j < i) {
		i = j
	}
	if i < 0 {
		return s, true
	}
	b := make([]byte, 0, len(s))
	b = append(b, s[:i]...)
	for ; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return "", false
			}
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b), true
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

// unescapeValid decodes a component whose escapes validEscapes accepted.
func unescapeValid(s string) string {
	v, _ := unescape(s)
	return v
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
// string without building a map or decoding what is not used. The
// merchant's own parameters on the callback URL are skipped (still
// checked for well-formedness); a repeated Paysera parameter is refused.
func callbackQuery(q string) (callbackParams, error) {
	var p callbackParams
	for q != "" {
		var pair string
		pair, q, _ = strings.Cut(q, "&")
		if pair == "" {
			continue
		}
		if strings.IndexByte(pair, ';') >= 0 {
			return p, fmt.Errorf("%w: semicolon in query", paykit.ErrMalformed)
		}
		rawKey, rawVal, _ := strings.Cut(pair, "=")
		key, ok := unescape(rawKey)
		if !ok {
			return p, fmt.Errorf("%w: bad escape in query key", paykit.ErrMalformed)
		}
		if !validEscapes(rawVal) {
			return p, fmt.Errorf("%w: bad escape in value of %q", paykit.ErrMalformed, form.Clip(key))
		}
		var dst *string
		var seen *bool
		switch key {
		case "data":
			dst, seen = &p.data, &p.hasData
		case "ss1":
			dst, seen = &p.ss1, &p.hasSS1
		case "ss2":
			dst, seen = &p.ss2, &p.hasSS2
		case "ss3":
			dst, seen = &p.ss3, &p.hasSS3
		default:
			continue
		}
		if *seen {
			return p, fmt.Errorf("%w: parameter %s given more than once", paykit.ErrMalformed, key)
		}
		*dst, *seen = unescapeValid(rawVal), true
	}
	return p, nil
}
