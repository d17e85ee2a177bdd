package vkpay_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/vkpay"
)

type envelope struct {
	Response map[string]any `json:"response"`
	Error    *struct {
		Code     int    `json:"error_code"`
		Msg      string `json:"error_msg"`
		Critical bool   `json:"critical"`
	} `json:"error"`
}

func decode(t *testing.T, body string) envelope {
	t.Helper()
	var e envelope
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("reply %q: %v", body, err)
	}
	if strings.Contains(body, `"error"`) && strings.Contains(body, `"response"`) {
		t.Fatalf("reply mixes response and error: %s", body)
	}
	return e
}

func getItemParams(item string) url.Values {
	return url.Values{"app_id": {"12345678"}, "user_id": {"1"}, "receiver_id": {"1"}, "order_id": {"2044594"},
		"item": {item}, "lang": {"ru_RU"}, "notification_type": {"get_item_test"}, "version": {"5.132"}}
}

func subParams(id, status string) url.Values {
	return url.Values{"app_id": {"12345678"}, "user_id": {"1"}, "subscription_id": {id}, "status": {status},
		"item_id": {"vip"}, "item_price": {"30"}, "notification_type": {"subscription_status_change"},
		"next_bill_time": {"1700000000"}}
}

func catalogue(_ context.Context, req paykit.ItemRequest) (paykit.Item, error) {
	switch req.Item {
	case "sale_item_1":
		return paykit.Item{ID: "sale_item_1_internal_id", Title: "Чудо-здание", Price: 24, Discount: 3,
			PhotoURL: "https://shop.example/i.png", CacheFor: time.Hour}, nil
	case "vip":
		return paykit.Item{ID: "vip", Title: "VIP", Price: 30, Period: 30 * 24 * time.Hour, Trial: 7 * 24 * time.Hour}, nil
	case "nocache":
		return paykit.Item{ID: "n", Title: "N", Price: 5, CacheFor: -1}, nil
	case "long":
		return paykit.Item{Title: strings.Repeat("я", 49), Price: 5}, nil
	case "nobody":
		return paykit.Item{}, paykit.ErrUnknownUser
	}
	return paykit.Item{}, paykit.ErrUnknownItem
}

func TestHandlerGetItemAnswersWithItem(t *testing.T) {
	h := newClient(t).Handler(paykit.Hooks{Item: catalogue})
	code, body := serve(h, signed(getItemParams("sale_item_1"), testSecret))
	want := `{"response":{"title":"Чудо-здание","price":24,"item_id":"sale_item_1_internal_id","photo_url":"https://shop.example/i.png","discount":3,"expiration":3600}}`
	if code != 200 || body != want {
		t.Fatalf("%d %s", code, body)
	}
	_, body = serve(h, signed(getItemParams("nocache"), testSecret))
	if !strings.Contains(body, `"expiration":0`) {
		t.Fatalf("no-cache item: %s", body)
	}
}

func TestHandlerGetSubscriptionAnswersPeriodAndTrial(t *testing.T) {
	h := newClient(t).Handler(paykit.Hooks{Item: catalogue})
	p := getItemParams("vip")
	p.Set("notification_type", "get_subscription")
	_, body := serve(h, signed(p, testSecret))
	want := `{"response":{"title":"VIP","price":30,"period":30,"item_id":"vip","trial_duration":7}}`
	if body != want {
		t.Fatalf("%s", body)
	}
	p.Set("item", "sale_item_1") // no period: invalid subscription reply
	_, body = serve(h, signed(p, testSecret))
	if e := decode(t, body); e.Error == nil || e.Error.Code != vkpay.CodeGeneral || !e.Error.Critical {
		t.Fatalf("%s", body)
	}
}

