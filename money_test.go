package paykit_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/paykit-go/paykit"
)

func TestMoneyStringReadsAsPeopleWriteMoney(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    paykit.Money
		want string
	}{
		{"cents", paykit.Money{Amount: 499, Currency: "EUR"}, "4.99 EUR"},
		{"under one unit", paykit.Money{Amount: 5, Currency: "USD"}, "0.05 USD"},
		{"whole units keep their cents", paykit.Money{Amount: 500, Currency: "EUR"}, "5.00 EUR"},
		{"zero", paykit.Money{Amount: 0, Currency: "EUR"}, "0.00 EUR"},
		{"negative", paykit.Money{Amount: -250, Currency: "EUR"}, "-2.50 EUR"},
		{"negative under one unit", paykit.Money{Amount: -5, Currency: "EUR"}, "-0.05 EUR"},
		{"no thousands separators", paykit.Money{Amount: 123456789, Currency: "USD"}, "1234567.89 USD"},
		{"exponent 0: JPY", paykit.Money{Amount: 500, Currency: "JPY"}, "500 JPY"},
		{"exponent 0: KRW", paykit.Money{Amount: 15000, Currency: "KRW"}, "15000 KRW"},
		{"exponent 3: KWD", paykit.Money{Amount: 1000, Currency: "KWD"}, "1.000 KWD"},
		{"exponent 3: BHD", paykit.Money{Amount: 1234, Currency: "BHD"}, "1.234 BHD"},
		{"exponent 4: CLF", paykit.Money{Amount: 1, Currency: "CLF"}, "0.0001 CLF"},
		{"VK Pay: kopecks of RUB", paykit.Money{Amount: 1500, Currency: "RUB"}, "15.00 RUB"},
		{"most negative", paykit.Money{Amount: math.MinInt64, Currency: "EUR"}, "-92233720368547758.08 EUR"},
		{"largest", paykit.Money{Amount: math.MaxInt64, Currency: "JPY"}, "9223372036854775807 JPY"},
		{"virtual currency code: whole units", paykit.Money{Amount: 499, Currency: "GOLD"}, "499 GOLD"},
		{"virtual currency, negative", paykit.Money{Amount: -3, Currency: "GEMS"}, "-3 GEMS"},
		{"unknown three letters: whole units, not guessed", paykit.Money{Amount: 499, Currency: "XXX"}, "499 XXX"},
		{"lower case is not looked up", paykit.Money{Amount: 499, Currency: "eur"}, "499 eur"},
		{"VK votes: no currency", paykit.Money{Amount: 7}, "7"},
		{"Playvision PlayGold: no currency", paykit.Money{Amount: 50}, "50"},
		{"zero value", paykit.Money{}, "0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.m.String())
			assert.Equal(t, tc.want, fmt.Sprint(tc.m), "fmt uses String")
		})
	}
}

// Money prints in major units for ISO currencies, whole units otherwise;
// Amount stays the integer to compute with.
func ExampleMoney_String() {
	fmt.Println(paykit.Money{Amount: 499, Currency: "EUR"})
	fmt.Println(paykit.Money{Amount: 500, Currency: "JPY"})
	fmt.Println(paykit.Money{Amount: 1000, Currency: "KWD"})
	fmt.Println(paykit.Money{Amount: 499, Currency: "GOLD"}) // a virtual currency
	fmt.Println(paykit.Money{Amount: 7})                     // VK votes carry no currency
	// Output:
	// 4.99 EUR
	// 500 JPY
	// 1.000 KWD
	// 499 GOLD
	// 7
}
