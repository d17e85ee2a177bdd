package sqlstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paykit-go/paykit"
)

// Defaults of [Options].
const (
	// DefaultLease is how long a claim protects a delivery being fulfilled
	// before another delivery may take it over.
	DefaultLease = time.Minute
	// DefaultLockWait is how long, in same-transaction mode, a delivery
	// waits for a concurrent delivery of the same key before answering
	// "retry later".
	DefaultLockWait = 2 * time.Second
)

// finishTimeout bounds the statements that store a reply or release a claim
// after fulfil returned: they run even when the caller's context has just
// ended, since a stored reply is what makes the next delivery a replay.
const finishTimeout = 5 * time.Second

// maxAttempts bounds how often Do re-reads a key whose row changed under it
// (a claim released or taken over between two statements).
const maxAttempts = 4

// ErrLeaseLost is returned by [Store.Do] when fulfil succeeded but its
// claim had expired and another delivery had taken it over, so the reply
// was not stored. It matches [paykit.ErrInProgress]: the provider retries
// and is answered with the reply of the delivery that now owns the key.
// Seeing it means the fulfilment ran longer than [Options.Lease]: raise the
// lease or make the hook honour its context.
var ErrLeaseLost = fmt.Errorf("%w: sqlstore: claim expired and was taken over before the reply was stored", paykit.ErrInProgress)

// Options configures a [Store]. The zero value gives the defaults.
type Options struct {
	// Table is the table name, optionally schema-qualified ("billing.idem").
	// Each part must be a lower-case identifier of at most 48 characters
	// ([a-z_][a-z0-9_]*). "" means [DefaultTable].
	Table string

	// Lease is how long a claim is held for a running fulfilment. The
	// context given to fulfil has a deadline at the end of the lease. In
	// same-transaction mode (the default) the claim's transaction is
	// rolled back when that context ends, so a hung hook's uncommitted
	// writes and claim are undone and the next delivery fulfils. In lease
	// mode a claim whose holder died (crash, lost connection, hung hook)
	// blocks deliveries of its key with "retry later" until the lease ends;
	// then the next delivery takes it over and runs the hook again. Set it
	// above the longest fulfilment you expect; 0 means [DefaultLease].
	Lease time.Duration

	// SameTransaction asks for same-transaction mode, which is the
	// default: the claim, the hook and the stored reply share one database
	// transaction, and the hook may do its writes in it with [Tx] so that
	// they commit or roll back with the reply (exactly-once for those
	// writes). See the package documentation for what each mode
	// guarantees. Since same-transaction mode became the default the field
	// changes nothing; it is kept so that existing code compiles. Setting
	// it together with LeaseMode is an error.
	SameTransaction bool

	// LeaseMode opts out of the default same-transaction mode: the claim is
	// committed on its own with a lease, the hook runs outside any
	// transaction of the store, and the reply is stored afterwards. Each
	// delivery holds a connection only for its short statements, and a
	// concurrent duplicate is told to retry at once instead of waiting. A
	// hook that ran but whose reply was not stored (the process was killed,
	// the database or the network failed, the hook outlived the lease) runs
	// again after the lease ends, so its effects, in the database or not,
	// can happen twice. Use it only when the fulfilment is itself
	// idempotent.
	LeaseMode bool

	// LockWait is, in same-transaction mode, how long a delivery waits for
	// a concurrent delivery of the same key to commit or roll back. If that
	// one commits in time this one replays its reply; if it rolls back this
	// one fulfils; if the wait runs out Do returns an error matching
	// [paykit.ErrInProgress]. 0 means [DefaultLockWait]. Unused otherwise.
	LockWait time.Duration
}

// Store is a [paykit.Store] on a PostgreSQL database, shared by every
// replica that points at the same table. It is safe for concurrent use.
type Store struct {
	db       *sql.DB
	table    string // quoted
	sql      statements
	lease    time.Duration
	sameTx   bool
	lockWait time.Duration
}

var _ paykit.Store = (*Store)(nil)

// New returns a Store on db. It checks the options but does not touch the
// database; call [Store.Migrate] to create the table.
func New(db *sql.DB, opts Options) (*Store, error) {
	if db == nil {
		return nil, errors.New("sqlstore: nil *sql.DB")
	}
	table, base, err := parseTable(opts.Table)
	if err != nil {
		return nil, err
	}
	if opts.Lease < 0 || opts.LockWait < 0 {
		return nil, errors.New("sqlstore: negative Lease or LockWait")
	}
	if opts.SameTransaction && opts.LeaseMode {
		return nil, errors.New("sqlstore: SameTransaction and LeaseMode are exclusive")
	}
	s := &Store{
		db:       db,
		table:    table,
		sql:      newStatements(table, base),
		lease:    opts.Lease,
		sameTx:   !opts.LeaseMode,
		lockWait: opts.LockWait,
	}
	if s.lease == 0 {
		s.lease = DefaultLease
	}
	if s.lockWait == 0 {
		s.lockWait = DefaultLockWait
	}
	return s, nil
}

