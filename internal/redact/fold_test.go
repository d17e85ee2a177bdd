package redact_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/paykit-go/paykit/internal/redact"
)

// An empty secret in the list is skipped, not the end of the list: the
// secrets after it are still redacted.
func TestBytes_EmptySecretDoesNotStopTheList(t *testing.T) {
	got := redact.String("key=s3cretA&pw=0ther", "", "s3cretA", "", "0ther")
	assert.Equal(t, "key=[redacted]&pw=[redacted]", got)
}

// Matching ignores ASCII case over the whole alphabet, its ends 'A'/'Z'
// and 'a'/'z' included, and nothing beyond it ('@' and '[' sit either side
// of 'A'..'Z').
func TestBytes_CaseFoldCoversAToZExactly(t *testing.T) {
	tests := []struct {
		name, body, secret, want string
	}{
		{"upper Z echoed for lower z", "x ZZZZ y", "zzzz", "x [redacted] y"},
		{"lower z echoed for upper Z", "x zzzz y", "ZZZZ", "x [redacted] y"},
		{"upper A echoed for lower a", "x AAAA y", "aaaa", "x [redacted] y"},
		{"lower a echoed for upper A", "x aaaa y", "AAAA", "x [redacted] y"},
		{"@ is not a folded `", "x @@@@ y", "````", "x @@@@ y"},
		{"[ is not a folded {", "x [[[[ y", "{{{{", "x [[[[ y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, redact.String(tt.body, tt.secret))
		})
	}
}
