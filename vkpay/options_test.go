package vkpay_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/vkpay"
)

func TestAccountIsTheAppIDInDecimal(t *testing.T) {
	if got := newClient(t).Account(); got != "12345678" {
		t.Fatalf("Account() = %q", got)
	}
}

func TestIdempotencyKeyIsEmptyOnlyForItemRequests(t *testing.T) {
	c := newClient(t)
	item, err := c.ParseBody([]byte(signed(getItemParams("x"), testSecret)), nil)
	if err != nil {
		t.Fatal(err)
	}
	order, err := c.ParseBody([]byte(signed(orderParams("5", "chargeable"), testSecret)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if k := c.IdempotencyKey(item); k != "" {
		t.Fatalf("get_item keyed %q", k)
	}
	if k := c.IdempotencyKey(order); !strings.Contains(k, c.Account()) {
		t.Fatalf("order key %q lacks the account", k)
	}
}

func TestParseBodyIgnoresHeadersAndRefusesOversizedBodies(t *testing.T) {
	c := newClient(t)
	body := []byte(signed(orderParams("5", "chargeable"), testSecret))
	h := http.Header{"Sig": {"forged"}, "Content-Type": {"text/plain"}}
	if _, err := c.ParseBody(body, h); err != nil {
		t.Fatalf("headers changed the result: %v", err)
	}
	big := append(append([]byte(nil), body...), "&pad="+strings.Repeat("x", 64<<10)...)
	if _, err := c.ParseBody(big, nil); !errors.Is(err, paykit.ErrBodyTooLarge) {
		t.Fatalf("oversized body: %v", err)
	}
}

func TestHandlerWithSharedOptions(t *testing.T) {
	var left time.Duration
	event := func(ctx context.Context, _ paykit.Notification) error {
		d, _ := ctx.Deadline()
		left = time.Until(d)
		return nil
	}
	h := newClient(t).HandlerWith(paykit.Hooks{Event: event}, vkpay.HandlerOptions{
		HandlerOptions: paykit.HandlerOptions{HookTimeout: time.Second, MaxBodyBytes: 1 << 10}})
	if _, b := serve(h, signed(orderParams("1", "chargeable"), testSecret)); strings.Contains(b, "error") {
		t.Fatal(b)
	}
	if left <= 0 || left > time.Second {
		t.Fatalf("HookTimeout 1s gave a deadline in %v", left)
	}
	over := signed(with(orderParams("2", "chargeable"), "pad", strings.Repeat("x", 1<<10)), testSecret)
	if _, b := serve(h, over); decode(t, b).Error == nil || decode(t, b).Error.Code != vkpay.CodeBadRequest {
		t.Fatalf("body over MaxBodyBytes: %s", b)
	}
}

func TestHandlerNilItemRefusesEveryItemAsUnknown(t *testing.T) {
	_, b := serve(newClient(t).Handler(paykit.Hooks{}), signed(getItemParams("sale_item_1"), testSecret))
	if e := decode(t, b); e.Error == nil || e.Error.Code != vkpay.CodeUnknownItem || !e.Error.Critical {
		t.Fatalf("%s", b)
	}
}

func TestOrderReplyErrorKeepsTheFulfilmentAndEchoesTheID(t *testing.T) {
	var events int
	var reported error
	h := newClient(t).HandlerWith(paykit.Hooks{Event: func(context.Context, paykit.Notification) error {
		events++
		return nil
	}}, vkpay.HandlerOptions{
		OrderReply: func(context.Context, *vkpay.OrderStatusChange) (vkpay.OrderReply, error) {
			return vkpay.OrderReply{}, errors.New("order table unreachable")
		},
		OnInvalidReply: func(_ paykit.Notification, err error) { reported = err },
	})
	body := signed(orderParams("8", "chargeable"), testSecret)
	_, first := serve(h, body)
	_, second := serve(h, body)
	if first != `{"response":{"order_id":8}}` || second != first || events != 1 || reported == nil {
		t.Fatalf("first %s second %s events %d reported %v", first, second, events, reported)
	}
}
