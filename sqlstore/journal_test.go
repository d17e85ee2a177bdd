package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/sqlstore"
)

// newJournal returns a migrated Journal on its own table and pool.
func newJournal(t testing.TB, opts sqlstore.JournalOptions) (*sqlstore.Journal, *sql.DB, string) {
	t.Helper()
	db := openDB(t, 20)
	if opts.Table == "" {
		opts.Table = "journal_" + tableName()
	}
	if opts.ErrorLog == nil {
		opts.ErrorLog = func(err error) { t.Errorf("journal: %v", err) }
	}
	j, err := sqlstore.NewJournal(db, opts)
	require.NoError(t, err)
	t.Cleanup(func() { j.Close() })
	require.NoError(t, j.Migrate(context.Background()))
	return j, db, opts.Table
}

func countRows(t testing.TB, db *sql.DB, table string) int {
	t.Helper()
	var n int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM `+table).Scan(&n))
	return n
}

// full is a delivery with every field set (but Notification, which no
// journal keeps).
func full(id string, at time.Time) paykit.Delivery {
	return paykit.Delivery{
		ID: id, RunOf: "0123456789abcdef0123456789abcdef",
		Provider: paykit.Xsolla, Account: "ma:1/pr:2",
		ReceivedAt: at, Duration: 1234567891 * time.Nanosecond,
		RemoteAddr: "203.0.113.7:5050", Method: http.MethodPost, Path: "/xsolla/webhook", Query: "shop=a;b&x=%41",
		Header:       http.Header{"Content-Type": {"application/json"}, "Authorization": {"Signature abc", "second"}},
		Body:         []byte("{\"user\":{\"email\":\"payer@example.com\"}}\x00\xff binary"),
		Verification: paykit.Verified, Type: "payment",
		Summary: paykit.Summary{Provider: paykit.Xsolla, Type: "payment", Kind: paykit.KindPayment, Status: paykit.StatusPaid,
			ID: "tx-77", OrderID: "order-1042", UserID: "user-9", Amount: paykit.Money{Amount: 1999, Currency: "EUR"}, Test: true},
		Outcome: paykit.OutcomeFailed, Error: "hook: out of stock",
		ReplyStatus: http.StatusBadRequest, ReplyContentType: "application/json", ReplyBody: []byte(`{"error":{"code":"INVALID_PARAMETER"}}`),
		Key: "xsolla|2|test|payment|paid|tx-77", Replayed: true,
	}
}

type note struct{}

func (note) Summary() paykit.Summary { return paykit.Summary{Provider: paykit.Xsolla} }

// stored is d as a journal gives it back.
func stored(d paykit.Delivery) paykit.Delivery {
	d.Notification = nil
	d.ReceivedAt = d.ReceivedAt.Truncate(time.Microsecond)
	return d
}

// assertSame compares deliveries with time.Time compared by Equal.
func assertSame(t *testing.T, want, got paykit.Delivery) {
	t.Helper()
	assert.True(t, want.ReceivedAt.Equal(got.ReceivedAt), "ReceivedAt %v, want %v", got.ReceivedAt, want.ReceivedAt)
	got.ReceivedAt = want.ReceivedAt
	assert.Equal(t, want, got)
}

func TestJournalRoundTripsEveryField(t *testing.T) {
	j, _, _ := newJournal(t, sqlstore.JournalOptions{})
	ctx := context.Background()
	now := time.Now()
	for _, tc := range []struct {
		name string
		d    paykit.Delivery
	}{
		{"every field set", full("d-full", now.Add(-time.Minute).Truncate(time.Second).Add(123456789))},
		{"zero values: no header, no bodies", paykit.Delivery{ID: "d-zero", ReceivedAt: now}},
		{"empty but present bodies and header", paykit.Delivery{ID: "d-empty", ReceivedAt: now, Method: http.MethodGet,
			Header: http.Header{}, Body: []byte{}, ReplyBody: []byte{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.d
			d.Notification = note{} // never kept
			j.Observe(ctx, d)
			got, err := j.Delivery(ctx, d.ID)
			require.NoError(t, err)
			assertSame(t, stored(d), got)
			assert.Equal(t, d.Verification.Err(), got.Verification.Err())

			page, err := j.Deliveries(ctx, paykit.DeliveryQuery{ProviderID: d.Summary.ID, Provider: d.Provider, Since: d.ReceivedAt.Add(-time.Second)})
			require.NoError(t, err)
			i := slices.IndexFunc(page.Deliveries, func(x paykit.Delivery) bool { return x.ID == d.ID })
			require.GreaterOrEqual(t, i, 0)
			assertSame(t, stored(d), page.Deliveries[i])
		})
	}
}

func TestJournalStoresTextPostgreSQLCannotHoldWithReplacements(t *testing.T) {
	j, _, _ := newJournal(t, sqlstore.JournalOptions{})
	ctx := context.Background()
	d := paykit.Delivery{ID: "d-nul", ReceivedAt: time.Now(), Path: "/cb\x00x", Query: "a=\xff\xfe",
		Header: http.Header{"X-Odd": {"v\x00\xc3"}}, Error: "bad \xff", Summary: paykit.Summary{OrderID: "o\x00"},
		Body: []byte("a\x00\xff"), ReplyBody: []byte{0, 1, 2}}
	j.Observe(ctx, d)
	got, err := j.Delivery(ctx, "d-nul")
	require.NoError(t, err)
	assert.Equal(t, "/cb\uFFFDx", got.Path)
	assert.Equal(t, "a=\uFFFD", got.Query, "one replacement per run of invalid bytes")
	assert.Equal(t, []string{"v\uFFFD\uFFFD"}, got.Header["X-Odd"])
	assert.Equal(t, "bad \uFFFD", got.Error)
	assert.Equal(t, d.Body, got.Body, "bodies are kept exactly")
	assert.Equal(t, d.ReplyBody, got.ReplyBody)
	page, err := j.Deliveries(ctx, paykit.DeliveryQuery{OrderID: "o\x00"})
	require.NoError(t, err)
	require.Len(t, page.Deliveries, 1, "the query's text is replaced the same way")
}

func TestJournalRecordsADeliveryOnce(t *testing.T) {
	j, db, table := newJournal(t, sqlstore.JournalOptions{})
	d := full("d-dup", time.Now())
	j.Observe(context.Background(), d)
	d.Outcome = paykit.OutcomeOK
	j.Observe(context.Background(), d)
	j.Observe(context.Background(), paykit.Delivery{ReceivedAt: time.Now()}) // no ID: not recorded
	assert.Equal(t, 1, countRows(t, db, table))
	got, err := j.Delivery(context.Background(), "d-dup")
	require.NoError(t, err)
	assert.Equal(t, paykit.OutcomeFailed, got.Outcome, "the first record stands")
}

func TestJournalUnknownDeliveryIsErrNoDelivery(t *testing.T) {
	now := time.Now()
	clock := now
	j, _, _ := newJournal(t, sqlstore.JournalOptions{Retention: time.Hour, Now: func() time.Time { return clock }})
	j.Observe(context.Background(), full("d-old", now.Add(-time.Hour-time.Second)))
	j.Observe(context.Background(), full("d-new", now.Add(-time.Hour+time.Second)))
	for _, id := range []string{"nope", "", "d-old", "d-ne", "d-new ", "\xff"} {
		_, err := j.Delivery(context.Background(), id)
		assert.ErrorIs(t, err, paykit.ErrNoDelivery, "%q", id)
	}
	_, err := j.Delivery(context.Background(), "d-new")
	assert.NoError(t, err)
	clock = now.Add(2 * time.Second) // d-new passes retention too
	_, err = j.Delivery(context.Background(), "d-new")
	assert.ErrorIs(t, err, paykit.ErrNoDelivery)
}

// mixed is a set of deliveries across providers, accounts, orders,
// outcomes and times, one minute apart, newest last.
func mixed(base time.Time) []paykit.Delivery {
	var list []paykit.Delivery
	providers := []paykit.Provider{paykit.Paysera, paykit.VKPay, paykit.Xsolla, paykit.Playvision}
	outcomes := []paykit.Outcome{paykit.OutcomeOK, paykit.OutcomeRejected, paykit.OutcomeRetry, paykit.OutcomeFailed, paykit.OutcomeOK}
	for i := range 40 {
		d := paykit.Delivery{
			ID:         fmt.Sprintf("m-%02d", i),
			Provider:   providers[i%4],
			Account:    fmt.Sprintf("acct-%d", i%3),
			ReceivedAt: base.Add(time.Duration(i) * time.Minute),
			Outcome:    outcomes[i%5],
			Summary:    paykit.Summary{ID: fmt.Sprintf("pid-%d", i%7), OrderID: fmt.Sprintf("order-%d", i%6)},
		}
		if i%6 == 5 {
			d.Summary.OrderID = "" // a provider that echoes no order id
		}
		list = append(list, d)
	}
	return list
}

// want returns the IDs of list matching q (paykit's own semantics),
// newest first.
func want(list []paykit.Delivery, q paykit.DeliveryQuery) []string {
	var ids []string
	for i := len(list) - 1; i >= 0; i-- {
		if q.Match(&list[i]) {
			ids = append(ids, list[i].ID)
		}
	}
	return ids
}

func ids(page paykit.DeliveryPage) []string {
	var out []string
	for _, d := range page.Deliveries {
		out = append(out, d.ID)
	}
	return out
}

func TestJournalQueryFilters(t *testing.T) {
	j, _, _ := newJournal(t, sqlstore.JournalOptions{})
	ctx := context.Background()
	base := time.Now().Add(-2 * time.Hour).Truncate(time.Second)
	list := mixed(base)
	for _, d := range list {
		j.Observe(ctx, d)
	}
	for _, tc := range []struct {
		name string
		q    paykit.DeliveryQuery
	}{
		{"everything", paykit.DeliveryQuery{}},
		{"provider", paykit.DeliveryQuery{Provider: paykit.VKPay}},
		{"provider and account", paykit.DeliveryQuery{Provider: paykit.Xsolla, Account: "acct-1"}},
		{"account alone", paykit.DeliveryQuery{Account: "acct-2"}},
		{"order id", paykit.DeliveryQuery{OrderID: "order-3"}},
		{"order id a near miss", paykit.DeliveryQuery{OrderID: "order-"}},
		{"provider id", paykit.DeliveryQuery{ProviderID: "pid-4"}},
		{"outcome", paykit.DeliveryQuery{Outcome: paykit.OutcomeRetry}},
		{"since, inclusive", paykit.DeliveryQuery{Since: base.Add(30 * time.Minute)}},
		{"until, exclusive", paykit.DeliveryQuery{Until: base.Add(10 * time.Minute)}},
		{"time range", paykit.DeliveryQuery{Since: base.Add(5 * time.Minute), Until: base.Add(25 * time.Minute)}},
		{"every filter", paykit.DeliveryQuery{Provider: paykit.Paysera, Account: "acct-0", Outcome: paykit.OutcomeOK,
			OrderID: "order-0", ProviderID: "pid-0", Since: base, Until: base.Add(time.Hour)}},
		{"nothing matches", paykit.DeliveryQuery{Provider: paykit.Playvision, Outcome: paykit.OutcomeFailed, Account: "acct-9"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			q.Limit = paykit.MaxDeliveryPage
			page, err := j.Deliveries(ctx, q)
			require.NoError(t, err)
			assert.Equal(t, want(list, tc.q), ids(page))
			assert.Empty(t, page.Next)
		})
	}
}

// pageAll reads every page of q and returns the IDs in order.
func pageAll(t *testing.T, j paykit.Journal, q paykit.DeliveryQuery, between func()) []string {
	t.Helper()
	var all []string
	for range 1000 {
		page, err := j.Deliveries(context.Background(), q)
		require.NoError(t, err)
		require.LessOrEqual(t, len(page.Deliveries), q.PageSize())
		all = append(all, ids(page)...)
		if page.Next == "" {
			return all
		}
		q.After = page.Next
		if between != nil {
			between()
		}
	}
	t.Fatal("paging does not end")
	return nil
}

func TestJournalPagesNewestFirstAcrossTies(t *testing.T) {
	j, _, _ := newJournal(t, sqlstore.JournalOptions{})
	at := time.Now().Add(-time.Minute).Truncate(time.Microsecond)
	var list []paykit.Delivery
	for i := range 11 { // ids sort "t-00" < … < "t-10"; several share a receipt time
		d := paykit.Delivery{ID: fmt.Sprintf("t-%02d", i), Provider: paykit.VKPay, ReceivedAt: at.Add(time.Duration(i/4) * time.Microsecond)}
		list = append(list, d)
		j.Observe(context.Background(), d)
	}
	for _, limit := range []int{1, 2, 3, 4, 5, 10, 11, 12} {
		got := pageAll(t, j, paykit.DeliveryQuery{Limit: limit}, nil)
		assert.Equal(t, want(list, paykit.DeliveryQuery{}), got, "limit %d", limit)
	}
	page, err := j.Deliveries(context.Background(), paykit.DeliveryQuery{Limit: 11})
	require.NoError(t, err)
	assert.Len(t, page.Deliveries, 11)
	assert.Empty(t, page.Next, "no Next when the page holds the last one")
}

func TestJournalPagesAcrossConcurrentInserts(t *testing.T) {
	j, _, _ := newJournal(t, sqlstore.JournalOptions{})
	ctx := context.Background()
	base := time.Now().Add(-time.Hour)
	var old []paykit.Delivery
	for i := range 50 {
		d := paykit.Delivery{ID: fmt.Sprintf("old-%02d", i), Provider: paykit.Paysera, ReceivedAt: base.Add(time.Duration(i) * time.Second)}
		old = append(old, d)
		j.Observe(ctx, d)
	}
	// While the pages are read, other deliveries keep arriving.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				j.Observe(ctx, paykit.Delivery{ID: fmt.Sprintf("new-%d-%d", w, i), Provider: paykit.Paysera, ReceivedAt: time.Now()})
			}
		}()
	}
	var inserted int
	got := pageAll(t, j, paykit.DeliveryQuery{Provider: paykit.Paysera, Limit: 7}, func() {
		j.Observe(ctx, paykit.Delivery{ID: fmt.Sprintf("between-%d", inserted), Provider: paykit.Paysera, ReceivedAt: time.Now()})
		inserted++
	})
	close(stop)
	wg.Wait()

	var seenOld []string
	seen := map[string]bool{}
	for _, id := range got {
		require.False(t, seen[id], "%s shown twice", id)
		seen[id] = true
		if strings.HasPrefix(id, "old-") {
			seenOld = append(seenOld, id)
		}
	}
	assert.Equal(t, want(old, paykit.DeliveryQuery{}), seenOld, "every old delivery once, newest first")
	assert.Greater(t, inserted, 5)
	for _, id := range got[len(got)-len(old):] {
		assert.True(t, strings.HasPrefix(id, "old-"), "nothing newer comes after an older delivery: %s", id)
	}
}

func TestJournalRefusesForgedCursors(t *testing.T) {
	j, _, _ := newJournal(t, sqlstore.JournalOptions{})
	for i := range 3 {
		j.Observe(context.Background(), paykit.Delivery{ID: fmt.Sprintf("c-%d", i), ReceivedAt: time.Now()})
	}
	page, err := j.Deliveries(context.Background(), paykit.DeliveryQuery{Limit: 1})
	require.NoError(t, err)
	next := page.Next
	require.NotEmpty(t, next)
	now := time.Now().UnixMicro()
	for name, after := range map[string]string{
		"first byte not base64url":     "!" + next[1:],
		"last byte not base64url":      next[:len(next)-1] + "!",
		"extended with padding":        next + "=",
		"a newline inside":             next[:3] + "\n" + next[3:],
		"a carriage return at the end": next + "\r",
		"standard base64 alphabet":     next[:3] + "+" + next[4:],
		"no id":                        sqlstore.CursorString(now, "")[:11],
		"a page number":                "2",
		"year 10000":                   sqlstore.CursorString(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro(), "c-1"),
		"before year 1":                sqlstore.CursorString(-1<<62, "c-1"),
		"NUL in the id":                sqlstore.CursorString(now, "c\x00"),
		"invalid UTF-8 id":             sqlstore.CursorString(now, "c\xff"),
		"id longer than any handler":   sqlstore.CursorString(now, strings.Repeat("a", 257)),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := j.Deliveries(context.Background(), paykit.DeliveryQuery{After: after})
			assert.ErrorIs(t, err, sqlstore.ErrInvalidCursor)
			assert.ErrorIs(t, err, paykit.ErrInvalidRequest)
		})
	}
	// Near misses that still decode are another position: no error of the
	// database, no panic, at most a different page.
	for _, after := range []string{next[:len(next)-1], next + "A", next[:len(next)-1] + "A", "A" + next[1:], strings.ToUpper(next)} {
		_, err := j.Deliveries(context.Background(), paykit.DeliveryQuery{After: after})
		if err != nil {
			assert.ErrorIs(t, err, sqlstore.ErrInvalidCursor, "%q", after)
		}
	}
}

func TestJournalRetentionHidesAndCleanupDeletesInBatches(t *testing.T) {
	now := time.Now()
	var batches []int64
	db := openDB(t, 5)
	table := "journal_" + tableName()
	j, err := sqlstore.NewJournalTicked(db, sqlstore.JournalOptions{Table: table, Retention: 24 * time.Hour, CleanupBatch: 3,
		Now: func() time.Time { return now }, ErrorLog: func(err error) { t.Error(err) }}, nil, nil,
		func(n int64) { batches = append(batches, n) })
	require.NoError(t, err)
	require.NoError(t, j.Migrate(context.Background()))
	for i := range 10 {
		j.Observe(context.Background(), paykit.Delivery{ID: fmt.Sprintf("old-%d", i), ReceivedAt: now.Add(-24*time.Hour - time.Duration(i+1)*time.Minute)})
	}
	for i := range 2 {
		j.Observe(context.Background(), paykit.Delivery{ID: fmt.Sprintf("fresh-%d", i), ReceivedAt: now.Add(-24*time.Hour + time.Duration(i+1)*time.Minute)})
	}
	require.Equal(t, 12, countRows(t, db, table))

	page, err := j.Deliveries(context.Background(), paykit.DeliveryQuery{})
	require.NoError(t, err)
	assert.Equal(t, []string{"fresh-1", "fresh-0"}, ids(page), "past retention is never returned")

	n, err := j.Cleanup(context.Background())
	require.NoError(t, err)
	assert.Equal(t, int64(10), n)
	assert.Equal(t, []int64{3, 3, 3, 1}, batches, "batches of CleanupBatch, never one huge delete")
	assert.Equal(t, 2, countRows(t, db, table))

	batches = nil
	n, err = j.Cleanup(context.Background())
	require.NoError(t, err)
	assert.Zero(t, n)
	assert.Equal(t, []int64{0}, batches)
}

func TestJournalCleanupExactlyAFullBatchRunsOneMoreEmptyOne(t *testing.T) {
	now := time.Now()
	var batches []int64
	db := openDB(t, 5)
	table := "journal_" + tableName()
	j, err := sqlstore.NewJournalTicked(db, sqlstore.JournalOptions{Table: table, Retention: time.Hour, CleanupBatch: 4,
		Now: func() time.Time { return now }}, nil, nil, func(n int64) { batches = append(batches, n) })
	require.NoError(t, err)
	require.NoError(t, j.Migrate(context.Background()))
	for i := range 8 {
		j.Observe(context.Background(), paykit.Delivery{ID: fmt.Sprintf("o-%d", i), ReceivedAt: now.Add(-2 * time.Hour)})
	}
	n, err := j.Cleanup(context.Background())
	require.NoError(t, err)
	assert.Equal(t, int64(8), n)
	assert.Equal(t, []int64{4, 4, 0}, batches)
}

func TestJournalBackgroundCleanupRunsAtEachTickUntilClose(t *testing.T) {
	now := time.Now()
	db := openDB(t, 5)
	table := "journal_" + tableName()
	ticks := make(chan time.Time)
	ran := make(chan int64)
	j, err := sqlstore.NewJournalTicked(db, sqlstore.JournalOptions{Table: table, Retention: time.Hour,
		Now: func() time.Time { return now }, ErrorLog: func(err error) { t.Error(err) }}, ticks,
		func(n int64, err error) {
			assert.NoError(t, err)
			ran <- n
		}, nil)
	require.NoError(t, err)
	require.NoError(t, j.Migrate(context.Background()))
	for i := range 5 {
		j.Observe(context.Background(), paykit.Delivery{ID: fmt.Sprintf("o-%d", i), ReceivedAt: now.Add(-2 * time.Hour)})
	}
	j.Observe(context.Background(), paykit.Delivery{ID: "fresh", ReceivedAt: now})
	ticks <- now
	assert.Equal(t, int64(5), <-ran)
	assert.Equal(t, 1, countRows(t, db, table))
	ticks <- now
	assert.Equal(t, int64(0), <-ran)

	require.NoError(t, j.Close())
	require.NoError(t, j.Close(), "twice is harmless")
	select {
	case ticks <- now:
		t.Fatal("a tick was taken after Close")
	default:
	}
}

func TestJournalBackgroundCleanupErrorsGoToErrorLog(t *testing.T) {
	db := openDB(t, 5)
	errs := make(chan error, 1)
	ticks := make(chan time.Time)
	ran := make(chan struct{})
	j, err := sqlstore.NewJournalTicked(db, sqlstore.JournalOptions{Table: "journal_missing_" + tableName(),
		ErrorLog: func(err error) { errs <- err }}, ticks, func(int64, error) { ran <- struct{}{} }, nil)
	require.NoError(t, err)
	defer j.Close()
	ticks <- time.Now() // the table was never migrated
	<-ran
	assert.ErrorContains(t, <-errs, "sqlstore: journal: cleanup")
}

func TestNewJournalRefusesBadOptions(t *testing.T) {
	db, err := sql.Open("pgx", "postgres://127.0.0.1:1/none") // never connects
	require.NoError(t, err)
	defer db.Close()
	for name, opts := range map[string]sqlstore.JournalOptions{
		"table with a quote":    {Table: `a"b`},
		"table upper case":      {Table: "Deliveries"},
		"two dots":              {Table: "a.b.c"},
		"negative retention":    {Retention: -1},
		"negative cleanup":      {CleanupEvery: -time.Second},
		"negative batch":        {CleanupBatch: -1},
		"negative writeTimeout": {WriteTimeout: -1},
	} {
		_, err := sqlstore.NewJournal(db, opts)
		assert.Error(t, err, name)
	}
	_, err = sqlstore.NewJournal(nil, sqlstore.JournalOptions{})
	assert.Error(t, err)
	j, err := sqlstore.NewJournal(db, sqlstore.JournalOptions{Table: "billing.deliveries", CleanupEvery: time.Hour})
	require.NoError(t, err)
	require.NoError(t, j.Close())
	var nilJournal *sqlstore.Journal
	assert.NotPanics(t, func() { nilJournal.Observe(context.Background(), paykit.Delivery{ID: "x"}) })
}

