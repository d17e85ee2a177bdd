package vkpay_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/vkpay"
)

func TestParseOrderStatusChangeDecodesEveryField(t *testing.T) {
	c := newClient(t)
	p := orderParams("2044861", "chargeable")
	p.Set("site", "ok")
	n, err := c.ParseCallback(postForm(signed(p, testSecret)))
	if err != nil {
		t.Fatal(err)
	}
	o, ok := n.(*vkpay.OrderStatusChange)
	if !ok {
		t.Fatalf("got %T", n)
	}
	want := vkpay.OrderStatusChange{
		Common: vkpay.Common{NotificationType: "order_status_change_test", AppID: testAppID, UserID: 1,
			Version: "5.132", Test: true, Sig: o.Sig, Extra: map[string]string{"site": "ok"}},
		ReceiverID: 1, OrderID: 2044861, Status: vkpay.OrderChargeable, Date: time.Unix(1656358147, 0).UTC(),
		Item: "sale_item_1", ItemID: "sale_item_1_internal_id",
		ItemTitle: "Чудо-здание", ItemPhotoURL: "http://my-app.example.com/sale-item-images/sale-item-1.png",
		ItemPrice: 24, ItemDiscount: 3,
	}
	if o.Type() != vkpay.TypeOrderStatusChange || o.Extra["site"] != "ok" || o.Date != want.Date ||
		o.ItemTitle != want.ItemTitle || o.ItemPhotoURL != want.ItemPhotoURL || o.OrderID != want.OrderID ||
		o.ItemPrice != 24 || o.ItemDiscount != 3 || o.ItemID != want.ItemID || !o.Test || o.Version != "5.132" {
		t.Fatalf("decoded %+v", o)
	}
	s := o.Summary()
	wantS := paykit.Summary{Provider: paykit.VKPay, Type: "order_status_change_test", Kind: paykit.KindPayment,
		Status: paykit.StatusPaid, ID: "2044861", UserID: "1", Amount: paykit.Money{Amount: 24}, Test: true}
	if s != wantS {
		t.Fatalf("Summary = %+v, want %+v", s, wantS)
	}
}

func TestParseRefundSummarisesAsRefund(t *testing.T) {
	n, err := newClient(t).ParseBody([]byte(signed(orderParams("7", "refunded"), testSecret)), nil)
	if err != nil {
		t.Fatal(err)
	}
	s := n.Summary()
	if s.Kind != paykit.KindRefund || s.Status != paykit.StatusRefunded || !n.(*vkpay.OrderStatusChange).IsRefund() {
		t.Fatalf("Summary = %+v", s)
	}
}

func TestParseEachTypeAndTestVariant(t *testing.T) {
	c := newClient(t)
	base := url.Values{"app_id": {"12345678"}, "user_id": {"5"}, "receiver_id": {"5"}, "order_id": {"9"},
		"item": {"gold"}, "lang": {"en_US"}}
	sub := url.Values{"app_id": {"12345678"}, "user_id": {"5"}, "subscription_id": {"subscr_internal_id_123"},
		"status": {"cancelled"}, "cancel_reason": {"user_decision"}, "item_id": {"vip"}, "item_price": {"30"},
		"next_bill_time": {"1700000000"}, "pending_cancel": {"1"}}
	tests := []struct {
		typ    string
		params url.Values
		check  func(t *testing.T, n paykit.Notification)
	}{
		{"get_item", base, func(t *testing.T, n paykit.Notification) {
			g := n.(*vkpay.GetItem)
			if g.Item != "gold" || g.Lang != "en_US" || g.OrderID != 9 || n.Summary().Kind != paykit.KindItemRequest {
				t.Fatalf("%+v", g)
			}
		}},
		{"get_subscription", base, func(t *testing.T, n paykit.Notification) {
			g := n.(*vkpay.GetSubscription)
			if g.Item != "gold" || n.Summary().ID != "9" || n.Summary().Amount != (paykit.Money{}) {
				t.Fatalf("%+v", g)
			}
		}},
		{"subscription_status_change", sub, func(t *testing.T, n paykit.Notification) {
			s := n.(*vkpay.SubscriptionStatusChange)
			if s.SubscriptionID != "subscr_internal_id_123" || s.Status != vkpay.SubscriptionCancelled ||
				s.CancelReason != vkpay.CancelUserDecision || !s.PendingCancel || s.ItemPrice != 30 ||
				s.NextBillTime.Unix() != 1700000000 || s.ItemID != "vip" {
				t.Fatalf("%+v", s)
			}
			if _, ok := s.SubscriptionIDInt(); ok {
				t.Fatal("non-numeric id reported as int")
			}
			sum := n.Summary()
			if sum.Kind != paykit.KindSubscription || sum.Status != paykit.StatusCanceled || sum.ID != "subscr_internal_id_123" {
				t.Fatalf("%+v", sum)
			}
		}},
	}
	for _, tt := range tests {
		for _, suffix := range []string{"", "_test"} {
			t.Run(tt.typ+suffix, func(t *testing.T) {
				p := url.Values{}
				for k, v := range tt.params {
					p[k] = v
				}
				p.Set("notification_type", tt.typ+suffix)
				n, err := c.ParseBody([]byte(signed(p, testSecret)), nil)
				if err != nil {
					t.Fatal(err)
				}
				if got := n.Summary().Test; got != (suffix != "") {
					t.Fatalf("Test = %v", got)
				}
				tt.check(t, n)
			})
		}
	}
}

