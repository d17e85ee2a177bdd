package signature

import (
	"crypto/subtle"

	"github.com/paykit-go/paykit/internal/errs"
)

// ErrMismatch is what every Verify function returns when a signature does
// not verify. It is the root package's paykit.ErrInvalidSignature, so
// either name matches with errors.Is.
var ErrMismatch = errs.ErrInvalidSignature

// EqualHex reports whether two hex digests are equal, ignoring ASCII case,
// in time that depends only on their lengths.
func EqualHex(got, want string) bool {
	if len(got) != len(want) {
		// Lengths are public: a digest's length is fixed by its algorithm.
		return false
	}
	var diff byte
	for i := 0; i < len(got); i++ {
		diff |= lowerASCII(got[i]) ^ lowerASCII(want[i])
	}
	return diff == 0
}

// lowerASCII folds A-Z to a-z without a data-dependent branch.
func lowerASCII(c byte) byte {
	isUpper := subtle.ConstantTimeLessOrEq(int('A'), int(c)) & subtle.ConstantTimeLessOrEq(int(c), int('Z'))
	return c | byte(isUpper<<5)
}

// VerifyHex checks that sig equals compute(secret) for one of secrets,
// compared with [EqualHex]. It computes and compares every candidate even
// after a match, so the time taken does not reveal which secret matched.
// It returns nil or an error matching [ErrMismatch]; with no secrets,
// always the error.
func VerifyHex(sig string, secrets []string, compute func(secret string) string) error {
	match := 0
	for _, s := range secrets {
		if EqualHex(sig, compute(s)) {
			match |= 1
		}
	}
	if match == 1 {
		return nil
	}
	return ErrMismatch
}
