package sqlstore_test

import (
	"context"
	"database/sql"
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

// expireClaims moves the end of every running claim of table into the
// past: the database-side clock the lease tests control, instead of
// waiting for a real lease to run out.
func expireClaims(t *testing.T, db *sql.DB, table string) {
	t.Helper()
	_, err := db.Exec(`UPDATE ` + table + ` SET lease_until = clock_timestamp() - interval '1 microsecond' WHERE state = 'running'`)
	require.NoError(t, err)
}

// replica returns a shopHandler on its own pool and Store, named so that a
// test can find its sessions in pg_stat_activity.
func replica(t *testing.T, opts sqlstore.Options, name string, credits string, n int, runs *atomic.Int64) (*shopHandler, *sqlstore.Store) {
	t.Helper()
	db := openDBNamed(t, 4, name)
	s, err := sqlstore.New(db, opts)
	require.NoError(t, err)
	require.NoError(t, s.Migrate(context.Background()))
	return &shopHandler{store: s, db: db, credits: credits, replica: n, runs: runs}, s
}

// killSessions ends every server session of the pool named name, as the
// kernel does when that replica's process is killed.
func killSessions(t *testing.T, admin *sql.DB, name string) {
	t.Helper()
	_, err := admin.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, name)
	require.NoError(t, err)
}

// hangingHook credits id through the claim's transaction when there is one
// (else through db), tells the test it did, and then never returns until
// revive is closed: a process that was killed or froze after its effect.
// It sends the context it was given on hooked.
func hangingHook(db *sql.DB, credits, id string, hooked chan<- context.Context, revive <-chan struct{}) func(context.Context) ([]byte, error) {
	return func(ctx context.Context) ([]byte, error) {
		q := `INSERT INTO ` + credits + ` (order_id, replica) VALUES ($1, 1)`
		var err error
		if tx, ok := sqlstore.Tx(ctx); ok {
			_, err = tx.ExecContext(ctx, q, id)
		} else {
			_, err = db.ExecContext(ctx, q, id)
		}
		if err != nil {
			return nil, err
		}
		hooked <- ctx
		<-revive // ignores its context, like a hung process
		return []byte("A's late reply"), nil
	}
}

// TestDefaultModeCreditsOnceWhenAReplicaIsKilledAfterItsCredit: with the
// zero Options a replica writes its credit in the claim's transaction and
// is killed (its sessions end, its hook never returns). The credit dies
// with it, and the provider's retry on another replica credits the order
// exactly once. (In lease mode the dead replica's credit is committed and
// the retry after its lease credits a second time.)
func TestDefaultModeCreditsOnceWhenAReplicaIsKilledAfterItsCredit(t *testing.T) {
	opts := sqlstore.Options{Table: tableName(), LockWait: time.Minute}
	admin := openDB(t, 2)
	credits := createCredits(t, admin)
	var runsB atomic.Int64
	replicaB, _ := replica(t, opts, "default-b", credits, 2, &runsB)
	dbA := openDBNamed(t, 4, "default-a")
	storeA, err := sqlstore.New(dbA, opts)
	require.NoError(t, err)

	hooked, revive, lateA := make(chan context.Context, 1), make(chan struct{}), make(chan error, 1)
	go func() {
		_, _, err := storeA.Do(context.Background(), "shop|order-11", hangingHook(dbA, credits, "order-11", hooked, revive))
		lateA <- err
	}()
	<-hooked
	killSessions(t, admin, "default-a")
	expireClaims(t, admin, opts.Table) // the dead replica's lease, if any, has run out

	code, body := deliver(replicaB, "order-11")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, wantReply("order-11"), body)
	assert.EqualValues(t, 1, runsB.Load())
	assert.Equal(t, 1, countCredits(t, admin, credits, "order-11"), "credited exactly once")

	close(revive)
	err = <-lateA
	require.Error(t, err, "A's transaction is gone")
	assert.True(t, paykit.IsTemporary(err), "%v", err)
	code, body = deliver(replicaB, "order-11")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, wantReply("order-11"), body)
	assert.EqualValues(t, 1, runsB.Load())
}

