package signature

import (
	"encoding/hex"
)

// JoinedMD5 returns the lowercase hex MD5 of parts joined by sep, followed
// by sep and secret: md5(p1 sep p2 … sep secret). It is Playvision's
// auth_key, md5(api_id_viewer_id_secret).
func JoinedMD5(parts []string, sep, secret string) string {
	var arr [canonStack]byte
	b := arr[:0]
	for _, p := range parts {
		b = append(b, p...)
		b = append(b, sep...)
	}
	sum := digest(b, secret)
	clear(b)
	return hex.EncodeToString(sum[:])
}

// VerifyJoinedMD5 checks that sig is [JoinedMD5] of parts under one of
// secrets, trying all of them (see [VerifyHex]). It returns nil or an
// error matching [ErrMismatch].
func VerifyJoinedMD5(parts []string, sep, sig string, secrets []string) error {
	return VerifyHex(sig, secrets, func(secret string) string { return JoinedMD5(parts, sep, secret) })
}
