package xsolla

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// A small JSON reader for webhook bodies. It decodes straight into the
// typed messages in one pass — no validation pass before decoding, no
// reflection, no map — which makes a verified, typed parse cheaper than a
// plain encoding/json decode into map[string]any (see the benchmarks). It
// accepts exactly RFC 8259 JSON (one value, surrounded by optional
// whitespace); invalid UTF-8 inside strings is kept as is.
//
// Keys match exactly, byte for byte after unescaping (encoding/json folds
// case: it would read "Settings" as settings). An object that repeats a key
// — or holds two keys equal under case folding, which encoding/json would
// merge — is refused, at every depth, modelled or skipped: otherwise two
// readers of one signed body (this one, and a merchant decoding Raw or
// CustomParameters with encoding/json) could see two different values.

// errJSON is the cause of every reader error; callers wrap it with
// paykit.ErrMalformed.
var errJSON = errors.New("invalid JSON")

// maxDepth bounds nesting, so that hostile bodies cannot exhaust the stack.
const maxDepth = 200

type reader struct {
	b     []byte
	i     int
	depth int
	err   error
	// keys is a stack of the keys of the objects being read, innermost
	// last; each object checks its keys against its own part of it.
	keys [][]byte
}

// newReader returns a reader of b whose key stack is allocated once, big
// enough for the nesting of Xsolla's webhooks.
func newReader(b []byte) *reader {
	return &reader{b: b, keys: make([][]byte, 0, 2*maxLinearKeys)}
}

// maxLinearKeys is the object size up to which duplicate keys are looked
// for by a linear scan; bigger objects switch to a map.
const maxLinearKeys = 16

func (r *reader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s at offset %d", errJSON, what, r.i)
	}
}

func (r *reader) ws() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (r *reader) peek() byte {
	r.ws()
	if r.i < len(r.b) {
		return r.b[r.i]
	}
	return 0
}

func (r *reader) expect(c byte) bool {
	if r.peek() != c {
		r.fail("expected " + strconv.QuoteRune(rune(c)))
		return false
	}
	r.i++
	return true
}

// null consumes a null literal if one is next.
func (r *reader) null() bool {
	if r.peek() == 'n' {
		r.literal("null")
		return true
	}
	return false
}

func (r *reader) literal(lit string) {
	if len(r.b)-r.i < len(lit) || string(r.b[r.i:r.i+len(lit)]) != lit {
		r.fail("bad literal")
		return
	}
	r.i += len(lit)
}

// object calls field for every key; field must consume the value (or call
// r.skip). A null object calls nothing.
func (r *reader) object(field func(key []byte)) {
	if r.err != nil || r.null() {
		return
	}
	if !r.expect('{') {
		return
	}
	if r.depth++; r.depth > maxDepth {
		r.fail("nesting too deep")
		return
	}
	base := len(r.keys)
	var seen map[string]struct{}
	defer func() { r.depth--; r.keys = r.keys[:base] }()
	if r.peek() == '}' {
		r.i++
		return
	}
	for r.err == nil {
		key := r.key()
		if r.err != nil || !r.expect(':') {
			return
		}
		if seen = r.uniqueKey(key, base, seen); r.err != nil {
			return
		}
		field(key)
		switch r.peek() {
		case ',':
			r.i++
		case '}':
			r.i++
			return
		default:
			r.fail("expected , or }")
		}
	}
}

// uniqueKey records key among the keys of the object whose keys start at
// r.keys[base], failing when it repeats one of them (case-insensitively).
// Small objects are scanned linearly; from maxLinearKeys keys on, seen
// (lower-cased keys) takes over and is returned for the next call.
func (r *reader) uniqueKey(key []byte, base int, seen map[string]struct{}) map[string]struct{} {
	own := r.keys[base:]
	if seen == nil && len(own) < maxLinearKeys {
		for _, k := range own {
			if bytes.EqualFold(k, key) {
				r.fail("duplicate key")
				return nil
			}
		}
		r.keys = append(r.keys, key)
		return nil
	}
	if seen == nil {
		seen = make(map[string]struct{}, 2*maxLinearKeys)
		for _, k := range own {
			seen[foldKey(k)] = struct{}{}
		}
	}
	f := foldKey(key)
	if _, dup := seen[f]; dup {
		r.fail("duplicate key")
		return seen
	}
	seen[f] = struct{}{}
	return seen
}

// foldKey maps key to one representative of its case-folding class, so
// that bytes.EqualFold(a, b) implies foldKey(a) == foldKey(b).
func foldKey(key []byte) string {
	return strings.ToLower(strings.ToUpper(string(key)))
}

// array calls elem for every element; elem must consume it. A null array
// calls nothing.
func (r *reader) array(elem func()) {
	if r.err != nil || r.null() {
		return
	}
	if !r.expect('[') {
		return
	}
	if r.depth++; r.depth > maxDepth {
		r.fail("nesting too deep")
		return
	}
	defer func() { r.depth-- }()
	if r.peek() == ']' {
		r.i++
		return
	}
	for r.err == nil {
		elem()
		switch r.peek() {
		case ',':
			r.i++
		case ']':
			r.i++
			return
		default:
			r.fail("expected , or ]")
		}
	}
}

