package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/callback"
	"github.com/paykit-go/paykit/sqlstore"
)

// newStore returns a migrated Store on its own table, with its own pool.
func newStore(t testing.TB, opts sqlstore.Options) (*sqlstore.Store, *sql.DB, string) {
	t.Helper()
	db := openDB(t, 20)
	if opts.Table == "" {
		opts.Table = tableName()
	}
	s, err := sqlstore.New(db, opts)
	require.NoError(t, err)
	require.NoError(t, s.Migrate(context.Background()))
	return s, db, opts.Table
}

func reply(b string) func(context.Context) ([]byte, error) {
	return func(context.Context) ([]byte, error) { return []byte(b), nil }
}

func mustNotRun(t *testing.T) func(context.Context) ([]byte, error) {
	return func(context.Context) ([]byte, error) {
		t.Error("fulfil ran for a key that has a stored reply")
		return nil, errors.New("must not run")
	}
}

// modes runs a test in both modes of the store.
func modes(t *testing.T, test func(t *testing.T, opts sqlstore.Options)) {
	t.Run("lease", func(t *testing.T) { test(t, sqlstore.Options{LeaseMode: true}) })
	t.Run("same_transaction", func(t *testing.T) { test(t, sqlstore.Options{}) })
}

// TestDefaultIsSameTransaction: the zero Options (and the deprecated
// SameTransaction flag) give same-transaction mode; LeaseMode opts out.
func TestDefaultIsSameTransaction(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   sqlstore.Options
		wantTx bool
	}{
		{"zero options", sqlstore.Options{}, true},
		{"SameTransaction", sqlstore.Options{SameTransaction: true}, true},
		{"LeaseMode", sqlstore.Options{LeaseMode: true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _, _ := newStore(t, tc.opts)
			_, _, err := s.Do(context.Background(), "k", func(ctx context.Context) ([]byte, error) {
				_, ok := sqlstore.Tx(ctx)
				assert.Equal(t, tc.wantTx, ok)
				return []byte("ok"), nil
			})
			require.NoError(t, err)
		})
	}
	db, err := sql.Open("pgx", "postgres://127.0.0.1:1/none") // never connects
	require.NoError(t, err)
	defer db.Close()
	_, err = sqlstore.New(db, sqlstore.Options{SameTransaction: true, LeaseMode: true})
	assert.Error(t, err, "both modes at once")
}

func TestNewRejectsBadOptions(t *testing.T) {
	db, err := sql.Open("pgx", "postgres://127.0.0.1:1/none") // never connects
	require.NoError(t, err)
	defer db.Close()
	for _, table := range []string{
		"Paykit", "1abc", "a-b", "a b", `a"b`, "a;drop table x", "a.b.c", ".a", "a.",
		"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvw", // 49 characters
		"idem\x00", "idém",
	} {
		_, err := sqlstore.New(db, sqlstore.Options{Table: table})
		assert.Error(t, err, "table %q", table)
	}
	for _, table := range []string{"", "idem", "_x1", "billing.idem", "order"} {
		_, err := sqlstore.New(db, sqlstore.Options{Table: table})
		assert.NoError(t, err, "table %q", table)
	}
	_, err = sqlstore.New(nil, sqlstore.Options{})
	assert.Error(t, err)
	_, err = sqlstore.New(db, sqlstore.Options{Lease: -time.Second})
	assert.Error(t, err)
}

