package vkpay_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/vkpay"
	"github.com/paykit-go/paykit/vkpay/vkpaytest"
)

// A notification VK never delivered: the order is paid at VK, the shop
// heard nothing. The reconciler, sharing the handler's hooks and Store,
// finds it and fulfils it once; the notification that arrives late is
// answered from the Store. VK is emulated here.
func ExampleClient_Reconciler() {
	ctx := context.Background()
	vk, err := vkpaytest.NewServer(vkpaytest.Options{AppID: 12345678, Secret: "s3cr3tKey_for_tests",
		AccessToken: "service-token", DropCallbacks: true}) // VK's notifications get lost
	if err != nil {
		log.Fatal(err)
	}
	defer vk.Close()
	client, err := vkpay.New(vkpay.Config{AppID: 12345678, Secret: "s3cr3tKey_for_tests",
		AccessToken: "service-token", APIBaseURL: vk.URL})
	if err != nil {
		log.Fatal(err)
	}
	hooks := paykit.Hooks{
		Item: func(context.Context, paykit.ItemRequest) (paykit.Item, error) {
			return paykit.Item{ID: "gold_100", Title: "100 gold", Price: 7}, nil
		},
		Event: func(_ context.Context, n paykit.Notification) error {
			fmt.Println("fulfil", n.Summary().Kind, n.Summary().Amount.Amount, "votes")
			return nil
		},
		Store: paykit.NewMemoryStore(paykit.MemoryStoreOptions{}), // or sqlstore: shared by both
	}
	shop := httptest.NewServer(client.Handler(hooks))
	defer shop.Close()
	_ = vk.SetNotifyURL(shop.URL)
	rec, err := client.Reconciler(hooks, vkpay.ReconcilerOptions{})
	if err != nil {
		log.Fatal(err)
	}

	open, _ := vk.Open(ctx, "gold_100", 1)
	_, _ = vk.Pay(ctx, open.ID)
	_ = vk.Wait(ctx)

	rep, err := rec.Reconcile(ctx, open.ID) // or: go rec.Loop(ctx, 5*time.Minute, pending, report)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range rep.Entries {
		fmt.Println("order", e.Ref == fmt.Sprint(open.ID), e.Found, e.Summary.Status)
	}
	ds := vk.Deliveries()
	late, _ := vk.Resend(ctx, ds[len(ds)-1].ID) // VK's notification, late
	fmt.Println("late notification answered:", late.OK())
	// Output:
	// fulfil payment 7 votes
	// order true fulfilled paid
	// late notification answered: true
}
