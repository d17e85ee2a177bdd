package signature

import (
	"crypto/sha1"
	"encoding/hex"
)

// BodySHA1 returns the lowercase hex SHA-1 of body followed by secret: the
// webhook signature of Xsolla (not an HMAC). body must be the raw bytes as
// received; a re-encoded body does not verify.
func BodySHA1(body []byte, secret string) string {
	h := sha1.New()
	h.Write(body)
	h.Write([]byte(secret))
	var sum [sha1.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0]))
}

// VerifyBodySHA1 checks that sig is [BodySHA1] of body under one of
// secrets, trying all of them (see [VerifyHex]). It returns nil or an
// error matching [ErrMismatch].
func VerifyBodySHA1(body []byte, sig string, secrets []string) error {
	return VerifyHex(sig, secrets, func(secret string) string { return BodySHA1(body, secret) })
}