func TestReplayReturnsTheExactStoredBytes(t *testing.T) {
	modes(t, func(t *testing.T, opts sqlstore.Options) {
		s, _, _ := newStore(t, opts)
		ctx := context.Background()
		for key, want := range map[string][]byte{
			"text":                     []byte(`{"response":{"order_id":1}}`),
			"binary":                   {0, 1, 2, 0xff, '\n', 0},
			"empty":                    {},
			"nil is empty":             nil,
			"bad utf8 \xff":            []byte("OK"),
			"nul \x00 key":             []byte("OK"),
			"#looks hashed":            []byte("OK"),
			string(make([]byte, 5000)): []byte("long key"),
		} {
			got, replayed, err := s.Do(ctx, key, func(context.Context) ([]byte, error) { return want, nil })
			require.NoError(t, err, "key %q", key)
			assert.False(t, replayed)
			assert.Equal(t, append([]byte{}, want...), got)
			got, replayed, err = s.Do(ctx, key, mustNotRun(t))
			require.NoError(t, err, "key %q", key)
			assert.True(t, replayed)
			assert.NotNil(t, got)
			assert.Equal(t, append([]byte{}, want...), got, "key %q", key)
		}
	})
}

func TestKeysAreDistinct(t *testing.T) {
	modes(t, func(t *testing.T, opts sqlstore.Options) {
		s, _, _ := newStore(t, opts)
		ctx := context.Background()
		keys := []string{"a", "A", "a ", "#a", "\xff", "\xfe", "a\x00", "a\x00b"}
		for _, k := range keys {
			_, _, err := s.Do(ctx, k, reply("reply "+k))
			require.NoError(t, err)
		}
		for _, k := range keys {
			got, replayed, err := s.Do(ctx, k, mustNotRun(t))
			require.NoError(t, err)
			assert.True(t, replayed)
			assert.Equal(t, "reply "+k, string(got))
		}
	})
}

func TestFailureReleasesTheClaim(t *testing.T) {
	modes(t, func(t *testing.T, opts sqlstore.Options) {
		s, _, _ := newStore(t, opts)
		ctx := context.Background()
		boom := errors.New("hook failed")
		_, _, err := s.Do(ctx, "k", func(context.Context) ([]byte, error) { return nil, boom })
		require.ErrorIs(t, err, boom, "fulfil's error comes back unchanged")
		assert.Same(t, boom, err)

		func() {
			defer func() { assert.Equal(t, "hook panicked", recover()) }()
			_, _, _ = s.Do(ctx, "k", func(context.Context) ([]byte, error) { panic("hook panicked") })
		}()

		got, replayed, err := s.Do(ctx, "k", reply("second try"))
		require.NoError(t, err)
		assert.False(t, replayed, "the retry after failures fulfils")
		assert.Equal(t, "second try", string(got))
	})
}

func TestConcurrentDeliveryOfAClaimedKeyIsRetriedLater(t *testing.T) {
	modes(t, func(t *testing.T, opts sqlstore.Options) {
		opts.LockWait = 100 * time.Millisecond
		s, _, _ := newStore(t, opts)
		ctx := context.Background()
		started, release := make(chan struct{}), make(chan struct{})
		done := make(chan error, 1)
		go func() {
			_, _, err := s.Do(ctx, "k", func(context.Context) ([]byte, error) {
				close(started)
				<-release
				return []byte("first"), nil
			})
			done <- err
		}()
		<-started
		_, _, err := s.Do(ctx, "k", mustNotRun(t))
		require.ErrorIs(t, err, paykit.ErrInProgress)
		assert.True(t, paykit.IsTemporary(err))
		assert.Equal(t, callback.Retry, callback.ClassifyHook(err))
		close(release)
		require.NoError(t, <-done)
		got, replayed, err := s.Do(ctx, "k", mustNotRun(t))
		require.NoError(t, err)
		assert.True(t, replayed)
		assert.Equal(t, "first", string(got))
	})
}

