package sqlstore_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/sqlstore"
)

const testLease = 400 * time.Millisecond

// retryUntilAnswered delivers like a provider: again every 50 ms while the
// answer is "retry later". It returns the final answer and how long it took.
func retryUntilAnswered(t *testing.T, h http.Handler, id string) (int, string, time.Duration) {
	t.Helper()
	began := time.Now()
	for time.Since(began) < 10*time.Second {
		code, body := deliver(h, id)
		if code != http.StatusServiceUnavailable {
			return code, body, time.Since(began)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("still 'retry later' after 10s")
	return 0, "", 0
}

// TestCrashedClaimIsTakenOverAfterTheLease: replica A claims a payment and
// dies in the middle of its hook. Until A's lease ends, replica B answers
// "retry later"; then B takes the claim over and fulfils once. When A's
// stuck fulfilment finishes after all, it must not overwrite B's reply.
func TestCrashedClaimIsTakenOverAfterTheLease(t *testing.T) {
	opts := sqlstore.Options{Table: tableName(), Lease: testLease}
	admin := openDB(t, 2)
	credits := createCredits(t, admin)
	dbA, dbB := openDB(t, 4), openDB(t, 4)
	storeA, err := sqlstore.New(dbA, opts)
	require.NoError(t, err)
	require.NoError(t, storeA.Migrate(context.Background()))
	storeB, err := sqlstore.New(dbB, opts)
	require.NoError(t, err)
	var runsB atomic.Int64
	replicaB := &shopHandler{store: storeB, db: dbB, credits: credits, replica: 2, runs: &runsB}

	// Replica A: the hook starts and never returns (the process is gone).
	key := "shop|order-7"
	claimed, revive := make(chan struct{}), make(chan struct{})
	lateA := make(chan error, 1)
	go func() {
		_, _, err := storeA.Do(context.Background(), key, func(context.Context) ([]byte, error) {
			close(claimed)
			<-revive // ignores its context, like a hung process
			return []byte("A's late reply"), nil
		})
		lateA <- err
	}()
	<-claimed
	crashedAt := time.Now()

	code, _ := deliver(replicaB, "order-7")
	assert.Equal(t, http.StatusServiceUnavailable, code, "A's claim is live: retry later")
	assert.Zero(t, runsB.Load())

	code, body, took := retryUntilAnswered(t, replicaB, "order-7")
	t.Logf("answered after %v", took)
	assert.GreaterOrEqual(t, time.Since(crashedAt), testLease, "taken over only after the lease")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, wantReply("order-7"), body)
	assert.EqualValues(t, 1, runsB.Load(), "the retry fulfilled once")
	assert.Equal(t, 1, countCredits(t, admin, credits, "order-7"))

	// A comes back and finishes: its reply is not stored.
	close(revive)
	err = <-lateA
	require.ErrorIs(t, err, sqlstore.ErrLeaseLost)
	assert.ErrorIs(t, err, paykit.ErrInProgress)
	for i := 0; i < 3; i++ {
		code, body = deliver(replicaB, "order-7")
		assert.Equal(t, http.StatusOK, code)
		assert.Equal(t, wantReply("order-7"), body, "B's reply stays")
	}
	assert.EqualValues(t, 1, runsB.Load())
}

// TestSameTransactionCrash: in same-transaction mode a replica that dies
// holding the claim takes its uncommitted claim and its merchant writes
// with it. Whether its connection drops (the server rolls back at once) or
// its hook hangs past the lease (the transaction is rolled back at the
// deadline), the next delivery fulfils once and the order is credited once.
func TestSameTransactionCrash(t *testing.T) {
	for _, tc := range []struct {
		name string
		kill bool // terminate A's connection instead of waiting for the lease
	}{
		{"connection dropped", true},
		{"hook hangs past the lease", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := sqlstore.Options{Table: tableName(), Lease: testLease, SameTransaction: true, LockWait: 100 * time.Millisecond}
			admin := openDB(t, 2)
			credits := createCredits(t, admin)
			dbA, dbB := openDB(t, 4), openDB(t, 4)
			storeA, err := sqlstore.New(dbA, opts)
			require.NoError(t, err)
			require.NoError(t, storeA.Migrate(context.Background()))
			storeB, err := sqlstore.New(dbB, opts)
			require.NoError(t, err)
			var runsB atomic.Int64
			replicaB := &shopHandler{store: storeB, db: dbB, credits: credits, replica: 2, runs: &runsB}

			pid := make(chan int, 1)
			revive := make(chan struct{})
			lateA := make(chan error, 1)
			go func() {
				_, _, err := storeA.Do(context.Background(), "shop|order-9", func(ctx context.Context) ([]byte, error) {
					tx, _ := sqlstore.Tx(ctx)
					var p int
					if err := tx.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&p); err != nil {
						return nil, err
					}
					if _, err := tx.ExecContext(ctx, `INSERT INTO `+credits+` (order_id, replica) VALUES ('order-9', 1)`); err != nil {
						return nil, err
					}
					pid <- p
					<-revive
					return []byte("A's late reply"), nil
				})
				lateA <- err
			}()
			p := <-pid
			crashedAt := time.Now()

			code, _ := deliver(replicaB, "order-9")
			assert.Equal(t, http.StatusServiceUnavailable, code, "A holds the claim")
			if tc.kill {
				_, err := admin.Exec(`SELECT pg_terminate_backend($1)`, p)
				require.NoError(t, err)
			}
			code, body, _ := retryUntilAnswered(t, replicaB, "order-9")
			if !tc.kill {
				assert.GreaterOrEqual(t, time.Since(crashedAt), testLease)
			}
			assert.Equal(t, http.StatusOK, code)
			assert.Equal(t, wantReply("order-9"), body)
			assert.EqualValues(t, 1, runsB.Load())

			close(revive)
			err = <-lateA
			require.Error(t, err, "A's transaction is gone")
			assert.True(t, paykit.IsTemporary(err), "%v", err)

			var replicas []int
			rows, err := admin.Query(`SELECT replica FROM ` + credits)
			require.NoError(t, err)
			defer rows.Close()
			for rows.Next() {
				var r int
				require.NoError(t, rows.Scan(&r))
				replicas = append(replicas, r)
			}
			assert.Equal(t, []int{2}, replicas, "only B's credit exists: A's write was rolled back")
			code, body = deliver(replicaB, "order-9")
			assert.Equal(t, http.StatusOK, code)
			assert.Equal(t, wantReply("order-9"), body)
		})
	}
}

