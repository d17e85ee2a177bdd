package xsolla

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/currency"
)

// CurrencyExponent reports the number of minor-unit digits of an ISO 4217
// currency (2 for USD, 0 for JPY, 3 for KWD) and whether the code is known.
// The code must be upper case. Codes that are not known are refused by
// [ParseAmount] and [FormatAmount] rather than guessed: a wrong exponent
// scales money by powers of ten.
func CurrencyExponent(code string) (int, bool) {
	return currency.Exponent(code)
}

// errAmount is wrapped by every amount conversion error.
var errAmount = errors.New("xsolla: bad amount")

// ParseAmount converts a decimal amount as Xsolla writes it ("4.99", "10",
// "1e3", "-0.5") into minor units of currency, exactly, using string
// arithmetic. It fails when the currency is unknown, the text is not a
// decimal number, it has more significant fractional digits than the
// currency allows (trailing zeros are fine) or the result overflows int64.
func ParseAmount(amount, currency string) (paykit.Money, error) {
	exp, ok := CurrencyExponent(currency)
	if !ok {
		return paykit.Money{}, fmt.Errorf("%w: unknown currency %q", errAmount, clip(currency))
	}
	minor, err := parseMinor(amount, exp)
	if err != nil {
		return paykit.Money{}, err
	}
	return paykit.Money{Amount: minor, Currency: currency}, nil
}

// FormatAmount renders m as a decimal with its currency's exponent, the
// way Xsolla's API expects amounts (499 USD → "4.99", 500 JPY → "500").
func FormatAmount(m paykit.Money) (string, error) {
	exp, ok := CurrencyExponent(m.Currency)
	if !ok {
		return "", fmt.Errorf("%w: unknown currency %q", errAmount, clip(m.Currency))
	}
	return currency.Format(m.Amount, exp), nil
}

// parseMinor parses a JSON-style decimal number (optionally with an
// exponent) into an integer scaled by 10^exp.
func parseMinor(s string, exp int) (int64, error) {
	bad := func(why string) (int64, error) {
		return 0, fmt.Errorf("%w: %q: %s", errAmount, clip(s), why)
	}
	neg := false
	switch {
	case s == "":
		return bad("empty")
	case s[0] == '-':
		neg, s = true, s[1:]
	case s[0] == '+':
		s = s[1:]
	}
	mant, e10 := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant = s[:i]
		n, err := strconv.Atoi(s[i+1:])
		if err != nil || n > 40 || n < -40 {
			return bad("bad exponent")
		}
		e10 = n
	}
	intPart, frac, hasDot := strings.Cut(mant, ".")
	if intPart == "" || (hasDot && frac == "") {
		return bad("not a decimal number")
	}
	digits := intPart + frac
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return bad("not a decimal number")
		}
	}
	// value = digits × 10^(e10 - len(frac)); scaled by 10^exp.
	digits, why := shiftDigits(digits, e10-len(frac)+exp)
	if why != "" {
		return bad(why)
	}
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return 0, nil
	}
	u, err := strconv.ParseUint(digits, 10, 64)
	switch {
	case err != nil || u > math.MaxInt64+1 || u == math.MaxInt64+1 && !neg:
		return bad("out of range")
	case u == math.MaxInt64+1: // -2⁶³, the one magnitude int64 holds only as a negative
		return math.MinInt64, nil
	case neg:
		return -int64(u), nil
	}
	return int64(u), nil
}

// maxEcho bounds how much attacker-chosen text an error repeats.
const maxEcho = 40

func clip(s string) string {
	if len(s) > maxEcho {
		return s[:maxEcho] + "…"
	}
	return s
}

// shiftDigits multiplies the decimal digits by 10^shift, failing (with the
// reason) when a non-zero digit would be cut or the result is far out of
// range.
func shiftDigits(digits string, shift int) (string, string) {
	if shift >= 0 {
		if shift > 40 {
			return "", "out of range"
		}
		return digits + strings.Repeat("0", shift), ""
	}
	cut := max(len(digits)+shift, 0)
	if strings.Trim(digits[cut:], "0") != "" {
		return "", "more decimals than the currency has"
	}
	return digits[:cut], ""
}
