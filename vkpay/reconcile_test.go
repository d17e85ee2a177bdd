package vkpay_test

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
	"github.com/paykit-go/paykit/vkpay"
	"github.com/paykit-go/paykit/vkpay/vkpaytest"
)

// lostWorld is VK (emulated, its notifications dropped unless resent), a
// shop handler and a reconciler sharing one Store and one Event hook.
type lostWorld struct {
	vk     *vkpaytest.Server
	client *vkpay.Client
	rec    *vkpay.Reconciler
	events atomic.Int64
}

func newLostWorld(t *testing.T, store paykit.Store) *lostWorld {
	t.Helper()
	w := &lostWorld{}
	vk, err := vkpaytest.NewServer(vkpaytest.Options{AppID: testAppID, Secret: testSecret,
		AccessToken: "service-token", DropCallbacks: true})
	require.NoError(t, err)
	t.Cleanup(vk.Close)
	w.vk = vk
	w.client, err = vkpay.New(vkpay.Config{AppID: testAppID, Secret: testSecret,
		AccessToken: "service-token", APIBaseURL: vk.URL})
	require.NoError(t, err)
	hooks := paykit.Hooks{
		Item: func(context.Context, paykit.ItemRequest) (paykit.Item, error) {
			return paykit.Item{ID: "gold", Title: "Gold", Price: 7}, nil
		},
		Event: func(context.Context, paykit.Notification) error { w.events.Add(1); return nil },
		Store: store,
	}
	opts := vkpay.HandlerOptions{OrderReply: func(_ context.Context, n *vkpay.OrderStatusChange) (vkpay.OrderReply, error) {
		return vkpay.OrderReply{AppOrderID: n.OrderID + 1000}, nil
	}}
	shop := httptest.NewServer(w.client.HandlerWith(hooks, opts))
	t.Cleanup(shop.Close)
	require.NoError(t, vk.SetNotifyURL(shop.URL))
	w.rec, err = w.client.Reconciler(hooks, vkpay.ReconcilerOptions{Handler: opts,
		ReconcilerOptions: paykit.ReconcilerOptions{MinInterval: -1}})
	require.NoError(t, err)
	return w
}

// paid opens and pays an order at VK; its notification is dropped.
func (w *lostWorld) paid(t *testing.T) int64 {
	t.Helper()
	o, err := w.vk.Open(context.Background(), "gold", 1)
	require.NoError(t, err)
	_, err = w.vk.Pay(context.Background(), o.ID)
	require.NoError(t, err)
	require.NoError(t, w.vk.Wait(context.Background()))
	return o.ID
}

// resendLast sends the order's last dropped status change again, as VK's
// late retry, and returns what the shop answered.
func (w *lostWorld) resendLast(t *testing.T, id int64) vkpaytest.Delivery {
	t.Helper()
	var last vkpaytest.Delivery
	for _, d := range w.vk.Deliveries() {
		if d.OrderID == strconv.FormatInt(id, 10) {
			last = d
		}
	}
	require.NotEmpty(t, last.ID, "a status change of order %d", id)
	d, err := w.vk.Resend(context.Background(), last.ID)
	require.NoError(t, err)
	return d
}