// releaseWhenWaiting closes release once a session of the test database
// waits for a lock (the second delivery waiting on the first one's claim),
// so that the test proves the waiting path instead of guessing its timing.
// It polls the server, another process, for that observable condition.
func releaseWhenWaiting(t *testing.T, db *sql.DB, release chan<- struct{}) {
	defer close(release)
	for i := 0; i < 10000; i++ {
		var waiting int
		err := db.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting)
		if err != nil || waiting > 0 {
			assert.NoError(t, err)
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Error("no delivery ever waited for the claim")
}

func TestSameTransactionWaiterReplaysTheFirstReply(t *testing.T) {
	s, db, _ := newStore(t, sqlstore.Options{LockWait: 10 * time.Second})
	ctx := context.Background()
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, _, err := s.Do(ctx, "k", func(context.Context) ([]byte, error) {
			close(started)
			<-release
			return []byte("first"), nil
		})
		done <- err
	}()
	<-started
	go releaseWhenWaiting(t, db, release)
	got, replayed, err := s.Do(ctx, "k", mustNotRun(t))
	require.NoError(t, err, "the second delivery waits for the first")
	assert.True(t, replayed)
	assert.Equal(t, "first", string(got))
	require.NoError(t, <-done)
}

func TestSameTransactionWaiterFulfilsWhenTheFirstFails(t *testing.T) {
	s, db, _ := newStore(t, sqlstore.Options{LockWait: 10 * time.Second})
	ctx := context.Background()
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, _, err := s.Do(ctx, "k", func(context.Context) ([]byte, error) {
			close(started)
			<-release
			return nil, errors.New("first failed")
		})
		done <- err
	}()
	<-started
	go releaseWhenWaiting(t, db, release)
	got, replayed, err := s.Do(ctx, "k", reply("second"))
	require.NoError(t, err)
	assert.False(t, replayed)
	assert.Equal(t, "second", string(got))
	require.Error(t, <-done)
}

func TestTxIsOnlyInSameTransactionMode(t *testing.T) {
	_, ok := sqlstore.Tx(context.Background())
	assert.False(t, ok)
	modes(t, func(t *testing.T, opts sqlstore.Options) {
		s, _, _ := newStore(t, opts)
		_, _, err := s.Do(context.Background(), "k", func(ctx context.Context) ([]byte, error) {
			tx, ok := sqlstore.Tx(ctx)
			assert.Equal(t, !opts.LeaseMode, ok)
			assert.Equal(t, !opts.LeaseMode, tx != nil)
			return []byte("ok"), nil
		})
		require.NoError(t, err)
	})
}

func TestFulfilContextEndsWithTheLease(t *testing.T) {
	modes(t, func(t *testing.T, opts sqlstore.Options) {
		opts.Lease = 3 * time.Second
		s, _, _ := newStore(t, opts)
		before := time.Now()
		_, _, err := s.Do(context.Background(), "k", func(ctx context.Context) ([]byte, error) {
			dl, ok := ctx.Deadline()
			require.True(t, ok)
			// The lease starts between before and now: no tolerance to guess.
			assert.False(t, dl.Before(before.Add(opts.Lease)), "deadline %v before the lease could end", dl)
			assert.False(t, dl.After(time.Now().Add(opts.Lease)), "deadline %v after the lease", dl)
			return []byte("ok"), nil
		})
		require.NoError(t, err)
	})
}

func TestDatabaseErrorsAreTemporary(t *testing.T) {
	modes(t, func(t *testing.T, opts sqlstore.Options) {
		db := openDB(t, 2)
		opts.Table = tableName() // never migrated
		s, err := sqlstore.New(db, opts)
		require.NoError(t, err)
		_, _, err = s.Do(context.Background(), "k", mustNotRun(t))
		require.Error(t, err)
		assert.True(t, paykit.IsTemporary(err), "%v", err)
		assert.NotErrorIs(t, err, paykit.ErrInProgress)
	})
}