// TestSameTransactionRollsBackWhenTheReplyCannotBeStored: the merchant's
// credit is written in the claim's transaction; when storing the reply (or
// committing) fails, the credit is rolled back with it, the provider is
// told to retry, and the retry credits the order exactly once.
func TestSameTransactionRollsBackWhenTheReplyCannotBeStored(t *testing.T) {
	for _, tc := range []struct {
		name    string
		trigger string // makes storing the reply fail
	}{
		{"update fails", `CREATE TRIGGER %[1]s BEFORE UPDATE ON %[2]s FOR EACH ROW
			WHEN (NEW.state = 'done') EXECUTE FUNCTION %[1]s()`},
		{"commit fails", `CREATE CONSTRAINT TRIGGER %[1]s AFTER UPDATE ON %[2]s
			DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION %[1]s()`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, db, table := newStore(t, sqlstore.Options{SameTransaction: true})
			credits := createCredits(t, db)
			var runs atomic.Int64
			h := &shopHandler{store: s, db: db, credits: credits, runs: &runs}

			fn := "fail_" + table
			_, err := db.Exec(`CREATE FUNCTION ` + fn + `() RETURNS trigger LANGUAGE plpgsql AS
				$$ BEGIN RAISE EXCEPTION 'reply cannot be stored'; END $$`)
			require.NoError(t, err)
			_, err = db.Exec(sprintf(tc.trigger, fn, table))
			require.NoError(t, err)

			code, _ := deliver(h, "order-3")
			assert.Equal(t, http.StatusServiceUnavailable, code, "a store failure is retry-later")
			assert.EqualValues(t, 1, runs.Load(), "the hook ran and wrote its credit")
			assert.Zero(t, countCredits(t, db, credits, "order-3"), "the credit was rolled back")
			var rows int
			require.NoError(t, db.QueryRow(`SELECT count(*) FROM `+table).Scan(&rows))
			assert.Zero(t, rows, "no idempotency record either")

			_, err = db.Exec(`DROP TRIGGER ` + fn + ` ON ` + table)
			require.NoError(t, err)
			code, body := deliver(h, "order-3")
			assert.Equal(t, http.StatusOK, code)
			assert.Equal(t, wantReply("order-3"), body)
			assert.Equal(t, 1, countCredits(t, db, credits, "order-3"))
			code, body = deliver(h, "order-3")
			assert.Equal(t, http.StatusOK, code)
			assert.Equal(t, wantReply("order-3"), body)
			assert.EqualValues(t, 2, runs.Load())
			assert.Equal(t, 1, countCredits(t, db, credits, "order-3"), "credited exactly once")
		})
	}
}

