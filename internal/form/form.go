// Package form reads callback input with a size cap and parses
// application/x-www-form-urlencoded data strictly. It is the one reader and
// form parser every provider's callback path uses.
package form

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/paykit-go/paykit/internal/errs"
	"github.com/paykit-go/paykit/signature"
)

// DefaultMaxBytes is the input cap used when none is configured: no
// notification of the four providers comes near it.
const DefaultMaxBytes = 64 << 10

// maxKeyInError bounds how much of an attacker-chosen key an error echoes.
const maxKeyInError = 40

// stackPairs is how many pairs the parsers keep on the stack: no
// notification of the four providers has more.
const stackPairs = 32

// ReadBody reads r's body whole, failing with an error matching
// errs.ErrBodyTooLarge — never truncating — when it is longer than limit
// bytes (0 or less: [DefaultMaxBytes]). A declared Content-Length over the
// limit is refused before anything is read.
func ReadBody(r *http.Request, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	if r.Body == nil {
		return []byte{}, nil
	}
	if r.ContentLength > limit {
		return nil, fmt.Errorf("%w: %d bytes declared, limit %d", errs.ErrBodyTooLarge, r.ContentLength, limit)
	}
	b, err := readAll(r.Body, r.ContentLength, limit)
	if err != nil {
		return nil, fmt.Errorf("%w: reading body: %w", errs.ErrMalformed, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w: over %d bytes", errs.ErrBodyTooLarge, limit)
	}
	return b, nil
}

// readAll reads at most limit+1 bytes of body. With a declared length it
// reads into one buffer of that size (plus a byte to notice a longer
// body) instead of growing one from 512 bytes: a third of the time of an
// Xsolla webhook's parse went to that growth.
func readAll(body io.Reader, declared, limit int64) ([]byte, error) {
	lr := io.LimitReader(body, limit+1)
	if declared <= 0 {
		return io.ReadAll(lr)
	}
	b := make([]byte, declared+1)
	n, err := io.ReadFull(lr, b)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		return b[:n], nil // shorter than declared: what came is the body
	}
	if err != nil {
		return nil, err
	}
	rest, err := io.ReadAll(lr)
	return append(b, rest...), err
}

// ReadInput returns what a callback carries, undecoded: the raw query of a
// GET or HEAD request, else the body read with [ReadBody]. Parameters in
// the query of a POST are ignored, so that nothing unsigned slips in beside
// a signed body. Either way the input is capped at limit bytes.
func ReadInput(r *http.Request, limit int64) ([]byte, error) {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		if limit <= 0 {
			limit = DefaultMaxBytes
		}
		if int64(len(r.URL.RawQuery)) > limit {
			return nil, fmt.Errorf("%w: query over %d bytes", errs.ErrBodyTooLarge, limit)
		}
		return []byte(r.URL.RawQuery), nil
	}
	return ReadBody(r, limit)
}

// Parse parses a form body (or a query string) strictly: a key given
// twice, a bad percent-escape or a semicolon separator fail with an error
// matching errs.ErrMalformed. Signatures are over decoded values, and a
// repeated key would let the signed value and the value a merchant reads
// differ, so repeats are never merged.
func Parse(body string) (url.Values, error) {
	var arr [stackPairs]signature.Pair
	pairs, err := ParseSorted(arr[:0], body)
	if err != nil {
		return nil, err
	}
	v := make(url.Values, len(pairs))
	values := make([]string, len(pairs)) // one allocation for every value slice
	for i, p := range pairs {
		values[i] = p.Value
		v[p.Key] = values[i : i+1 : i+1]
	}
	return v, nil
}

// ParseSorted parses body with the rules of [Parse] and appends its pairs
// to dst sorted bytewise by key — the order in which VK and Playvision
// sign. It is the allocation-lean form of Parse for hot paths: a component
// without escapes is not copied, and a caller passing a stack array as dst
// allocates nothing for the pairs.
func ParseSorted(dst []signature.Pair, body string) ([]signature.Pair, error) {
	base := len(dst)
	for body != "" {
		var kv string
		kv, body, _ = strings.Cut(body, "&")
		if kv == "" {
			continue
		}
		if strings.IndexByte(kv, ';') >= 0 {
			return nil, fmt.Errorf("%w: semicolon in form body", errs.ErrMalformed)
		}
		rawKey, rawVal, _ := strings.Cut(kv, "=")
		key, err := unescape(rawKey)
		if err != nil {
			return nil, fmt.Errorf("%w: bad escape in form key", errs.ErrMalformed)
		}
		val, err := unescape(rawVal)
		if err != nil {
			return nil, fmt.Errorf("%w: bad escape in value of %q", errs.ErrMalformed, Clip(key))
		}
		dst = append(dst, signature.Pair{Key: key, Value: val})
	}
	pairs := dst[base:]
	sortPairs(pairs)
	for i := 1; i < len(pairs); i++ {
		if pairs[i].Key == pairs[i-1].Key {
			return nil, fmt.Errorf("%w: duplicate form key %q", errs.ErrMalformed, Clip(pairs[i].Key))
		}
	}
	return dst, nil
}

// sortPairs sorts by key. Providers send few keys, mostly in order, where
// an insertion sort is fastest; long (hostile) bodies get O(n log n).
func sortPairs(p []signature.Pair) {
	if len(p) > stackPairs {
		slices.SortFunc(p, func(a, b signature.Pair) int { return strings.Compare(a.Key, b.Key) })
		return
	}
	for i := 1; i < len(p); i++ {
		for j := i; j > 0 && p[j].Key < p[j-1].Key; j-- {
			p[j], p[j-1] = p[j-1], p[j]
		}
	}
}

// unescape decodes a form component, returning it as it is (no copy) when
// it holds nothing to decode: most keys and values of a notification.
func unescape(s string) (string, error) {
	// Two byte scans are several times faster than ContainsAny's set.
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s, nil
	}
	return url.QueryUnescape(s)
}

// Clip shortens an attacker-chosen string for an error message.
func Clip(s string) string {
	if len(s) > maxKeyInError {
		return s[:maxKeyInError] + "…"
	}
	return s
}

// Digits parses a non-negative decimal integer written as 1 to 18 ASCII
// digits: no sign, no spaces, no exponent, and so no overflow. It is the
// strict syntax the providers use for ids and amounts in notifications,
// where strconv would also accept a leading '+'.
func Digits(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