func TestReconcile_LostNotificationFulfilsOnceAndTheLateOneIsAnsweredFromTheStore(t *testing.T) {
	w := newLostWorld(t, paykit.NewMemoryStore(paykit.MemoryStoreOptions{}))
	id := w.paid(t)
	require.Zero(t, w.events.Load(), "the notification was lost")

	rep, err := w.rec.Reconcile(context.Background(), id)
	require.NoError(t, err)
	require.Len(t, rep.Entries, 1)
	e := rep.Entries[0]
	assert.Equal(t, paykit.FoundFulfilled, e.Found)
	assert.Equal(t, strconv.FormatInt(id, 10), e.Ref)
	assert.Equal(t, paykit.StatusPaid, e.Summary.Status)
	assert.EqualValues(t, 7, e.Summary.Amount.Amount)
	assert.IsType(t, &vkpay.OrderStatusChange{}, e.Notification)
	assert.Equal(t, paykit.VKPay, rep.Provider)
	assert.EqualValues(t, 1, w.events.Load())

	d := w.resendLast(t, id)
	assert.True(t, d.OK(), "%+v", d)
	assert.JSONEq(t, `{"response":{"order_id":`+strconv.FormatInt(id, 10)+`,"app_order_id":`+strconv.FormatInt(id+1000, 10)+`}}`, d.Reply,
		"the late notification gets the reply stored by reconciliation")
	assert.EqualValues(t, 1, w.events.Load(), "Event is not called again")

	again, err := w.rec.Reconcile(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, paykit.FoundAlreadyFulfilled, again.Entries[0].Found)
	assert.EqualValues(t, 1, w.events.Load())
}

func TestReconcile_NotificationFirstThenReconciliationIsAlreadyFulfilled(t *testing.T) {
	w := newLostWorld(t, paykit.NewMemoryStore(paykit.MemoryStoreOptions{}))
	id := w.paid(t)
	require.True(t, w.resendLast(t, id).OK())
	require.EqualValues(t, 1, w.events.Load())

	rep, err := w.rec.Reconcile(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, paykit.FoundAlreadyFulfilled, rep.Entries[0].Found)
	assert.EqualValues(t, 1, w.events.Load(), "Event is not called again")
}

func TestReconcile_FiftyConcurrentReconciliationsAndDeliveriesFulfilOnce(t *testing.T) {
	w := newLostWorld(t, paykit.NewMemoryStore(paykit.MemoryStoreOptions{}))
	id := w.paid(t)
	var last vkpaytest.Delivery
	for _, d := range w.vk.Deliveries() {
		last = d
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 50 {
		wg.Go(func() {
			<-start
			if i%2 == 0 {
				rep, err := w.rec.Reconcile(context.Background(), id)
				assert.NoError(t, err)
				assert.Contains(t, []paykit.Found{paykit.FoundFulfilled, paykit.FoundAlreadyFulfilled}, rep.Entries[0].Found)
			} else {
				d, err := w.vk.Resend(context.Background(), last.ID)
				assert.NoError(t, err)
				assert.True(t, d.OK(), "%+v", d)
			}
		})
	}
	close(start)
	wg.Wait()
	assert.EqualValues(t, 1, w.events.Load())
}

func TestReconcile_ReportsEachOrderState(t *testing.T) {
	w := newLostWorld(t, paykit.NewMemoryStore(paykit.MemoryStoreOptions{}))
	ctx := context.Background()
	paid := w.paid(t)
	open, err := w.vk.Open(ctx, "gold", 1)
	require.NoError(t, err)
	refunded := w.paid(t)
	_, err = w.vk.Refund(ctx, refunded)
	require.NoError(t, err)
	require.NoError(t, w.vk.Wait(ctx))

	rep, err := w.rec.Reconcile(ctx, paid, open.ID, 999999, refunded)
	require.NoError(t, err)
	got := map[string]paykit.Found{}
	for _, e := range rep.Entries {
		got[e.Ref] = e.Found
		assert.NoError(t, e.Err)
	}
	assert.Equal(t, map[string]paykit.Found{
		strconv.FormatInt(paid, 10):     paykit.FoundFulfilled,
		strconv.FormatInt(open.ID, 10):  paykit.FoundPending,
		"999999":                        paykit.FoundUnknown,
		strconv.FormatInt(refunded, 10): paykit.FoundFulfilled,
	}, got)
	assert.Equal(t, []string{strconv.FormatInt(paid, 10), strconv.FormatInt(open.ID, 10), "999999", strconv.FormatInt(refunded, 10)},
		refs(rep), "entries in the order given")
	assert.Equal(t, paykit.StatusPending, rep.Entries[1].Summary.Status)
	assert.Equal(t, paykit.StatusRefunded, rep.Entries[3].Summary.Status)
	assert.Equal(t, 2, rep.Count(paykit.FoundFulfilled))
	assert.EqualValues(t, 2, w.events.Load(), "the payment and the refund")
}

func refs(r paykit.Reconciliation) []string {
	var out []string
	for _, e := range r.Entries {
		out = append(out, e.Ref)
	}
	return out
}

func TestReconcileWindow_FindsTheOrdersOfTheWindow(t *testing.T) {
	w := newLostWorld(t, paykit.NewMemoryStore(paykit.MemoryStoreOptions{}))
	a, b := w.paid(t), w.paid(t)
	rep, err := w.rec.ReconcileWindow(context.Background(), time.Now().Add(-time.Hour), time.Time{})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{strconv.FormatInt(a, 10), strconv.FormatInt(b, 10)}, refs(rep))
	assert.Equal(t, 2, rep.Count(paykit.FoundFulfilled))

	none, err := w.rec.ReconcileWindow(context.Background(), time.Now().Add(time.Hour), time.Time{})
	require.NoError(t, err)
	assert.Empty(t, none.Entries, "orders before the window are left out")
	assert.EqualValues(t, 2, w.events.Load())
}

