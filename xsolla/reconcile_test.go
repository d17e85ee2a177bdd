package xsolla_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/xsolla"
	"github.com/paykit-go/paykit/xsolla/xsollatest"
)

// lostWorld is Xsolla (emulated, its webhooks dropped unless resent), a
// shop handler and a reconciler sharing one Store and one Event hook.
type lostWorld struct {
	emu    *xsollatest.Server
	client *xsolla.Client
	rec    *xsolla.Reconciler
	events atomic.Int64
	mu     sync.Mutex
	kinds  []paykit.Kind
}

func newLostWorld(t *testing.T, store paykit.Store) *lostWorld {
	t.Helper()
	w := &lostWorld{}
	shop := httptest.NewUnstartedServer(nil)
	t.Cleanup(shop.Close)
	emu, err := xsollatest.NewServer(xsollatest.Options{
		MerchantID: 2340, ProjectID: 18404, APIKey: "api-key", WebhookSecret: "hook-secret",
		WebhookURL: "http://" + shop.Listener.Addr().String() + "/xsolla", DropCallbacks: true,
		Catalog: map[string]paykit.Money{"gems_500": {Amount: 499, Currency: "USD"}},
	})
	require.NoError(t, err)
	t.Cleanup(emu.Close)
	w.emu = emu
	w.client, err = xsolla.New(emu.ClientConfig())
	require.NoError(t, err)
	hooks := paykit.Hooks{
		Event: func(_ context.Context, n paykit.Notification) error {
			w.events.Add(1)
			w.mu.Lock()
			w.kinds = append(w.kinds, n.Summary().Kind)
			w.mu.Unlock()
			return nil
		},
		Store: store,
	}
	shop.Config.Handler = w.client.HandlerWith(hooks, xsolla.HandlerOptions{})
	shop.Start()
	w.rec, err = w.client.Reconciler(hooks, xsolla.ReconcilerOptions{
		ReconcilerOptions: paykit.ReconcilerOptions{MinInterval: -1}})
	require.NoError(t, err)
	return w
}

// paid buys gems for order and pays; the webhooks are dropped.
func (w *lostWorld) paid(t *testing.T, order string) xsollatest.Order {
	t.Helper()
	tok, err := w.client.CreateToken(context.Background(), xsolla.TokenRequest{UserID: "player-" + order,
		ExternalID: order, Checkout: &paykit.Money{Amount: 499, Currency: "USD"}})
	require.NoError(t, err)
	o, err := w.emu.Pay(context.Background(), tok)
	require.NoError(t, err)
	require.NoError(t, w.emu.Wait(context.Background()))
	return o
}

// resendLast sends the order's last dropped webhook again, as Xsolla's
// late retry, and returns what the shop answered.
func (w *lostWorld) resendLast(t *testing.T, o xsollatest.Order) xsollatest.Delivery {
	t.Helper()
	d, err := w.emu.Resend(context.Background(), w.lastOf(t, o).ID)
	require.NoError(t, err)
	return d
}

func (w *lostWorld) lastOf(t *testing.T, o xsollatest.Order) xsollatest.Delivery {
	t.Helper()
	var last xsollatest.Delivery
	for _, d := range w.emu.Deliveries() {
		if d.OrderID == o.Token && d.Event != xsolla.TypeUserValidation {
			require.Equal(t, "dropped", string(d.Outcome), "%s was sent", d.Event)
			last = d
		}
	}
	require.NotEmpty(t, last.ID, "a webhook of order %s", o.Token)
	return last
}

func TestReconcile_LostWebhookFulfilsOnceAndTheLateOneIsAnsweredFromTheStore(t *testing.T) {
	w := newLostWorld(t, paykit.NewMemoryStore(paykit.MemoryStoreOptions{}))
	s := w.paid(t, "order-1")
	require.Zero(t, w.events.Load(), "the webhook was lost")

	rep, err := w.rec.Reconcile(context.Background(), "order-1")
	require.NoError(t, err)
	require.Len(t, rep.Entries, 1)
	e := rep.Entries[0]
	require.NoError(t, e.Err)
	assert.Equal(t, paykit.FoundFulfilled, e.Found)
	assert.Equal(t, "order-1", e.Ref)
	assert.Equal(t, strconv.FormatInt(s.TransactionID, 10), e.Summary.ID)
	assert.Equal(t, paykit.Money{Amount: 499, Currency: "USD"}, e.Summary.Amount)
	assert.IsType(t, &xsolla.Payment{}, e.Notification)
	assert.EqualValues(t, 1, w.events.Load())

	d := w.resendLast(t, s)
	assert.Equal(t, 204, d.Status, "%s", d.Reply)
	assert.EqualValues(t, 1, w.events.Load(), "Event is not called again")

	again, err := w.rec.Reconcile(context.Background(), "order-1")
	require.NoError(t, err)
	assert.Equal(t, paykit.FoundAlreadyFulfilled, again.Entries[0].Found)
	assert.EqualValues(t, 1, w.events.Load())
}

