// Package sqlstore is a [paykit.Store] on PostgreSQL through database/sql,
// for merchants who run several replicas of their callback handlers.
//
// Behind a load balancer a provider's retry and the original delivery can
// land on different replicas at the same moment; the in-memory store of
// each handler cannot see the other. A Store on a shared table can: give
// every replica's Hooks.Store a Store on the same database and table, and
// paykit's at-most-once promise holds across all of them, without changing
// a handler.
//
//	db, _ := sql.Open("pgx", dsn) // any PostgreSQL driver for database/sql
//	store, _ := sqlstore.New(db, sqlstore.Options{SameTransaction: true})
//	_ = store.Migrate(ctx)        // once at start; never done implicitly
//	handler := client.Handler(paykit.Hooks{Store: store, Event: credit})
//
// # What a delivery gets
//
// Every key (from [paykit.IdempotencyKey]) has at most one row. The first
// delivery inserts it as a claim ("running", with a random owner token and
// a lease end) and runs the fulfilment; on success it stores the reply
// ("done"), on error or panic it deletes its claim so that the provider's
// retry runs again. Any later delivery of the key, on any replica:
//
//   - finds the stored reply: gets those exact bytes back (replayed);
//   - finds a live claim: gets an error matching [paykit.ErrInProgress],
//     which every handler answers with the provider's "try again later";
//   - finds a claim whose lease has ended (its holder crashed, lost its
//     connection or hung): takes it over, atomically, and fulfils.
//
// Claims are made with INSERT … ON CONFLICT DO NOTHING and taken over with
// an UPDATE that compares the old owner token, so under PostgreSQL's
// default READ COMMITTED isolation exactly one of any number of concurrent
// deliveries wins. The reply is stored only while the delivery still owns
// its claim: a late finisher whose claim was taken over does not overwrite
// the new owner's reply, and gets [ErrLeaseLost] (which also matches
// ErrInProgress, so the provider retries and is answered with the stored
// reply). Lease ends are computed with the database's clock, so the
// replicas' clocks do not matter.
//
// # Modes
//
// By default (lease mode) the claim is committed on its own and the hook
// runs outside any transaction of the store. A concurrent delivery is told
// to retry at once. This gives at-most-once fulfilment as long as the hook
// finishes within the lease: the context given to the hook has a deadline
// no later than the end of the lease ([Options.Lease], default one
// minute), so a hook that honours its context stops in time. If the hook
// succeeded but its reply could not be stored (the database went away),
// the claim stays until its lease ends and a later delivery fulfils again.
//
// With [Options.SameTransaction] the claim, the hook and the reply share one
// READ COMMITTED transaction, and the hook gets it from [Tx]:
//
//	Event: func(ctx context.Context, n paykit.Notification) error {
//		tx, _ := sqlstore.Tx(ctx)
//		_, err := tx.ExecContext(ctx, `UPDATE orders SET paid = true WHERE payment_id = $1`, n.Summary().ID)
//		return err
//	},
//
// The merchant's writes and the idempotency record commit together or not
// at all: if the hook fails, the reply cannot be stored, the commit fails
// or the process dies, everything rolls back and the provider's retry
// fulfils cleanly — exactly-once fulfilment for writes in the same
// database. The claim is not visible to others until commit, so a
// concurrent delivery of the same key waits on it (for at most
// [Options.LockWait], default two seconds, enforced with a lock_timeout
// that covers the claim only, not the hook's own statements):
// if the first commits it replays the reply, if the first rolls back it
// fulfils itself, and if the wait runs out it gets ErrInProgress. A crashed
// replica's connection closes and the server rolls its transaction back at
// once; a hung hook's transaction is rolled back when the lease ends (the
// context deadline), and idle_in_transaction_session_timeout ends the
// session of a process that froze. In this mode the hook must use the
// transaction, not the pool, and must not commit or roll it back itself;
// each delivery in flight holds one connection of the pool (waiting
// duplicates too), so size the pool for the concurrency you expect.
//
// All replicas sharing a table must use the same mode.
//
// # The table
//
// [Store.Migrate] creates it (CREATE TABLE IF NOT EXISTS, safe to run on
// every replica at every start). Its name is [Options.Table], by default
// [DefaultTable], optionally schema-qualified; to create it with your own
// migration tool use the same definition:
//
//	CREATE TABLE paykit_idempotency (
//		key         text        PRIMARY KEY,
//		state       text        NOT NULL CHECK (state IN ('running', 'done')),
//		owner       text        NOT NULL,
//		reply       bytea,
//		created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
//		updated_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
//		lease_until timestamptz,
//		CHECK ((state = 'done') = (reply IS NOT NULL)),
//		CHECK ((state = 'running') = (lease_until IS NOT NULL))
//	);
//	CREATE INDEX paykit_idempotency_updated_at_idx ON paykit_idempotency (updated_at);
//
// Keys that a text column cannot hold (invalid UTF-8, NUL bytes), keys
// longer than 256 bytes and keys starting with "#" are stored as "#" and
// their hex SHA-256.
//
// Rows are never deleted by Do except a failed attempt's own claim. Call
// [Store.Cleanup] periodically, with an age longer than any provider keeps
// retrying (for example [paykit.DefaultRetention]): a delivery whose reply
// was deleted is fulfilled again.
//
// # Errors
//
// Errors of fulfil come back unchanged. Errors of the database are marked
// [paykit.Temporary], so handlers answer "try again later" and nothing is
// lost while the database is unreachable.
//
// # Drivers and engines
//
// The package imports no driver: open the *sql.DB with any PostgreSQL
// driver for database/sql (pgx's stdlib adapter, lib/pq). Detecting a
// lock wait that ran out uses the driver error's SQLState method, which
// both provide; with another driver it shows as a temporary database error,
// which handlers answer the same way. The SQL is PostgreSQL's
// (clock_timestamp, bytea, ON CONFLICT, FOR UPDATE SKIP LOCKED,
// set_config, advisory locks, idle_in_transaction_session_timeout), nothing
// newer than PostgreSQL 9.6; the tests run against 15. Other engines
// (SQLite, MySQL) are not supported.
package sqlstore
