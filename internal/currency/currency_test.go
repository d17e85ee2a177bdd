package currency

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExponentOfEachClassOfCurrency(t *testing.T) {
	for _, tc := range []struct {
		code string
		exp  int
		ok   bool
	}{
		{"EUR", 2, true}, {"USD", 2, true}, {"RUB", 2, true},
		{"JPY", 0, true}, {"KRW", 0, true}, {"VND", 0, true}, {"CLP", 0, true}, {"ISK", 0, true},
		{"KWD", 3, true}, {"BHD", 3, true}, {"OMR", 3, true}, {"JOD", 3, true}, {"TND", 3, true},
		{"CLF", 4, true}, {"UYW", 4, true},
		{"BYR", 0, true}, {"HRK", 2, true}, // withdrawn, still in old payloads
		{"", 0, false}, {"GOLD", 0, false}, {"XXX", 0, false}, {"eur", 0, false}, {"EU", 0, false},
		{"EURO", 0, false}, {" EUR", 0, false},
	} {
		t.Run(tc.code, func(t *testing.T) {
			exp, ok := Exponent(tc.code)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.exp, exp)
		})
	}
}

func TestTableHoldsOnlyUpperCaseThreeLetterCodesWithSaneExponents(t *testing.T) {
	assert.GreaterOrEqual(t, len(exponents), 170, "every active ISO 4217 currency")
	for code, exp := range exponents {
		assert.Len(t, code, 3, code)
		assert.Equal(t, strings.ToUpper(code), code)
		assert.Contains(t, []int{0, 2, 3, 4}, exp, code)
	}
}

func TestFormatWritesMinorUnitsAsADecimal(t *testing.T) {
	for _, tc := range []struct {
		minor int64
		exp   int
		want  string
	}{
		{499, 2, "4.99"},
		{5, 2, "0.05"},
		{0, 2, "0.00"},
		{100, 2, "1.00"},
		{-5, 2, "-0.05"},
		{-250, 2, "-2.50"},
		{500, 0, "500"},
		{-500, 0, "-500"},
		{0, 0, "0"},
		{1000, 3, "1.000"},
		{1234, 3, "1.234"},
		{1, 3, "0.001"},
		{1, 4, "0.0001"},
		{7, -1, "7"},
		{math.MaxInt64, 2, "92233720368547758.07"},
		{math.MinInt64, 2, "-92233720368547758.08"},
		{math.MinInt64, 0, "-9223372036854775808"},
		{math.MinInt64 + 1, 3, "-9223372036854775.807"},
	} {
		t.Run(strconv.FormatInt(tc.minor, 10)+"e-"+strconv.Itoa(tc.exp), func(t *testing.T) {
			assert.Equal(t, tc.want, Format(tc.minor, tc.exp))
		})
	}
}

// FuzzFormat: the decimal has exactly exp digits after the point, at
// least one before it, a sign only for negative amounts, and its digits
// read back as the amount. (xsolla's FuzzFormatRoundTrip parses it back
// with xsolla.ParseAmount as well.)
func FuzzFormat(f *testing.F) {
	for _, s := range []struct {
		minor int64
		exp   int
	}{{499, 2}, {0, 0}, {-5, 2}, {1000, 3}, {math.MinInt64, 2}, {math.MaxInt64, 4}, {1, 9}} {
		f.Add(s.minor, s.exp)
	}
	f.Fuzz(func(t *testing.T, minor int64, exp int) {
		exp = ((exp % 10) + 10) % 10
		s := Format(minor, exp)
		neg := strings.HasPrefix(s, "-")
		require.Equal(t, minor < 0, neg, s)
		body := strings.TrimPrefix(s, "-")
		whole, frac, dot := strings.Cut(body, ".")
		require.Equal(t, exp > 0, dot, s)
		require.Len(t, frac, exp, s)
		require.NotEmpty(t, whole, s)
		require.True(t, len(whole) == 1 || whole[0] != '0', "no leading zeros: %s", s)
		u, err := strconv.ParseUint(whole+frac, 10, 64)
		require.NoError(t, err, s)
		if neg {
			require.Equal(t, uint64(-(minor+1))+1, u, s)
		} else {
			require.Equal(t, uint64(minor), u, s)
		}
	})
}
