package signature

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"net/url"
	"slices"
	"sync"

	"github.com/paykit-go/paykit"
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
	cb := getCanon()
	defer cb.put()
	cb.appendValues(params, skip)
	sum := cb.sum(secret)
	return hex.EncodeToString(sum[:])
}

// VerifySortedMD5 reports whether sig is the [SortedMD5Except] signature of
// params (without skip) under any of secrets. Every secret is tried, in
// constant time per secret, so timing does not tell which one matched. The
// hex of sig may be in either case.
func VerifySortedMD5(params url.Values, skip, sig string, secrets []string) bool {
	cb := getCanon()
	defer cb.put()
	cb.appendValues(params, skip)
	return cb.match(sig, secrets)
}

// VerifySortedMD5Pairs is [VerifySortedMD5] over pairs already sorted by key,
// as [paykit.ParseSortedForm] returns them: the allocation-free path of the
// VK and Playvision handlers.
func VerifySortedMD5Pairs(pairs []paykit.Pair, skip, sig string, secrets []string) bool {
	cb := getCanon()
	defer cb.put()
	for _, p := range pairs {
		if p.Key != skip {
			cb.appendKV(p.Key, p.Value)
		}
	}
	return cb.match(sig, secrets)
}

// canonPool recycles the buffers the canonical string is built in: a
// callback handler builds one per delivery.
var canonPool = sync.Pool{New: func() any { return new(canonBuf) }}

// canonBuf builds the canonical string key=value…key=value of a request.
type canonBuf struct {
	keys []string
	b    []byte
}

func getCanon() *canonBuf { return canonPool.Get().(*canonBuf) }

// put clears the buffers — no secret lingers in pooled memory — and
// returns them to the pool.
func (cb *canonBuf) put() {
	clear(cb.b[:cap(cb.b)])
	cb.b = cb.b[:0]
	clear(cb.keys)
	cb.keys = cb.keys[:0]
	canonPool.Put(cb)
}

func (cb *canonBuf) appendKV(k, v string) {
	cb.b = append(cb.b, k...)
	cb.b = append(cb.b, '=')
	cb.b = append(cb.b, v...)
}

func (cb *canonBuf) appendValues(params url.Values, skip string) {
	for k := range params {
		if k != skip {
			cb.keys = append(cb.keys, k)
		}
	}
	slices.Sort(cb.keys)
	for _, k := range cb.keys {
		for _, v := range params[k] {
			cb.appendKV(k, v)
		}
	}
}

// sum returns the MD5 of the canonical string followed by secret, leaving
// the canonical string as it was.
func (cb *canonBuf) sum(secret string) [md5.Size]byte {
	n := len(cb.b)
	cb.b = append(cb.b, secret...)
	sum := md5.Sum(cb.b)
	cb.b = cb.b[:n]
	return sum
}

// match compares sig with the digest under every secret in constant time.
func (cb *canonBuf) match(sig string, secrets []string) bool {
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
		sum := cb.sum(secret)
		match |= subtle.ConstantTimeCompare(got[:], sum[:])
	}
	return valid && match == 1
}
