package currency_test

import (
	"fmt"

	"github.com/paykit-go/paykit/internal/currency"
)

// An amount of minor units written with its currency's exponent.
func ExampleFormat() {
	for _, m := range []struct {
		minor int64
		code  string
	}{{499, "EUR"}, {500, "JPY"}, {1000, "KWD"}, {-5, "USD"}} {
		exp, _ := currency.Exponent(m.code)
		fmt.Println(currency.Format(m.minor, exp), m.code)
	}
	// Output:
	// 4.99 EUR
	// 500 JPY
	// 1.000 KWD
	// -0.05 USD
}
