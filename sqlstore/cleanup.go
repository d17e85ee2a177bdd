package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// cleanupBatch is how many rows one DELETE of Cleanup removes, so that no
// statement holds many row locks or runs for long.
const cleanupBatch = 1000

// Cleanup deletes replies stored more than olderThan ago and claims whose
// lease has ended (their holders died; deleting them is the same as the
// takeover the next delivery would do). It returns how many rows it
// deleted. Rows held by a running transaction are skipped. It deletes in
// batches and stops early, returning the count so far, when ctx ends.
//
// A delivery that arrives after its reply was deleted is fulfilled again,
// so olderThan must be longer than any provider keeps retrying a
// notification — [paykit.DefaultRetention] (30 days) is a safe choice. Run
// Cleanup periodically from one place (a cron job or one replica); running
// it on several replicas at once is safe but wasteful.
func (s *Store) Cleanup(ctx context.Context, olderThan time.Duration) (int64, error) {
	if olderThan <= 0 {
		return 0, errors.New("sqlstore: cleanup: olderThan must be positive")
	}
	var total int64
	for {
		res, err := s.db.ExecContext(ctx, s.sql.cleanup, olderThan.Microseconds(), cleanupBatch)
		if err != nil {
			return total, fmt.Errorf("sqlstore: cleanup: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, fmt.Errorf("sqlstore: cleanup: %w", err)
		}
		total += n
		if n < cleanupBatch {
			return total, nil
		}
	}
}
