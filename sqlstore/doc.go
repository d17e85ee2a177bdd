// Package sqlstore is a [paykit.Store] and a [paykit.Journal] on
// PostgreSQL through database/sql, for merchants who run several replicas
// of their callback handlers: the Store keeps duplicates out across them,
// the [Journal] keeps every delivery of every replica in one table (see
// "The journal" below).
//
// Behind a load balancer a provider's retry and the original delivery can
// land on different replicas at the same moment; the in-memory store of
// each handler cannot see the other. A Store on a shared table can: give
// every replica's Hooks.Store a Store on the same database and table, and
// duplicates are kept out across all of them, without changing a handler.
//
//	db, _ := sql.Open("pgx", dsn) // any PostgreSQL driver for database/sql
//	store, _ := sqlstore.New(db, sqlstore.Options{})
//	_ = store.Migrate(ctx)        // once at start; never done implicitly
//	handler := client.Handler(paykit.Hooks{Store: store, Event: credit})
//
// # What a delivery gets
//
// Every key (from [paykit.IdempotencyKey]) has at most one row. The first
// delivery inserts it as a claim ("running", with a random owner token and
// a lease end) and runs the fulfilment; on success it stores the reply
// ("done"), on error or panic it removes its claim so that the provider's
// retry runs again. Any later delivery of the key, on any replica:
//
//   - finds the stored reply: gets those exact bytes back (replayed);
//   - finds a claim in progress: gets an error matching
//     [paykit.ErrInProgress], which every handler answers with the
//     provider's "try again later" (in same-transaction mode only after
//     waiting up to [Options.LockWait] for the claim to commit or roll back);
//   - in lease mode, finds a claim whose lease has ended (its holder
//     crashed, lost its connection or hung): takes it over, atomically, and
//     fulfils.
//
// Claims are made with INSERT … ON CONFLICT DO NOTHING and taken over with
// an UPDATE that compares the old owner token, so under PostgreSQL's
// default READ COMMITTED isolation exactly one of any number of concurrent
// deliveries wins. The reply is stored only while the delivery still owns
// its claim: a late finisher whose claim was taken over does not overwrite
// the new owner's reply, and gets [ErrLeaseLost] (which also matches
// ErrInProgress). Lease ends are computed with the database's clock, so
// the replicas' clocks do not matter. A delivery is answered with success
// only once its reply is stored, so no fault loses an event: the provider
// retries until one delivery is answered.
//
// # Modes and what they guarantee
//
// Same-transaction mode is the default. The claim, the hook and the reply
// share one READ COMMITTED transaction; the claim is not visible to other
// deliveries until it commits, and the hook gets the transaction from [Tx]:
//
//	Event: func(ctx context.Context, n paykit.Notification) error {
//		tx, _ := sqlstore.Tx(ctx)
//		_, err := tx.ExecContext(ctx, `UPDATE orders SET paid = true WHERE payment_id = $1`, n.Summary().ID)
//		return err
//	},
//
// Lease mode ([Options.LeaseMode]) commits the claim on its own with a
// lease, runs the hook outside any transaction of the store, and stores the
// reply afterwards.
//
// What "once" means depends on where the hook's effect lives. A hook's
// effect is "in the database" when it is written through [Tx] in
// same-transaction mode; an effect through another connection (the pool,
// another database), an e-mail, a call to a game server are "outside".
//
//   - No fault, any number of concurrent duplicates on any replicas: both
//     modes run the hook once per event (lease mode: as long as it finishes
//     within the lease).
//   - Same-transaction mode, effects in the database: exactly once, across
//     every fault below. Whatever stops the transaction before its commit —
//     the application killed (its connection closes and the server rolls
//     back at once), the database server killed, the network cut (rolled
//     back when the server sees the connection end, at the latest after
//     idle_in_transaction_session_timeout = Lease + 5 s), the hook still
//     running when the lease ends (database/sql rolls the transaction back
//     when the hook's context ends, and the hook's later writes through
//     Tx fail) — undoes the writes and the claim together, and the
//     provider's retry fulfils cleanly. A commit that succeeded but whose
//     answer was lost is seen by the retry as a stored reply.
//   - Same-transaction mode, effects outside the database: at least once,
//     never lost, and once unless a fault strikes between the effect and
//     the commit; then the retry runs the hook again and the effect happens
//     twice. A hook that ignores its context and outlives the lease runs
//     beside the retry. Such a hook needs no change (it simply does not
//     call Tx), but only an idempotent effect (keyed by the provider's id)
//     is safe against these faults.
//   - Lease mode, any effect (in the database or not): at least once, never
//     lost, and once unless a fault strikes between the effect and the
//     stored reply. After the application is killed, the database server
//     is killed or the network is cut at that moment, the claim blocks the
//     key with "try again later" until its lease ends, and then a retry
//     runs the hook again. A hook still running when its lease ends is
//     taken over and runs twice, at the same time. Lease mode is for
//     idempotent fulfilments only; in exchange a delivery holds a
//     connection only for its short statements and a duplicate is answered
//     at once.
//
// Measured by this package's fault tests (faults_test.go): 500 payments
// delivered at once to four replicas of the playvision Handler (each with
// its own pool and Store on one table), one fault in the middle of the
// load, then the simulated provider retries every delivery not answered
// with success until it is, and finally delivers again every payment that
// was retried and every tenth other (all answered with the stored bytes,
// no hook run). The hook credits the payment in the database (through Tx
// in same-transaction mode, through the pool in lease mode) and counts its
// completions as an effect outside the database would happen. One run on
// two shared cores with the race detector (deliveries = 500 first +
// retries + replays):
//
//	fault (one per run)               mode     deliveries (retries)  credited once/twice/lost  outside effect twice
//	one of 4 replicas killed          same-tx   743 (108)            500 /  0 / 0                2
//	                                  lease     775 (125)            491 /  9 / 0                9
//	PostgreSQL killed (SIGKILL)       same-tx  1274 (381)            500 /  0 / 0               11
//	                                  lease    1500 (500)            483 / 17 / 0               17
//	network cut (TCP proxy)           same-tx  1266 (376)            500 /  0 / 0               15
//	                                  lease    1500 (500)            469 / 31 / 0               28
//	hook outlives the lease (10/500)  same-tx   829 (157)            500 /  0 / 0               23
//	                                  lease     683 (72)             488 / 12 / 0               10
//
// Over several runs lease mode credited 5–24 payments twice after a
// replica was killed, 10–24 after PostgreSQL was killed, 15–31 after the
// cut and 10–13 with hung hooks; same-transaction mode never credited twice
// and never lost a payment, and its outside effects happened twice for
// 0–6, 10–20, 8–15 and 19–44 payments: those in flight at the fault (and,
// with a 2 s lease under load, some that waited for a connection past it).
//
// Costs of same-transaction mode: each delivery in flight holds one
// connection of the pool for as long as its hook runs, and so does a
// duplicate waiting for it (at most LockWait); a hook that writes through
// the same pool instead of Tx needs a second connection. Size the pool for
// twice the deliveries you expect at once, or leave it unlimited: with
// [sql.DB.SetMaxOpenConns] too small, deliveries wait for a connection
// until their lease ends and are answered "try again later". The lock wait
// for a duplicate is bounded with a lock_timeout that covers the claim
// only, not the hook's own statements; idle_in_transaction_session_timeout
// ends the session of a process that froze holding a claim. The hook must
// not commit or roll back the transaction itself.
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
// # The journal
//
// [Journal] records every delivery through the handlers whose
// Hooks.Observer it is — the exact bytes received and the reply, how
// verification went, what the hooks did — and answers the queries of
// [paykit.DeliveryQuery]: by provider, account, order id, provider id,
// outcome and time range, newest first, a page at a time.
//
//	journal, _ := sqlstore.NewJournal(db, sqlstore.JournalOptions{CleanupEvery: time.Hour})
//	defer journal.Close()          // stops the background cleanup
//	_ = journal.Migrate(ctx)       // once at start; never done implicitly
//	hooks := paykit.Hooks{Store: store, Event: credit, Observer: journal}
//
// Observe inserts the delivery in the handler's goroutine, after the
// reply was written (so the provider waits for nothing), bounded by
// [JournalOptions.WriteTimeout]; an error goes to [JournalOptions.ErrorLog]
// naming the delivery's ID, never its body. [JournalOptions.Redact] is
// applied to a copy before anything is stored.
//
// Bodies hold payers' personal data: a delivery is kept for
// [JournalOptions.Retention], by default [paykit.DefaultJournalRetention]
// (30 days). Past it a delivery is never returned, and [Journal.Cleanup]
// deletes it, in batches of [JournalOptions.CleanupBatch] (1000) so that no
// statement holds many locks; run it periodically from one place, or set
// [JournalOptions.CleanupEvery].
//
// Pages are keyset pages: Next encodes the receipt time and ID of the last
// delivery of the page, and the next page continues below it, so a
// delivery recorded while someone pages is never shown twice nor makes
// them miss one, and a deep page costs what the first does. ReceivedAt
// comes back with PostgreSQL's microsecond precision. Text a PostgreSQL
// text column cannot hold (invalid UTF-8, NUL bytes: only forged requests
// have them) is stored with U+FFFD in their place; bodies are bytea and
// kept exactly.
//
// [Journal.Migrate] creates the table (by default [DefaultJournalTable])
// and its indexes; to create them with your own migration tool use the
// same definition:
//
//	CREATE TABLE paykit_deliveries (
//		id                 text        PRIMARY KEY,
//		run_of             text        NOT NULL,
//		provider           text        NOT NULL,
//		account            text        NOT NULL,
//		received_at        timestamptz NOT NULL,
//		duration_ns        bigint      NOT NULL,
//		remote_addr        text        NOT NULL,
//		method             text        NOT NULL,
//		path               text        NOT NULL,
//		query              text        NOT NULL,
//		header             jsonb,
//		body               bytea,
//		verification       text        NOT NULL,
//		type               text        NOT NULL,
//		summary_provider   text        NOT NULL,
//		summary_type       text        NOT NULL,
//		kind               text        NOT NULL,
//		status             text        NOT NULL,
//		provider_id        text        NOT NULL,
//		order_id           text        NOT NULL,
//		user_id            text        NOT NULL,
//		amount             bigint      NOT NULL,
//		currency           text        NOT NULL,
//		test               boolean     NOT NULL,
//		outcome            text        NOT NULL,
//		error              text        NOT NULL,
//		reply_status       integer     NOT NULL,
//		reply_content_type text        NOT NULL,
//		reply_body         bytea,
//		key                text        NOT NULL,
//		replayed           boolean     NOT NULL,
//		recorded_at        timestamptz NOT NULL DEFAULT clock_timestamp()
//	);
//	CREATE INDEX paykit_deliveries_received_idx ON paykit_deliveries (received_at, id);
//	CREATE INDEX paykit_deliveries_account_idx ON paykit_deliveries (provider, account, received_at, id);
//	CREATE INDEX paykit_deliveries_order_idx ON paykit_deliveries (order_id, received_at, id) WHERE order_id <> '';
//	CREATE INDEX paykit_deliveries_prov_id_idx ON paykit_deliveries (provider_id, received_at, id) WHERE provider_id <> '';
//	CREATE INDEX paykit_deliveries_outcome_idx ON paykit_deliveries (outcome, received_at, id);
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
