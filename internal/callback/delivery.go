package callback

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
)

// newID returns a delivery ID: 128 random bits in hex, from math/rand/v2's
// generator (ChaCha8, seeded by the operating system): unique across
// replicas sharing a journal, at a tenth of crypto/rand's cost. An ID
// grants nothing — the journal page has its own authorisation — so it
// need not be unpredictable.
func newID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
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
