package sqlstore_test

import (
	"context"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/sqlstore"
	"github.com/paykit-go/paykit/vkpay"
	"github.com/paykit-go/paykit/vkpay/vkpaytest"
	"github.com/paykit-go/paykit/xsolla"
	"github.com/paykit-go/paykit/xsolla/xsollatest"
)

// settledOnce checks the outcome of a race between reconciliations and
// late callbacks on one payment: every reconciliation found it fulfilled
// (now or already) or was told that another delivery holds it; after the
// race one more reconciliation finds it already fulfilled.
func settledOnce(t *testing.T, founds []paykit.Reconciled, final paykit.Reconciliation) {
	t.Helper()
	for _, e := range founds {
		switch e.Found {
		case paykit.FoundFulfilled, paykit.FoundAlreadyFulfilled:
		case paykit.FoundFailed:
			assert.ErrorIs(t, e.Err, paykit.ErrInProgress, "the only failure is another delivery holding the key")
		default:
			t.Errorf("found %s", e.Found)
		}
	}
	require.Len(t, final.Entries, 1)
	assert.Equal(t, paykit.FoundAlreadyFulfilled, final.Entries[0].Found)
}

// TestReconcileVK_FiftyConcurrentReconciliationsAndDeliveriesOnTwoReplicasFulfilOnce:
// a VK order whose notification was lost, then 25 reconciliations and 25
// late notifications at once, spread over two replicas that share a
// sqlstore: the order is credited once.
func TestReconcileVK_FiftyConcurrentReconciliationsAndDeliveriesOnTwoReplicasFulfilOnce(t *testing.T) {
	const appID, secret = 51234, "reconcile-secret"
	store, _, _ := newStore(t, sqlstore.Options{})
	vk, err := vkpaytest.NewServer(vkpaytest.Options{AppID: appID, Secret: secret, AccessToken: "tok", DropCallbacks: true})
	require.NoError(t, err)
	t.Cleanup(vk.Close)
	var events atomic.Int64
	replica := func() (*vkpay.Reconciler, string) {
		c, err := vkpay.New(vkpay.Config{AppID: appID, Secret: secret, AccessToken: "tok", APIBaseURL: vk.URL})
		require.NoError(t, err)
		hooks := paykit.Hooks{Store: store, Event: func(context.Context, paykit.Notification) error { events.Add(1); return nil },
			Item: func(context.Context, paykit.ItemRequest) (paykit.Item, error) {
				return paykit.Item{ID: "gold", Title: "Gold", Price: 7}, nil
			}}
		srv := httptest.NewServer(c.Handler(hooks))
		t.Cleanup(srv.Close)
		rec, err := c.Reconciler(hooks, vkpay.ReconcilerOptions{ReconcilerOptions: paykit.ReconcilerOptions{MinInterval: -1}})
		require.NoError(t, err)
		return rec, srv.URL
	}
	recA, urlA := replica()
	recB, _ := replica()
	require.NoError(t, vk.SetNotifyURL(urlA))
	ctx := context.Background()
	o, err := vk.Open(ctx, "gold", 1)
	require.NoError(t, err)
	_, err = vk.Pay(ctx, o.ID)
	require.NoError(t, err)
	require.NoError(t, vk.Wait(ctx))
	var lost vkpaytest.Delivery
	for _, d := range vk.Deliveries() {
		if d.OrderID == strconv.FormatInt(o.ID, 10) {
			lost = d
		}
	}
	require.Equal(t, "dropped", string(lost.Outcome))

	var mu sync.Mutex
	var founds []paykit.Reconciled
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 50 {
		wg.Go(func() {
			<-start
			if i%2 == 0 {
				rec := map[bool]*vkpay.Reconciler{true: recA, false: recB}[i%4 == 0]
				rep, err := rec.Reconcile(ctx, o.ID)
				assert.NoError(t, err)
				mu.Lock()
				founds = append(founds, rep.Entries...)
				mu.Unlock()
				return
			}
			_, err := vk.Resend(ctx, lost.ID) // VK retries: answered or "try later", never credited twice
			assert.NoError(t, err)
		})
	}
	close(start)
	wg.Wait()
	final, err := recB.Reconcile(ctx, o.ID)
	require.NoError(t, err)
	settledOnce(t, founds, final)
	assert.EqualValues(t, 1, events.Load())
}

// TestReconcileXsolla_FiftyConcurrentReconciliationsAndDeliveriesFulfilOnce
// is the same race for an Xsolla payment whose webhook was lost.
func TestReconcileXsolla_FiftyConcurrentReconciliationsAndDeliveriesFulfilOnce(t *testing.T) {
	store, _, _ := newStore(t, sqlstore.Options{})
	shop := httptest.NewUnstartedServer(nil)
	t.Cleanup(shop.Close)
	emu, err := xsollatest.NewServer(xsollatest.Options{MerchantID: 2340, ProjectID: 18404, APIKey: "api-key",
		WebhookSecret: "hook-secret", WebhookURL: "http://" + shop.Listener.Addr().String(), DropCallbacks: true})
	require.NoError(t, err)
	t.Cleanup(emu.Close)
	c, err := xsolla.New(emu.ClientConfig())
	require.NoError(t, err)
	var events atomic.Int64
	hooks := paykit.Hooks{Store: store, Event: func(context.Context, paykit.Notification) error { events.Add(1); return nil }}
	shop.Config.Handler = c.Handler(hooks)
	shop.Start()
	rec, err := c.Reconciler(hooks, xsolla.ReconcilerOptions{ReconcilerOptions: paykit.ReconcilerOptions{MinInterval: -1}})
	require.NoError(t, err)
	ctx := context.Background()
	tok, err := c.CreateToken(ctx, xsolla.TokenRequest{UserID: "p1", ExternalID: "order-1",
		Checkout: &paykit.Money{Amount: 499, Currency: "USD"}})
	require.NoError(t, err)
	_, err = emu.Pay(ctx, tok)
	require.NoError(t, err)
	require.NoError(t, emu.Wait(ctx))
	var lost xsollatest.Delivery
	for _, d := range emu.Deliveries() {
		if d.Event == xsolla.TypePayment {
			lost = d
		}
	}
	require.Equal(t, "dropped", string(lost.Outcome))

	var mu sync.Mutex
	var founds []paykit.Reconciled
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 50 {
		wg.Go(func() {
			<-start
			if i%2 == 0 {
				rep, err := rec.Reconcile(ctx, "order-1")
				assert.NoError(t, err)
				mu.Lock()
				founds = append(founds, rep.Entries...)
				mu.Unlock()
				return
			}
			d, err := emu.Resend(ctx, lost.ID)
			assert.NoError(t, err)
			assert.Contains(t, []int{204, 500}, d.Status, "acknowledged, or retry later while another holds it")
		})
	}
	close(start)
	wg.Wait()
	final, err := rec.Reconcile(ctx, "order-1")
	require.NoError(t, err)
	settledOnce(t, founds, final)
	assert.EqualValues(t, 1, events.Load())
}
