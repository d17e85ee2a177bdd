package callback

import (
	"context"
	"crypto/rand"
	"encoding/hex"
)

// newID returns a delivery ID: 16 random bytes in hex.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand, Go 1.24+)
	return hex.EncodeToString(b[:])
}

type runOfKey struct{}

// WithRunOf returns ctx marking its request as a run again of the delivery
// with ID id (the journal page's "Run again"); the handler records it as
// the new delivery's RunOf.
func WithRunOf(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, runOfKey{}, id)
}

// RunOf returns the ID set by [WithRunOf], else "".
func RunOf(ctx context.Context) string {
	id, _ := ctx.Value(runOfKey{}).(string)
	return id
}
