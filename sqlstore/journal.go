package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/paykit-go/paykit"
)

// Defaults of [JournalOptions].
const (
	// DefaultJournalCleanupBatch is how many deliveries one DELETE of
	// [Journal.Cleanup] removes.
	DefaultJournalCleanupBatch = 1000
	// DefaultJournalWriteTimeout bounds the insert of one delivery.
	DefaultJournalWriteTimeout = 5 * time.Second
)

// JournalOptions configures a [Journal]. The zero value gives the
// defaults.
type JournalOptions struct {
	// Table is the table name, optionally schema-qualified, with the same
	// rules as [Options.Table]; "" means [DefaultJournalTable].
	Table string

	// Retention is how long a delivery is kept, bodies with payers'
	// personal data included; 0 means [paykit.DefaultJournalRetention]
	// (30 days). Deliveries past it are never returned, and
	// [Journal.Cleanup] deletes them.
	Retention time.Duration
	// CleanupEvery, when positive, runs [Journal.Cleanup] in the
	// background at this interval (its first run one interval after
	// NewJournal) until [Journal.Close]; its errors go to ErrorLog. Run it
	// on one replica, or on several: concurrent cleanups skip each other's
	// rows.
	CleanupEvery time.Duration
	// CleanupBatch is how many deliveries one DELETE of Cleanup removes, so
	// that no statement holds many row locks or runs for long; 0 means
	// [DefaultJournalCleanupBatch].
	CleanupBatch int

	// Redact, when set, is applied to every delivery before it is stored
	// (for example to blank payers' names and emails in Body and
	// ReplyBody); it gets a copy it may change freely. The ID is kept
	// whatever Redact does to it. A body changed by Redact no longer
	// matches the provider's signature: running that delivery again from
	// the journal is refused as a bad signature.
	Redact func(d *paykit.Delivery)

	// ErrorLog is told why a delivery could not be recorded (the database
	// is unreachable, the table is missing, WriteTimeout ran out) and why
	// a background cleanup failed: Observe has no caller to return an error
	// to. The error names the delivery's ID, never its body or headers.
	// nil means slog.Default() at level Error.
	ErrorLog func(err error)
	// WriteTimeout bounds the insert of one delivery, which runs in the
	// handler's goroutine after its reply; 0 means
	// [DefaultJournalWriteTimeout].
	WriteTimeout time.Duration

	// Now is the clock retention is measured with; nil means time.Now.
	// Tests set it.
	Now func() time.Time
}

// Journal is a [paykit.Journal] in PostgreSQL, on the same database as a
// [Store] or another: every replica's handlers record their deliveries in
// one table, and any replica (or the journal page) reads them back. It is
// safe for concurrent use.
//
// Observe inserts the delivery at once, in the handler's goroutine after
// its reply was written, bounded by [JournalOptions.WriteTimeout]; a
// delivery whose ID is already stored is not stored again.
type Journal struct {
	db        *sql.DB
	table     string // quoted
	sql       journalStatements
	retention time.Duration
	batch     int
	redact    func(*paykit.Delivery)
	errLog    func(error)
	timeout   time.Duration
	now       func() time.Time

	// The background cleanup, when CleanupEvery is set; afterBatch and
	// afterRun are test hooks.
	stop       context.CancelFunc
	done       sync.WaitGroup
	closeOnce  sync.Once
	afterBatch func(n int64)
	afterRun   func(n int64, err error)
}

var _ paykit.Journal = (*Journal)(nil)

// NewJournal returns a Journal on db. It checks the options but does not
// touch the database; call [Journal.Migrate] to create the table. With
// [JournalOptions.CleanupEvery] set it starts the background cleanup: call
// [Journal.Close] to stop it.
func NewJournal(db *sql.DB, opts JournalOptions) (*Journal, error) {
	j, err := newJournal(db, opts)
	if err != nil {
		return nil, err
	}
	if opts.CleanupEvery > 0 {
		t := time.NewTicker(opts.CleanupEvery)
		j.startCleanup(t.C, t.Stop)
	}
	return j, nil
}

