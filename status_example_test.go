package paykit_test

import (
	"fmt"

	"github.com/paykit-go/paykit"
)

// An Xsolla refund that arrives before its payment: the order is held as
// refunded, and the late payment does not make it paid again.
func ExampleAdvance() {
	held := paykit.StatusUnknown
	for _, event := range []paykit.Status{paykit.StatusRefunded, paykit.StatusPaid} {
		var changed bool
		held, changed = paykit.Advance(held, event)
		fmt.Println(event, "->", held, changed)
	}
	// Output:
	// refunded -> refunded true
	// paid -> refunded false
}