// TestCrashedClaimIsTakenOverAfterTheLease: in lease mode replica A claims
// a payment and dies in the middle of its hook. While A's lease runs,
// replica B answers "retry later"; once it has ended (the test moves the
// database's view of it), B takes the claim over and fulfils once. When
// A's stuck fulfilment finishes after all, it must not overwrite B's reply.
func TestCrashedClaimIsTakenOverAfterTheLease(t *testing.T) {
	opts := sqlstore.Options{Table: tableName(), LeaseMode: true}
	admin := openDB(t, 2)
	credits := createCredits(t, admin)
	var runsB atomic.Int64
	replicaB, _ := replica(t, opts, "lease-b", credits, 2, &runsB)
	storeA, err := sqlstore.New(openDB(t, 4), opts)
	require.NoError(t, err)

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

	code, _ := deliver(replicaB, "order-7")
	assert.Equal(t, http.StatusServiceUnavailable, code, "A's claim is live (a one-minute lease): retry later")
	assert.Zero(t, runsB.Load())

	expireClaims(t, admin, opts.Table)
	code, body := deliver(replicaB, "order-7")
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
// its hook hangs past the lease (the transaction is rolled back when the
// hook's context ends), the next delivery fulfils once and the order is
// credited once.
//
// Nothing here reads a clock: B's first delivery, with a short LockWait,
// may only succeed if A's context had already ended; B's second delivery
// has a long LockWait, so it waits on A's row until A's transaction is
// gone, which the test proves has been set in motion (A's sessions
// terminated, or A's context done) before sending it.
func TestSameTransactionCrash(t *testing.T) {
	for _, tc := range []struct {
		name  string
		kill  bool // terminate A's connection instead of waiting for the lease
		lease time.Duration
	}{
		{"connection dropped", true, time.Minute},
		{"hook hangs past the lease", false, time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := sqlstore.Options{Table: tableName(), Lease: tc.lease, LockWait: 100 * time.Millisecond}
			admin := openDB(t, 2)
			credits := createCredits(t, admin)
			var runsB atomic.Int64
			replicaB, _ := replica(t, opts, "crash-b", credits, 2, &runsB)
			patient := opts
			patient.LockWait, patient.Lease = time.Minute, time.Minute
			replicaC, _ := replica(t, patient, "crash-c", credits, 2, &runsB)
			dbA := openDBNamed(t, 4, "crash-a")
			storeA, err := sqlstore.New(dbA, opts)
			require.NoError(t, err)

			hooked, revive, lateA := make(chan context.Context, 1), make(chan struct{}), make(chan error, 1)
			go func() {
				_, _, err := storeA.Do(context.Background(), "shop|order-9", hangingHook(dbA, credits, "order-9", hooked, revive))
				lateA <- err
			}()
			var hookCtx context.Context
			select {
			case hookCtx = <-hooked:
			case err := <-lateA:
				t.Fatalf("A's claim ended before its hook ran: %v", err)
			}

			code, _ := deliver(replicaB, "order-9")
			if code == http.StatusOK {
				require.Error(t, hookCtx.Err(), "B fulfilled while A's lease was live")
			} else {
				assert.Equal(t, http.StatusServiceUnavailable, code, "A holds the claim")
			}
			if tc.kill {
				killSessions(t, admin, "crash-a")
			} else {
				<-hookCtx.Done() // the lease ended: database/sql rolls A's transaction back
			}
			code, body := deliver(replicaC, "order-9")
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
			s, db, table := newStore(t, sqlstore.Options{})
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
	s, db, table := newStore(t, sqlstore.Options{LeaseMode: true})
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
	expireClaims(t, db, table) // the lease has run out
	code, body := deliver(h, "order-4")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, wantReply("order-4"), body)
	assert.EqualValues(t, 2, runs.Load(), "after the lease the retry runs the hook again")
	assert.Equal(t, 2, countCredits(t, db, credits, "order-4"), "lease mode credited twice")
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
