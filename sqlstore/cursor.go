package sqlstore

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/paykit-go/paykit"
)

// ErrInvalidCursor is returned by [Journal.Deliveries] for an After that
// is not the Next of a page of a Journal. It matches
// [paykit.ErrInvalidRequest].
var ErrInvalidCursor = fmt.Errorf("%w: sqlstore: journal: invalid page cursor", paykit.ErrInvalidRequest)

// A cursor is the position of the last delivery of a page in the order of
// the pages, newest first by (received_at, id): the next page starts below
// it. It is opaque to callers: base64url (unpadded, canonical) of the
// received time in microseconds since 1970 (8 bytes, big-endian, as
// PostgreSQL keeps microseconds) followed by the delivery's ID.
type cursor struct {
	at int64 // microseconds since 1970 UTC
	id string
}

// The receipt times a cursor may hold: years 1 to 9999, well inside
// PostgreSQL's timestamptz range, so that a forged cursor is refused here
// rather than by the database.
var (
	minCursorMicros = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	maxCursorMicros = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC).UnixMicro()
)

// maxCursorID bounds the ID in a cursor: the handlers' IDs are 32 hex
// characters; anything much longer is not a cursor of this package.
const maxCursorID = 256

func (c cursor) String() string {
	b := make([]byte, 8, 8+len(c.id))
	binary.BigEndian.PutUint64(b, uint64(c.at))
	b = append(b, c.id...)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (c cursor) time() time.Time { return time.UnixMicro(c.at) }

// parseCursor decodes s, refusing anything String does not produce: bad
// or non-canonical base64, a time outside years 1–9999, an ID that is
// empty, too long, or text PostgreSQL cannot hold (see pgText).
func parseCursor(s string) (cursor, error) {
	if len(s) > base64.RawURLEncoding.EncodedLen(8+maxCursorID) {
		return cursor{}, ErrInvalidCursor
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(b) <= 8 {
		return cursor{}, ErrInvalidCursor
	}
	c := cursor{at: int64(binary.BigEndian.Uint64(b)), id: string(b[8:])}
	if c.at < minCursorMicros || c.at > maxCursorMicros || !utf8.ValidString(c.id) || pgText(c.id) != c.id {
		return cursor{}, ErrInvalidCursor
	}
	// The decoder skips \r and \n even in strict mode: only the one
	// spelling String gives is a cursor.
	if c.String() != s {
		return cursor{}, ErrInvalidCursor
	}
	return c, nil
}
