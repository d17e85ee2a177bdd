package xsolla

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/currency"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseAmountExact(t *testing.T) {
	tests := []struct {
		in, cur string
		want    int64
		ok      bool
	}{
		{"4.99", "USD", 499, true},
		{"0.1", "USD", 10, true},
		{"10", "USD", 1000, true},
		{"4.990", "USD", 499, true},
		{"4.999", "USD", 0, false},
		{"1e2", "USD", 10000, true},
		{"4.99E+1", "USD", 4990, true},
		{"1.5e-1", "USD", 15, true},
		{"1.55e-2", "USD", 0, false},
		{"-0.05", "EUR", -5, true},
		{"500", "JPY", 500, true},
		{"500.0", "JPY", 500, true},
		{"500.5", "JPY", 0, false},
		{"1.234", "KWD", 1234, true},
		{"1.2345", "CLF", 12345, true},
		{"0", "USD", 0, true},
		{"92233720368547758.07", "USD", math.MaxInt64, true},
		{"92233720368547758.08", "USD", 0, false},
		{"-92233720368547758.08", "USD", math.MinInt64, true},
		{"-92233720368547758.09", "USD", 0, false},
		{"-9223372036854775808", "JPY", math.MinInt64, true},
		{"", "USD", 0, false},
		{"[null]", "USD", 0, false},
		{"1.", "USD", 0, false},
		{".5", "USD", 0, false},
		{"1,5", "USD", 0, false},
		{"NaN", "USD", 0, false},
		{"1e999", "USD", 0, false},
		{"4.99", "XXX", 0, false},
		{"4.99", "usd", 0, false},
	}
	for _, tt := range tests {
		m, err := ParseAmount(tt.in, tt.cur)
		if !tt.ok {
			assert.Error(t, err, "%s %s", tt.in, tt.cur)
			continue
		}
		require.NoError(t, err, "%s %s", tt.in, tt.cur)
		assert.Equal(t, paykit.Money{Amount: tt.want, Currency: tt.cur}, m, tt.in)
	}
}

func TestFormatAmountUsesExponent(t *testing.T) {
	tests := map[paykit.Money]string{
		{Amount: 499, Currency: "USD"}:           "4.99",
		{Amount: 5, Currency: "USD"}:             "0.05",
		{Amount: -5, Currency: "USD"}:            "-0.05",
		{Amount: 500, Currency: "JPY"}:           "500",
		{Amount: 1234, Currency: "BHD"}:          "1.234",
		{Amount: 1, Currency: "UYW"}:             "0.0001",
		{Amount: math.MinInt64, Currency: "USD"}: "-92233720368547758.08",
	}
	for m, want := range tests {
		got, err := FormatAmount(m)
		require.NoError(t, err)
		assert.Equal(t, want, got)
		back, err := ParseAmount(got, m.Currency)
		require.NoError(t, err, "round trip of %s", got)
		assert.Equal(t, m, back, "round trip")
	}
	_, err := FormatAmount(paykit.Money{Amount: 1, Currency: "GOLD"})
	assert.Error(t, err)
}

func TestCurrencyTableCoversXsollaCurrencies(t *testing.T) {
	// Currencies Xsolla accepts for payments and payouts (a sample of its
	// list covering every exponent class).
	for cur, exp := range map[string]int{"USD": 2, "EUR": 2, "RUB": 2, "JPY": 0, "KRW": 0, "VND": 0, "CLP": 0,
		"ISK": 0, "KWD": 3, "BHD": 3, "OMR": 3, "JOD": 3, "TND": 3, "IQD": 3, "LYD": 3, "BRL": 2, "IDR": 2,
		"HUF": 2, "TWD": 2, "PYG": 0, "UGX": 0, "XAF": 0, "XOF": 0, "BYN": 2, "KZT": 2, "UAH": 2, "CNY": 2, "INR": 2} {
		got, ok := CurrencyExponent(cur)
		assert.True(t, ok, cur)
		assert.Equal(t, exp, got, cur)
	}
}

func TestScalarTypesUnmarshalJSON(t *testing.T) {
	var v struct {
		A, B, C ID
		D, E    Decimal
		F, G, H Flag
	}
	require.NoError(t, json.Unmarshal([]byte(`{"A":"x\"y","B":123,"C":null,"D":4.99,"E":"5.00","F":1,"G":"0","H":true}`), &v))
	assert.Equal(t, ID(`x"y`), v.A)
	assert.Equal(t, ID("123"), v.B)
	assert.Equal(t, ID(""), v.C)
	assert.Equal(t, Decimal("4.99"), v.D)
	assert.Equal(t, Decimal("5.00"), v.E)
	assert.True(t, bool(v.F))
	assert.False(t, bool(v.G))
	assert.True(t, bool(v.H))
	assert.Error(t, json.Unmarshal([]byte(`{"A":{"x":1}}`), &v))
	n, err := ID("42").Int64()
	require.NoError(t, err)
	assert.Equal(t, int64(42), n)
}

// FuzzFormatRoundTrip: the shared formatter's decimal of any amount in any
// known currency parses back, through Xsolla's parser, to the same money.
func FuzzFormatRoundTrip(f *testing.F) {
	for _, m := range []paykit.Money{{Amount: 499, Currency: "USD"}, {Amount: 500, Currency: "JPY"},
		{Amount: 1000, Currency: "KWD"}, {Amount: -5, Currency: "EUR"}, {Amount: 1, Currency: "CLF"},
		{Amount: math.MinInt64, Currency: "USD"}, {Amount: math.MaxInt64, Currency: "BHD"}, {Amount: 1, Currency: "GOLD"}} {
		f.Add(m.Amount, m.Currency)
	}
	f.Fuzz(func(t *testing.T, minor int64, code string) {
		exp, ok := currency.Exponent(code)
		if !ok {
			_, err := FormatAmount(paykit.Money{Amount: minor, Currency: code})
			require.Error(t, err, "an unknown currency is refused, not guessed")
			return
		}
		s := currency.Format(minor, exp)
		back, err := ParseAmount(s, code)
		require.NoError(t, err, s)
		require.Equal(t, paykit.Money{Amount: minor, Currency: code}, back, s)
	})
}
