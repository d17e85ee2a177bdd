package journalpage

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"mime"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// bodyView is a request's or a reply's bytes as the detail page shows
// them: readable (JSON indented, form fields in a table) and raw.
type bodyView struct {
	Size int
	// JSON is the body indented, when it is JSON.
	JSON string
	// Fields are the body's form fields in order, when it is a form.
	Fields []field
	// Raw is the bytes as text, or a hex dump when they are not UTF-8.
	Raw    string
	Binary bool
}

// field is one form field; Decoded holds the fields of a value that is a
// base64-encoded form itself (Paysera's data parameter).
type field struct {
	Name, Value string
	Decoded     []field
}

// maxPretty bounds the bytes the page reformats; a larger body (a
// journal may hold more than a handler's cap) is shown raw only.
const maxPretty = 1 << 20

// viewBody classifies b by its content type (and, when it names none, by
// its shape) and renders it. form is true for a GET's query.
func viewBody(contentType string, b []byte, form bool) bodyView {
	v := bodyView{Size: len(b)}
	if len(b) == 0 {
		return v
	}
	if utf8.Valid(b) {
		v.Raw = string(b)
	} else {
		v.Raw, v.Binary = hex.Dump(b), true
	}
	if len(b) > maxPretty || v.Binary {
		return v
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case form || mt == "application/x-www-form-urlencoded":
		v.Fields = formFields(string(b), 1)
	case mt == "application/json" || strings.HasSuffix(mt, "+json") || ((mt == "" || mt == "text/plain") && looksJSON(b)):
		var out bytes.Buffer
		if json.Indent(&out, b, "", "  ") == nil {
			v.JSON = out.String()
		}
	}
	return v
}

func looksJSON(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && (b[0] == '{' || b[0] == '[')
}

// formFields splits a form in order, keeping repeated and empty keys (a
// table shows what was sent, not what a parser would keep). A value that
// cannot be unescaped is shown as sent. depth bounds the decoding of
// base64 values into their own fields.
func formFields(s string, depth int) []field {
	var out []field
	for part := range strings.SplitSeq(s, "&") {
		if part == "" {
			continue
		}
		k, val, _ := strings.Cut(part, "=")
		f := field{Name: unescape(k), Value: unescape(val)}
		if depth > 0 {
			f.Decoded = base64Form(f.Value, depth-1)
		}
		out = append(out, f)
	}
	return out
}

func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// base64Form decodes a value that is a base64-encoded form, the way
// Paysera wraps its callback parameters in data; nil when it is not one.
func base64Form(s string, depth int) []field {
	if len(s) < 8 {
		return nil
	}
	var dec []byte
	for _, enc := range []*base64.Encoding{base64.URLEncoding, base64.StdEncoding, base64.RawURLEncoding, base64.RawStdEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			dec = b
			break
		}
	}
	if dec == nil || !utf8.Valid(dec) || !bytes.Contains(dec, []byte("=")) {
		return nil
	}
	for _, r := range string(dec) {
		if !unicode.IsPrint(r) {
			return nil
		}
	}
	return formFields(string(dec), depth)
}
