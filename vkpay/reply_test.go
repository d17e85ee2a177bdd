package vkpay_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/vkpay"
)

func TestReplyValidationRefusesWhatVKWouldRefuse(t *testing.T) {
	ok := vkpay.ItemReply{Title: "Gold", Price: 10}
	tests := []struct {
		name  string
		reply interface{ Validate() error }
		field string
	}{
		{"empty title", &vkpay.ItemReply{Price: 1}, "title"},
		{"49-char title", &vkpay.ItemReply{Title: strings.Repeat("ж", 49), Price: 1}, "title"},
		{"zero price", &vkpay.ItemReply{Title: "a"}, "price"},
		{"discount not below price", &vkpay.ItemReply{Title: "a", Price: 5, Discount: 5}, "discount"},
		{"discount over 1000", &vkpay.ItemReply{Title: "a", Price: 5000, Discount: 1001}, "discount"},
		{"relative photo", &vkpay.ItemReply{Title: "a", Price: 5, PhotoURL: "/i.png"}, "photo_url"},
		{"expiration too short", &vkpay.ItemReply{Title: "a", Price: 5, Expiration: 10}, "expiration"},
		{"expiration too long", &vkpay.ItemReply{Title: "a", Price: 5, Expiration: 604801}, "expiration"},
		{"period 14", &vkpay.SubscriptionReply{Title: "a", Price: 5, Period: 14}, "period"},
		{"trial 1", &vkpay.SubscriptionReply{Title: "a", Price: 5, Period: 7, TrialDuration: 1}, "trial_duration"},
		{"order without id", &vkpay.OrderReply{}, "order_id"},
		{"negative app order", &vkpay.OrderReply{OrderID: 1, AppOrderID: -1}, "app_order_id"},
		{"subscription without id", &vkpay.SubscriptionStatusReply{}, "subscription_id"},
		{"error code 3", &vkpay.Error{Code: 3}, "error_code"},
		{"app error without msg", &vkpay.Error{Code: 100}, "error_msg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.reply.Validate()
			var fe *paykit.FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field || !errors.Is(err, paykit.ErrInvalidRequest) {
				t.Fatalf("err = %v", err)
			}
		})
	}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := (&vkpay.ItemReply{Title: strings.Repeat("ж", 48), Price: 2, Discount: 1, Expiration: 600}).Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestReplyJSONIsValidAndEscaped(t *testing.T) {
	title := "a\"b\\c\n<\x01>&\u2028\xff"
	b := (&vkpay.ItemReply{Title: title, Price: 1}).AppendJSON(nil)
	var v struct {
		Response struct {
			Title string `json:"title"`
		} `json:"response"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	if v.Response.Title != strings.ToValidUTF8(title, "\uFFFD") {
		t.Fatalf("title %q", v.Response.Title)
	}
}

func TestErrorEnvelopeHasNoResponseKey(t *testing.T) {
	got := string(vkpay.NewError(vkpay.CodeSignature, "signature mismatch", false).AppendJSON(nil))
	if got != `{"error":{"error_code":10,"error_msg":"signature mismatch","critical":true}}` {
		t.Fatal(got)
	}
	if e := vkpay.NewError(vkpay.CodeTemporary, "busy", true); e.Critical {
		t.Fatal("error 2 must not be critical")
	}
}