func TestHandlerAnswersErrorsPerContract(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		event    error
		code     int
		critical bool
	}{
		{"bad sig", signed(getItemParams("x"), "wrong"), nil, 10, true},
		{"missing sig", getItemParams("x").Encode(), nil, 10, true},
		{"wrong app", signed(with(getItemParams("x"), "app_id", "1"), testSecret), nil, 11, true},
		{"duplicate key", signed(getItemParams("x"), testSecret) + "&item=y", nil, 11, true},
		{"missing item", signed(with(getItemParams("x"), "item", ""), testSecret), nil, 11, true},
		{"unknown type", signed(with(getItemParams("x"), "notification_type", "nope"), testSecret), nil, 11, true},
		{"unknown item", signed(getItemParams("x"), testSecret), nil, 20, true},
		{"unknown user", signed(getItemParams("nobody"), testSecret), nil, 22, true},
		{"title too long", signed(getItemParams("long"), testSecret), nil, 1, true},
		{"event fails", signed(orderParams("1", "chargeable"), testSecret), errors.New("db down for good"), 1, true},
		{"event temporary", signed(orderParams("2", "chargeable"), testSecret), paykit.Temporary(errors.New("db")), 2, false},
		{"event deadline", signed(orderParams("3", "chargeable"), testSecret), context.DeadlineExceeded, 2, false},
		{"event out of stock", signed(orderParams("4", "chargeable"), testSecret), vkpay.NewError(21, "sold out", false), 21, true},
		{"event app code", signed(orderParams("5", "chargeable"), testSecret), vkpay.NewError(150, "limit reached", false), 150, false},
		{"event app code without msg", signed(orderParams("6", "chargeable"), testSecret), vkpay.NewError(150, "", false), 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newClient(t).Handler(paykit.Hooks{Item: catalogue,
				Event: func(context.Context, paykit.Notification) error { return tt.event }})
			code, body := serve(h, tt.body)
			e := decode(t, body)
			if code != 200 || e.Error == nil || e.Error.Code != tt.code || e.Error.Critical != tt.critical || e.Response != nil {
				t.Fatalf("%d %s", code, body)
			}
			if strings.Contains(body, "db down") {
				t.Fatal("hook error text leaked to VK")
			}
		})
	}
}

func TestHandlerNilEventIsTemporary(t *testing.T) {
	_, body := serve(newClient(t).Handler(paykit.Hooks{}), signed(orderParams("1", "chargeable"), testSecret))
	if e := decode(t, body); e.Error == nil || e.Error.Code != 2 || e.Error.Critical {
		t.Fatalf("%s", body)
	}
}

func TestHandlerConcurrentDeliveriesRunEventOnceWithIdenticalBodies(t *testing.T) {
	const n = 20
	var events atomic.Int32
	var appOrder atomic.Int64
	store := &barrierStore{Store: paykit.NewMemoryStore(paykit.MemoryStoreOptions{}), want: n, allIn: make(chan struct{})}
	h := newClient(t).HandlerWith(paykit.Hooks{
		Event: func(context.Context, paykit.Notification) error {
			events.Add(1)
			<-store.allIn // every delivery has reached the store while this one fulfils
			return nil
		},
		Store: store,
	}, vkpay.HandlerOptions{
		OrderReply: func(context.Context, *vkpay.OrderStatusChange) (vkpay.OrderReply, error) {
			return vkpay.OrderReply{AppOrderID: 1000 + appOrder.Add(1)}, nil
		},
	})
	body := signed(orderParams("2044861", "chargeable"), testSecret)
	bodies := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, bodies[i] = serve(h, body)
		}()
	}
	wg.Wait()
	if events.Load() != 1 {
		t.Fatalf("Event ran %d times: %v", events.Load(), bodies)
	}
	want := `{"response":{"order_id":2044861,"app_order_id":1001}}`
	for i, b := range bodies {
		if b != want {
			t.Fatalf("delivery %d: %s", i, b)
		}
	}
}

// barrierStore counts the deliveries that reach Do and closes allIn when
// want of them have, so a hook can hold the first fulfilment until every
// concurrent delivery is inside the store: contention proven, not hoped
// for with a sleep.
type barrierStore struct {
	paykit.Store
	want    int32
	arrived atomic.Int32
	allIn   chan struct{}
}

func (s *barrierStore) Do(ctx context.Context, key string, fulfil func(context.Context) ([]byte, error)) ([]byte, bool, error) {
	if s.arrived.Add(1) == s.want {
		close(s.allIn)
	}
	return s.Store.Do(ctx, key, fulfil)
}

func TestHandlerTemporaryFailureIsRetriedThenSucceeds(t *testing.T) {
	var calls atomic.Int32
	h := newClient(t).Handler(paykit.Hooks{Event: func(context.Context, paykit.Notification) error {
		if calls.Add(1) == 1 {
			return paykit.Temporary(errors.New("db busy"))
		}
		return nil
	}})
	body := signed(orderParams("77", "chargeable"), testSecret)
	_, first := serve(h, body)
	if e := decode(t, first); e.Error == nil || e.Error.Code != 2 || e.Error.Critical {
		t.Fatalf("first: %s", first)
	}
	_, second := serve(h, body)
	_, third := serve(h, body)
	if second != `{"response":{"order_id":77}}` || third != second || calls.Load() != 2 {
		t.Fatalf("second %s third %s calls %d", second, third, calls.Load())
	}
}

