// Package key builds idempotency keys from their parts.
//
// A key names one event for a Store. Every part is length-prefixed, so no
// choice of ids (say "a|b" and "c" against "a" and "b|c") can make two
// different events share a key, and an exact repeat always has the same
// key.
package key

import (
	"strconv"
	"strings"
)

// Parts are what an event's key is made of. The root package's
// IdempotencyKey fills the first six from a Summary; providers add a
// Discriminator where their protocol has more than one event for the same
// id, kind and status (Paysera's status 4 beside 2, VK subscription
// changes, Xsolla's several id spaces).
type Parts struct {
	Provider      string
	Account       string
	Test          bool
	Kind          string
	Status        string
	ID            string
	Discriminator string
}

// Build returns the key of p: provider, account, live or test, kind,
// status, id, and the discriminator when it is not empty, each as
// "<length>:<bytes>", joined by '|'.
func Build(p Parts) string {
	test := "live"
	if p.Test {
		test = "test"
	}
	var b strings.Builder
	b.Grow(48 + len(p.Provider) + len(p.Account) + len(p.Kind) + len(p.Status) + len(p.ID) + len(p.Discriminator))
	for i, s := range [...]string{p.Provider, p.Account, test, p.Kind, p.Status, p.ID} {
		if i > 0 {
			b.WriteByte('|')
		}
		writePart(&b, s)
	}
	if p.Discriminator != "" {
		b.WriteByte('|')
		writePart(&b, p.Discriminator)
	}
	return b.String()
}

func writePart(b *strings.Builder, s string) {
	var n [20]byte
	b.Write(strconv.AppendInt(n[:0], int64(len(s)), 10))
	b.WriteByte(':')
	b.WriteString(s)
}
