package vkpaytest_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/vkpay"
	"github.com/paykit-go/paykit/vkpay/vkpaytest"
)

// A purchase and a refund through the emulator, against a merchant's
// handler on a loopback server.
func Example() {
	client, _ := vkpay.New(vkpay.Config{AppID: 51234, Secret: "emulator-secret"})
	merchant := httptest.NewServer(client.Handler(paykit.Hooks{
		Item: func(ctx context.Context, req paykit.ItemRequest) (paykit.Item, error) {
			return paykit.Item{ID: "gold-100", Title: "100 gold", Price: 7}, nil
		},
		Event: func(ctx context.Context, n paykit.Notification) error {
			fmt.Println("event:", n.Summary().Kind, n.Summary().Status)
			return nil
		},
	}))
	defer merchant.Close()

	emu, err := vkpaytest.NewServer(vkpaytest.Options{AppID: 51234, Secret: "emulator-secret",
		NotifyURL: merchant.URL, RetrySchedule: []time.Duration{10 * time.Millisecond}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer emu.Close() // emu.URL + "/" serves the clickable pages

	ctx := context.Background()
	order, err := emu.Open(ctx, "gold", 0) // get_item: what VKWebAppShowOrderBox does
	if err != nil {
		fmt.Println(err)
		return
	}
	order, err = emu.Pay(ctx, order.ID) // the buyer pays: order_status_change
	fmt.Println(order.Title, order.Price, order.State, err)
	order, err = emu.Refund(ctx, order.ID)
	fmt.Println(order.State, err)
	// Output:
	// event: payment paid
	// 100 gold 7 paid <nil>
	// event: refund refunded
	// refunded <nil>
}

// Signing a notification for a handler test without the emulator. The
// result is the votes-get-item-5132 vector of the shared test vectors.
func ExampleSigner() {
	s := vkpaytest.Signer{AppID: 1524456, Secret: "s3cr3tKey_for_tests", Version: "5.132", Test: true}
	p := s.GetItem("sale_item_1", 1, 2044594, "ru_RU")
	fmt.Println(p.Get("notification_type"), p.Get("sig"))
	// Output:
	// get_item_test 75dbe7e328b7ae1e9216b679be98bafd
}
