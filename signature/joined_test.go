package signature_test

import (
	"crypto/md5"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/paykit-go/paykit/signature"
)

func TestJoinedMD5_IsMD5OfThePartsSeparatedThenTheSecret(t *testing.T) {
	sum := md5.Sum([]byte("7_131_s3cr3t"))
	want := hex.EncodeToString(sum[:])
	assert.Equal(t, want, signature.JoinedMD5([]string{"7", "131"}, "_", "s3cr3t"))
	assert.NoError(t, signature.VerifyJoinedMD5([]string{"7", "131"}, "_", strings.ToUpper(want), []string{"old", "s3cr3t"}))
	for _, bad := range hexNearMissSigs(want) {
		assert.ErrorIs(t, signature.VerifyJoinedMD5([]string{"7", "131"}, "_", bad, []string{"s3cr3t"}), signature.ErrMismatch, bad)
	}
	assert.Error(t, signature.VerifyJoinedMD5([]string{"7", "132"}, "_", want, []string{"s3cr3t"}), "another viewer")
	assert.Error(t, signature.VerifyJoinedMD5([]string{"7", "131"}, "_", want, nil), "no secrets")
}

// hexNearMissSigs are digests one step from want: first or last digit
// changed, truncated, extended.
func hexNearMissSigs(want string) []string {
	flip := func(c byte) byte {
		if c == '0' {
			return '1'
		}
		return '0'
	}
	first := string(flip(want[0])) + want[1:]
	last := want[:len(want)-1] + string(flip(want[len(want)-1]))
	return []string{first, last, want[:len(want)-1], want + "0"}
}
