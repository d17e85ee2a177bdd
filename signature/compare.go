package signature

import "crypto/subtle"

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
	return subtle.ConstantTimeByteEq(diff, 0) == 1
}

// lowerASCII folds A-Z to a-z without a data-dependent branch.
func lowerASCII(c byte) byte {
	isUpper := subtle.ConstantTimeLessOrEq(int('A'), int(c)) & subtle.ConstantTimeLessOrEq(int(c), int('Z'))
	return c | byte(isUpper<<5)
}

// MatchAny reports whether got equals compute(secret) for any of secrets,
// compared with [EqualHex]. It computes and compares every candidate even
// after a match, so the time taken does not reveal which secret matched.
// With no secrets it reports false.
func MatchAny(got string, secrets []string, compute func(secret string) string) bool {
	match := 0
	for _, s := range secrets {
		if EqualHex(got, compute(s)) {
			match |= 1
		}
	}
	return match == 1
}