func TestHandlerKeysTestAndLiveAndStatusesApart(t *testing.T) {
	var seen []string
	var mu sync.Mutex
	h := newClient(t).Handler(paykit.Hooks{Event: func(_ context.Context, n paykit.Notification) error {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, n.Summary().Type+"/"+string(n.Summary().Status))
		return nil
	}})
	live := with(orderParams("5", "chargeable"), "notification_type", "order_status_change")
	for _, body := range []string{
		signed(orderParams("5", "chargeable"), testSecret),
		signed(live, testSecret),
		signed(orderParams("5", "refunded"), testSecret),
		signed(orderParams("5", "refunded"), testSecret), // exact repeat
		signed(subParams("5", "chargeable"), testSecret),
		signed(subParams("5", "cancelled"), testSecret),
		signed(subParams("5", "active"), testSecret),
		signed(with(subParams("5", "cancelled"), "next_bill_time", "1800000000"), testSecret),
		signed(with(subParams("5", "cancelled"), "next_bill_time", "1800000000"), testSecret), // repeat
	} {
		if _, b := serve(h, body); strings.Contains(b, "error") {
			t.Fatal(b)
		}
	}
	if len(seen) != 7 {
		t.Fatalf("events %v", seen)
	}
}

func TestHandlerWithRoutesRefundsApartAndEnrichesReplies(t *testing.T) {
	var refunds, events atomic.Int32
	h := newClient(t).HandlerWith(paykit.Hooks{Event: func(context.Context, paykit.Notification) error {
		events.Add(1)
		return nil
	}}, vkpay.HandlerOptions{
		OrderReply: func(context.Context, *vkpay.OrderStatusChange) (vkpay.OrderReply, error) {
			return vkpay.OrderReply{AppOrderID: 1}, nil
		},
		Refund: func(_ context.Context, n *vkpay.OrderStatusChange) error {
			refunds.Add(1)
			return nil
		},
		SubscriptionReply: func(context.Context, *vkpay.SubscriptionStatusChange) (vkpay.SubscriptionStatusReply, error) {
			return vkpay.SubscriptionStatusReply{AppOrderID: 42}, nil
		},
	})
	if _, b := serve(h, signed(orderParams("9", "refunded"), testSecret)); b != `{"response":{"order_id":9,"app_order_id":1}}` || refunds.Load() != 1 || events.Load() != 0 {
		t.Fatal(b)
	}
	if _, b := serve(h, signed(orderParams("9", "chargeable"), testSecret)); b != `{"response":{"order_id":9,"app_order_id":1}}` || events.Load() != 1 {
		t.Fatal(b)
	}
	if _, b := serve(h, signed(subParams("123", "chargeable"), testSecret)); b != `{"response":{"subscription_id":123,"app_order_id":42}}` {
		t.Fatal(b)
	}
	if _, b := serve(h, signed(subParams("subscr_internal_id_123", "chargeable"), testSecret)); b != `{"response":{"subscription_id":"subscr_internal_id_123","app_order_id":42}}` {
		t.Fatal(b)
	}
}

func TestHandlerGivesHooksADeadlineInsideVKLimit(t *testing.T) {
	var left time.Duration
	h := newClient(t).Handler(paykit.Hooks{Event: func(ctx context.Context, _ paykit.Notification) error {
		d, ok := ctx.Deadline()
		if !ok {
			return errors.New("no deadline")
		}
		left = time.Until(d)
		return nil
	}})
	if _, b := serve(h, signed(orderParams("1", "chargeable"), testSecret)); strings.Contains(b, "error") {
		t.Fatal(b)
	}
	if left <= 0 || left >= vkpay.ReplyTimeout {
		t.Fatalf("deadline in %v", left)
	}
}

func TestHandlerWithErrorLogSeesFailures(t *testing.T) {
	var got error
	h := newClient(t).HandlerWith(paykit.Hooks{}, vkpay.HandlerOptions{HandlerOptions: paykit.HandlerOptions{
		ErrorLog: func(_ *http.Request, err error) { got = err }}})
	serve(h, signed(getItemParams("x"), "wrong"))
	if !errors.Is(got, paykit.ErrInvalidSignature) {
		t.Fatalf("ErrorLog got %v", got)
	}
}
