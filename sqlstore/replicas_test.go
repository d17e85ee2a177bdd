package sqlstore_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/playvision"
	"github.com/paykit-go/paykit/playvision/playvisiontest"
	"github.com/paykit-go/paykit/sqlstore"
)

// TestReplicasFulfilOnce sends 600 concurrent deliveries of one Playvision
// payment, signed with the playvisiontest kit, spread over four instances
// of the real playvision Handler, each with its own pool and its own Store
// on one shared table: the Event hook runs once, the order is credited
// once, and every answer is either the stored success bytes or the
// handler's "temporary failure, try again later".
func TestReplicasFulfilOnce(t *testing.T) {
	const (
		replicas   = 4
		deliveries = 600
		appID      = 4242
		secret     = "replica-test-secret"
	)
	var (
		success = playvision.SuccessReply()
		later   = playvision.FailureReply(playvision.MessageTemporary)
		signer  = playvisiontest.Signer{Secret: secret}
		payment = playvisiontest.OrderStatusChange{UserID: 77, TransactionID: 9001, Sum: 150, ItemID: "gold-150"}.Params()
	)
	modes(t, func(t *testing.T, opts sqlstore.Options) {
		opts.Table = tableName()
		opts.LockWait = 5 * time.Second
		admin := openDB(t, 2)
		credits := createCredits(t, admin)
		var runs atomic.Int64
		handlers := make([]http.Handler, replicas)
		for i := range handlers {
			db := openDB(t, 8)
			s, err := sqlstore.New(db, opts)
			require.NoError(t, err)
			require.NoError(t, s.Migrate(context.Background()))
			client, err := playvision.New(playvision.Config{AppID: appID, Secret: secret})
			require.NoError(t, err)
			shop := &shopHandler{db: db, credits: credits, replica: i, runs: &runs, delay: 50 * time.Millisecond}
			handlers[i] = client.Handler(paykit.Hooks{
				Store: s,
				Event: func(ctx context.Context, n paykit.Notification) error {
					return shop.event(ctx, n.Summary().ID)
				},
			})
		}

		var (
			start          = make(chan struct{})
			wg             sync.WaitGroup
			ok, retry, bad atomic.Int64
		)
		for i := 0; i < deliveries; i++ {
			h, r := handlers[i%replicas], signer.NewRequest("/playvision", payment)
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				switch body := w.Body.Bytes(); {
				case w.Code == http.StatusOK && bytes.Equal(body, success):
					ok.Add(1)
				case w.Code == http.StatusOK && bytes.Equal(body, later):
					retry.Add(1)
				default:
					bad.Add(1)
					t.Errorf("unexpected answer %d %q", w.Code, body)
				}
			}()
		}
		began := time.Now()
		close(start)
		wg.Wait()
		t.Logf("%d deliveries in %v: %d stored reply, %d retry later", deliveries, time.Since(began), ok.Load(), retry.Load())

		assert.EqualValues(t, 1, runs.Load(), "the hook ran once")
		assert.Equal(t, 1, countCredits(t, admin, credits, "9001"), "the order was credited once")
		assert.GreaterOrEqual(t, ok.Load(), int64(1), "the delivery that fulfilled was answered")
		assert.Zero(t, bad.Load())

		// Later deliveries, on any replica, get the same bytes.
		for _, h := range handlers {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, signer.NewRequest("/playvision", payment))
			assert.Equal(t, http.StatusOK, w.Code)
			assert.Equal(t, string(success), w.Body.String())
		}
		assert.EqualValues(t, 1, runs.Load())
	})
}

// TestReplicasManyOrders mixes duplicates of many orders across replicas:
// each order is credited exactly once.
func TestReplicasManyOrders(t *testing.T) {
	const (
		replicas = 3
		orders   = 50
		copies   = 6
	)
	modes(t, func(t *testing.T, opts sqlstore.Options) {
		opts.Table = tableName()
		admin := openDB(t, 2)
		credits := createCredits(t, admin)
		var runs atomic.Int64
		handlers := make([]http.Handler, replicas)
		for i := range handlers {
			db := openDB(t, 8)
			s, err := sqlstore.New(db, opts)
			require.NoError(t, err)
			require.NoError(t, s.Migrate(context.Background()))
			handlers[i] = &shopHandler{store: s, db: db, credits: credits, replica: i, runs: &runs, delay: 5 * time.Millisecond}
		}
		// answered[o] is closed when a delivery of order o has been answered
		// with its reply: "retry later" means another delivery holds the
		// claim, and that one is answered when it finishes, so a delivery
		// told to retry waits for that proof instead of sleeping.
		answered := make([]chan struct{}, orders)
		once := make([]sync.Once, orders)
		for o := range answered {
			answered[o] = make(chan struct{})
		}
		var wg sync.WaitGroup
		for c := 0; c < copies; c++ {
			for o := 0; o < orders; o++ {
				wg.Add(1)
				go func(h http.Handler, o int) {
					defer wg.Done()
					id := fmt.Sprintf("order-%d", o)
					for attempt := 0; attempt < 3; attempt++ {
						code, body := deliver(h, id)
						if code == http.StatusOK {
							assert.Equal(t, wantReply(id), body)
							once[o].Do(func() { close(answered[o]) })
							return
						}
						if !assert.Equal(t, http.StatusServiceUnavailable, code) {
							return
						}
						<-answered[o]
					}
					t.Errorf("%s: still 'retry later' after its reply was stored", id)
				}(handlers[(c+o)%replicas], o)
			}
		}
		wg.Wait()
		assert.EqualValues(t, orders, runs.Load())
		var total, distinct int
		require.NoError(t, admin.QueryRow(`SELECT count(*), count(DISTINCT order_id) FROM `+credits).Scan(&total, &distinct))
		assert.Equal(t, orders, total)
		assert.Equal(t, orders, distinct)
	})
}
