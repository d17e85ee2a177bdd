package sqlstore

import (
	"context"
	"fmt"
	"time"
)

// Cleanup deletes the deliveries received longer ago than the retention,
// oldest first, in batches of [JournalOptions.CleanupBatch] — never one
// huge DELETE — and returns how many it deleted. Rows another cleanup is
// deleting are skipped. It stops early, returning the count so far, when
// ctx ends. Deliveries past retention are never returned even before
// Cleanup deletes them; Cleanup is what frees their space (and the
// personal data in their bodies).
//
// Call it periodically from one place, or set
// [JournalOptions.CleanupEvery].
func (j *Journal) Cleanup(ctx context.Context) (int64, error) {
	cutoff := j.cutoff()
	var total int64
	for {
		res, err := j.db.ExecContext(ctx, j.sql.cleanup, cutoff, j.batch)
		if err != nil {
			return total, fmt.Errorf("sqlstore: journal: cleanup: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, fmt.Errorf("sqlstore: journal: cleanup: %w", err)
		}
		total += n
		if j.afterBatch != nil {
			j.afterBatch(n)
		}
		if n < int64(j.batch) {
			return total, nil
		}
	}
}

// startCleanup runs Cleanup at every tick until Close; stopTicks releases
// the ticks' source.
func (j *Journal) startCleanup(ticks <-chan time.Time, stopTicks func()) {
	ctx, cancel := context.WithCancel(context.Background())
	j.stop = cancel
	j.done.Add(1)
	go func() {
		defer j.done.Done()
		defer stopTicks()
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticks:
			}
			n, err := j.Cleanup(ctx)
			if err != nil && ctx.Err() == nil {
				j.errLog(err)
			}
			if j.afterRun != nil {
				j.afterRun(n, err)
			}
		}
	}()
}

// Close stops the background cleanup of [JournalOptions.CleanupEvery],
// waiting for a run in progress to end (it is cancelled). It does not
// close the database. A Journal without background cleanup needs no
// Close; calling it is harmless, and so is calling it twice.
func (j *Journal) Close() error {
	j.closeOnce.Do(func() {
		if j.stop != nil {
			j.stop()
		}
		j.done.Wait()
	})
	return nil
}
