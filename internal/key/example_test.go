package key_test

import (
	"fmt"

	"github.com/paykit-go/paykit/internal/key"
)

// Every part is length-prefixed, so no id can be read as another part.
func ExampleBuild() {
	fmt.Println(key.Build(key.Parts{Provider: "paysera", Account: "1", Kind: "payment", Status: "paid",
		ID: "555", Discriminator: "micro"}))
	// Output: 7:paysera|1:1|4:live|7:payment|4:paid|3:555|5:micro
}
