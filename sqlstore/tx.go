package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/paykit-go/paykit"
)

type txKey struct{}

// Tx returns the transaction of the claim that the context of a fulfilment
// carries in same-transaction mode (the default). The Event hook does its
// own writes with it so that they commit together with the stored reply,
// exactly once whatever fails; it must not call Commit or Rollback itself.
// ok is false when ctx carries no transaction (the store is in
// [Options.LeaseMode], or ctx is not the one given to the hook).
func Tx(ctx context.Context) (tx *sql.Tx, ok bool) {
	tx, ok = ctx.Value(txKey{}).(*sql.Tx)
	return tx, ok && tx != nil
}

// lockNotAvailable is PostgreSQL's SQLSTATE for a lock_timeout that ran out.
const lockNotAvailable = "55P03"

// doTx is the same-transaction mode: claim, fulfil and reply share one
// READ COMMITTED transaction. The claim row stays uncommitted until the
// reply is stored, so a concurrent delivery of the key waits on it (bounded
// by lock_timeout = LockWait) and then replays the reply or, if the first
// rolled back, claims the key itself.
func (s *Store) doTx(ctx context.Context, key string, fulfil func(context.Context) ([]byte, error)) (reply []byte, replayed bool, err error) {
	// database/sql rolls the transaction back when this context ends, so
	// a hook that overruns the lease cannot keep the claim past it.
	fctx, cancel := context.WithDeadline(ctx, time.Now().Add(s.lease))
	defer cancel()
	tx, err := s.db.BeginTx(fctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		return nil, false, s.waitError(fctx, "begin", err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = tx.Rollback()
		}
	}()
	// lock_timeout bounds the wait for a concurrent delivery of the key;
	// idle_in_transaction_session_timeout makes the server end the session
	// of a process that froze while holding the claim.
	if _, err := tx.ExecContext(fctx,
		`SELECT set_config('lock_timeout', $1, true), set_config('idle_in_transaction_session_timeout', $2, true)`,
		millis(s.lockWait), millis(s.lease+finishTimeout)); err != nil {
		return nil, false, s.waitError(fctx, "begin", err)
	}

	owner, err := newOwner()
	if err != nil {
		return nil, false, err
	}
	c, err := s.claim(fctx, tx, key, owner)
	if err != nil {
		return nil, false, s.waitError(fctx, "claim", err)
	}
	switch {
	case c.reply != nil:
		return c.reply, true, nil
	case c.inProg:
		return nil, false, inProgress()
	}
	// LockWait is for waiting on another delivery of the key, not for the
	// hook's own writes: give those the connection's usual lock_timeout.
	if _, err := tx.ExecContext(fctx, `SET LOCAL lock_timeout TO DEFAULT`); err != nil {
		return nil, false, s.dbError("claim", err)
	}

	reply, err = fulfil(context.WithValue(fctx, txKey{}, tx))
	if err != nil {
		return nil, false, err
	}
	if reply == nil {
		reply = []byte{}
	}
	if err := s.finishTx(fctx, tx, key, c.owner, reply); err != nil {
		return nil, false, err
	}
	committed = true
	return reply, false, nil
}

// finishTx stores the reply on the claim this delivery owns and commits.
func (s *Store) finishTx(ctx context.Context, tx *sql.Tx, key, owner string, reply []byte) error {
	res, err := tx.ExecContext(ctx, s.sql.finish, key, owner, reply)
	if err != nil {
		return s.dbError("store reply", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return s.dbError("store reply", err)
	} else if n != 1 {
		return ErrLeaseLost
	}
	if err := tx.Commit(); err != nil {
		return s.dbError("commit", err)
	}
	return nil
}

// waitError maps an error met while claiming in same-transaction mode: a
// lock wait that ran out, or a context that ended while waiting, means
// another delivery holds the key.
func (s *Store) waitError(ctx context.Context, op string, err error) error {
	var st interface{ SQLState() string }
	switch {
	case errors.As(err, &st) && st.SQLState() == lockNotAvailable:
		return fmt.Errorf("%w (sqlstore: waited %v for another delivery)", paykit.ErrInProgress, s.lockWait)
	case ctx.Err() != nil:
		return fmt.Errorf("%w: %w", paykit.ErrInProgress, ctx.Err())
	}
	return s.dbError(op, err)
}

// millis renders d for a PostgreSQL time setting (milliseconds, at least 1:
// 0 would mean "no limit").
func millis(d time.Duration) string {
	return strconv.FormatInt(max(d.Milliseconds(), 1), 10)
}
