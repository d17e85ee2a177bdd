package signature

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"net/url"
	"slices"
	"sync"
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
	var sum [md5.Size]byte
	sortedMD5(&sum, params, secret, skip)
	return hex.EncodeToString(sum[:])
}

// bufPool recycles the key slices and buffers of SortedMD5: a callback
// handler computes one per delivery and per accepted secret.
var bufPool = sync.Pool{New: func() any { return new(canonBuf) }}

type canonBuf struct {
	keys []string
	b    []byte
}

func sortedMD5(sum *[md5.Size]byte, params url.Values, secret, skip string) {
	cb := bufPool.Get().(*canonBuf)
	cb.keys = cb.keys[:0]
	for k := range params {
		if k != skip {
			cb.keys = append(cb.keys, k)
		}
	}
	slices.Sort(cb.keys)
	b := cb.b[:0]
	for _, k := range cb.keys {
		for _, v := range params[k] {
			b = append(b, k...)
			b = append(b, '=')
			b = append(b, v...)
		}
	}
	b = append(b, secret...)
	*sum = md5.Sum(b)
	clear(b) // the secret does not linger in pooled memory
	cb.b = b[:0]
	clear(cb.keys)
	bufPool.Put(cb)
}

// VerifySortedMD5 reports whether sig is the [SortedMD5Except] signature of
// params (without skip) under any of secrets. Every secret is tried, in
// constant time per secret, so timing does not tell which one matched. The
// hex of sig may be in either case.
func VerifySortedMD5(params url.Values, skip, sig string, secrets []string) bool {
	var got [md5.Size]byte
	// A sig that is not 32 hex digits matches nothing; the secrets are
	// still hashed so that a malformed sig is not answered faster.
	valid := len(sig) == hex.EncodedLen(md5.Size)
	if valid {
		_, err := hex.Decode(got[:], []byte(sig))
		valid = err == nil
	}
	match := 0
	var sum [md5.Size]byte
	for _, secret := range secrets {
		sortedMD5(&sum, params, secret, skip)
		match |= subtle.ConstantTimeCompare(got[:], sum[:])
	}
	return valid && match == 1
}
