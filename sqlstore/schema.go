package sqlstore

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

// DefaultTable is the table a [Store] uses when [Options.Table] is empty.
const DefaultTable = "paykit_idempotency"

// identPart is one part of a table name: lower-case, unquoted-style SQL
// identifier, short enough that the derived index name stays within
// PostgreSQL's 63-byte limit.
var identPart = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,47}$`)

// parseTable validates a table name ("name" or "schema.name") and returns it
// quoted for SQL together with the unqualified name (for deriving the index
// name). Only lower-case letters, digits and underscores are accepted, so
// that the quoted and the unquoted spelling name the same table and nothing
// in the name can change the meaning of a statement.
func parseTable(name string) (quoted, base string, err error) {
	if name == "" {
		name = DefaultTable
	}
	parts := strings.Split(name, ".")
	if len(parts) > 2 {
		return "", "", fmt.Errorf("sqlstore: table %q: at most one dot (schema.table)", name)
	}
	q := make([]string, len(parts))
	for i, p := range parts {
		if !identPart.MatchString(p) {
			return "", "", fmt.Errorf("sqlstore: table %q: each part must match %s", name, identPart)
		}
		q[i] = `"` + p + `"`
	}
	return strings.Join(q, "."), parts[len(parts)-1], nil
}

// statements holds the SQL text of a Store, built once for its table.
type statements struct {
	create      string
	createIndex string
	claim       string
	inspect     string
	takeover    string
	finish      string
	release     string
	cleanup     string
}

func newStatements(table, base string) statements {
	return statements{
		// state is 'running' while a delivery holds the claim (owner, until
		// lease_until) and 'done' once reply is stored.
		create: `CREATE TABLE IF NOT EXISTS ` + table + ` (
	key         text        PRIMARY KEY,
	state       text        NOT NULL CHECK (state IN ('running', 'done')),
	owner       text        NOT NULL,
	reply       bytea,
	created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
	updated_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
	lease_until timestamptz,
	CHECK ((state = 'done') = (reply IS NOT NULL)),
	CHECK ((state = 'running') = (lease_until IS NOT NULL))
)`,
		createIndex: `CREATE INDEX IF NOT EXISTS "` + base + `_updated_at_idx" ON ` + table + ` (updated_at)`,

		// claim inserts a new claim; no row comes back when the key exists.
		// Under READ COMMITTED a concurrent uncommitted insert of the same
		// key makes this wait for that transaction: when it commits, DO
		// NOTHING applies; when it rolls back, this insert goes through.
		claim: `INSERT INTO ` + table + ` (key, state, owner, lease_until)
VALUES ($1, 'running', $2, clock_timestamp() + $3::bigint * interval '1 microsecond')
ON CONFLICT (key) DO NOTHING
RETURNING key`,

		inspect: `SELECT state, owner, reply, lease_until < clock_timestamp() FROM ` + table + ` WHERE key = $1`,

		// takeover is a compare-and-swap on the owner token: of several
		// deliveries that saw the same expired claim, the row lock lets
		// exactly one succeed; the others re-check the updated row and
		// match nothing.
		takeover: `UPDATE ` + table + `
SET owner = $3, updated_at = clock_timestamp(),
	lease_until = clock_timestamp() + $4::bigint * interval '1 microsecond'
WHERE key = $1 AND owner = $2 AND state = 'running' AND lease_until < clock_timestamp()`,

		// finish stores the reply only if this delivery still owns the
		// claim, so that a late finisher never overwrites the delivery that
		// took its expired claim over.
		finish: `UPDATE ` + table + `
SET state = 'done', reply = $3, updated_at = clock_timestamp(), lease_until = NULL
WHERE key = $1 AND owner = $2 AND state = 'running'`,

		release: `DELETE FROM ` + table + ` WHERE key = $1 AND owner = $2 AND state = 'running'`,

		// cleanup deletes a batch of forgotten replies and abandoned
		// claims, skipping rows a running transaction holds.
		cleanup: `DELETE FROM ` + table + ` WHERE key IN (
	SELECT key FROM ` + table + `
	WHERE (state = 'done' AND updated_at < clock_timestamp() - $1::bigint * interval '1 microsecond')
	   OR (state = 'running' AND lease_until < clock_timestamp())
	LIMIT $2
	FOR UPDATE SKIP LOCKED
)`,
	}
}

// Migrate creates the store's table and its index if they do not exist. It
// never alters or drops anything, so it is safe to run at every start of
// every replica; concurrent calls are serialised with a transaction-level
// advisory lock. [Store.Do] never creates the table itself: call Migrate
// once (or create the table with your own migration tool, using the same
// definition) before serving callbacks.
func (s *Store) Migrate(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: migrate: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	// CREATE … IF NOT EXISTS is not safe against itself running at the same
	// moment in another session; the lock makes replicas take turns.
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, "paykit.sqlstore:"+s.table); err != nil {
		return fmt.Errorf("sqlstore: migrate: lock: %w", err)
	}
	for _, q := range []string{s.sql.create, s.sql.createIndex} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("sqlstore: migrate: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: migrate: %w", err)
	}
	return nil
}
