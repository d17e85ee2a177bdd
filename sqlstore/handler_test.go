package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/callback"
	"github.com/paykit-go/paykit/sqlstore"
)

// shopHandler is a minimal provider on paykit's callback engine: it
// answers a payment notification "id=<order>" with the stored reply, or 503
// "retry later" when the store says another delivery is in progress. Its
// Event hook credits the order in the merchant's table "credits" — through
// the claim's transaction in same-transaction mode, else through the pool —
// and counts how often it ran.
type shopHandler struct {
	store   paykit.Store
	db      *sql.DB
	credits string // table
	replica int
	runs    *atomic.Int64
	delay   time.Duration // how long the hook takes

	once   sync.Once
	engine http.Handler
}

func (h *shopHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.once.Do(func() {
		h.engine = callback.New(h, callback.Settings{Methods: []string{http.MethodPost},
			ReplyTimeout: 10 * time.Second, Store: h.store})
	})
	h.engine.ServeHTTP(w, r)
}

type shopNote struct{ id string }

func (n shopNote) Summary() paykit.Summary {
	return paykit.Summary{Provider: "shop", Kind: paykit.KindPayment, Status: paykit.StatusPaid, ID: n.id}
}

func (h *shopHandler) Parse(_ *http.Request, input []byte) (paykit.Notification, error) {
	v, err := url.ParseQuery(string(input))
	if err != nil || v.Get("id") == "" {
		return nil, paykit.ErrMalformed
	}
	return shopNote{v.Get("id")}, nil
}

func (h *shopHandler) Key(n paykit.Notification) string { return "shop|" + n.(shopNote).id }

func (h *shopHandler) Answer(ctx context.Context, n paykit.Notification) ([]byte, error) {
	id := n.(shopNote).id
	if err := h.event(ctx, id); err != nil {
		return nil, err
	}
	return []byte(`{"status":"1","order":"` + id + `"}`), nil
}

func (h *shopHandler) Success(_ paykit.Notification, body []byte) callback.Reply {
	return callback.Reply{Status: http.StatusOK, ContentType: "application/json", Body: body}
}

func (h *shopHandler) Failure(c callback.Class, _ paykit.Notification, _ error) callback.Reply {
	switch c {
	case callback.Retry:
		return callback.Reply{Status: http.StatusServiceUnavailable, Body: []byte("retry later\n")}
	case callback.Malformed:
		return callback.Reply{Status: http.StatusBadRequest, Body: []byte("bad request\n")}
	}
	return callback.Reply{Status: http.StatusInternalServerError, Body: []byte("failed\n")}
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
