// Package signature holds the signing and verification primitives the
// provider packages share: the sorted key=value MD5 of VK and Playvision
// ([SortedMD5]), the body-plus-secret SHA-1 of Xsolla ([BodySHA1]), RSA
// PKCS #1 v1.5 verification with SHA-1 or SHA-256 (Paysera, VK Pay), PEM
// key parsing, constant-time comparison of hex digests ([EqualHex]) and
// verification against several secrets at once for rotation
// ([VerifyHex]).
//
// Every Verify function takes the signed message first, then the
// signature, then the secrets or keys (all of them are tried, so that
// timing does not tell which one matched), then any option of the scheme,
// and returns nil or an error matching [ErrMismatch] — which is
// paykit.ErrInvalidSignature. The package imports nothing of paykit's
// public packages, so it can be used on its own.
//
// Nothing here returns or logs an expected signature or a secret.
package signature
