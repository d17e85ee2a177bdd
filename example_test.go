package paykit_test

import (
	"context"
	"fmt"

	"github.com/paykit-go/paykit"
)

// A Store runs a fulfilment once per idempotency key and replays its reply
// to every repeated delivery.
func ExampleMemoryStore() {
	store := paykit.NewMemoryStore(paykit.MemoryStoreOptions{})
	n := note{Provider: paykit.VKPay, Type: "order_status_change", Kind: paykit.KindPayment,
		Status: paykit.StatusPaid, ID: "2044861"}
	key := paykit.IdempotencyKey("12345678", n)

	fulfil := func(ctx context.Context) ([]byte, error) {
		fmt.Println("crediting order", n.Summary().ID)
		return []byte(`{"response":{"order_id":2044861}}`), nil
	}
	for i := 0; i < 2; i++ {
		reply, replayed, err := store.Do(context.Background(), key, fulfil)
		fmt.Println(string(reply), replayed, err)
	}
	// Output:
	// crediting order 2044861
	// {"response":{"order_id":2044861}} false <nil>
	// {"response":{"order_id":2044861}} true <nil>
}
