package signature

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"net/url"
	"slices"
)

// SortedMD5 returns the lowercase hex MD5 of every key in params sorted
// bytewise, each written as key=value with no separator, followed by
// secret. It signs every key given: remove the signature parameter first,
// or use [SortedMD5Except]. A key with several values contributes key=value
// once per value, in order. Values are hashed as given (already decoded).
//
// This is the signature of VK votes notifications and of Playvision.
func SortedMD5(params url.Values, secret string) string {
	return SortedMD5Except(params, secret, "")
}

// SortedMD5Except is [SortedMD5] over every key of params except skip
// (typically "sig"), without copying params.
func SortedMD5Except(params url.Values, secret, skip string) string {
	var arr [canonStack]byte
	b := appendValues(arr[:0], params, skip)
	sum := digest(b, secret)
	clear(b)
	return hex.EncodeToString(sum[:])
}

// VerifySortedMD5 checks that sig is the [SortedMD5Except] signature of
// params (without skip) under one of secrets. Every secret is tried, in
// constant time per secret, so timing does not tell which one matched; the
// hex of sig may be in either case. It returns nil or an error matching
// [ErrMismatch].
func VerifySortedMD5(params url.Values, skip, sig string, secrets []string) error {
	var arr [canonStack]byte
	return verifyCanon(appendValues(arr[:0], params, skip), sig, secrets)
}

// VerifySortedMD5Pairs is [VerifySortedMD5] over pairs already sorted by
// key (each key once), the allocation-free path of the VK and Playvision
// handlers.
func VerifySortedMD5Pairs(pairs []Pair, skip, sig string, secrets []string) error {
	var arr [canonStack]byte
	b := arr[:0]
	for _, p := range pairs {
		if p.Key != skip {
			b = appendKV(b, p.Key, p.Value)
		}
	}
	return verifyCanon(b, sig, secrets)
}

// canonStack is the canonical string's room on the caller's stack: a VK
// or Playvision notification fits, a longer one grows onto the heap.
const canonStack = 512

func appendKV(b []byte, k, v string) []byte {
	b = append(b, k...)
	b = append(b, '=')
	return append(b, v...)
}

// appendValues appends the canonical string key=value…key=value of params
// without skip, keys sorted bytewise.
func appendValues(b []byte, params url.Values, skip string) []byte {
	var keyArr [32]string
	keys := keyArr[:0]
	for k := range params {
		if k != skip {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range params[k] {
			b = appendKV(b, k, v)
		}
	}
	return b
}

// digest returns the MD5 of canonical followed by secret. The secret is
// written after canonical's length (in its spare capacity when there is
// room) and wiped again, so that no secret lingers in memory.
func digest(canonical []byte, secret string) [md5.Size]byte {
	withSecret := append(canonical, secret...)
	sum := md5.Sum(withSecret)
	clear(withSecret[len(canonical):])
	return sum
}

// verifyCanon compares sig with the digest of canonical under every
// secret, in constant time, and wipes canonical.
func verifyCanon(canonical []byte, sig string, secrets []string) error {
	defer clear(canonical)
	var got [md5.Size]byte
	// A sig that is not 32 hex digits matches nothing; the secrets are
	// still hashed so that a malformed sig is not answered faster.
	valid := len(sig) == hex.EncodedLen(md5.Size)
	if valid {
		_, err := hex.Decode(got[:], []byte(sig))
		valid = err == nil
	}
	match := 0
	for _, secret := range secrets {
		sum := digest(canonical, secret)
		match |= subtle.ConstantTimeCompare(got[:], sum[:])
	}
	if valid && match == 1 {
		return nil
	}
	return ErrMismatch
}
