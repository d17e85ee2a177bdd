package sqlstore_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/paykit-go/paykit/sqlstore"
)

func TestCursorRoundTrips(t *testing.T) {
	for _, tc := range []struct {
		name string
		at   time.Time
		id   string
	}{
		{"a handler's delivery", time.Date(2026, 11, 30, 4, 5, 6, 123456000, time.UTC), "0123456789abcdef0123456789abcdef"},
		{"year 1", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), "x"},
		{"year 9999", time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC), "y"},
		{"before 1970", time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC), "z"},
		{"longest id", time.Unix(0, 0), strings.Repeat("é", 128)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := sqlstore.CursorString(tc.at.UnixMicro(), tc.id)
			at, id, err := sqlstore.ParseCursor(s)
			if err != nil || at != tc.at.UnixMicro() || id != tc.id {
				t.Fatalf("ParseCursor(%q) = %d, %q, %v", s, at, id, err)
			}
		})
	}
}

// FuzzParseCursor: any string is refused with ErrInvalidCursor or decodes
// to a position whose encoding is that very string (one spelling per
// position), within years 1–9999 and with an ID PostgreSQL's text holds.
func FuzzParseCursor(f *testing.F) {
	now := time.Date(2026, 11, 30, 4, 0, 0, 0, time.UTC).UnixMicro()
	for _, s := range []string{
		sqlstore.CursorString(now, "0123456789abcdef0123456789abcdef"),
		sqlstore.CursorString(now, "a"),
		sqlstore.CursorString(-62135596800000000, "b"),
		sqlstore.CursorString(now, "c\x00"),
		sqlstore.CursorString(now, "\xff"),
		"", "2", "AAAAAAAAAAA", "AAAAAAAAAAAB", "!!!!", "YQ==",
	} {
		f.Add(s)
	}
	lo := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	hi := time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC).UnixMicro()
	f.Fuzz(func(t *testing.T, s string) {
		at, id, err := sqlstore.ParseCursor(s)
		if err != nil {
			if !errors.Is(err, sqlstore.ErrInvalidCursor) {
				t.Fatalf("ParseCursor(%q): %v is not ErrInvalidCursor", s, err)
			}
			return
		}
		if got := sqlstore.CursorString(at, id); got != s {
			t.Fatalf("ParseCursor(%q) = %d, %q, which encodes as %q", s, at, id, got)
		}
		if at < lo || at > hi || id == "" || len(id) > 256 || !utf8.ValidString(id) || strings.ContainsRune(id, 0) {
			t.Fatalf("ParseCursor(%q) accepted %d, %q", s, at, id)
		}
	})
}
