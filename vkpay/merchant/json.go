package merchant

import (
	"strconv"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// appendString appends s as a compact JSON string without HTML escaping,
// as the form's data object is signed in this exact rendering. Invalid
// UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// formatRubles renders kopecks as a decimal number of rubles with no
// trailing zeros: 150 → "1.5", 100 → "1", 105 → "1.05".
func formatRubles(kopecks int64) string {
	neg := kopecks < 0
	if neg {
		kopecks = -kopecks
	}
	s := strconv.FormatInt(kopecks/100, 10)
	if frac := kopecks % 100; frac != 0 {
		f := strconv.FormatInt(100+frac, 10)[1:]
		if f[1] == '0' {
			f = f[:1]
		}
		s += "." + f
	}
	if neg {
		s = "-" + s
	}
	return s
}

// parseRubles parses a decimal number of rubles ("10", "10.5", "10.00",
// "-1.25") into kopecks exactly, refusing more than two significant
// decimals and exponents.
func parseRubles(s string) (int64, bool) {
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	whole, frac, dot := cutByte(s, '.')
	if whole == "" || len(whole) > 15 || (dot && frac == "") {
		return 0, false
	}
	for len(frac) > 2 && frac[len(frac)-1] == '0' {
		frac = frac[:len(frac)-1]
	}
	if len(frac) > 2 || !digits(whole) || !digits(frac) {
		return 0, false
	}
	n, _ := strconv.ParseInt(whole, 10, 64)
	n *= 100
	switch len(frac) {
	case 1:
		n += int64(frac[0]-'0') * 10
	case 2:
		n += int64(frac[0]-'0')*10 + int64(frac[1]-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

func cutByte(s string, c byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
