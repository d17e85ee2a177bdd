package playvision_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/playvision"
	"github.com/paykit-go/paykit/playvision/playvisiontest"
)

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func itemHook(_ context.Context, req paykit.ItemRequest) (paykit.Item, error) {
	if req.Item != "gold_pack_100" {
		return paykit.Item{}, paykit.ErrUnknownItem
	}
	return paykit.Item{ID: "gold_100", Title: "100 gold", Price: 5, PhotoURL: "https://shop.example/gold.png"}, nil
}

func TestHandlerAnswersGetItemWithStrings(t *testing.T) {
	var got paykit.ItemRequest
	h := newClient(t).Handler(paykit.Hooks{Item: func(ctx context.Context, req paykit.ItemRequest) (paykit.Item, error) {
		got = req
		return itemHook(ctx, req)
	}})
	w := serve(h, signer.NewRequest("/pv", playvisiontest.GetItem{AppID: testAppID, UserID: 131, Item: "gold_pack_100", Test: true}.Params()))

	assert.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "application/json; charset=utf-8", w.Header().Get("Content-Type"))
	assert.JSONEq(t, `{"item_id":"gold_100","item_title":"100 gold","item_price":"5","item_photo_url":"https://shop.example/gold.png"}`, w.Body.String())
	assert.Equal(t, paykit.Playvision, got.Provider)
	assert.Equal(t, "gold_pack_100", got.Item)
	assert.Equal(t, "131", got.UserID)
	assert.True(t, got.Test)
	assert.IsType(t, &playvision.GetItem{}, got.Notification)
}

func TestHandlerOmitsEmptyPhoto(t *testing.T) {
	h := newClient(t).Handler(paykit.Hooks{Item: func(context.Context, paykit.ItemRequest) (paykit.Item, error) {
		return paykit.Item{ID: "a", Title: "b", Price: 1}, nil
	}})
	w := serve(h, signer.NewRequest("/pv", playvisiontest.GetItem{UserID: 1, Item: "x"}.Params()))
	assert.Equal(t, `{"item_id":"a","item_title":"b","item_price":"1"}`, w.Body.String())
}

func TestHandlerRefusals(t *testing.T) {
	getItem := playvisiontest.GetItem{AppID: testAppID, UserID: 1, Item: "gold_pack_100"}.Params()
	order := playvisiontest.OrderStatusChange{UserID: 1, TransactionID: 77, Sum: 5, ItemID: "gold_100"}.Params()
	fail := func(err error) paykit.Hooks {
		return paykit.Hooks{
			Item:  func(context.Context, paykit.ItemRequest) (paykit.Item, error) { return paykit.Item{}, err },
			Event: func(context.Context, paykit.Notification) error { return err },
		}
	}
	tests := []struct {
		name  string
		hooks paykit.Hooks
		req   *http.Request
		msg   string
	}{
		{"bad sig", fail(nil), postForm(url.Values{"notification_type": {"get_item"}, "sig": {"00"}}.Encode()), playvision.MessageInvalidSignature},
		{"missing sig", fail(nil), postForm(getItem.Encode()), playvision.MessageMissingSignature},
		{"duplicate key", fail(nil), postForm(signer.Body(getItem) + "&item=x"), playvision.MessageMalformed},
		{"other app", fail(nil), signer.NewRequest("/", playvisiontest.GetItem{AppID: 1, UserID: 1, Item: "x"}.Params()), playvision.MessageWrongApp},
		{"unknown type", fail(nil), signer.NewRequest("/", url.Values{"notification_type": {"get_subscription"}}), playvision.MessageUnknownType},
		{"unknown item", paykit.Hooks{Item: itemHook}, signer.NewRequest("/", playvisiontest.GetItem{UserID: 1, Item: "nope"}.Params()), playvision.MessageUnknownItem},
		{"unknown user", fail(paykit.ErrUnknownUser), signer.NewRequest("/", getItem), playvision.MessageUnknownUser},
		{"item hook error", fail(errors.New("db down: password=hunter2")), signer.NewRequest("/", getItem), playvision.MessageFailed},
		{"item hook temporary", fail(paykit.Temporary(errors.New("x"))), signer.NewRequest("/", getItem), playvision.MessageTemporary},
		{"invalid item from hook", paykit.Hooks{Item: func(context.Context, paykit.ItemRequest) (paykit.Item, error) {
			return paykit.Item{ID: "a", Title: "b"}, nil
		}}, signer.NewRequest("/", getItem), playvision.MessageFailed},
		{"nil item hook refuses every item", paykit.Hooks{}, signer.NewRequest("/", getItem), playvision.MessageUnknownItem},
		{"nil event hook", paykit.Hooks{}, signer.NewRequest("/", order), playvision.MessageTemporary},
		{"event error", fail(errors.New("boom")), signer.NewRequest("/", order), playvision.MessageFailed},
		{"event temporary", fail(paykit.Temporary(errors.New("boom"))), signer.NewRequest("/", order), playvision.MessageTemporary},
		{"event deadline", fail(context.DeadlineExceeded), signer.NewRequest("/", order), playvision.MessageTemporary},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(newClient(t).Handler(tt.hooks), tt.req)
			assert.Equal(t, http.StatusOK, w.Code)
			assert.Equal(t, "application/json; charset=utf-8", w.Header().Get("Content-Type"))
			assert.JSONEq(t, `{"status":"-1","message":"`+tt.msg+`"}`, w.Body.String())
			assert.NotContains(t, w.Body.String(), "hunter2")
		})
	}
}

