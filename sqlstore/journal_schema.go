package sqlstore

import (
	"context"
	"fmt"
)

// DefaultJournalTable is the table a [Journal] uses when
// [JournalOptions.Table] is empty.
const DefaultJournalTable = "paykit_deliveries"

// journalColumns are the columns of a delivery, in the order of the
// insert's parameters and of every select.
const journalColumns = `id, run_of, provider, account, received_at, duration_ns,
	remote_addr, method, path, query, header, body,
	verification, type, summary_provider, summary_type, kind, status,
	provider_id, order_id, user_id, amount, currency, test,
	outcome, error, reply_status, reply_content_type, reply_body, key, replayed`

// journalStatements holds the SQL text of a Journal, built once for its
// table.
type journalStatements struct {
	create  []string // the table and its indexes
	insert  string
	byID    string
	list    string // the start of a query: SELECT … FROM table WHERE
	cleanup string
}

func newJournalStatements(table, base string) journalStatements {
	idx := func(suffix, def string) string {
		return `CREATE INDEX IF NOT EXISTS "` + base + suffix + `" ON ` + table + ` ` + def
	}
	return journalStatements{
		create: []string{
			`CREATE TABLE IF NOT EXISTS ` + table + ` (
	id                 text        PRIMARY KEY,
	run_of             text        NOT NULL,
	provider           text        NOT NULL,
	account            text        NOT NULL,
	received_at        timestamptz NOT NULL,
	duration_ns        bigint      NOT NULL,
	remote_addr        text        NOT NULL,
	method             text        NOT NULL,
	path               text        NOT NULL,
	query              text        NOT NULL,
	header             jsonb,
	body               bytea,
	verification       text        NOT NULL,
	type               text        NOT NULL,
	summary_provider   text        NOT NULL,
	summary_type       text        NOT NULL,
	kind               text        NOT NULL,
	status             text        NOT NULL,
	provider_id        text        NOT NULL,
	order_id           text        NOT NULL,
	user_id            text        NOT NULL,
	amount             bigint      NOT NULL,
	currency           text        NOT NULL,
	test               boolean     NOT NULL,
	outcome            text        NOT NULL,
	error              text        NOT NULL,
	reply_status       integer     NOT NULL,
	reply_content_type text        NOT NULL,
	reply_body         bytea,
	key                text        NOT NULL,
	replayed           boolean     NOT NULL,
	recorded_at        timestamptz NOT NULL DEFAULT clock_timestamp()
)`,
			// Every list is newest first by (received_at, id), so each
			// index ends with those columns: a filtered page is one index
			// range scan, read backwards, stopped at the page's size.
			idx("_received_idx", `(received_at, id)`),
			idx("_account_idx", `(provider, account, received_at, id)`),
			idx("_order_idx", `(order_id, received_at, id) WHERE order_id <> ''`),
			idx("_prov_id_idx", `(provider_id, received_at, id) WHERE provider_id <> ''`),
			idx("_outcome_idx", `(outcome, received_at, id)`),
		},
		insert: `INSERT INTO ` + table + ` (` + journalColumns + `)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
	$17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31)
ON CONFLICT (id) DO NOTHING`,
		byID: `SELECT ` + journalColumns + ` FROM ` + table + ` WHERE id = $1 AND received_at >= $2`,
		list: `SELECT ` + journalColumns + ` FROM ` + table + ` WHERE `,
		// cleanup deletes one batch of the oldest deliveries past
		// retention, skipping rows another cleanup holds.
		cleanup: `DELETE FROM ` + table + ` WHERE id IN (
	SELECT id FROM ` + table + `
	WHERE received_at < $1
	ORDER BY received_at
	LIMIT $2
	FOR UPDATE SKIP LOCKED
)`,
	}
}

// Migrate creates the journal's table and its indexes if they do not
// exist. Like [Store.Migrate] it never alters or drops anything, is safe
// at every start of every replica (concurrent calls take turns on an
// advisory lock), and is never done implicitly: call it once before
// serving callbacks, or create the table with your own migration tool
// using the definition in the package documentation.
func (j *Journal) Migrate(ctx context.Context) error {
	tx, err := j.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: journal: migrate: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, "paykit.sqlstore:"+j.table); err != nil {
		return fmt.Errorf("sqlstore: journal: migrate: lock: %w", err)
	}
	for _, q := range j.sql.create {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("sqlstore: journal: migrate: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: journal: migrate: %w", err)
	}
	return nil
}
