package paysera

import (
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/paykit-go/paykit"
)

// The parsers here follow paykit.ParseForm exactly (duplicate keys, bad
// escapes and semicolons are refused) but allocate far less: a callback's
// RSA check is fast, and the parsing around it would otherwise cost a
// noticeable share of it. FuzzQueryParserMatchesParseForm keeps them equal.

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

// callbackParams are the four parameters Paysera adds to the callback URL.
// From a raw query they are kept escaped (raw true) and decoded only when
// used: a callback carries ss1, ss2 and ss3, but only one is checked.
type callbackParams struct {
	data, ss1, ss2, ss3    string
	hasSS1, hasSS2, hasSS3 bool
	hasData                bool
	raw                    bool
}

// any reports whether any of the four parameters was given.
func (p *callbackParams) any() bool { return p.hasData || p.hasSS1 || p.hasSS2 || p.hasSS3 }

// value returns a parameter decoded.
func (p *callbackParams) value(s string) string {
	if !p.raw {
		return s
	}
	v, _ := unescape(s) // escapes were checked by callbackQuery
	return v
}

// appendValue appends the decoded parameter s to dst. Runs without
// escapes are copied whole: data and signatures escape at most their
// padding.
func (p *callbackParams) appendValue(dst []byte, s string) []byte {
	if !p.raw {
		return append(dst, s...)
	}
	for s != "" {
		i := strings.IndexByte(s, '%')
		if j := strings.IndexByte(s, '+'); j >= 0 && (i < 0 || j < i) {
			dst = append(dst, s[:j]...)
			dst = append(dst, ' ')
			s = s[j+1:]
			continue
		}
		if i < 0 {
			return append(dst, s...)
		}
		// Well-formed: checked by callbackQuery.
		dst = append(dst, s[:i]...)
		dst = append(dst, unhex(s[i+1])<<4|unhex(s[i+2]))
		s = s[i+3:]
	}
	return dst
}

// scratch holds the byte buffers of one ParseCallback; they are pooled
// because a callback's data is decoded, verified and decoded again, and
// only the final parameter string outlives the call (as a copy).
type scratch struct{ data, sig, sigDec, dec []byte }

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// maxPooled keeps unusually large buffers out of the pool.
const maxPooled = 64 << 10

func getScratch() *scratch { return scratchPool.Get().(*scratch) }

func (s *scratch) release() {
	if cap(s.data)+cap(s.sig)+cap(s.sigDec)+cap(s.dec) > maxPooled {
		return
	}
	scratchPool.Put(s)
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
	p := callbackParams{raw: true}
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
			return p, fmt.Errorf("%w: bad escape in value of %q", paykit.ErrMalformed, clip(key))
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
		*dst, *seen = rawVal, true
	}
	return p, nil
}

// paramsFromValues converts already parsed values.
func paramsFromValues(v url.Values) (callbackParams, error) {
	var p callbackParams
	for _, k := range [...]string{"data", "ss1", "ss2", "ss3"} {
		if len(v[k]) > 1 {
			return p, fmt.Errorf("%w: parameter %s given more than once", paykit.ErrMalformed, k)
		}
	}
	p.data, p.hasData = first(v, "data")
	p.ss1, p.hasSS1 = first(v, "ss1")
	p.ss2, p.hasSS2 = first(v, "ss2")
	p.ss3, p.hasSS3 = first(v, "ss3")
	return p, nil
}

func first(v url.Values, k string) (string, bool) {
	vs, ok := v[k]
	if !ok {
		return "", false
	}
	if len(vs) == 0 {
		return "", true
	}
	return vs[0], true
}
