package checkout_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/paysera/checkout"
	"github.com/paykit-go/paykit/paysera/checkout/checkouttest"
)

// lostWorld is Paysera (emulated, its webhooks dropped unless resent), a
// shop's webhook handler and a reconciler sharing one Store and one Event
// hook.
type lostWorld struct {
	emu    *checkouttest.Server
	client *checkout.Client
	shop   *httptest.Server
	rec    *checkout.Reconciler
	events atomic.Int64
}

func newLostWorld(t *testing.T, opts checkouttest.Options, cfg checkout.Config) *lostWorld {
	t.Helper()
	w := &lostWorld{}
	opts.ClientID, opts.ClientSecret, opts.DropCallbacks = "client-lost", "secret-lost", true
	emu, err := checkouttest.NewServer(opts)
	require.NoError(t, err)
	t.Cleanup(emu.Close)
	w.emu = emu
	cfg.ClientID, cfg.ClientSecret, cfg.BaseURL, cfg.RetryBaseDelay = "client-lost", "secret-lost", emu.URL, time.Millisecond
	w.client, err = checkout.New(cfg)
	require.NoError(t, err)
	hooks := paykit.Hooks{
		Event: func(_ context.Context, n paykit.Notification) error {
			if s := n.Summary(); s.Kind == paykit.KindPayment && s.Status == paykit.StatusPaid {
				w.events.Add(1)
			}
			return nil
		},
		Store: paykit.NewMemoryStore(paykit.MemoryStoreOptions{}),
	}
	w.shop = httptest.NewServer(w.client.Handler(hooks))
	t.Cleanup(w.shop.Close)
	w.rec, err = w.client.Reconciler(hooks, checkout.ReconcilerOptions{
		ReconcilerOptions: paykit.ReconcilerOptions{MinInterval: -1}})
	require.NoError(t, err)
	return w
}

// open creates an order and its link at Paysera, as the shop's checkout
// does, and returns the emulated order.
func (w *lostWorld) open(t *testing.T, ref string, amount int64) checkouttest.Order {
	t.Helper()
	_, err := w.client.BuildPaymentURL(context.Background(), checkout.PaymentRequest{Order: checkout.OrderRequest{
		Reference: ref, Amount: paykit.Money{Amount: amount, Currency: "EUR"}, CallbackURL: w.shop.URL + "/wh"}})
	require.NoError(t, err)
	for _, o := range w.emu.Orders() {
		if o.Reference == ref {
			return o
		}
	}
	t.Fatalf("no order %s", ref)
	return checkouttest.Order{}
}

// paid opens an order and pays it; its webhooks are dropped.
func (w *lostWorld) paid(t *testing.T, ref string) checkouttest.Order {
	t.Helper()
	o := w.open(t, ref, 2500)
	_, err := w.emu.Pay(context.Background(), o.Links[0], "")
	require.NoError(t, err)
	require.NoError(t, w.emu.Wait(context.Background()))
	o, _ = w.emu.Order(o.ID)
	return o
}

// lastSnapshot is the order's last order snapshot webhook, dropped.
func (w *lostWorld) lastSnapshot(t *testing.T, o checkouttest.Order) checkouttest.Delivery {
	t.Helper()
	var last checkouttest.Delivery
	for _, d := range w.emu.Deliveries() {
		if d.OrderID == o.ID && d.Event == "order/amount_paid_updated" {
			last = d
		}
	}
	require.NotEmpty(t, last.ID, "an order snapshot of %s", o.ID)
	return last
}

