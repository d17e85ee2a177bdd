package playvisiontest_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/playvision"
	"github.com/paykit-go/paykit/playvision/playvisiontest"
)

// A test runs a purchase through the emulator against the merchant's real
// handler.
func Example() {
	client, err := playvision.New(playvision.Config{AppID: 7001, Secret: "app-secret"})
	if err != nil {
		log.Fatal(err)
	}
	shop := httptest.NewServer(client.Handler(paykit.Hooks{
		Item: func(context.Context, paykit.ItemRequest) (paykit.Item, error) {
			return paykit.Item{ID: "gold_100", Title: "100 gold", Price: 5}, nil
		},
		Event: func(_ context.Context, n paykit.Notification) error {
			fmt.Println("deliver", n.Summary().ID)
			return nil
		},
	}))
	defer shop.Close()

	emu, err := playvisiontest.NewServer(playvisiontest.Options{AppID: 7001, Secret: "app-secret", CallbackURL: shop.URL})
	if err != nil {
		log.Fatal(err)
	}
	defer emu.Close()

	ctx := context.Background()
	order, err := emu.Open(ctx, 131, "gold_pack_100", emu.Token(131)) // sends get_item
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(order.Title, order.Price, "PlayGold")
	order, _ = emu.Pay(ctx, order.TransactionID) // sends order_status_change
	fmt.Println(order.State)
	ds := emu.Deliveries()
	d, _ := emu.Resend(ctx, ds[len(ds)-1].ID) // a duplicate: replayed, no second delivery
	fmt.Println(d.Reply)
	// Output:
	// 100 gold 5 PlayGold
	// deliver 1001
	// paid
	// {"status":"1","message":"success"}
}

func ExampleSigner() {
	s := playvisiontest.Signer{Secret: "pv_secret_for_tests"}
	fmt.Println(s.Body(playvisiontest.GetItem{AppID: 7001, UserID: 131, Item: "gold_pack_100", Test: true}.Params()))
	// Output:
	// app_id=7001&item=gold_pack_100&notification_type=get_item_test&sig=97f5b724346497fc23c2c293a140ab88&user_id=131
}
