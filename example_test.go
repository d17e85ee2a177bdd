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

// Hooks return sentinel errors; every provider's handler maps them to its
// own answer in the same way.
func ExampleClassify() {
	for _, err := range []error{nil, paykit.ErrUnknownItem, paykit.Temporary(fmt.Errorf("db down")), fmt.Errorf("bug")} {
		fmt.Println(paykit.Classify(err) == paykit.OutcomeOK, paykit.Classify(err) == paykit.OutcomeRetry)
	}
	// Output:
	// true false
	// false false
	// false true
	// false false
}

func ExampleParseForm() {
	_, err := paykit.ParseForm("order_id=1&sig=abc&order_id=2")
	fmt.Println(err)
	// Output: paykit: malformed callback: duplicate form key "order_id"
}
