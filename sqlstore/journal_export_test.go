package sqlstore

import (
	"database/sql"
	"time"

	"github.com/paykit-go/paykit"
)

// NewJournalTicked returns a Journal whose background cleanup runs at each
// value sent on ticks, calling ran after each run, and afterBatch (when
// not nil) after each DELETE of Cleanup.
func NewJournalTicked(db *sql.DB, opts JournalOptions, ticks <-chan time.Time, ran func(int64, error), afterBatch func(int64)) (*Journal, error) {
	opts.CleanupEvery = 0
	j, err := newJournal(db, opts)
	if err != nil {
		return nil, err
	}
	j.afterRun, j.afterBatch = ran, afterBatch
	if ticks != nil {
		j.startCleanup(ticks, func() {})
	}
	return j, nil
}

// ListQuery returns the SQL and arguments Deliveries runs for q.
func (j *Journal) ListQuery(q paykit.DeliveryQuery) (string, []any, error) { return j.listQuery(q) }

// ParseCursor and CursorString expose the cursor codec to the fuzz test.
func ParseCursor(s string) (at int64, id string, err error) {
	c, err := parseCursor(s)
	return c.at, c.id, err
}

func CursorString(at int64, id string) string { return cursor{at: at, id: id}.String() }