func TestReconcile_WebhookFirstThenReconciliationIsAlreadyFulfilled(t *testing.T) {
	w := newLostWorld(t, paykit.NewMemoryStore(paykit.MemoryStoreOptions{}))
	s := w.paid(t, "order-1")
	require.Equal(t, 204, w.resendLast(t, s).Status)
	require.EqualValues(t, 1, w.events.Load())

	rep, err := w.rec.Reconcile(context.Background(), "order-1")
	require.NoError(t, err)
	assert.Equal(t, paykit.FoundAlreadyFulfilled, rep.Entries[0].Found)
	assert.EqualValues(t, 1, w.events.Load(), "Event is not called again")
}

func TestReconcile_FiftyConcurrentReconciliationsAndDeliveriesFulfilOnce(t *testing.T) {
	w := newLostWorld(t, paykit.NewMemoryStore(paykit.MemoryStoreOptions{}))
	s := w.paid(t, "order-1")
	last := w.lastOf(t, s)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 50 {
		wg.Go(func() {
			<-start
			if i%2 == 0 {
				rep, err := w.rec.Reconcile(context.Background(), "order-1")
				assert.NoError(t, err)
				assert.Contains(t, []paykit.Found{paykit.FoundFulfilled, paykit.FoundAlreadyFulfilled}, rep.Entries[0].Found)
			} else {
				d, err := w.emu.Resend(context.Background(), last.ID)
				assert.NoError(t, err)
				assert.Equal(t, 204, d.Status, "%s", d.Reply)
			}
		})
	}
	close(start)
	wg.Wait()
	assert.EqualValues(t, 1, w.events.Load())
}

func TestReconcile_RefundFoundFirstIsARefund(t *testing.T) {
	w := newLostWorld(t, paykit.NewMemoryStore(paykit.MemoryStoreOptions{}))
	s := w.paid(t, "order-1")
	_, err := w.emu.Refund(context.Background(), s.Token)
	require.NoError(t, err)
	require.NoError(t, w.emu.Wait(context.Background()))
	rep, err := w.rec.Reconcile(context.Background(), "order-1", "never-paid")
	require.NoError(t, err)
	require.Len(t, rep.Entries, 2)
	assert.Equal(t, paykit.FoundFulfilled, rep.Entries[0].Found)
	assert.Equal(t, paykit.StatusRefunded, rep.Entries[0].Summary.Status)
	assert.IsType(t, &xsolla.Refund{}, rep.Entries[0].Notification)
	assert.Equal(t, paykit.FoundUnknown, rep.Entries[1].Found)
	assert.Equal(t, "never-paid", rep.Entries[1].Ref)
	assert.Equal(t, []paykit.Kind{paykit.KindRefund}, w.kinds)

	assert.Equal(t, 204, w.resendLast(t, s).Status, "the refund webhook, late")
	assert.EqualValues(t, 1, w.events.Load())
}

func TestReconcile_PartialRefundIsReconciledAsItsPayment(t *testing.T) {
	w := newLostWorld(t, paykit.NewMemoryStore(paykit.MemoryStoreOptions{}))
	s := w.paid(t, "order-1")
	_, err := w.emu.PartialRefund(context.Background(), s.Token, paykit.Money{Amount: 100, Currency: "USD"})
	require.NoError(t, err)
	require.NoError(t, w.emu.Wait(context.Background()))
	rep, err := w.rec.Reconcile(context.Background(), "order-1")
	require.NoError(t, err)
	assert.Equal(t, paykit.FoundFulfilled, rep.Entries[0].Found)
	assert.IsType(t, &xsolla.Payment{}, rep.Entries[0].Notification)
	assert.Equal(t, []paykit.Kind{paykit.KindPayment}, w.kinds)
}

