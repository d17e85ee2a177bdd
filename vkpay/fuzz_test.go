package vkpay_test

import (
	"errors"
	"net/url"
	"testing"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/form"
	"github.com/paykit-go/paykit/vkpay"
)

var sentinels = []error{paykit.ErrMissingSignature, paykit.ErrInvalidSignature, paykit.ErrMalformed,
	paykit.ErrUnknownType, paykit.ErrWrongAccount, paykit.ErrBodyTooLarge}

func checkSentinel(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return
		}
	}
	t.Fatalf("error matches no sentinel: %v", err)
}

// FuzzParseBody feeds raw form bodies, signed and unsigned, to the parser.
func FuzzParseBody(f *testing.F) {
	for _, v := range loadVotesVectors(f) {
		f.Add(v.Body, true)
	}
	f.Add(signed(orderParams("1", "chargeable"), testSecret), false)
	f.Add("a=1&a=2&sig=x", false)
	f.Add("%zz=1;b", true)
	c := newClient(f)
	f.Fuzz(func(t *testing.T, body string, sign bool) {
		if sign {
			if p, err := form.Parse(body); err == nil {
				p.Set("sig", vkpay.Sign(p, testSecret))
				body = p.Encode()
			}
		}
		n, err := c.ParseBody([]byte(body), nil)
		checkSentinel(t, err)
		if err == nil {
			if n == nil || n.Summary().Provider != paykit.VKPay {
				t.Fatalf("bad notification %#v", n)
			}
		}
	})
}

// fuzzDecoder signs fuzzed values of one notification type so that the
// typed decoder, not the signature check, sees them.
func fuzzDecoder(f *testing.F, typ string, keys []string, check func(t *testing.T, n paykit.Notification)) {
	f.Add("1", "2", "chargeable", "item", "1656358147", "24")
	f.Add("", "-1", "refunded", "", "x", "99999999999999999999")
	f.Add("12345678", "0", "cancelled", "Чудо", "1e3", " 1")
	c := newClient(f)
	f.Fuzz(func(t *testing.T, a, b, status, item, date, price string) {
		vals := []string{a, b, status, item, date, price}
		p := url.Values{"app_id": {"12345678"}, "notification_type": {typ}}
		for i, k := range keys {
			if vals[i] != "" {
				p.Set(k, vals[i])
			}
		}
		n, err := c.ParseBody([]byte(signed(p, testSecret)), nil)
		checkSentinel(t, err)
		if err == nil {
			check(t, n)
			_ = n.Summary()
		}
	})
}

func FuzzGetItem(f *testing.F) {
	fuzzDecoder(f, "get_item", []string{"user_id", "order_id", "lang", "item", "receiver_id", "site"},
		func(t *testing.T, n paykit.Notification) {
			if g, ok := n.(*vkpay.GetItem); !ok || g.Item == "" {
				t.Fatalf("%#v", n)
			}
		})
}

func FuzzOrderStatusChange(f *testing.F) {
	fuzzDecoder(f, "order_status_change_test", []string{"user_id", "order_id", "status", "item_title", "date", "item_price"},
		func(t *testing.T, n paykit.Notification) {
			o, ok := n.(*vkpay.OrderStatusChange)
			if !ok || o.OrderID <= 0 || (o.Status != vkpay.OrderChargeable && o.Status != vkpay.OrderRefunded) || !o.Test {
				t.Fatalf("%#v", n)
			}
		})
}

func FuzzGetSubscription(f *testing.F) {
	fuzzDecoder(f, "get_subscription", []string{"user_id", "order_id", "lang", "item", "receiver_id", "version"},
		func(t *testing.T, n paykit.Notification) {
			if g, ok := n.(*vkpay.GetSubscription); !ok || g.Item == "" {
				t.Fatalf("%#v", n)
			}
		})
}

func FuzzSubscriptionStatusChange(f *testing.F) {
	fuzzDecoder(f, "subscription_status_change", []string{"subscription_id", "pending_cancel", "status", "cancel_reason", "next_bill_time", "item_price"},
		func(t *testing.T, n paykit.Notification) {
			s, ok := n.(*vkpay.SubscriptionStatusChange)
			if !ok || s.SubscriptionID == "" || n.Summary().Kind != paykit.KindSubscription {
				t.Fatalf("%#v", n)
			}
		})
}
