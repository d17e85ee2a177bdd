package main

import (
	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/examples/internal/emulators"
)

// Product is something the shop sells. Each provider charges in its own
// unit: Price (minor units of a fiat currency) through Paysera and Xsolla,
// Votes through VK, PlayGold through Playvision.
type Product struct {
	SKU      string
	Title    string
	Price    paykit.Money
	Votes    int64
	PlayGold int64
}

// catalog is the shop's fixed product list.
var catalog = []Product{
	{SKU: emulators.DemoItem, Title: emulators.DemoItemTitle, Price: paykit.Money{Amount: emulators.DemoPrice, Currency: emulators.DemoCurrency},
		Votes: emulators.DemoVotes, PlayGold: emulators.DemoPlayGold}, // what trigger sends by default
	{SKU: "gems-500", Title: "500 gems", Price: paykit.Money{Amount: 999, Currency: "EUR"}, Votes: 14, PlayGold: 100},
	{SKU: "season-pass", Title: "Season pass", Price: paykit.Money{Amount: 1499, Currency: "EUR"}, Votes: 21, PlayGold: 150},
}

// productBySKU finds a product of the catalogue.
func productBySKU(sku string) (Product, bool) {
	for _, p := range catalog {
		if p.SKU == sku {
			return p, true
		}
	}
	return Product{}, false
}

// PriceIn returns what the product costs through provider.
func (p Product) PriceIn(provider paykit.Provider) paykit.Money {
	switch provider {
	case paykit.VKPay:
		return paykit.Money{Amount: p.Votes}
	case paykit.Playvision:
		return paykit.Money{Amount: p.PlayGold}
	default:
		return p.Price
	}
}

// unitOf names the virtual currency of provider ("" for fiat).
func unitOf(provider paykit.Provider) string {
	switch provider {
	case paykit.VKPay:
		return "votes"
	case paykit.Playvision:
		return "PlayGold"
	}
	return ""
}

// priceText renders an amount charged through provider.
func priceText(provider paykit.Provider, m paykit.Money) string {
	if u := unitOf(provider); u != "" {
		return m.String() + " " + u
	}
	return m.String()
}