func TestMigrateIsIdempotentAndSafeConcurrently(t *testing.T) {
	db := openDB(t, 10)
	table := tableName()
	var wg sync.WaitGroup
	var failed atomic.Int32
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := sqlstore.New(db, sqlstore.Options{Table: table})
			if err != nil || s.Migrate(context.Background()) != nil {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	assert.Zero(t, failed.Load())
	s, err := sqlstore.New(db, sqlstore.Options{Table: table})
	require.NoError(t, err)
	require.NoError(t, s.Migrate(context.Background()))
}

func TestMigrateInASchema(t *testing.T) {
	db := openDB(t, 2)
	schema := tableName()
	_, err := db.Exec(`CREATE SCHEMA ` + schema)
	require.NoError(t, err)
	s, err := sqlstore.New(db, sqlstore.Options{Table: schema + ".idem"})
	require.NoError(t, err)
	require.NoError(t, s.Migrate(context.Background()))
	_, _, err = s.Do(context.Background(), "k", reply("ok"))
	require.NoError(t, err)
	var n int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM `+schema+`.idem`).Scan(&n))
	assert.Equal(t, 1, n)
}

func TestCleanupRemovesOldRepliesAndDeadClaims(t *testing.T) {
	s, db, table := newStore(t, sqlstore.Options{Lease: time.Minute})
	ctx := context.Background()
	for _, k := range []string{"old", "young", "dead claim", "live claim"} {
		_, _, err := s.Do(ctx, k, reply(k))
		require.NoError(t, err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		_, err := db.Exec(q, args...)
		require.NoError(t, err)
	}
	exec(`UPDATE ` + table + ` SET updated_at = now() - interval '31 days' WHERE key = 'old'`)
	exec(`UPDATE ` + table + ` SET state = 'running', reply = NULL, lease_until = now() - interval '1 second' WHERE key = 'dead claim'`)
	exec(`UPDATE ` + table + ` SET state = 'running', reply = NULL, lease_until = now() + interval '1 minute', updated_at = now() - interval '40 days' WHERE key = 'live claim'`)

	_, err := s.Cleanup(ctx, 0)
	require.Error(t, err, "olderThan must be positive")
	n, err := s.Cleanup(ctx, paykit.DefaultRetention)
	require.NoError(t, err)
	assert.EqualValues(t, 2, n)

	var left []string
	rows, err := db.Query(`SELECT key FROM ` + table + ` ORDER BY key`)
	require.NoError(t, err)
	defer rows.Close()
	for rows.Next() {
		var k string
		require.NoError(t, rows.Scan(&k))
		left = append(left, k)
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, []string{"live claim", "young"}, left)

	got, replayed, err := s.Do(ctx, "old", reply("fulfilled again"))
	require.NoError(t, err)
	assert.False(t, replayed, "a forgotten reply is fulfilled again")
	assert.Equal(t, "fulfilled again", string(got))
}

func TestCleanupDeletesInBatches(t *testing.T) {
	s, db, table := newStore(t, sqlstore.Options{})
	_, err := db.Exec(`INSERT INTO ` + table + ` (key, state, owner, reply, updated_at)
		SELECT 'k' || i, 'done', 'x', '\x00'::bytea, now() - interval '2 hours' FROM generate_series(1, 2500) i`)
	require.NoError(t, err)
	n, err := s.Cleanup(context.Background(), time.Hour)
	require.NoError(t, err)
	assert.EqualValues(t, 2500, n)
}

func TestLockWaitBoundsOnlyTheClaimNotTheHooksWrites(t *testing.T) {
	s, _, _ := newStore(t, sqlstore.Options{LockWait: 100 * time.Millisecond})
	_, _, err := s.Do(context.Background(), "k", func(ctx context.Context) ([]byte, error) {
		tx, _ := sqlstore.Tx(ctx)
		var lockTimeout, idleTimeout string
		err := tx.QueryRowContext(ctx, `SELECT current_setting('lock_timeout'), current_setting('idle_in_transaction_session_timeout')`).
			Scan(&lockTimeout, &idleTimeout)
		assert.Equal(t, "0", lockTimeout, "the server's default")
		assert.NotEqual(t, "0", idleTimeout, "a frozen holder's session is ended")
		return []byte("ok"), err
	})
	require.NoError(t, err)
}
