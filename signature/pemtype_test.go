package signature_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/signature"
)

// The PEM type of a refused block is attacker-shaped text: an error names
// it whole up to 32 bytes and clipped beyond.
func TestParsePublicKey_ErrorClipsTheUnexpectedPEMType(t *testing.T) {
	tests := []struct {
		name     string
		pemType  string
		wantType string
	}{
		{"short type named whole", "DSA KEY", `"DSA KEY"`},
		{"exactly 32 bytes named whole", strings.Repeat("T", 32), `"` + strings.Repeat("T", 32) + `"`},
		{"33 bytes clipped to 32", strings.Repeat("T", 33), `"` + strings.Repeat("T", 32) + `…"`},
		{"long type clipped to 32", strings.Repeat("U", 31) + strings.Repeat("V", 4000), `"` + strings.Repeat("U", 31) + `V…"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := signature.ParsePublicKey(pemOf(tt.pemType, []byte{1, 2, 3}))
			require.ErrorIs(t, err, signature.ErrKey)
			assert.Contains(t, err.Error(), "unexpected PEM type "+tt.wantType)
		})
	}
}