func TestReconcileWindow_FindsThePaymentsOfTheWindow(t *testing.T) {
	w := newLostWorld(t, paykit.NewMemoryStore(paykit.MemoryStoreOptions{}))
	a, b := w.paid(t, "order-a"), w.paid(t, "order-b")
	rep, err := w.rec.ReconcileWindow(context.Background(), time.Now().Add(-time.Hour), time.Time{})
	require.NoError(t, err)
	var refs []string
	for _, e := range rep.Entries {
		refs = append(refs, e.Ref)
	}
	assert.ElementsMatch(t, []string{strconv.FormatInt(a.TransactionID, 10), strconv.FormatInt(b.TransactionID, 10)}, refs)
	assert.Equal(t, 2, rep.Count(paykit.FoundFulfilled))

	none, err := w.rec.ReconcileWindow(context.Background(), time.Now().Add(-2*time.Hour), time.Now().Add(-time.Hour))
	require.NoError(t, err)
	assert.Empty(t, none.Entries)
	assert.EqualValues(t, 2, w.events.Load())
}

func TestReconciler_RefusesWhatCouldFulfilTwice(t *testing.T) {
	c, err := xsolla.New(xsolla.Config{MerchantID: 2340, ProjectID: 18404, APIKey: "k", WebhookSecret: "s"})
	require.NoError(t, err)
	_, err = c.Reconciler(paykit.Hooks{}, xsolla.ReconcilerOptions{})
	assert.ErrorContains(t, err, "Store")
	noAPI, err := xsolla.New(xsolla.Config{ProjectID: 18404, WebhookSecret: "s"})
	require.NoError(t, err)
	_, err = noAPI.Reconciler(paykit.Hooks{Store: paykit.NewMemoryStore(paykit.MemoryStoreOptions{})}, xsolla.ReconcilerOptions{})
	assert.ErrorIs(t, err, paykit.ErrInvalidRequest)
	rec, err := c.Reconciler(paykit.Hooks{Store: paykit.NewMemoryStore(paykit.MemoryStoreOptions{})}, xsolla.ReconcilerOptions{})
	require.NoError(t, err)
	_, err = rec.Reconcile(context.Background(), "")
	assert.ErrorIs(t, err, paykit.ErrInvalidRequest)
}

func TestReconcile_LookupFailureFailsTheOrderWithoutTheKey(t *testing.T) {
	w := newLostWorld(t, paykit.NewMemoryStore(paykit.MemoryStoreOptions{}))
	cfg := w.emu.ClientConfig()
	cfg.APIKey = "wrong-api-key"
	c, err := xsolla.New(cfg)
	require.NoError(t, err)
	rec, err := c.Reconciler(paykit.Hooks{Store: paykit.NewMemoryStore(paykit.MemoryStoreOptions{})},
		xsolla.ReconcilerOptions{ReconcilerOptions: paykit.ReconcilerOptions{MinInterval: -1}})
	require.NoError(t, err)
	rep, err := rec.Reconcile(context.Background(), "order-1")
	require.NoError(t, err)
	e := rep.Entries[0]
	assert.Equal(t, paykit.FoundFailed, e.Found)
	var ae *paykit.APIError
	assert.ErrorAs(t, e.Err, &ae)
	assert.NotContains(t, e.Err.Error(), "wrong-api-key")
}

func TestLoop_ReconcilesUntilTheContextEnds(t *testing.T) {
	w := newLostWorld(t, paykit.NewMemoryStore(paykit.MemoryStoreOptions{}))
	w.paid(t, "order-1")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var rounds []paykit.Found
	pending := func(context.Context) ([]string, error) {
		if len(rounds) == 2 {
			return nil, errors.New("db down")
		}
		return []string{"order-1"}, nil
	}
	var errs []error
	err := w.rec.Loop(ctx, time.Millisecond, pending, func(r paykit.Reconciliation, err error) {
		if err != nil {
			errs = append(errs, err)
			cancel()
			return
		}
		rounds = append(rounds, r.Entries[0].Found)
	})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, []paykit.Found{paykit.FoundFulfilled, paykit.FoundAlreadyFulfilled}, rounds)
	require.Len(t, errs, 1)
	assert.EqualValues(t, 1, w.events.Load())
}