func TestHandlerFulfilsOrderOnceAndReplaysBytes(t *testing.T) {
	var events atomic.Int32
	h := newClient(t).Handler(paykit.Hooks{Event: func(_ context.Context, n paykit.Notification) error {
		events.Add(1)
		o := n.(*playvision.OrderStatusChange)
		assert.Equal(t, int64(77), o.TransactionID)
		return nil
	}})
	body := signer.Body(playvisiontest.OrderStatusChange{UserID: 1, TransactionID: 77, Sum: 5, ItemID: "gold_100"}.Params())

	first := serve(h, postForm(body))
	second := serve(h, postForm(body))
	assert.Equal(t, `{"status":"1","message":"success"}`, first.Body.String())
	assert.Equal(t, first.Body.Bytes(), second.Body.Bytes())
	assert.Equal(t, http.StatusOK, second.Code)
	assert.EqualValues(t, 1, events.Load())
	assert.Equal(t, playvision.SuccessReply(), first.Body.Bytes())
}

func TestHandlerKeysByModeAndTransaction(t *testing.T) {
	var events atomic.Int32
	h := newClient(t).Handler(paykit.Hooks{Event: func(context.Context, paykit.Notification) error {
		events.Add(1)
		return nil
	}})
	for _, o := range []playvisiontest.OrderStatusChange{
		{UserID: 1, TransactionID: 77, Sum: 5},
		{UserID: 1, TransactionID: 77, Sum: 5, Test: true}, // test ids overlap production ids
		{UserID: 1, TransactionID: 78, Sum: 5},
		{UserID: 1, TransactionID: 77, Sum: 5, Time: time.Unix(1, 0)}, // a resend with another time
	} {
		w := serve(h, signer.NewRequest("/", o.Params()))
		assert.JSONEq(t, `{"status":"1","message":"success"}`, w.Body.String())
	}
	assert.EqualValues(t, 3, events.Load())
}

func TestHandlerRetriesAfterFailedEvent(t *testing.T) {
	var calls atomic.Int32
	h := newClient(t).Handler(paykit.Hooks{Event: func(context.Context, paykit.Notification) error {
		if calls.Add(1) == 1 {
			return paykit.Temporary(errors.New("db busy"))
		}
		return nil
	}})
	p := playvisiontest.OrderStatusChange{UserID: 1, TransactionID: 5, Sum: 1}.Params()
	assert.Contains(t, serve(h, signer.NewRequest("/", p)).Body.String(), `"-1"`)
	assert.Contains(t, serve(h, signer.NewRequest("/", p)).Body.String(), `"1"`)
	assert.Contains(t, serve(h, signer.NewRequest("/", p)).Body.String(), `"1"`)
	assert.EqualValues(t, 2, calls.Load())
}

func TestHandlerConcurrentDeliveriesRunEventOnce(t *testing.T) {
	body := signer.Body(playvisiontest.OrderStatusChange{UserID: 1, TransactionID: 9, Sum: 1}.Params())
	// The first Event is held until all 8 deliveries are inside the store
	// (concurrentDeliveries): no sleep decides whether they overlapped.
	replies, events := concurrentDeliveries(t, 8, body)
	for _, b := range replies {
		assert.Equal(t, `{"status":"1","message":"success"}`, b)
	}
	assert.EqualValues(t, 1, events)
}

func TestHandlerHookDeadlineUnderReplyTimeout(t *testing.T) {
	var left time.Duration
	h := newClient(t).Handler(paykit.Hooks{Item: func(ctx context.Context, req paykit.ItemRequest) (paykit.Item, error) {
		d, ok := ctx.Deadline()
		require.True(t, ok)
		left = time.Until(d)
		return itemHook(ctx, req)
	}})
	serve(h, signer.NewRequest("/", playvisiontest.GetItem{UserID: 1, Item: "gold_pack_100"}.Params()))
	assert.Greater(t, left, 5*time.Second)
	assert.Less(t, left, playvision.ReplyTimeout)
}

func TestHandlerUsesGivenStore(t *testing.T) {
	store := paykit.NewMemoryStore(paykit.MemoryStoreOptions{})
	hooks := paykit.Hooks{Store: store, Event: func(context.Context, paykit.Notification) error { return nil }}
	c := newClient(t)
	p := playvisiontest.OrderStatusChange{UserID: 1, TransactionID: 5, Sum: 1}.Params()
	serve(c.Handler(hooks), signer.NewRequest("/", p))
	assert.Equal(t, 1, store.Len())

	// A second handler sharing the store (another replica) replays.
	called := false
	hooks.Event = func(context.Context, paykit.Notification) error { called = true; return nil }
	w := serve(c.Handler(hooks), signer.NewRequest("/", p))
	assert.False(t, called)
	assert.Equal(t, `{"status":"1","message":"success"}`, w.Body.String())
}
