package signature

import (
	"crypto/sha1"
	"encoding/hex"
)

// BodySHA1 returns the lowercase hex SHA-1 of body followed by secret: the
// webhook signature of Xsolla (not an HMAC). body must be the raw bytes as
// received; a re-encoded body does not verify.
func BodySHA1(body []byte, secret string) string {
	var arr [2048]byte // a webhook and its secret fit: no allocation but the hex
	b := append(append(arr[:0], body...), secret...)
	sum := sha1.Sum(b)
	clear(b) // no secret lingers in memory
	return hex.EncodeToString(sum[:])
}

// VerifyBodySHA1 checks that sig is [BodySHA1] of body under one of
// secrets, trying all of them (see [VerifyHex]). It returns nil or an
// error matching [ErrMismatch].
func VerifyBodySHA1(body []byte, sig string, secrets []string) error {
	return VerifyHex(sig, secrets, func(secret string) string { return BodySHA1(body, secret) })
}
