package vkpay_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/paykit-go/paykit/vkpay"
)

// An order found by reconciliation (orders.getById) becomes the very
// notification order_status_change brings for it: same Summary, same
// idempotency key, so a store fulfils it once whichever arrives first.
func TestOrderFromTheAPIBecomesTheNotificationOfTheSameOrder(t *testing.T) {
	c := newClient(t)
	for _, tt := range []struct {
		state  vkpay.OrderState
		status string
	}{
		{vkpay.OrderStateCharged, "chargeable"},
		{vkpay.OrderStateChargeable, "chargeable"},
		{vkpay.OrderStateRefunded, "refunded"},
	} {
		t.Run(string(tt.state), func(t *testing.T) {
			n, err := c.ParseBody([]byte(signed(orderParams("2044861", tt.status), testSecret)), nil)
			if err != nil {
				t.Fatal(err)
			}
			notified := n.(*vkpay.OrderStatusChange)
			order := vkpay.Order{ID: 2044861, Status: tt.state, UserID: 1, ReceiverID: 1, Item: "sale_item_1", Amount: 24,
				Date: time.Unix(1656358147, 0).UTC(), AppID: testAppID, Test: true}
			got, err := order.StatusChange()
			if err != nil {
				t.Fatal(err)
			}
			want := vkpay.OrderStatusChange{
				Common:     vkpay.Common{NotificationType: "order_status_change_test", AppID: testAppID, UserID: 1, Test: true},
				ReceiverID: 1, OrderID: 2044861, Status: vkpay.OrderStatus(tt.status), Date: order.Date,
				Item: "sale_item_1", ItemPrice: 24,
			}
			if got.Type() != vkpay.TypeOrderStatusChange {
				t.Fatalf("%+v", got)
			}
			if !reflect.DeepEqual(*got, want) {
				t.Fatalf("got  %+v\nwant %+v", *got, want)
			}
			if got.Summary() != notified.Summary() {
				t.Fatalf("Summary %+v, the notification's %+v", got.Summary(), notified.Summary())
			}
			if c.IdempotencyKey(got) != c.IdempotencyKey(notified) || c.IdempotencyKey(got) == "" {
				t.Fatalf("key %q, the notification's %q", c.IdempotencyKey(got), c.IdempotencyKey(notified))
			}
		})
	}
}

func TestOrderInAStateWithNothingToFulfilIsNotANotification(t *testing.T) {
	for _, s := range []vkpay.OrderState{vkpay.OrderStateCreated, vkpay.OrderStateDeclined, vkpay.OrderStateCancelled, "future_state"} {
		o := vkpay.Order{ID: 1, Status: s, AppID: testAppID}
		if n, err := o.StatusChange(); !errors.Is(err, vkpay.ErrOrderNotSettled) || n != nil {
			t.Errorf("%s: %+v, %v; want ErrOrderNotSettled", s, n, err)
		}
	}
}

func TestProductionOrderBecomesAProductionNotification(t *testing.T) {
	o := vkpay.Order{ID: 5, Status: vkpay.OrderStateCharged, AppID: testAppID, UserID: 2, ReceiverID: 2, Amount: 3}
	n, err := o.StatusChange()
	if err != nil {
		t.Fatal(err)
	}
	if n.NotificationType != "order_status_change" || n.Test || n.Summary().Test {
		t.Fatalf("%+v", n)
	}
	test := o
	test.Test = true
	tn, _ := test.StatusChange()
	if c := newClient(t); c.IdempotencyKey(n) == c.IdempotencyKey(tn) {
		t.Fatal("a test order and a production order with the same id share a key")
	}
}
