package form_test

import (
	"fmt"

	"github.com/paykit-go/paykit/internal/form"
)

// A repeated key is refused: a signature is over one value, and a merchant
// must never read another.
func ExampleParse() {
	v, err := form.Parse("order_id=1&sig=abc")
	fmt.Println(v.Get("order_id"), err)
	_, err = form.Parse("order_id=1&sig=abc&order_id=2")
	fmt.Println(err)
	// Output:
	// 1 <nil>
	// paykit: malformed callback: duplicate form key "order_id"
}