func TestReconcile_LostWebhookFulfilsOnceAndTheLateOneIsAnsweredFromTheStore(t *testing.T) {
	w := newLostWorld(t, checkouttest.Options{}, checkout.Config{})
	ctx := context.Background()
	o := w.paid(t, "ORDER-LOST")
	require.Zero(t, w.events.Load(), "the webhooks were lost")

	rep, err := w.rec.Reconcile(ctx, o.ID)
	require.NoError(t, err)
	require.Len(t, rep.Entries, 1)
	e := rep.Entries[0]
	assert.Equal(t, paykit.FoundFulfilled, e.Found)
	assert.Equal(t, o.ID, e.Ref)
	assert.Equal(t, paykit.Summary{Provider: paykit.PayseraCheckout, Type: "order/amount_paid_updated",
		Kind: paykit.KindPayment, Status: paykit.StatusPaid, ID: o.ID, OrderID: "ORDER-LOST",
		Amount: paykit.Money{Amount: 2500, Currency: "EUR"}}, e.Summary)
	require.IsType(t, &checkout.OrderEvent{}, e.Notification)
	assert.Equal(t, w.client.Account(), e.Notification.(*checkout.OrderEvent).Account)
	assert.Equal(t, paykit.PayseraCheckout, rep.Provider)
	assert.EqualValues(t, 1, w.events.Load())

	late, err := w.emu.Resend(ctx, w.lastSnapshot(t, o).ID)
	require.NoError(t, err)
	assert.True(t, late.OK(), "%+v", late)
	assert.EqualValues(t, 1, w.events.Load(), "the late webhook is answered from the Store")

	again, err := w.rec.Reconcile(ctx, o.ID)
	require.NoError(t, err)
	assert.Equal(t, paykit.FoundAlreadyFulfilled, again.Entries[0].Found)
	assert.EqualValues(t, 1, w.events.Load())
}

// The reconciled event has the key of the very webhook Paysera sent for
// the same state, computed by the client from the signed body.
func TestReconcile_DeliversTheWebhooksKey(t *testing.T) {
	for name, tc := range map[string]struct {
		opts checkouttest.Options
		cfg  checkout.Config
	}{
		"live project":                  {},
		"test project, TestMode set":    {checkouttest.Options{Test: true}, checkout.Config{TestMode: true}},
		"project id configured":         {checkouttest.Options{ProjectID: "01990618-2c90-7103-9169-752bdaac7a52"}, checkout.Config{ProjectID: "01990618-2c90-7103-9169-752bdaac7a52"}},
		"webhooks of the v3 generation": {checkouttest.Options{Generation: checkouttest.V3}, checkout.Config{}},
	} {
		t.Run(name, func(t *testing.T) {
			w := newLostWorld(t, tc.opts, tc.cfg)
			o := w.paid(t, "ORDER-KEY")
			rep, err := w.rec.Reconcile(context.Background(), o.ID)
			require.NoError(t, err)
			require.Equal(t, paykit.FoundFulfilled, rep.Entries[0].Found, "%v", rep.Entries[0].Err)
			d := w.lastSnapshot(t, o)
			header := checkouttest.Signer{Secret: "secret-lost", Generation: tc.opts.Generation}.Header([]byte(d.Request))
			n, err := w.client.ParseBody([]byte(d.Request), header)
			require.NoError(t, err)
			assert.Equal(t, w.client.IdempotencyKey(n), w.client.IdempotencyKey(rep.Entries[0].Notification))
			assert.Equal(t, n.Summary().Test, rep.Entries[0].Summary.Test)
		})
	}
}

func TestReconcile_WebhookFirstThenReconciliationIsAlreadyFulfilled(t *testing.T) {
	w := newLostWorld(t, checkouttest.Options{}, checkout.Config{})
	o := w.paid(t, "ORDER-FIRST")
	d, err := w.emu.Resend(context.Background(), w.lastSnapshot(t, o).ID)
	require.NoError(t, err)
	require.True(t, d.OK())
	require.EqualValues(t, 1, w.events.Load())

	rep, err := w.rec.Reconcile(context.Background(), o.ID)
	require.NoError(t, err)
	assert.Equal(t, paykit.FoundAlreadyFulfilled, rep.Entries[0].Found)
	assert.EqualValues(t, 1, w.events.Load(), "Event is not called again")
}