func TestReconciler_RefusesWhatCouldFulfilTwice(t *testing.T) {
	c, err := vkpay.New(vkpay.Config{AppID: testAppID, Secret: testSecret, AccessToken: "service-token"})
	require.NoError(t, err)
	_, err = c.Reconciler(paykit.Hooks{}, vkpay.ReconcilerOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Store")
	_, err = newClient(t).Reconciler(paykit.Hooks{Store: paykit.NewMemoryStore(paykit.MemoryStoreOptions{})}, vkpay.ReconcilerOptions{})
	assert.ErrorContains(t, err, "AccessToken")

	w := newLostWorld(t, paykit.NewMemoryStore(paykit.MemoryStoreOptions{}))
	_, err = w.rec.Reconcile(context.Background(), 0)
	var fe *paykit.FieldError
	assert.ErrorAs(t, err, &fe)
}

func TestReconcile_LookupFailureFailsEachOrderWithoutTheToken(t *testing.T) {
	vk, err := vkpaytest.NewServer(vkpaytest.Options{AppID: testAppID, Secret: testSecret, AccessToken: "right-token"})
	require.NoError(t, err)
	t.Cleanup(vk.Close)
	c, err := vkpay.New(vkpay.Config{AppID: testAppID, Secret: testSecret, AccessToken: "wrong-token", APIBaseURL: vk.URL})
	require.NoError(t, err)
	rec, err := c.Reconciler(paykit.Hooks{Store: paykit.NewMemoryStore(paykit.MemoryStoreOptions{})},
		vkpay.ReconcilerOptions{ReconcilerOptions: paykit.ReconcilerOptions{MinInterval: -1}})
	require.NoError(t, err)
	rep, err := rec.Reconcile(context.Background(), 1, 2)
	require.NoError(t, err)
	require.Len(t, rep.Entries, 2)
	for _, e := range rep.Entries {
		assert.Equal(t, paykit.FoundFailed, e.Found)
		var ae *paykit.APIError
		assert.ErrorAs(t, e.Err, &ae)
		assert.NotContains(t, e.Err.Error(), "wrong-token")
	}
}

func TestLoop_ReconcilesUntilTheContextEnds(t *testing.T) {
	w := newLostWorld(t, paykit.NewMemoryStore(paykit.MemoryStoreOptions{}))
	id := w.paid(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var rounds []paykit.Found
	pending := func(context.Context) ([]int64, error) {
		if len(rounds) == 2 {
			return nil, errors.New("db down")
		}
		return []int64{id}, nil
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
	assert.EqualError(t, errs[0], "db down")
	assert.EqualValues(t, 1, w.events.Load())
}