// key reads an object key. Keys without escapes are returned as a slice of
// the body (no allocation).
func (r *reader) key() []byte {
	if r.peek() != '"' {
		r.fail("expected a key")
		return nil
	}
	raw, escaped := r.rawString()
	if escaped {
		return []byte(unescape(raw))
	}
	return raw
}

// rawString consumes a string and returns its bytes between the quotes and
// whether it has escapes. The opening quote must be next.
func (r *reader) rawString() ([]byte, bool) {
	r.i++ // opening quote
	start, escaped := r.i, false
	for r.i < len(r.b) {
		c := r.b[r.i]
		switch {
		case c == '"':
			s := r.b[start:r.i]
			r.i++
			return s, escaped
		case c == '\\':
			escaped = true
			if r.i+1 >= len(r.b) {
				r.fail("unterminated string")
				return nil, false
			}
			switch r.b[r.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				r.i += 2
			case 'u':
				if r.i+6 > len(r.b) || !isHex4(r.b[r.i+2:r.i+6]) {
					r.fail("bad \\u escape")
					return nil, false
				}
				r.i += 6
			default:
				r.fail("bad escape")
				return nil, false
			}
		case c < 0x20:
			r.fail("control character in string")
			return nil, false
		default:
			r.i++
		}
	}
	r.fail("unterminated string")
	return nil, false
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if _, ok := unhex(c, false); !ok {
			return false
		}
	}
	return true
}

// unescape decodes a validated string body with escapes.
func unescape(s []byte) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		switch s[i] {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r1 := hex4(s[i+1 : i+5])
			i += 4
			if utf16.IsSurrogate(r1) && i+6 < len(s) && s[i+1] == '\\' && s[i+2] == 'u' {
				if r2 := hex4(s[i+3 : i+7]); utf16.DecodeRune(r1, r2) != utf8.RuneError {
					r1 = utf16.DecodeRune(r1, r2)
					i += 6
				}
			}
			if utf16.IsSurrogate(r1) {
				r1 = utf8.RuneError
			}
			out = utf8.AppendRune(out, r1)
		default: // '"', '\\', '/'
			out = append(out, s[i])
		}
	}
	return string(out)
}

func hex4(b []byte) rune {
	var r rune
	for _, c := range b {
		v, _ := unhex(c, false)
		r = r<<4 | rune(v)
	}
	return r
}

// str reads a string field. Xsolla is loose with types, so a number or
// boolean is accepted and kept as its text; null is "".
func (r *reader) str() string {
	if r.err != nil {
		return ""
	}
	switch c := r.peek(); {
	case c == '"':
		raw, escaped := r.rawString()
		if escaped {
			return unescape(raw)
		}
		return string(raw)
	case c == 'n':
		r.literal("null")
		return ""
	case c == 't':
		r.literal("true")
		return "true"
	case c == 'f':
		r.literal("false")
		return "false"
	case c == '-' || (c >= '0' && c <= '9'):
		return string(r.number())
	default:
		r.fail("expected a scalar")
		return ""
	}
}

// number consumes a JSON number and returns its text.
func (r *reader) number() []byte {
	start := r.i
	if r.i < len(r.b) && r.b[r.i] == '-' {
		r.i++
	}
	switch {
	case r.i < len(r.b) && r.b[r.i] == '0':
		r.i++
	case r.i < len(r.b) && r.b[r.i] >= '1' && r.b[r.i] <= '9':
		r.digits()
	default:
		r.fail("bad number")
		return nil
	}
	if r.i < len(r.b) && r.b[r.i] == '.' {
		r.i++
		if r.digits() == 0 {
			r.fail("bad number")
			return nil
		}
	}
	if r.i < len(r.b) && (r.b[r.i] == 'e' || r.b[r.i] == 'E') {
		r.i++
		if r.i < len(r.b) && (r.b[r.i] == '+' || r.b[r.i] == '-') {
			r.i++
		}
		if r.digits() == 0 {
			r.fail("bad number")
			return nil
		}
	}
	return r.b[start:r.i]
}

func (r *reader) digits() int {
	n := 0
	for r.i < len(r.b) && r.b[r.i] >= '0' && r.b[r.i] <= '9' {
		r.i++
		n++
	}
	return n
}

// skip consumes any value, validating it.
func (r *reader) skip() {
	if r.err != nil {
		return
	}
	switch c := r.peek(); c {
	case '{':
		r.object(func([]byte) { r.skip() })
	case '[':
		r.array(r.skip)
	case '"':
		r.rawString()
	case 't':
		r.literal("true")
	case 'f':
		r.literal("false")
	case 'n':
		r.literal("null")
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			r.number()
			return
		}
		r.fail("expected a value")
	}
}

// raw consumes any value and returns its bytes (a slice of the body); null
// gives nil.
func (r *reader) raw() json.RawMessage {
	if r.null() {
		return nil
	}
	start := r.i
	r.skip()
	if r.err != nil {
		return nil
	}
	return json.RawMessage(r.b[start:r.i:r.i])
}

// end checks that nothing but whitespace follows the value.
func (r *reader) end() {
	if r.peek() != 0 || r.i != len(r.b) {
		r.fail("data after the JSON value")
	}
}

// unhex is the value of one hex digit.
func unhex(c byte, lowerOnly bool) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F' && !lowerOnly:
		return c - 'A' + 10, true
	}
	return 0, false
}
