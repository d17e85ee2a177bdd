package sqlstore_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/journalpage"
	"github.com/paykit-go/paykit/playvision"
	"github.com/paykit-go/paykit/playvision/playvisiontest"
	"github.com/paykit-go/paykit/sqlstore"
)

var tokenField = regexp.MustCompile(`name="token" value="([^"]+)"`)

// TestJournalRunAgainThroughTheJournalPage: a payment whose delivery
// failed ("our database was down and the provider gave up") is run again
// from the journal page, with the Store and the Journal both on
// PostgreSQL: it is fulfilled once, in the claim's transaction; running it
// again after that replays the stored reply's exact bytes without running
// Event.
func TestJournalRunAgainThroughTheJournalPage(t *testing.T) {
	const secret = "page-secret"
	j, db, _ := newJournal(t, sqlstore.JournalOptions{})
	store, _, _ := newStore(t, sqlstore.Options{})
	credits := createCredits(t, db)
	client, err := playvision.New(playvision.Config{AppID: 7001, Secret: secret})
	require.NoError(t, err)

	var down atomic.Bool
	var events atomic.Int64
	callbacks := client.Handler(paykit.Hooks{
		Store:    store,
		Observer: j,
		Event: func(ctx context.Context, n paykit.Notification) error {
			events.Add(1)
			if down.Load() {
				return errors.New("database down")
			}
			tx, _ := sqlstore.Tx(ctx)
			_, err := tx.ExecContext(ctx, `INSERT INTO `+credits+` (order_id, replica) VALUES ($1, 1)`, n.Summary().ID)
			return err
		},
	})
	mux := http.NewServeMux()
	mux.Handle("/playvision", callbacks)
	mux.Handle("/journal/", journalpage.New(j, journalpage.Options{
		BasePath:  "/journal",
		Authorize: func(*http.Request) bool { return true },
		Handler:   func(paykit.Delivery) http.Handler { return mux },
		ErrorLog:  func(_ *http.Request, err error) { t.Error(err) },
	}))

	// The provider delivers while the merchant's database is down.
	down.Store(true)
	signer := playvisiontest.Signer{Secret: secret}
	params := playvisiontest.OrderStatusChange{AppID: 7001, UserID: 131, TransactionID: 1042, Sum: 5, ItemID: "gold_100"}.Params()
	mux.ServeHTTP(httptest.NewRecorder(), signer.NewRequest("/playvision", params))
	page, err := j.Deliveries(context.Background(), paykit.DeliveryQuery{ProviderID: "1042"})
	require.NoError(t, err)
	require.Len(t, page.Deliveries, 1)
	failed := page.Deliveries[0]
	require.Equal(t, paykit.OutcomeFailed, failed.Outcome)
	down.Store(false)

	runAgain := func(id string) paykit.Delivery {
		t.Helper()
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/journal/d/"+id, nil))
		require.Equal(t, http.StatusOK, w.Code)
		m := tokenField.FindStringSubmatch(w.Body.String())
		require.NotNil(t, m, "the detail page shows Run again")
		form := url.Values{"token": {m[1]}}
		r := httptest.NewRequest(http.MethodPost, "/journal/d/"+id+"/run", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		w = httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		runs, err := j.Deliveries(context.Background(), paykit.DeliveryQuery{ProviderID: "1042"})
		require.NoError(t, err)
		require.NotEmpty(t, runs.Deliveries)
		run := runs.Deliveries[0] // the newest
		require.Equal(t, id, run.RunOf)
		return run
	}

	fulfilled := runAgain(failed.ID)
	assert.Equal(t, paykit.OutcomeOK, fulfilled.Outcome)
	assert.False(t, fulfilled.Replayed)
	assert.Equal(t, failed.Body, fulfilled.Body, "the recorded bytes were sent again")
	assert.Equal(t, int64(2), events.Load())
	assert.Equal(t, 1, countCredits(t, db, credits, "1042"))

	for _, id := range []string{failed.ID, fulfilled.ID} {
		replay := runAgain(id)
		assert.Equal(t, paykit.OutcomeOK, replay.Outcome)
		assert.True(t, replay.Replayed)
		assert.Equal(t, fulfilled.ReplyBody, replay.ReplyBody, "the same bytes")
	}
	assert.Equal(t, int64(2), events.Load(), "Event not called for a fulfilled event")
	assert.Equal(t, 1, countCredits(t, db, credits, "1042"), "fulfilled once")
}