func newJournal(db *sql.DB, opts JournalOptions) (*Journal, error) {
	if db == nil {
		return nil, errors.New("sqlstore: journal: nil *sql.DB")
	}
	if opts.Table == "" {
		opts.Table = DefaultJournalTable
	}
	table, base, err := parseTable(opts.Table)
	if err != nil {
		return nil, err
	}
	if opts.Retention < 0 || opts.CleanupEvery < 0 || opts.CleanupBatch < 0 || opts.WriteTimeout < 0 {
		return nil, errors.New("sqlstore: journal: negative Retention, CleanupEvery, CleanupBatch or WriteTimeout")
	}
	j := &Journal{
		db:        db,
		table:     table,
		sql:       newJournalStatements(table, base),
		retention: cmpOr(opts.Retention, paykit.DefaultJournalRetention),
		batch:     cmpOr(opts.CleanupBatch, DefaultJournalCleanupBatch),
		redact:    opts.Redact,
		errLog:    opts.ErrorLog,
		timeout:   cmpOr(opts.WriteTimeout, DefaultJournalWriteTimeout),
		now:       opts.Now,
	}
	if j.errLog == nil {
		j.errLog = func(err error) { slog.Default().Error("paykit journal", "error", err.Error()) }
	}
	if j.now == nil {
		j.now = time.Now
	}
	return j, nil
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Observe records d (without its Notification), after Redact when set. A
// delivery without an ID is not recorded: handlers always set one. An
// error goes to [JournalOptions.ErrorLog].
func (j *Journal) Observe(ctx context.Context, d paykit.Delivery) {
	if j == nil || d.ID == "" {
		return
	}
	id := d.ID
	d.Notification = nil
	if j.redact != nil {
		d = cloneDelivery(d)
		j.redact(&d)
		d.ID = id
	}
	ctx, cancel := context.WithTimeout(ctx, j.timeout)
	defer cancel()
	args, err := insertArgs(&d)
	if err == nil {
		_, err = j.db.ExecContext(ctx, j.sql.insert, args...)
	}
	if err != nil {
		j.errLog(fmt.Errorf("sqlstore: journal: record delivery %s: %w", pgText(id), err))
	}
}

// insertArgs are d's values in the order of journalColumns, text made
// storable with pgText.
func insertArgs(d *paykit.Delivery) ([]any, error) {
	var header any // NULL without headers
	if d.Header != nil {
		clean := make(http.Header, len(d.Header))
		for k, vs := range d.Header {
			c := make([]string, len(vs))
			for i, v := range vs {
				c[i] = pgText(v)
			}
			clean[pgText(k)] = c
		}
		b, err := json.Marshal(clean)
		if err != nil {
			return nil, fmt.Errorf("header: %w", err)
		}
		header = string(b)
	}
	s := d.Summary
	return []any{
		pgText(d.ID), pgText(d.RunOf), pgText(string(d.Provider)), pgText(d.Account),
		d.ReceivedAt, int64(d.Duration),
		pgText(d.RemoteAddr), pgText(d.Method), pgText(d.Path), pgText(d.Query), header, d.Body,
		pgText(string(d.Verification)), pgText(d.Type), pgText(string(s.Provider)), pgText(s.Type),
		pgText(string(s.Kind)), pgText(string(s.Status)),
		pgText(s.ID), pgText(s.OrderID), pgText(s.UserID), s.Amount.Amount, pgText(s.Amount.Currency), s.Test,
		pgText(string(d.Outcome)), pgText(d.Error), d.ReplyStatus, pgText(d.ReplyContentType), d.ReplyBody,
		pgText(d.Key), d.Replayed,
	}, nil
}

// pgText returns s as a PostgreSQL text value can hold it: unchanged when
// it is valid UTF-8 without NUL bytes (every value a handler records from
// a well-formed request), else with U+FFFD in place of each run of
// invalid bytes and of each NUL. Bodies are bytea and kept exactly.
func pgText(s string) string {
	if utf8.ValidString(s) && !strings.ContainsRune(s, 0) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// cloneDelivery copies d's slices and header, so that Redact can change
// the copy without touching bytes the handler or other observers hold.
func cloneDelivery(d paykit.Delivery) paykit.Delivery {
	d.Body = bytes.Clone(d.Body)
	d.ReplyBody = bytes.Clone(d.ReplyBody)
	d.Header = d.Header.Clone()
	return d
}

// Delivery returns the delivery with this ID, or an error matching
// [paykit.ErrNoDelivery] when there is none within retention. ReceivedAt
// comes back with PostgreSQL's microsecond precision and Notification is
// nil.
func (j *Journal) Delivery(ctx context.Context, id string) (paykit.Delivery, error) {
	rows, err := j.db.QueryContext(ctx, j.sql.byID, pgText(id), j.cutoff())
	if err != nil {
		return paykit.Delivery{}, fmt.Errorf("sqlstore: journal: %w", err)
	}
	list, err := scanDeliveries(rows)
	if err != nil {
		return paykit.Delivery{}, fmt.Errorf("sqlstore: journal: %w", err)
	}
	if len(list) == 0 {
		return paykit.Delivery{}, fmt.Errorf("sqlstore: journal: delivery %q: %w", pgText(id), paykit.ErrNoDelivery)
	}
	return list[0], nil
}

// cutoff is the oldest receipt time within retention.
func (j *Journal) cutoff() time.Time { return j.now().Add(-j.retention) }

// Deliveries returns the deliveries matching q within retention, newest
// first by receipt time (ties by ID), one page at a time. Paging is by
// position, not by offset: deliveries recorded while a caller pages are
// never shown twice nor make it skip one, and a page costs the same however
// deep it is. A q.After that is not a page's Next is refused with
// [ErrInvalidCursor].
func (j *Journal) Deliveries(ctx context.Context, q paykit.DeliveryQuery) (paykit.DeliveryPage, error) {
	query, args, err := j.listQuery(q)
	if err != nil {
		return paykit.DeliveryPage{}, err
	}
	rows, err := j.db.QueryContext(ctx, query, args...)
	if err != nil {
		return paykit.DeliveryPage{}, fmt.Errorf("sqlstore: journal: %w", err)
	}
	list, err := scanDeliveries(rows)
	if err != nil {
		return paykit.DeliveryPage{}, fmt.Errorf("sqlstore: journal: %w", err)
	}
	page := paykit.DeliveryPage{Deliveries: list}
	if size := q.PageSize(); len(list) > size {
		page.Deliveries = list[:size]
		last := list[size-1]
		page.Next = cursor{at: last.ReceivedAt.UnixMicro(), id: last.ID}.String()
	}
	return page, nil
}

// listQuery builds the SELECT of q: one equality per set field, each
// index's own condition beside it (so that the partial indexes serve
// prepared, generic plans too), the cursor's position, newest first, one
// row more than the page to tell whether another follows.
func (j *Journal) listQuery(q paykit.DeliveryQuery) (string, []any, error) {
	var (
		where = []string{"received_at >= $1"}
		args  = []any{j.cutoff()}
	)
	cond := func(format string, vals ...any) {
		refs := make([]any, len(vals))
		for i, v := range vals {
			args = append(args, v)
			refs[i] = fmt.Sprintf("$%d", len(args))
		}
		where = append(where, fmt.Sprintf(format, refs...))
	}
	if q.Provider != "" {
		cond("provider = %s", pgText(string(q.Provider)))
	}
	if q.Account != "" {
		cond("account = %s", pgText(q.Account))
	}
	if q.OrderID != "" {
		cond("order_id = %s AND order_id <> ''", pgText(q.OrderID))
	}
	if q.ProviderID != "" {
		cond("provider_id = %s AND provider_id <> ''", pgText(q.ProviderID))
	}
	if q.Outcome != "" {
		cond("outcome = %s", pgText(string(q.Outcome)))
	}
	if !q.Since.IsZero() {
		cond("received_at >= %s", q.Since)
	}
	if !q.Until.IsZero() {
		cond("received_at < %s", q.Until)
	}
	if q.After != "" {
		c, err := parseCursor(q.After)
		if err != nil {
			return "", nil, err
		}
		cond("(received_at, id) < (%s, %s)", c.time(), c.id)
	}
	query := j.sql.list + strings.Join(where, " AND ") +
		fmt.Sprintf(" ORDER BY received_at DESC, id DESC LIMIT %d", q.PageSize()+1)
	return query, args, nil
}

// scanDeliveries reads every row of rows and closes it.
func scanDeliveries(rows *sql.Rows) ([]paykit.Delivery, error) {
	defer rows.Close()
	var list []paykit.Delivery
	for rows.Next() {
		var (
			d          paykit.Delivery
			s          = &d.Summary
			durationNS int64
			header     sql.NullString
		)
		err := rows.Scan(&d.ID, &d.RunOf, &d.Provider, &d.Account, &d.ReceivedAt, &durationNS,
			&d.RemoteAddr, &d.Method, &d.Path, &d.Query, &header, &d.Body,
			&d.Verification, &d.Type, &s.Provider, &s.Type, &s.Kind, &s.Status,
			&s.ID, &s.OrderID, &s.UserID, &s.Amount.Amount, &s.Amount.Currency, &s.Test,
			&d.Outcome, &d.Error, &d.ReplyStatus, &d.ReplyContentType, &d.ReplyBody, &d.Key, &d.Replayed)
		if err != nil {
			return nil, err
		}
		d.Duration = time.Duration(durationNS)
		if header.Valid {
			if err := json.Unmarshal([]byte(header.String), &d.Header); err != nil {
				return nil, fmt.Errorf("delivery %s: header: %w", d.ID, err)
			}
		}
		list = append(list, d)
	}
	return list, rows.Err()
}
