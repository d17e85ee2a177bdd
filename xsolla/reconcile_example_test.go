package xsolla_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/xsolla"
	"github.com/paykit-go/paykit/xsolla/xsollatest"
)

// A webhook Xsolla never delivered: the payment went through, the shop
// heard nothing. The reconciler, sharing the handler's hooks and Store,
// finds it by the shop's order id (external_id) and fulfils it once; the
// webhook that arrives late is answered from the Store. Xsolla is
// emulated here.
func ExampleClient_Reconciler() {
	ctx := context.Background()
	shop := httptest.NewUnstartedServer(nil)
	defer shop.Close()
	emu, err := xsollatest.NewServer(xsollatest.Options{MerchantID: 2340, ProjectID: 18404, APIKey: "api-key",
		WebhookSecret: "hook-secret", WebhookURL: "http://" + shop.Listener.Addr().String(),
		DropCallbacks: true}) // Xsolla's webhooks get lost
	if err != nil {
		log.Fatal(err)
	}
	defer emu.Close()
	client, err := xsolla.New(emu.ClientConfig())
	if err != nil {
		log.Fatal(err)
	}
	hooks := paykit.Hooks{
		Event: func(_ context.Context, n paykit.Notification) error {
			s := n.Summary()
			fmt.Println("fulfil", s.Kind, s.OrderID, s.Amount.Amount, s.Amount.Currency)
			return nil
		},
		Store: paykit.NewMemoryStore(paykit.MemoryStoreOptions{}), // or sqlstore: shared by both
	}
	shop.Config.Handler = client.Handler(hooks)
	shop.Start()
	rec, err := client.Reconciler(hooks, xsolla.ReconcilerOptions{})
	if err != nil {
		log.Fatal(err)
	}

	token, _ := client.CreateToken(ctx, xsolla.TokenRequest{UserID: "player-1", ExternalID: "order-42",
		Checkout: &paykit.Money{Amount: 499, Currency: "USD"}})
	_, _ = emu.Pay(ctx, token)
	_ = emu.Wait(ctx)

	rep, err := rec.Reconcile(ctx, "order-42") // or: go rec.Loop(ctx, 5*time.Minute, pending, report)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range rep.Entries {
		fmt.Println(e.Ref, e.Found)
	}
	ds := emu.Deliveries()
	late, _ := emu.Resend(ctx, ds[len(ds)-1].ID) // the payment webhook, late
	fmt.Println("late webhook answered:", late.Status)
	// Output:
	// fulfil payment order-42 499 USD
	// order-42 fulfilled
	// late webhook answered: 204
}
