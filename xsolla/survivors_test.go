package xsolla

import (
	"errors"
	"strings"
	"testing"

	"github.com/paykit-go/paykit"
)

// TestSignatureHeaderAcceptsExactlyTheHexDigits puts every byte value in
// the last place of a 40-digit digest: 0-9 and a-f are accepted in both
// modes, A-F only by the tolerant parser, everything else (the neighbours
// '/', ':', '`', 'g', '@', 'G' included) is an invalid signature.
func TestSignatureHeaderAcceptsExactlyTheHexDigits(t *testing.T) {
	const lower, upper = "0123456789abcdef", "ABCDEF"
	prefix := "Signature " + strings.Repeat("0", 39)
	for b := 0; b < 256; b++ {
		c := byte(b)
		for _, strict := range []bool{false, true} {
			want := strings.IndexByte(lower, c) >= 0 || (!strict && strings.IndexByte(upper, c) >= 0)
			got, err := parseSignatureHeader(prefix+string([]byte{c}), strict)
			if want && (err != nil || got != prefix[len("Signature "):]+string([]byte{c})) {
				t.Errorf("byte %q strict=%t: got %q, %v; want accepted", c, strict, got, err)
			}
			if !want && !errors.Is(err, paykit.ErrInvalidSignature) {
				t.Errorf("byte %q strict=%t: got %q, %v; want ErrInvalidSignature", c, strict, got, err)
			}
		}
	}
}

func TestCanonicalIDKeepsTextAndRefusesNonPositiveNumbers(t *testing.T) {
	tests := []struct {
		id     ID
		want   string
		wantOK bool
	}{
		{"7", "7", true},
		{"7e0", "7", true},
		{"123abc", "123abc", true}, // a number followed by garbage is text
		{"1e5x", "1e5x", true},     // likewise
		{"12 ", "12 ", true},       // likewise
		{"0.5", "", false},         // a number, not whole
		{"-0.1", "", false},        // a number, negative
		{"1e400", "", false},       // a number, out of range
		{"0", "", false},           // not positive
		{"", "", false},            // no id
	}
	for _, tt := range tests {
		got, ok := canonicalID(tt.id)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("canonicalID(%q) = %q, %t; want %q, %t", tt.id, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestIsJSONNumberIsExactlyOneNumber(t *testing.T) {
	for s, want := range map[string]bool{
		"12": true, "-0.5": true, "1e400": true, "0": true,
		"12abc": false, "1e5x": false, "12 ": false, "abc": false, "": false, "-": false, "1.": false,
	} {
		if got := isJSONNumber(s); got != want {
			t.Errorf("isJSONNumber(%q) = %t, want %t", s, got, want)
		}
	}
}
