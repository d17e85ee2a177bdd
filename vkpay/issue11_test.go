package vkpay_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/vkpay"
)

// nearMisses returns signatures that differ from good by one byte at
// either end, by truncation or by extension.
func nearMisses(good string) map[string]string {
	flip := func(c byte) byte {
		if c == '0' {
			return '1'
		}
		return '0'
	}
	first := []byte(good)
	first[0] = flip(first[0])
	last := []byte(good)
	last[len(last)-1] = flip(last[len(last)-1])
	return map[string]string{
		"first byte differs": string(first),
		"last byte differs":  string(last),
		"truncated by one":   good[:len(good)-1],
		"extended by one":    good + "0",
		"doubled":            good + good,
		"leading space":      " " + good,
	}
}

func TestSigNearMissesAreRefusedWithError10(t *testing.T) {
	for _, v := range loadVotesVectors(t) {
		params, err := url.ParseQuery(v.Body)
		if err != nil {
			t.Fatal(err)
		}
		appID, _ := strconv.ParseInt(params.Get("app_id"), 10, 64)
		if appID <= 0 {
			continue // the empty vector has no app to configure
		}
		c, err := vkpay.New(vkpay.Config{AppID: appID, Secret: v.Secret})
		if err != nil {
			t.Fatal(err)
		}
		good := vkpay.Sign(params, v.Secret)
		if good != v.ExpectedSig {
			t.Fatalf("%s: vector sig %s, Sign %s", v.ID, v.ExpectedSig, good)
		}
		if _, err := c.ParseValues(with(params, "sig", good)); errors.Is(err, paykit.ErrInvalidSignature) {
			t.Fatalf("%s: the vector itself is refused: %v", v.ID, err)
		}
		h := c.Handler(paykit.Hooks{Item: catalogue, Event: func(context.Context, paykit.Notification) error { return nil }})
		for name, sig := range nearMisses(good) {
			t.Run(v.ID+"/"+name, func(t *testing.T) {
				p := url.Values{}
				for k, vs := range params {
					p[k] = vs
				}
				p.Set("sig", sig)
				if _, err := c.ParseValues(p); !errors.Is(err, paykit.ErrInvalidSignature) {
					t.Fatalf("near-miss sig: err = %v, want ErrInvalidSignature", err)
				}
				_, body := serve(h, p.Encode())
				if e := decode(t, body); e.Error == nil || e.Error.Code != 10 || !e.Error.Critical {
					t.Fatalf("answer %s, want error 10", body)
				}
			})
		}
	}
}

// The spec (§A.2 step 7) asks to lowercase the received sig: an
// upper-case copy of the right digest is the same signature, not a near
// miss, while any case change of a wrong digest stays refused.
func TestSigCaseIsNotAWayAroundTheDigest(t *testing.T) {
	p := orderParams("1", "chargeable")
	good := vkpay.Sign(p, testSecret)
	wrong := vkpay.Sign(p, testSecret+"x")
	for sig, ok := range map[string]bool{strings.ToUpper(good): true, strings.ToUpper(wrong): false} {
		p.Set("sig", sig)
		if _, err := newClient(t).ParseValues(p); (err == nil) != ok {
			t.Fatalf("sig %s: err %v", sig, err)
		}
	}
}