func TestParseRejects(t *testing.T) {
	good := signed(orderParams("1", "chargeable"), testSecret)
	tests := []struct {
		name string
		body string
		want error
	}{
		{"missing sig", orderParams("1", "chargeable").Encode(), paykit.ErrMissingSignature},
		{"wrong secret", signed(orderParams("1", "chargeable"), "other"), paykit.ErrInvalidSignature},
		{"tampered value", strings.Replace(good, "item_price=24", "item_price=1", 1), paykit.ErrInvalidSignature},
		{"percent-encoded sig variant", strings.Replace(good, "sig=", "sig=x", 1), paykit.ErrInvalidSignature},
		{"duplicate key", good + "&item_price=24", paykit.ErrMalformed},
		{"bad escape", good + "&x=%zz", paykit.ErrMalformed},
		{"wrong app", signed(with(orderParams("1", "chargeable"), "app_id", "99"), testSecret), paykit.ErrWrongAccount},
		{"unknown type", signed(with(orderParams("1", "chargeable"), "notification_type", "foo"), testSecret), paykit.ErrUnknownType},
		{"unknown status", signed(with(orderParams("1", "chargeable"), "status", "charged"), testSecret), paykit.ErrMalformed},
		{"non-numeric order id", signed(with(orderParams("1", "chargeable"), "order_id", "x1"), testSecret), paykit.ErrMalformed},
		{"missing order id", signed(with(orderParams("1", "chargeable"), "order_id", ""), testSecret), paykit.ErrMalformed},
		{"no app id", signed(with(orderParams("1", "chargeable"), "app_id", ""), testSecret), paykit.ErrMalformed},
		{"too large", good + "&pad=" + strings.Repeat("a", 70<<10), paykit.ErrBodyTooLarge},
	}
	c := newClient(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.ParseCallback(postForm(tt.body))
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), testSecret) {
				t.Fatal("error echoes the secret")
			}
		})
	}
}

func TestParseErrorsNeverEchoExpectedSig(t *testing.T) {
	p := orderParams("1", "chargeable")
	p.Set("sig", "00000000000000000000000000000000")
	_, err := newClient(t).ParseValues(p)
	want := vkpay.Sign(p, testSecret)
	if err == nil || strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v", err)
	}
}

func TestParseAcceptsPreviousSecretAndUppercaseSig(t *testing.T) {
	c := newClient(t, "old-secret")
	if _, err := c.ParseBody([]byte(signed(orderParams("1", "chargeable"), "old-secret")), nil); err != nil {
		t.Fatalf("previous secret: %v", err)
	}
	p := orderParams("1", "chargeable")
	p.Set("sig", strings.ToUpper(vkpay.Sign(p, testSecret)))
	if _, err := c.ParseValues(p); err != nil {
		t.Fatalf("upper-case sig: %v", err)
	}
}

func TestParseLegacyBodyWithoutVersionAndPlus(t *testing.T) {
	p := url.Values{"app_id": {"12345678"}, "user_id": {"1"}, "receiver_id": {"1"}, "notification_type": {"get_item"},
		"item": {"gold pack"}, "order_id": {"1"}, "lang": {"ru_RU"}}
	body := signed(p, testSecret) // Encode writes the space as '+'
	if !strings.Contains(body, "gold+pack") {
		t.Fatalf("body %s", body)
	}
	n, err := newClient(t).ParseBody([]byte(body), nil)
	if err != nil {
		t.Fatal(err)
	}
	if g := n.(*vkpay.GetItem); g.Item != "gold pack" || g.Version != "" {
		t.Fatalf("%+v", g)
	}
}

func TestNewValidatesConfig(t *testing.T) {
	for _, cfg := range []vkpay.Config{{Secret: "s"}, {AppID: 1}, {AppID: 1, Secret: "s", PreviousSecrets: []string{""}}} {
		if _, err := vkpay.New(cfg); !errors.Is(err, paykit.ErrInvalidRequest) {
			t.Fatalf("New(%+v) err = %v", cfg, err)
		}
	}
}

func with(p url.Values, k, v string) url.Values {
	if v == "" {
		p.Del(k)
	} else {
		p.Set(k, v)
	}
	return p
}