// Do implements [paykit.Store].
//
// The first delivery of key claims it and calls fulfil; on success the
// reply is stored and returned, on error (or panic) the claim is released
// and fulfil's error is returned unchanged. A delivery that finds a stored
// reply returns it with replayed true. A delivery that finds a live claim
// of another delivery returns an error matching [paykit.ErrInProgress] (in
// same-transaction mode only after waiting up to [Options.LockWait]). In
// lease mode a delivery that finds an expired claim takes it over.
//
// Errors of the database itself are marked [paykit.Temporary], so that the
// provider delivers again later.
func (s *Store) Do(ctx context.Context, key string, fulfil func(context.Context) ([]byte, error)) ([]byte, bool, error) {
	if s.sameTx {
		return s.doTx(ctx, dbKey(key), fulfil)
	}
	return s.doLease(ctx, dbKey(key), fulfil)
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// outcome of trying to claim a key.
type claimResult struct {
	owner  string // set when this delivery now holds the claim
	reply  []byte // set when a reply is stored
	inProg bool   // another delivery holds a live claim
}

// claim tries, a bounded number of times, to insert a claim for key, and
// otherwise reports what holds the key.
func (s *Store) claim(ctx context.Context, q querier, key, owner string) (claimResult, error) {
	lease := s.lease.Microseconds()
	for attempt := 0; attempt < maxAttempts; attempt++ {
		var got string
		err := q.QueryRowContext(ctx, s.sql.claim, key, owner, lease).Scan(&got)
		if err == nil {
			return claimResult{owner: owner}, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return claimResult{}, err
		}
		var (
			state, holder string
			reply         []byte
			expired       sql.NullBool
		)
		err = q.QueryRowContext(ctx, s.sql.inspect, key).Scan(&state, &holder, &reply, &expired)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			continue // released between the two statements: try again
		case err != nil:
			return claimResult{}, err
		case state == "done":
			if reply == nil {
				reply = []byte{}
			}
			return claimResult{reply: reply}, nil
		case !expired.Bool:
			return claimResult{inProg: true}, nil
		}
		res, err := q.ExecContext(ctx, s.sql.takeover, key, holder, owner, lease)
		if err != nil {
			return claimResult{}, err
		}
		if n, err := res.RowsAffected(); err != nil {
			return claimResult{}, err
		} else if n == 1 {
			return claimResult{owner: owner}, nil
		}
		// Someone else took it over or finished first: look again.
	}
	return claimResult{inProg: true}, nil
}

// doLease is lease mode ([Options.LeaseMode]): the claim is committed on its own, fulfil
// runs outside any transaction of ours, and the reply is stored afterwards.
func (s *Store) doLease(ctx context.Context, key string, fulfil func(context.Context) ([]byte, error)) (reply []byte, replayed bool, err error) {
	owner, err := newOwner()
	if err != nil {
		return nil, false, err
	}
	start := time.Now()
	c, err := s.claim(ctx, s.db, key, owner)
	if err != nil {
		// The insert may have committed before the error (a context that
		// ended mid-statement); don't leave the claim to its lease.
		s.release(ctx, key, owner)
		return nil, false, s.dbError("claim", err)
	}
	switch {
	case c.reply != nil:
		return c.reply, true, nil
	case c.inProg:
		return nil, false, inProgress()
	}

	// The claim is released when fulfil fails or panics. Once fulfil has
	// succeeded it is not: its effects happened, and if the reply cannot be
	// stored the claim keeps duplicates out until its lease ends.
	succeeded := false
	defer func() {
		if !succeeded {
			s.release(ctx, key, c.owner)
		}
	}()
	fctx, cancel := context.WithDeadline(ctx, start.Add(s.lease))
	reply, err = fulfil(fctx)
	cancel()
	if err != nil {
		return nil, false, err
	}
	succeeded = true
	if reply == nil {
		reply = []byte{}
	}

	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	res, err := s.db.ExecContext(sctx, s.sql.finish, key, c.owner, reply)
	if err != nil {
		return nil, false, s.dbError("store reply", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, false, s.dbError("store reply", err)
	}
	if n != 1 {
		return nil, false, ErrLeaseLost
	}
	return reply, false, nil
}

// release deletes a claim after a failed (or panicking) fulfilment so that
// the provider's retry can run it again. If this fails the claim simply
// expires with its lease.
func (s *Store) release(ctx context.Context, key, owner string) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	_, _ = s.db.ExecContext(rctx, s.sql.release, key, owner)
}

func (s *Store) dbError(op string, err error) error {
	return paykit.Temporary(fmt.Errorf("sqlstore: %s: %w", op, err))
}

func inProgress() error {
	return fmt.Errorf("%w (sqlstore: claimed by another delivery)", paykit.ErrInProgress)
}

// newOwner returns a random token naming one claim.
func newOwner() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", paykit.Temporary(fmt.Errorf("sqlstore: owner token: %w", err))
	}
	return hex.EncodeToString(b[:]), nil
}

// maxPlainKey is the longest key stored as it is; longer keys are hashed so
// that they always fit the primary key index.
const maxPlainKey = 256

// dbKey maps a store key to the text stored in the key column. Keys that a
// PostgreSQL text column cannot hold (invalid UTF-8, NUL bytes) or that are
// long become "#" and the hex SHA-256 of the key; plain keys never start
// with "#", so the mapping stays one-to-one.
func dbKey(key string) string {
	if len(key) <= maxPlainKey && utf8.ValidString(key) &&
		!strings.ContainsRune(key, 0) && !strings.HasPrefix(key, "#") {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return "#" + hex.EncodeToString(sum[:])
}