func TestJournalRedactsACopyBeforeStoring(t *testing.T) {
	redact := func(d *paykit.Delivery) {
		d.Body = []byte(strings.ReplaceAll(string(d.Body), "payer@example.com", "[email]"))
		d.Header.Del("Authorization")
		d.Summary.UserID = ""
		d.ID = "changed" // the ID is kept whatever Redact does
	}
	j, _, _ := newJournal(t, sqlstore.JournalOptions{Redact: redact})
	d := full("d-redact", time.Now())
	body := string(d.Body)
	j.Observe(context.Background(), d)

	got, err := j.Delivery(context.Background(), "d-redact")
	require.NoError(t, err)
	assert.NotContains(t, string(got.Body), "payer@example.com")
	assert.Contains(t, string(got.Body), "[email]")
	assert.Empty(t, got.Header.Values("Authorization"))
	assert.Empty(t, got.Summary.UserID)
	assert.Equal(t, body, string(d.Body), "the caller's delivery is untouched")
	assert.Equal(t, []string{"Signature abc", "second"}, d.Header.Values("Authorization"))
	_, err = j.Delivery(context.Background(), "changed")
	assert.ErrorIs(t, err, paykit.ErrNoDelivery)
}

func TestJournalErrorLogNamesTheDeliveryNeverItsBody(t *testing.T) {
	for _, tc := range []struct {
		name    string
		migrate bool
		timeout time.Duration
		ctx     func() context.Context
	}{
		{"table missing", false, 0, context.Background},
		{"write timeout", true, time.Nanosecond, context.Background},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openDB(t, 2)
			var logged []error
			j, err := sqlstore.NewJournal(db, sqlstore.JournalOptions{Table: "journal_" + tableName(), WriteTimeout: tc.timeout,
				ErrorLog: func(err error) { logged = append(logged, err) }})
			require.NoError(t, err)
			if tc.migrate {
				require.NoError(t, j.Migrate(context.Background()))
			}
			d := full("d-err", time.Now())
			d.Body = []byte(`{"email":"canary-payer@example.com","signature":"canary-secret-77"}`)
			j.Observe(tc.ctx(), d)
			require.Len(t, logged, 1)
			msg := logged[0].Error()
			assert.Contains(t, msg, "d-err")
			for _, leak := range []string{"canary", "payer@example.com", "Signature abc", "order-1042", "user-9"} {
				assert.NotContains(t, msg, leak)
			}
		})
	}
}

