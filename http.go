package paykit

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// DefaultMaxBodyBytes is the body cap handlers use unless configured
// otherwise: no notification of the four providers comes near it.
const DefaultMaxBodyBytes = 64 << 10

// ReadBody reads r's body whole, failing with an error matching
// [ErrBodyTooLarge] — never truncating — when it is longer than limit bytes.
// A limit of 0 or less means [DefaultMaxBodyBytes]. A declared
// Content-Length over the limit is refused before anything is read.
func ReadBody(r *http.Request, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = DefaultMaxBodyBytes
	}
	if r.Body == nil {
		return []byte{}, nil
	}
	if r.ContentLength > limit {
		return nil, fmt.Errorf("%w: %d bytes declared, limit %d", ErrBodyTooLarge, r.ContentLength, limit)
	}
	return readCapped(r.Body, limit)
}

func readCapped(body io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%w: reading body: %w", ErrMalformed, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w: over %d bytes", ErrBodyTooLarge, limit)
	}
	return b, nil
}

// maxKeyInError bounds how much of an attacker-chosen key an error echoes.
const maxKeyInError = 40

// ParseForm parses an application/x-www-form-urlencoded body (or a query
// string) strictly: a key given twice, a bad percent-escape or a semicolon
// separator fail with an error matching [ErrMalformed]. Signatures are over
// decoded values, and a repeated key would let the signed value and the
// value a merchant reads differ, so repeats are never merged.
func ParseForm(body string) (url.Values, error) {
	var arr [formStackPairs]Pair
	pairs, err := ParseSortedForm(arr[:0], body)
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

// Pair is one decoded key=value of a form body.
type Pair struct{ Key, Value string }

// formStackPairs is how many pairs the parsers keep on the stack: no
// notification of the four providers has more.
const formStackPairs = 32

// ParseSortedForm parses body with the rules of [ParseForm] and appends its
// pairs to dst sorted bytewise by key — the order in which VK and
// Playvision sign. It is the allocation-lean form of ParseForm for hot
// paths: a component without escapes is not copied, and a caller passing a
// stack array as dst allocates nothing for the pairs.
func ParseSortedForm(dst []Pair, body string) ([]Pair, error) {
	base := len(dst)
	for body != "" {
		var kv string
		kv, body, _ = strings.Cut(body, "&")
		if kv == "" {
			continue
		}
		if strings.IndexByte(kv, ';') >= 0 {
			return nil, fmt.Errorf("%w: semicolon in form body", ErrMalformed)
		}
		rawKey, rawVal, _ := strings.Cut(kv, "=")
		key, err := unescape(rawKey)
		if err != nil {
			return nil, fmt.Errorf("%w: bad escape in form key", ErrMalformed)
		}
		val, err := unescape(rawVal)
		if err != nil {
			return nil, fmt.Errorf("%w: bad escape in value of %q", ErrMalformed, clip(key))
		}
		dst = append(dst, Pair{key, val})
	}
	pairs := dst[base:]
	sortPairs(pairs)
	for i := 1; i < len(pairs); i++ {
		if pairs[i].Key == pairs[i-1].Key {
			return nil, fmt.Errorf("%w: duplicate form key %q", ErrMalformed, clip(pairs[i].Key))
		}
	}
	return dst, nil
}

// sortPairs sorts by key. Providers send few keys, mostly in order, where
// an insertion sort is fastest; long (hostile) bodies get O(n log n).
func sortPairs(p []Pair) {
	if len(p) > formStackPairs {
		slices.SortFunc(p, func(a, b Pair) int { return strings.Compare(a.Key, b.Key) })
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
	if !strings.ContainsAny(s, "%+") {
		return s, nil
	}
	return url.QueryUnescape(s)
}

func clip(s string) string {
	if len(s) > maxKeyInError {
		return s[:maxKeyInError] + "…"
	}
	return s
}

// ReadForm reads r's form with [ReadRawForm] and parses it with
// [ParseForm].
func ReadForm(r *http.Request, limit int64) (url.Values, error) {
	raw, err := ReadRawForm(r, limit)
	if err != nil {
		return nil, err
	}
	return ParseForm(raw)
}

// ReadRawForm returns r's form as received, undecoded: the raw query of a
// GET or HEAD request, else the body read with [ReadBody]. Parameters in
// the query of a POST are ignored, so that nothing unsigned slips in beside
// a signed body. Either way the form is capped at limit bytes
// ([DefaultMaxBodyBytes] for 0).
func ReadRawForm(r *http.Request, limit int64) (string, error) {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		if limit <= 0 {
			limit = DefaultMaxBodyBytes
		}
		if int64(len(r.URL.RawQuery)) > limit {
			return "", fmt.Errorf("%w: query over %d bytes", ErrBodyTooLarge, limit)
		}
		return r.URL.RawQuery, nil
	}
	b, err := ReadBody(r, limit)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// WriteJSON writes v as a JSON reply with the given status code.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	WriteBytes(w, status, "application/json; charset=utf-8", b)
	return nil
}

// WriteBytes writes body as a reply with the given status and content type.
// Handlers use it to replay stored replies byte for byte.
func WriteBytes(w http.ResponseWriter, status int, contentType string, body []byte) {
	h := w.Header()
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// HookContext returns a context for running hooks that ends safely before
// the provider's own limit (providerLimit, e.g. 10 s for VK and
// Playvision): it keeps a margin of a fifth of the limit, at least 500 ms,
// for writing the reply.
func HookContext(parent context.Context, providerLimit time.Duration) (context.Context, context.CancelFunc) {
	margin := max(providerLimit/5, 500*time.Millisecond)
	budget := providerLimit - margin
	if budget <= 0 {
		budget = providerLimit
	}
	return context.WithTimeout(parent, budget)
}
