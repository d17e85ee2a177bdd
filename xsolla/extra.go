package xsolla

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/paykit-go/paykit"
)

// withExtra encodes body and adds the pass-through parameters of
// [TokenRequest.Extra], each at its dotted path. A path that names a
// parameter already set, or runs through a value that is not an object,
// is refused: a pass-through adds what the typed fields do not model, it
// never silently replaces what they sent.
func withExtra(body any, extra map[string]any) (json.RawMessage, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("xsolla: encoding request: %w", err)
	}
	if len(extra) == 0 {
		return b, nil
	}
	var doc map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber() // amounts stay as rendered
	if err := d.Decode(&doc); err != nil {
		return nil, fmt.Errorf("xsolla: encoding request: %w", err)
	}
	paths := make([]string, 0, len(extra))
	for p := range extra {
		paths = append(paths, p)
	}
	slices.Sort(paths) // deterministic errors
	for _, p := range paths {
		if err := setPath(doc, p, extra[p]); err != nil {
			return nil, err
		}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return nil, &paykit.FieldError{Field: "Extra", Reason: "a value cannot be encoded as JSON"}
	}
	return out, nil
}

func setPath(doc map[string]any, path string, v any) error {
	field := "Extra[" + path + "]"
	parts := strings.Split(path, ".")
	if slices.Contains(parts, "") {
		return &paykit.FieldError{Field: field, Reason: "not a dotted path"}
	}
	obj := doc
	for _, k := range parts[:len(parts)-1] {
		next, ok := obj[k]
		if !ok {
			child := map[string]any{}
			obj[k], obj = child, child
			continue
		}
		if obj, ok = next.(map[string]any); !ok {
			return &paykit.FieldError{Field: field, Reason: "goes through a parameter that is not an object"}
		}
	}
	last := parts[len(parts)-1]
	if _, taken := obj[last]; taken {
		return &paykit.FieldError{Field: field, Reason: "already set by a field of TokenRequest"}
	}
	obj[last] = v
	return nil
}