func TestJournalMigrateIsIdempotentAndConcurrent(t *testing.T) {
	db := openDB(t, 10)
	table := "journal_" + tableName()
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j, err := sqlstore.NewJournal(db, sqlstore.JournalOptions{Table: table})
			if err == nil {
				err = j.Migrate(context.Background())
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	var n int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM pg_indexes WHERE tablename = $1`, table).Scan(&n))
	assert.Equal(t, 6, n, "primary key and five indexes")
}

// TestJournalIndexesServeTheQueries asks PostgreSQL's planner, with
// sequential scans disabled, which index each kind of query uses: every
// filter has one whose leading column it is, so that a page is an index
// range scan whatever the table's size.
func TestJournalIndexesServeTheQueries(t *testing.T) {
	j, db, table := newJournal(t, sqlstore.JournalOptions{})
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.ExecContext(ctx, `SET enable_seqscan = off`)
	require.NoError(t, err)
	_, err = conn.ExecContext(ctx, `SET plan_cache_mode = force_generic_plan`)
	require.NoError(t, err)
	for _, tc := range []struct {
		name  string
		q     paykit.DeliveryQuery
		index string
	}{
		{"newest first", paykit.DeliveryQuery{}, "_received_idx"},
		{"time range", paykit.DeliveryQuery{Since: time.Now().Add(-time.Hour), Until: time.Now()}, "_received_idx"},
		{"provider and account", paykit.DeliveryQuery{Provider: paykit.VKPay, Account: "51234"}, "_account_idx"},
		{"provider", paykit.DeliveryQuery{Provider: paykit.VKPay}, "_account_idx"},
		{"order id", paykit.DeliveryQuery{OrderID: "1042"}, "_order_idx"},
		{"provider id", paykit.DeliveryQuery{ProviderID: "tx-1"}, "_prov_id_idx"},
		{"outcome", paykit.DeliveryQuery{Outcome: paykit.OutcomeFailed}, "_outcome_idx"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			query, args, err := j.ListQuery(tc.q)
			require.NoError(t, err)
			rows, err := conn.QueryContext(ctx, "EXPLAIN "+query, args...)
			require.NoError(t, err)
			var plan strings.Builder
			for rows.Next() {
				var line string
				require.NoError(t, rows.Scan(&line))
				plan.WriteString(line + "\n")
			}
			require.NoError(t, rows.Err())
			assert.Contains(t, plan.String(), table+tc.index, plan.String())
		})
	}
}

func TestJournalErrorsOfQueries(t *testing.T) {
	db := openDB(t, 2)
	j, err := sqlstore.NewJournal(db, sqlstore.JournalOptions{Table: "journal_missing_" + tableName()})
	require.NoError(t, err)
	_, err = j.Delivery(context.Background(), "x")
	assert.Error(t, err)
	assert.False(t, errors.Is(err, paykit.ErrNoDelivery), "a database error is not 'no such delivery'")
	_, err = j.Deliveries(context.Background(), paykit.DeliveryQuery{})
	assert.ErrorContains(t, err, "sqlstore: journal")
}

// TestJournalDocumentedTableIsTheMigratedOne creates the table from the
// definition in the package documentation and compares its columns and
// indexes with those Migrate creates, so that the two never drift apart.
func TestJournalDocumentedTableIsTheMigratedOne(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	text := string(doc)
	start := strings.Index(text, "//\tCREATE TABLE paykit_deliveries")
	require.GreaterOrEqual(t, start, 0)
	end := strings.Index(text[start:], "\n//\n")
	require.Greater(t, end, 0)
	var ddl strings.Builder
	for _, line := range strings.Split(text[start:start+end], "\n") {
		ddl.WriteString(strings.TrimPrefix(line, "//\t") + "\n")
	}

	_, db, migrated := newJournal(t, sqlstore.JournalOptions{})
	documented := "journal_doc_" + tableName()
	for _, stmt := range strings.Split(strings.ReplaceAll(ddl.String(), "paykit_deliveries", documented), ";") {
		if strings.TrimSpace(stmt) != "" {
			_, err := db.Exec(stmt)
			require.NoError(t, err, stmt)
		}
	}
	describe := func(table string) []string {
		var out []string
		rows, err := db.Query(`SELECT column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
			FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`, table)
		require.NoError(t, err)
		for rows.Next() {
			var s string
			require.NoError(t, rows.Scan(&s))
			out = append(out, s)
		}
		rows, err = db.Query(`SELECT replace(indexdef, $1, 'T') FROM pg_indexes WHERE tablename = $1 ORDER BY indexname`, table)
		require.NoError(t, err)
		for rows.Next() {
			var s string
			require.NoError(t, rows.Scan(&s))
			out = append(out, s)
		}
		return out
	}
	got := describe(migrated)
	assert.Len(t, got, 32+6)
	assert.Equal(t, describe(documented), got)
}
