package vkpaytest_test

import (
	"testing"
	"time"

	"github.com/paykit-go/paykit/vkpay"
	"github.com/paykit-go/paykit/vkpay/vkpaytest"
)

func TestSignerSignsAZeroDateAsNow(t *testing.T) {
	c, _ := vkpay.New(vkpay.Config{AppID: appID, Secret: secret})
	s := vkpaytest.Signer{AppID: appID, Secret: secret}
	before := time.Now().Unix()
	p := s.OrderStatusChange(vkpaytest.OrderParams{ID: 5, UserID: 1, Item: "gold", Price: 7}, vkpay.OrderChargeable)
	after := time.Now().Unix()
	n, err := c.ParseCallback(s.NewRequest("/", p))
	if err != nil {
		t.Fatalf("date=%s: %v", p.Get("date"), err)
	}
	if d := n.(*vkpay.OrderStatusChange).Date.Unix(); d < before || d > after {
		t.Fatalf("date = %d, want the signing time (%d..%d)", d, before, after)
	}
}

func TestSignerFillsTheLanguageOfAnItemRequest(t *testing.T) {
	c, _ := vkpay.New(vkpay.Config{AppID: appID, Secret: secret})
	s := vkpaytest.Signer{AppID: appID, Secret: secret}
	for _, p := range []map[string][]string{s.GetItem("gold", 1, 2, ""), s.GetSubscription("vip", 1, 2, "")} {
		n, err := c.ParseValues(p)
		if err != nil {
			t.Fatalf("%s: %v", p["notification_type"], err)
		}
		if req := n.Summary(); req.UserID != "1" {
			t.Fatalf("%+v", req)
		}
		if got := p["lang"]; len(got) != 1 || got[0] != "ru_RU" {
			t.Fatalf("lang = %v, want ru_RU", got)
		}
	}
}