func TestHandlersAcceptOnlyPost(t *testing.T) {
	body := signed(orderParams("3", "chargeable"), testSecret)
	var events atomic.Int32
	h := newClient(t).Handler(paykit.Hooks{Event: func(context.Context, paykit.Notification) error {
		events.Add(1)
		return nil
	}})
	for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions} {
		t.Run(method, func(t *testing.T) {
			r := httptest.NewRequest(method, "/vk/payments?"+body, strings.NewReader(body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != http.MethodPost {
				t.Fatalf("status %d, Allow %q", w.Code, w.Header().Get("Allow"))
			}
		})
	}
	if events.Load() != 0 {
		t.Fatalf("Event ran %d times for non-POST requests", events.Load())
	}
	if code, b := serve(h, body); code != http.StatusOK || b != `{"response":{"order_id":3}}` {
		t.Fatalf("POST: %d %s", code, b)
	}
}

func TestInvalidHookReplyDoesNotFulfilTwice(t *testing.T) {
	var orders, subs atomic.Int32
	var reported []error
	h := newClient(t).HandlerWith(paykit.Hooks{Event: func(_ context.Context, n paykit.Notification) error {
		if n.Summary().Kind == paykit.KindSubscription {
			subs.Add(1)
		} else {
			orders.Add(1)
		}
		return nil
	}}, vkpay.HandlerOptions{
		OrderReply: func(context.Context, *vkpay.OrderStatusChange) (vkpay.OrderReply, error) {
			return vkpay.OrderReply{AppOrderID: -1}, nil // invalid, after the goods went out
		},
		SubscriptionReply: func(context.Context, *vkpay.SubscriptionStatusChange) (vkpay.SubscriptionStatusReply, error) {
			return vkpay.SubscriptionStatusReply{AppOrderID: -5}, nil
		},
		OnInvalidReply: func(_ paykit.Notification, err error) { reported = append(reported, err) },
	})
	tests := []struct {
		name  string
		body  string
		calls *atomic.Int32
		want  string
	}{
		{"order", signed(orderParams("41", "chargeable"), testSecret), &orders, `{"response":{"order_id":41}}`},
		{"subscription", signed(subParams("77", "chargeable"), testSecret), &subs, `{"response":{"subscription_id":77}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reported = nil
			_, first := serve(h, tt.body)
			_, second := serve(h, tt.body)
			if tt.calls.Load() != 1 {
				t.Fatalf("hook ran %d times for two deliveries", tt.calls.Load())
			}
			if first != tt.want || second != first {
				t.Fatalf("first %s second %s, want %s twice", first, second, tt.want)
			}
			if len(reported) != 1 || !strings.Contains(reported[0].Error(), "app_order_id") {
				t.Fatalf("OnInvalidReply saw %v", reported)
			}
		})
	}
}

func TestKeySeparatesEveryVKIdSpaceAndMatchesExactRepeats(t *testing.T) {
	c := newClient(t)
	other, err := vkpay.New(vkpay.Config{AppID: testAppID + 1, Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	parse := func(c *vkpay.Client, p url.Values) paykit.Notification {
		t.Helper()
		p = with(p, "app_id", strconv.FormatInt(c.AppID(), 10))
		n, err := c.ParseBody([]byte(signed(p, testSecret)), nil)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	liveOrder := func(id, status string) url.Values {
		return with(orderParams(id, status), "notification_type", "order_status_change")
	}
	testSub := func(id, status string) url.Values {
		return with(subParams(id, status), "notification_type", "subscription_status_change_test")
	}
	tests := []struct {
		name string
		a, b paykit.Notification
		same bool
	}{
		{"exact repeat of an order", parse(c, orderParams("5", "chargeable")), parse(c, orderParams("5", "chargeable")), true},
		{"exact repeat of a subscription change", parse(c, subParams("5", "cancelled")), parse(c, subParams("5", "cancelled")), true},
		{"resend without the version parameter", parse(c, with(orderParams("5", "chargeable"), "version", "")), parse(c, orderParams("5", "chargeable")), true},
		{"two orders", parse(c, orderParams("5", "chargeable")), parse(c, orderParams("6", "chargeable")), false},
		{"payment and its refund", parse(c, orderParams("5", "chargeable")), parse(c, orderParams("5", "refunded")), false},
		{"test and live order", parse(c, orderParams("5", "chargeable")), parse(c, liveOrder("5", "chargeable")), false},
		{"test and live subscription", parse(c, subParams("5", "chargeable")), parse(c, testSub("5", "chargeable")), false},
		{"order and subscription with the same id", parse(c, liveOrder("5", "chargeable")), parse(c, subParams("5", "chargeable")), false},
		{"two subscriptions", parse(c, subParams("5", "chargeable")), parse(c, subParams("6", "chargeable")), false},
		{"subscription chargeable and active", parse(c, subParams("5", "chargeable")), parse(c, subParams("5", "active")), false},
		{"subscription cancelled and active", parse(c, subParams("5", "cancelled")), parse(c, subParams("5", "active")), false},
		{"second cancellation after a resumption", parse(c, subParams("5", "cancelled")),
			parse(c, with(subParams("5", "cancelled"), "next_bill_time", "1800000000")), false},
		{"cancel reasons", parse(c, with(subParams("5", "cancelled"), "cancel_reason", "user_decision")),
			parse(c, with(subParams("5", "cancelled"), "cancel_reason", "payment_fail")), false},
		{"same order in two apps", parse(c, orderParams("5", "chargeable")), parse(other, orderParams("5", "chargeable")), false},
		{"same subscription in two apps", parse(c, subParams("5", "chargeable")), parse(other, subParams("5", "chargeable")), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ka := keyOf(t, c, other, tt.a)
			kb := keyOf(t, c, other, tt.b)
			if (ka == kb) != tt.same {
				t.Fatalf("keys %q and %q: same=%t, want %t", ka, kb, ka == kb, tt.same)
			}
		})
	}
}

// keyOf keys n with the client of its app, refusing the empty key.
func keyOf(t *testing.T, c, other *vkpay.Client, n paykit.Notification) string {
	t.Helper()
	k := c.IdempotencyKey(n)
	if appIDOf(n) == other.AppID() {
		k = other.IdempotencyKey(n)
	}
	if k == "" {
		t.Fatalf("empty key for %T", n)
	}
	return k
}

func appIDOf(n paykit.Notification) int64 {
	switch n := n.(type) {
	case *vkpay.OrderStatusChange:
		return n.AppID
	case *vkpay.SubscriptionStatusChange:
		return n.AppID
	}
	return 0
}

func TestNotificationWithoutItsIDIsRefusedWithError11(t *testing.T) {
	tests := map[string]url.Values{
		"order without order_id":             with(orderParams("5", "chargeable"), "order_id", ""),
		"order with order_id 0":              orderParams("0", "chargeable"),
		"order with empty order_id":          orderParams("", "chargeable"),
		"subscription without its id":        with(subParams("5", "chargeable"), "subscription_id", ""),
		"subscription with empty id present": subParams("", "chargeable"),
	}
	var events atomic.Int32
	h := newClient(t).Handler(paykit.Hooks{Event: func(context.Context, paykit.Notification) error {
		events.Add(1)
		return nil
	}})
	for name, p := range tests {
		t.Run(name, func(t *testing.T) {
			body := signed(p, testSecret)
			if _, err := newClient(t).ParseBody([]byte(body), nil); !errors.Is(err, paykit.ErrMalformed) {
				t.Fatalf("err = %v, want ErrMalformed", err)
			}
			if _, b := serve(h, body); decode(t, b).Error == nil || decode(t, b).Error.Code != 11 {
				t.Fatalf("answer %s, want error 11", b)
			}
		})
	}
	if events.Load() != 0 {
		t.Fatalf("Event ran %d times", events.Load())
	}
}
