package playvision_test

import (
	"context"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/playvision"
	"github.com/paykit-go/paykit/playvision/playvisiontest"
)

// parsed verifies p signed with the test secret through c.
func parsed(t *testing.T, c *playvision.Client, p url.Values) paykit.Notification {
	t.Helper()
	n, err := c.ParseCallback(signer.NewRequest("/", p))
	require.NoError(t, err)
	return n
}

func TestIdempotencyKey_DifferentEventsNeverShareAKey(t *testing.T) {
	c := newClient(t)
	other := newClient(t, func(cfg *playvision.Config) { cfg.AppID = testAppID + 1 })
	at := time.Unix(1700000000, 0)
	order := playvisiontest.OrderStatusChange{UserID: 1, TransactionID: 77, Sum: 5, ItemID: "gold_100", Time: at}
	item := playvisiontest.GetItem{UserID: 1, Item: "gold_pack_100"}
	with := func(o playvisiontest.OrderStatusChange, f func(*playvisiontest.OrderStatusChange)) url.Values {
		f(&o)
		return o.Params()
	}
	type keyed struct {
		name string
		key  string
	}
	events := []keyed{
		{"live order 77", c.IdempotencyKey(parsed(t, c, order.Params()))},
		{"test order 77", c.IdempotencyKey(parsed(t, c, with(order, func(o *playvisiontest.OrderStatusChange) { o.Test = true })))},
		{"live order 78", c.IdempotencyKey(parsed(t, c, with(order, func(o *playvisiontest.OrderStatusChange) { o.TransactionID = 78 })))},
		{"live order 7 (prefix of 77)", c.IdempotencyKey(parsed(t, c, with(order, func(o *playvisiontest.OrderStatusChange) { o.TransactionID = 7 })))},
		{"live order 77 of another app", other.IdempotencyKey(parsed(t, other, order.Params()))},
		{"get_item", c.IdempotencyKey(parsed(t, c, item.Params()))},
		{"get_item_test", c.IdempotencyKey(parsed(t, c, playvisiontest.GetItem{UserID: 1, Item: "gold_pack_100", Test: true}.Params()))},
		{"get_item of another item", c.IdempotencyKey(parsed(t, c, playvisiontest.GetItem{UserID: 1, Item: "gold_pack_1000"}.Params()))},
		{"get_item of another user", c.IdempotencyKey(parsed(t, c, playvisiontest.GetItem{UserID: 2, Item: "gold_pack_100"}.Params()))},
	}
	seen := map[string]string{}
	for _, e := range events {
		require.NotEmpty(t, e.key, e.name)
		if prev, dup := seen[e.key]; dup {
			t.Errorf("%s and %s share the key %q", prev, e.name, e.key)
		}
		seen[e.key] = e.name
	}
}

func TestIdempotencyKey_ExactRepeatSharesTheKey(t *testing.T) {
	c := newClient(t)
	at := time.Unix(1700000000, 0)
	for _, p := range []url.Values{
		playvisiontest.OrderStatusChange{UserID: 1, TransactionID: 77, Sum: 5, Time: at}.Params(),
		playvisiontest.OrderStatusChange{UserID: 1, TransactionID: 77, Sum: 5, Time: at, Test: true}.Params(),
		playvisiontest.GetItem{UserID: 1, Item: "gold_pack_100"}.Params(),
	} {
		first := c.IdempotencyKey(parsed(t, c, p))
		assert.Equal(t, first, c.IdempotencyKey(parsed(t, c, p)), p.Get("notification_type"))
	}
	// A resend of one order with another time or an upper-case sig is the
	// same order.
	a := parsed(t, c, playvisiontest.OrderStatusChange{UserID: 1, TransactionID: 77, Sum: 5, Time: at}.Params())
	b := parsed(t, c, playvisiontest.OrderStatusChange{UserID: 1, TransactionID: 77, Sum: 5, Time: at.Add(time.Minute)}.Params())
	assert.Equal(t, c.IdempotencyKey(a), c.IdempotencyKey(b))
	g := signer.Form(playvisiontest.GetItem{UserID: 1, Item: "x"}.Params())
	gu := url.Values{}
	for k, v := range g {
		gu[k] = v
	}
	gu.Set("sig", strings.ToUpper(g.Get("sig")))
	n1, err := c.ParseValues(g)
	require.NoError(t, err)
	n2, err := c.ParseValues(gu)
	require.NoError(t, err)
	assert.Equal(t, c.IdempotencyKey(n1), c.IdempotencyKey(n2), "the hex case of sig does not make a new event")
}

func TestHandlerRefusesOrderWithoutTransactionIDAndKeysNothing(t *testing.T) {
	store := paykit.NewMemoryStore(paykit.MemoryStoreOptions{})
	var events atomic.Int32
	h := newClient(t).Handler(paykit.Hooks{Store: store, Event: func(context.Context, paykit.Notification) error {
		events.Add(1)
		return nil
	}})
	for name, mod := range map[string]func(url.Values){
		"absent": func(p url.Values) { p.Del("transaction_id") },
		"empty":  func(p url.Values) { p.Set("transaction_id", "") },
		"zero":   func(p url.Values) { p.Set("transaction_id", "0") },
	} {
		t.Run(name, func(t *testing.T) {
			p := playvisiontest.OrderStatusChange{UserID: 1, TransactionID: 5, Sum: 1}.Params()
			mod(p)
			_, err := newClient(t).ParseCallback(signer.NewRequest("/", p))
			require.ErrorIs(t, err, paykit.ErrMalformed)
			w := serve(h, signer.NewRequest("/", p))
			assert.Equal(t, playvision.FailureReply(playvision.MessageMalformed), w.Body.Bytes())
		})
	}
	assert.Zero(t, events.Load())
	assert.Zero(t, store.Len(), "nothing was keyed")
}