func TestReconcile_ConcurrentReconciliationsAndWebhooksFulfilOnce(t *testing.T) {
	w := newLostWorld(t, checkouttest.Options{}, checkout.Config{})
	o := w.paid(t, "ORDER-RACE")
	last := w.lastSnapshot(t, o)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 40 {
		wg.Go(func() {
			<-start
			if i%2 == 0 {
				rep, err := w.rec.Reconcile(context.Background(), o.ID)
				assert.NoError(t, err)
				assert.Contains(t, []paykit.Found{paykit.FoundFulfilled, paykit.FoundAlreadyFulfilled}, rep.Entries[0].Found)
			} else {
				d, err := w.emu.Resend(context.Background(), last.ID)
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
	w := newLostWorld(t, checkouttest.Options{}, checkout.Config{})
	ctx := context.Background()
	paid := w.paid(t, "ORDER-PAID")
	open := w.open(t, "ORDER-OPEN", 700)
	part := w.open(t, "ORDER-PART", 3000)
	link, err := w.client.CreatePaymentLink(ctx, checkout.LinkRequest{OrderID: part.ID, Name: "half",
		Amount: 1500, Language: "en"})
	require.NoError(t, err)
	_, err = w.emu.Pay(ctx, link.ID, "")
	require.NoError(t, err)
	pending := w.open(t, "ORDER-PEND", 900)
	_, err = w.emu.Pend(ctx, pending.Links[0], "")
	require.NoError(t, err)
	refunded := w.paid(t, "ORDER-REFUNDED")
	l, _ := w.emu.Link(refunded.Links[0])
	_, err = w.emu.Refund(ctx, l.Payments[0], 0)
	require.NoError(t, err)
	require.NoError(t, w.emu.Wait(ctx))
	unknown := "019ed06f-0000-7000-8000-00000000beef"

	rep, err := w.rec.Reconcile(ctx, paid.ID, open.ID, part.ID, unknown, pending.ID, refunded.ID)
	require.NoError(t, err)
	var found []paykit.Found
	var refs []string
	for _, e := range rep.Entries {
		found = append(found, e.Found)
		refs = append(refs, e.Ref)
		assert.NoError(t, e.Err)
	}
	assert.Equal(t, []string{paid.ID, open.ID, part.ID, unknown, pending.ID, refunded.ID}, refs, "entries in the order given")
	assert.Equal(t, []paykit.Found{paykit.FoundFulfilled, paykit.FoundPending, paykit.FoundPending,
		paykit.FoundUnknown, paykit.FoundPending, paykit.FoundFulfilled}, found)
	assert.Equal(t, paykit.Summary{Provider: paykit.PayseraCheckout, Type: "order/amount_paid_updated",
		Kind: paykit.KindPayment, Status: paykit.StatusPending, ID: open.ID, OrderID: "ORDER-OPEN",
		Amount: paykit.Money{Amount: 700, Currency: "EUR"}}, rep.Entries[1].Summary)
	assert.Equal(t, paykit.StatusPending, rep.Entries[2].Summary.Status, "part paid is pending")
	assert.Nil(t, rep.Entries[1].Notification)
	assert.Equal(t, paykit.Summary{}, rep.Entries[3].Summary)
	assert.Equal(t, 2, rep.Count(paykit.FoundFulfilled))
	assert.EqualValues(t, 2, w.events.Load())
}

func TestReconciler_RefusesWhatCouldFulfilTwice(t *testing.T) {
	c, err := checkout.New(checkout.Config{ClientID: "id", ClientSecret: "s"})
	require.NoError(t, err)
	_, err = c.Reconciler(paykit.Hooks{}, checkout.ReconcilerOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Store")

	rec, err := c.Reconciler(paykit.Hooks{Store: paykit.NewMemoryStore(paykit.MemoryStoreOptions{})}, checkout.ReconcilerOptions{})
	require.NoError(t, err)
	_, err = rec.Reconcile(context.Background(), "019ed03a-84f0-7ba0-874a-f7473738875b", "")
	var fe *paykit.FieldError
	assert.ErrorAs(t, err, &fe)
}

func TestReconcile_LookupFailureFailsEachOrderWithoutTheSecret(t *testing.T) {
	emu, err := checkouttest.NewServer(checkouttest.Options{ClientID: "client-id-long", ClientSecret: "right-secret"})
	require.NoError(t, err)
	t.Cleanup(emu.Close)
	for name, cfg := range map[string]checkout.Config{
		"wrong secret":   {ClientID: "client-id-long", ClientSecret: "wrong-secret-value", BaseURL: emu.URL},
		"wrong base URL": {ClientID: "client-id-long", ClientSecret: "right-secret", BaseURL: emu.URL + "/nowhere", MaxRetries: -1},
	} {
		t.Run(name, func(t *testing.T) {
			c, err := checkout.New(cfg)
			require.NoError(t, err)
			rec, err := c.Reconciler(paykit.Hooks{Store: paykit.NewMemoryStore(paykit.MemoryStoreOptions{})},
				checkout.ReconcilerOptions{ReconcilerOptions: paykit.ReconcilerOptions{MinInterval: -1}})
			require.NoError(t, err)
			rep, err := rec.Reconcile(context.Background(), "019ed06f-0000-7000-8000-000000000001", "019ed06f-0000-7000-8000-000000000002")
			require.NoError(t, err)
			require.Len(t, rep.Entries, 2)
			for _, e := range rep.Entries {
				assert.Equal(t, paykit.FoundFailed, e.Found)
				var ae *paykit.APIError
				require.ErrorAs(t, e.Err, &ae)
				for _, s := range []string{"wrong-secret-value", "right-secret", "client-id-long"} {
					assert.NotContains(t, e.Err.Error(), s)
					assert.NotContains(t, string(ae.Body), s)
				}
			}
		})
	}
}

// An Accounts handler and one reconciler per project share the Store:
// the keys of both name the project.
func TestReconcile_BesideAnAccountsHandler(t *testing.T) {
	ctx := context.Background()
	projects := []string{"01990618-2c90-7103-9169-752bdaac7a52", "01990618-2c90-7103-9169-752bdaac7b99"}
	var events atomic.Int64
	hooks := paykit.Hooks{Store: paykit.NewMemoryStore(paykit.MemoryStoreOptions{}),
		Event: func(_ context.Context, n paykit.Notification) error {
			if n.Summary().Status == paykit.StatusPaid && n.Summary().Kind == paykit.KindPayment {
				events.Add(1)
			}
			return nil
		}}
	var clients []*checkout.Client
	var emus []*checkouttest.Server
	for _, p := range projects {
		secret := "secret-of-" + p[len(p)-4:]
		emu, err := checkouttest.NewServer(checkouttest.Options{ClientID: "client" + p[len(p)-4:], ClientSecret: secret,
			ProjectID: p, DropCallbacks: true})
		require.NoError(t, err)
		t.Cleanup(emu.Close)
		c, err := checkout.New(checkout.Config{ClientID: "client" + p[len(p)-4:], ClientSecret: secret,
			ProjectID: p, BaseURL: emu.URL})
		require.NoError(t, err)
		clients, emus = append(clients, c), append(emus, emu)
	}
	accounts, err := checkout.NewAccounts(clients...)
	require.NoError(t, err)
	shop := httptest.NewServer(accounts.Handler(hooks))
	t.Cleanup(shop.Close)
	var lastSnapshots []checkouttest.Delivery
	for i, c := range clients {
		_, err := c.BuildPaymentURL(ctx, checkout.PaymentRequest{Order: checkout.OrderRequest{Reference: "SAME-REF",
			Amount: paykit.Money{Amount: 100, Currency: "EUR"}, CallbackURL: shop.URL}})
		require.NoError(t, err)
		o := emus[i].Orders()[0]
		_, err = emus[i].Pay(ctx, o.Links[0], "")
		require.NoError(t, err)
		require.NoError(t, emus[i].Wait(ctx))
		rec, err := c.Reconciler(hooks, checkout.ReconcilerOptions{ReconcilerOptions: paykit.ReconcilerOptions{MinInterval: -1}})
		require.NoError(t, err)
		rep, err := rec.Reconcile(ctx, o.ID)
		require.NoError(t, err)
		require.Equal(t, paykit.FoundFulfilled, rep.Entries[0].Found)
		ds := emus[i].Deliveries()
		lastSnapshots = append(lastSnapshots, ds[len(ds)-1])
	}
	for i, d := range lastSnapshots {
		require.True(t, strings.HasPrefix(d.Event, "order/"), d.Event)
		late, err := emus[i].Resend(ctx, d.ID)
		require.NoError(t, err)
		assert.True(t, late.OK(), "%+v", late)
	}
	assert.EqualValues(t, 2, events.Load(), "once per project, late webhooks answered from the Store")
}

func TestLoop_ReconcilesUntilTheContextEnds(t *testing.T) {
	w := newLostWorld(t, checkouttest.Options{}, checkout.Config{})
	o := w.paid(t, "ORDER-LOOP")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var rounds []paykit.Found
	calls := 0
	pending := func(context.Context) ([]string, error) {
		calls++
		switch {
		case calls == 2:
			return nil, nil // nothing pending: no call, no report
		case len(rounds) == 2:
			return nil, errors.New("db down")
		}
		return []string{o.ID}, nil
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
	assert.Error(t, w.rec.Loop(context.Background(), 0, pending, nil), "an interval of 0")
}

// A fulfilment that fails is reported failed and not remembered: the next
// round runs Event again and fulfils the order.
func TestReconcile_FailedFulfilmentIsTriedAgain(t *testing.T) {
	ctx := context.Background()
	emu, err := checkouttest.NewServer(checkouttest.Options{ClientID: "client-f", ClientSecret: "secret-f", DropCallbacks: true})
	require.NoError(t, err)
	t.Cleanup(emu.Close)
	c, err := checkout.New(checkout.Config{ClientID: "client-f", ClientSecret: "secret-f", BaseURL: emu.URL})
	require.NoError(t, err)
	var calls atomic.Int64
	hooks := paykit.Hooks{Store: paykit.NewMemoryStore(paykit.MemoryStoreOptions{}),
		Event: func(context.Context, paykit.Notification) error {
			if calls.Add(1) == 1 {
				return paykit.Temporary(errors.New("warehouse busy"))
			}
			return nil
		}}
	rec, err := c.Reconciler(hooks, checkout.ReconcilerOptions{ReconcilerOptions: paykit.ReconcilerOptions{MinInterval: -1}})
	require.NoError(t, err)
	req := checkout.OrderRequest{Reference: "ORDER-F", Amount: paykit.Money{Amount: 100, Currency: "EUR"}, CallbackURL: "https://shop.example/wh"}
	o, err := c.CreateOrder(ctx, req)
	require.NoError(t, err)
	_, err = c.BuildPaymentURL(ctx, checkout.PaymentRequest{Order: req, OrderID: o.ID})
	require.NoError(t, err)
	e, _ := emu.Order(o.ID)
	_, err = emu.Pay(ctx, e.Links[0], "")
	require.NoError(t, err)

	first, err := rec.Reconcile(ctx, o.ID)
	require.NoError(t, err)
	assert.Equal(t, paykit.FoundFailed, first.Entries[0].Found)
	assert.ErrorContains(t, first.Entries[0].Err, "warehouse busy")
	second, err := rec.Reconcile(ctx, o.ID)
	require.NoError(t, err)
	assert.Equal(t, paykit.FoundFulfilled, second.Entries[0].Found)
	assert.EqualValues(t, 2, calls.Load())
}