// TestLeaseModeKeepsTheMerchantWriteWhenTheReplyCannotBeStored pins the
// difference: without SameTransaction the credit is already committed when
// storing the reply fails, and the claim stays until its lease ends.
func TestLeaseModeKeepsTheMerchantWriteWhenTheReplyCannotBeStored(t *testing.T) {
	s, db, table := newStore(t, sqlstore.Options{Lease: testLease})
	credits := createCredits(t, db)
	var runs atomic.Int64
	h := &shopHandler{store: s, db: db, credits: credits, runs: &runs}
	fn := "fail_" + table
	_, err := db.Exec(`CREATE FUNCTION ` + fn + `() RETURNS trigger LANGUAGE plpgsql AS
		$$ BEGIN RAISE EXCEPTION 'reply cannot be stored'; END $$`)
	require.NoError(t, err)
	_, err = db.Exec(sprintf(`CREATE TRIGGER %[1]s BEFORE UPDATE ON %[2]s FOR EACH ROW
		WHEN (NEW.state = 'done') EXECUTE FUNCTION %[1]s()`, fn, table))
	require.NoError(t, err)

	code, _ := deliver(h, "order-4")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Equal(t, 1, countCredits(t, db, credits, "order-4"), "lease mode: the write is committed")
	code, _ = deliver(h, "order-4")
	assert.Equal(t, http.StatusServiceUnavailable, code, "the claim keeps duplicates out until its lease ends")
	assert.EqualValues(t, 1, runs.Load())
	_, err = db.Exec(`DROP TRIGGER ` + fn + ` ON ` + table)
	require.NoError(t, err)
	code, body, _ := retryUntilAnswered(t, h, "order-4")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, wantReply("order-4"), body)
	assert.EqualValues(t, 2, runs.Load(), "after the lease the retry runs the hook again: at-most-once needs SameTransaction")
}

// TestManyDeliveriesTakeOverAnExpiredClaimOnce: a claim left by a dead
// replica has expired; 200 deliveries arrive at once on four replicas.
// Exactly one takes it over and fulfils; the others replay or retry.
func TestManyDeliveriesTakeOverAnExpiredClaimOnce(t *testing.T) {
	modes(t, func(t *testing.T, opts sqlstore.Options) {
		opts.Table = tableName()
		opts.LockWait = 5 * time.Second
		admin := openDB(t, 2)
		credits := createCredits(t, admin)
		var runs atomic.Int64
		handlers := make([]http.Handler, 4)
		for i := range handlers {
			db := openDB(t, 8)
			s, err := sqlstore.New(db, opts)
			require.NoError(t, err)
			require.NoError(t, s.Migrate(context.Background()))
			handlers[i] = &shopHandler{store: s, db: db, credits: credits, replica: i, runs: &runs, delay: 20 * time.Millisecond}
		}
		_, err := admin.Exec(`INSERT INTO ` + opts.Table + ` (key, state, owner, lease_until)
			VALUES ('shop|order-5', 'running', 'dead replica', now() - interval '1 second')`)
		require.NoError(t, err)

		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := 0; i < 200; i++ {
			wg.Add(1)
			go func(h http.Handler) {
				defer wg.Done()
				<-start
				code, body := deliver(h, "order-5")
				if code != http.StatusServiceUnavailable {
					assert.Equal(t, http.StatusOK, code)
					assert.Equal(t, wantReply("order-5"), body)
				}
			}(handlers[i%len(handlers)])
		}
		close(start)
		wg.Wait()
		assert.EqualValues(t, 1, runs.Load())
		assert.Equal(t, 1, countCredits(t, admin, credits, "order-5"))
	})
}
