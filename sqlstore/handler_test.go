package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/sqlstore"
)

// shopHandler is a minimal provider-style handler built on paykit.Fulfil:
// it answers a payment notification "id=<order>" with the stored reply, or
// 503 "retry later" when the store says another delivery is in progress.
// Its Event hook credits the order in the merchant's table "credits" —
// through the claim's transaction in same-transaction mode, else through
// the pool — and counts how often it ran.
type shopHandler struct {
	store   paykit.Store
	db      *sql.DB
	credits string // table
	replica int
	runs    *atomic.Int64
	delay   time.Duration // how long the hook takes
}

func (h *shopHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	form, err := paykit.ReadForm(r, 0)
	if err != nil || form.Get("id") == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	id := form.Get("id")
	ctx, cancel := paykit.HookContext(r.Context(), 10*time.Second)
	defer cancel()
	reply, _, err := paykit.Fulfil(ctx, h.store, "shop|"+id, func(ctx context.Context) ([]byte, error) {
		if err := h.event(ctx, id); err != nil {
			return nil, err
		}
		return []byte(`{"status":"1","order":"` + id + `"}`), nil
	})
	switch paykit.Classify(err) {
	case paykit.OutcomeOK:
		paykit.WriteBytes(w, http.StatusOK, "application/json", reply)
	case paykit.OutcomeRetry:
		http.Error(w, "retry later", http.StatusServiceUnavailable)
	default:
		http.Error(w, "failed", http.StatusInternalServerError)
	}
}

func (h *shopHandler) event(ctx context.Context, id string) error {
	h.runs.Add(1)
	if h.delay > 0 {
		select {
		case <-time.After(h.delay):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	q := `INSERT INTO ` + h.credits + ` (order_id, replica) VALUES ($1, $2)`
	if tx, ok := sqlstore.Tx(ctx); ok {
		_, err := tx.ExecContext(ctx, q, id, h.replica)
		return err
	}
	_, err := h.db.ExecContext(ctx, q, id, h.replica)
	return err
}

// createCredits makes the merchant's own table of credited orders.
func createCredits(t testing.TB, db *sql.DB) string {
	t.Helper()
	table := "credits_" + tableName()
	_, err := db.Exec(`CREATE TABLE ` + table + ` (order_id text NOT NULL, replica int NOT NULL)`)
	require.NoError(t, err)
	return table
}

func countCredits(t testing.TB, db *sql.DB, table, id string) int {
	t.Helper()
	var n int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM `+table+` WHERE order_id = $1`, id).Scan(&n))
	return n
}

// deliver sends one notification to h and returns the status and body.
func deliver(h http.Handler, id string) (int, string) {
	body := url.Values{"id": {id}}.Encode()
	r := httptest.NewRequest(http.MethodPost, "/callback", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code, w.Body.String()
}

func wantReply(id string) string { return fmt.Sprintf(`{"status":"1","order":"%s"}`, id) }

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
