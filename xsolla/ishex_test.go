package xsolla

import (
	"strings"
	"testing"
)

// Every byte against a plain reference: the digit ranges' ends and the
// bytes just outside them ('/', ':', '@', 'G', '`', 'g') included.
func TestIsHexAgreesWithAReferenceOnEveryByte(t *testing.T) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		lower := strings.IndexByte("0123456789abcdef", b) >= 0
		upper := strings.IndexByte("ABCDEF", b) >= 0
		if got := isHex(b, true); got != lower {
			t.Errorf("isHex(%q, lowerOnly) = %t, want %t", b, got, lower)
		}
		if got := isHex(b, false); got != (lower || upper) {
			t.Errorf("isHex(%q) = %t, want %t", b, got, lower || upper)
		}
	}
}
