package paysera

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
)

// field is one key=value pair of an ordered parameter list.
type field struct{ key, value string }

// buildQuery encodes fields like PHP's http_build_query with "&" as separator: pairs
// in the given order, spaces as '+', every byte but A-Z a-z 0-9 - _ .
// percent-encoded with upper-case hex. Paysera's own library produces
// exactly these bytes, so the vectors can be reproduced.
func buildQuery(fields []field) string {
	n := 0
	for _, f := range fields {
		n += len(f.key) + len(f.value) + 2
	}
	b := make([]byte, 0, n+n/2)
	for i, f := range fields {
		if i > 0 {
			b = append(b, '&')
		}
		b = appendEscaped(b, f.key)
		b = append(b, '=')
		b = appendEscaped(b, f.value)
	}
	return string(b)
}

const upperHex = "0123456789ABCDEF"

func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.':
			b = append(b, c)
		case c == ' ':
			b = append(b, '+')
		default:
			b = append(b, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return b
}

// encodeData is Paysera's "safe URL base64": standard base64 with padding,
// then '+' → '-' and '/' → '_'. The padding is kept.
func encodeData(query string) string {
	return base64.URLEncoding.EncodeToString([]byte(query))
}

// errBase64 is wrapped by the callers into a sentinel of the root package.
var errBase64 = errors.New("invalid base64")

// urlAlphabet rewrites the standard base64 alphabet to the URL-safe one.
var urlAlphabet = strings.NewReplacer("+", "-", "/", "_")

// decodeBase64 accepts both base64 alphabets (standard and URL-safe, even
// mixed, as Paysera's library does) with or without '=' padding. Like
// every Go decoder it skips CR and LF; anything else outside the alphabet
// is an error.
func decodeBase64(s string) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(urlAlphabet.Replace(strings.TrimRight(s, "=")))
	if err != nil {
		return nil, errBase64
	}
	return b, nil
}

// decodeBase64Bytes is decodeBase64 of src, which it rewrites to the
// URL-safe alphabet in place: the caller gives src up.
func decodeBase64Bytes(src []byte) ([]byte, error) {
	src = bytes.TrimRight(src, "=")
	for i, c := range src {
		switch c {
		case '+':
			src[i] = '-'
		case '/':
			src[i] = '_'
		}
	}
	dst := make([]byte, base64.RawURLEncoding.DecodedLen(len(src)))
	n, err := base64.RawURLEncoding.Decode(dst, src)
	if err != nil {
		return nil, errBase64
	}
	return dst[:n], nil
}

// decodeSignature decodes an RSA signature (ss2, ss3) like decodeBase64,
// but only in its canonical form: unused low bits of the last character
// must be zero and padding, if any, complete. A signature one character
// off is refused even where it would decode to the same bytes, so that
// every accepted signature text is the one Paysera sent.
func decodeSignature(s string) ([]byte, error) {
	body := strings.TrimRight(s, "=")
	if pad := len(s) - len(body); pad > 0 && (pad > 2 || len(s)%4 != 0) {
		return nil, errBase64
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(urlAlphabet.Replace(body))
	if err != nil {
		return nil, errBase64
	}
	return b, nil
}
