package vkpay_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/vkpay"
)

// Complete notifications of each type, with every parameter VK always
// sends for it (spec §A.3–A.7).
func completeParams(typ string) url.Values {
	switch typ {
	case vkpay.TypeGetItem, vkpay.TypeGetSubscription:
		return url.Values{"app_id": {"12345678"}, "notification_type": {typ}, "user_id": {"5"},
			"receiver_id": {"5"}, "order_id": {"9"}, "item": {"gold"}, "lang": {"ru_RU"}}
	case vkpay.TypeOrderStatusChange:
		return orderParams("9", "chargeable")
	default:
		return url.Values{"app_id": {"12345678"}, "notification_type": {typ}, "user_id": {"5"},
			"subscription_id": {"77"}, "status": {"chargeable"}, "item_id": {"vip"}, "item_price": {"30"}}
	}
}

// alwaysSent lists, per type, the parameters VK sends in every notification
// of that type; a notification without one of them is refused.
var alwaysSent = map[string][]string{
	vkpay.TypeGetItem:                  {"app_id", "user_id", "receiver_id", "order_id", "item", "lang"},
	vkpay.TypeGetSubscription:          {"app_id", "user_id", "receiver_id", "order_id", "item", "lang"},
	vkpay.TypeOrderStatusChange:        {"app_id", "user_id", "receiver_id", "order_id", "status", "date", "item", "item_price"},
	vkpay.TypeSubscriptionStatusChange: {"app_id", "user_id", "subscription_id", "status", "item_price"},
}

func TestCompleteNotificationsOfEveryTypeAreAccepted(t *testing.T) {
	c := newClient(t)
	for typ := range alwaysSent {
		if _, err := c.ParseBody([]byte(signed(completeParams(typ), testSecret)), nil); err != nil {
			t.Errorf("%s: %v", typ, err)
		}
	}
}

func TestNotificationWithoutAFieldVKAlwaysSendsIsRefusedNamingIt(t *testing.T) {
	c := newClient(t)
	for typ, keys := range alwaysSent {
		for _, key := range keys {
			for _, how := range []string{"absent", "empty"} {
				t.Run(typ+"/"+key+"/"+how, func(t *testing.T) {
					p := completeParams(typ)
					if how == "absent" {
						p.Del(key)
					} else {
						p.Set(key, "")
					}
					n, err := c.ParseBody([]byte(signed(p, testSecret)), nil)
					if !errors.Is(err, paykit.ErrMalformed) {
						t.Fatalf("err = %v (notification %+v), want ErrMalformed", err, n)
					}
					if !strings.Contains(err.Error(), key+" is missing") {
						t.Fatalf("err = %q, want it to name %s", err, key)
					}
				})
			}
		}
	}
}

func TestOptionalFieldsMayBeAbsent(t *testing.T) {
	c := newClient(t)
	optional := map[string][]string{
		vkpay.TypeOrderStatusChange:        {"item_id", "item_title", "item_photo_url", "item_discount", "version"},
		vkpay.TypeSubscriptionStatusChange: {"item_id", "cancel_reason", "next_bill_time", "pending_cancel"},
		vkpay.TypeGetItem:                  {"version"},
	}
	for typ, keys := range optional {
		for _, key := range keys {
			p := completeParams(typ)
			p.Del(key)
			if _, err := c.ParseBody([]byte(signed(p, testSecret)), nil); err != nil {
				t.Errorf("%s without %s: %v", typ, key, err)
			}
		}
	}
}

func TestHandlerAnswersAMissingFieldWithError11NamingIt(t *testing.T) {
	called := false
	h := newClient(t).Handler(paykit.Hooks{Event: func(context.Context, paykit.Notification) error {
		called = true
		return nil
	}})
	for _, key := range []string{"user_id", "receiver_id", "date", "item_price"} {
		t.Run(key, func(t *testing.T) {
			p := orderParams("9", "chargeable")
			p.Del(key)
			_, body := serve(h, signed(p, testSecret))
			var got struct {
				Response json.RawMessage `json:"response"`
				Error    struct {
					Code     int    `json:"error_code"`
					Msg      string `json:"error_msg"`
					Critical bool   `json:"critical"`
				} `json:"error"`
			}
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatalf("%s: %v", body, err)
			}
			if got.Response != nil || got.Error.Code != vkpay.CodeBadRequest || !got.Error.Critical ||
				!strings.Contains(got.Error.Msg, key) {
				t.Fatalf("answer %s, want error 11, critical, naming %s", body, key)
			}
			if strings.Contains(body, testSecret) {
				t.Fatal("answer holds the secret")
			}
		})
	}
	if called {
		t.Fatal("Event ran for a notification missing a field")
	}
}

func TestGetItemWithoutLangNeverReachesTheItemHook(t *testing.T) {
	h := newClient(t).Handler(paykit.Hooks{Item: func(_ context.Context, req paykit.ItemRequest) (paykit.Item, error) {
		t.Errorf("Item hook ran with Lang %q", req.Lang)
		return paykit.Item{ID: "gold", Title: "Gold", Price: 1}, nil
	}})
	p := completeParams(vkpay.TypeGetItem)
	p.Del("lang")
	if _, body := serve(h, signed(p, testSecret)); !strings.Contains(body, `"error_code":11`) || !strings.Contains(body, "lang") {
		t.Fatalf("answer %s, want error 11 naming lang", body)
	}
}
