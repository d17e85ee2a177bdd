package xsolla

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/paykit-go/paykit"
)

// currencyExponents maps ISO 4217 codes to their number of minor-unit digits.
// It covers every active ISO 4217 currency (and so every currency Xsolla
// lists for payments and payouts) plus the withdrawn codes that old payloads
// still carry (BYR, HRK, MRO, STD, VEF, …). Codes that are missing are
// refused rather than guessed: a wrong exponent scales money by powers of
// ten.
var currencyExponents = map[string]int{
	"AED": 2, "AFN": 2, "ALL": 2, "AMD": 2, "ANG": 2, "AOA": 2, "ARS": 2, "AUD": 2, "AWG": 2, "AZN": 2,
	"BAM": 2, "BBD": 2, "BDT": 2, "BGN": 2, "BHD": 3, "BIF": 0, "BMD": 2, "BND": 2, "BOB": 2, "BOV": 2,
	"BRL": 2, "BSD": 2, "BTN": 2, "BWP": 2, "BYN": 2, "BYR": 0, "BZD": 2,
	"CAD": 2, "CDF": 2, "CHE": 2, "CHF": 2, "CHW": 2, "CLF": 4, "CLP": 0, "CNY": 2, "COP": 2, "COU": 2,
	"CRC": 2, "CUC": 2, "CUP": 2, "CVE": 2, "CZK": 2,
	"DJF": 0, "DKK": 2, "DOP": 2, "DZD": 2,
	"EEK": 2, "EGP": 2, "ERN": 2, "ETB": 2, "EUR": 2,
	"FJD": 2, "FKP": 2,
	"GBP": 2, "GEL": 2, "GHS": 2, "GIP": 2, "GMD": 2, "GNF": 0, "GTQ": 2, "GYD": 2,
	"HKD": 2, "HNL": 2, "HRK": 2, "HTG": 2, "HUF": 2,
	"IDR": 2, "ILS": 2, "INR": 2, "IQD": 3, "IRR": 2, "ISK": 0,
	"JMD": 2, "JOD": 3, "JPY": 0,
	"KES": 2, "KGS": 2, "KHR": 2, "KMF": 0, "KPW": 2, "KRW": 0, "KWD": 3, "KYD": 2, "KZT": 2,
	"LAK": 2, "LBP": 2, "LKR": 2, "LRD": 2, "LSL": 2, "LTL": 2, "LVL": 2, "LYD": 3,
	"MAD": 2, "MDL": 2, "MGA": 2, "MKD": 2, "MMK": 2, "MNT": 2, "MOP": 2, "MRO": 2, "MRU": 2, "MUR": 2,
	"MVR": 2, "MWK": 2, "MXN": 2, "MXV": 2, "MYR": 2, "MZN": 2,
	"NAD": 2, "NGN": 2, "NIO": 2, "NOK": 2, "NPR": 2, "NZD": 2,
	"OMR": 3,
	"PAB": 2, "PEN": 2, "PGK": 2, "PHP": 2, "PKR": 2, "PLN": 2, "PYG": 0,
	"QAR": 2,
	"RON": 2, "RSD": 2, "RUB": 2, "RWF": 0,
	"SAR": 2, "SBD": 2, "SCR": 2, "SDG": 2, "SEK": 2, "SGD": 2, "SHP": 2, "SLE": 2, "SLL": 2, "SOS": 2,
	"SRD": 2, "SSP": 2, "STD": 2, "STN": 2, "SVC": 2, "SYP": 2, "SZL": 2,
	"THB": 2, "TJS": 2, "TMT": 2, "TND": 3, "TOP": 2, "TRY": 2, "TTD": 2, "TWD": 2, "TZS": 2,
	"UAH": 2, "UGX": 0, "USD": 2, "USN": 2, "UYI": 0, "UYU": 2, "UYW": 4, "UZS": 2,
	"VED": 2, "VEF": 2, "VES": 2, "VND": 0, "VUV": 0,
	"WST": 2,
	"XAF": 0, "XCD": 2, "XCG": 2, "XOF": 0, "XPF": 0,
	"YER": 2,
	"ZAR": 2, "ZMK": 2, "ZMW": 2, "ZWG": 2, "ZWL": 2,
}

// CurrencyExponent reports the number of minor-unit digits of an ISO 4217
// currency (2 for USD, 0 for JPY, 3 for KWD) and whether the code is known.
// The code must be upper case.
func CurrencyExponent(currency string) (int, bool) {
	e, ok := currencyExponents[currency]
	return e, ok
}

// errAmount is wrapped by every amount conversion error.
var errAmount = errors.New("xsolla: bad amount")

// ParseAmount converts a decimal amount as Xsolla writes it ("4.99", "10",
// "1e3", "-0.5") into minor units of currency, exactly, using string
// arithmetic. It fails when the currency is unknown, the text is not a
// decimal number, it has more significant fractional digits than the
// currency allows (trailing zeros are fine) or the result overflows int64.
func ParseAmount(amount, currency string) (paykit.Money, error) {
	exp, ok := currencyExponents[currency]
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
	exp, ok := currencyExponents[m.Currency]
	if !ok {
		return "", fmt.Errorf("%w: unknown currency %q", errAmount, clip(m.Currency))
	}
	return formatMinor(m.Amount, exp), nil
}

func formatMinor(amount int64, exp int) string {
	neg := amount < 0
	var digits string
	if neg {
		// Via uint64 so that math.MinInt64 is rendered correctly.
		digits = strconv.FormatUint(uint64(-(amount+1))+1, 10)
	} else {
		digits = strconv.FormatInt(amount, 10)
	}
	if exp > 0 {
		if len(digits) <= exp {
			digits = strings.Repeat("0", exp-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-exp] + "." + digits[len(digits)-exp:]
	}
	if neg {
		return "-" + digits
	}
	return digits
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
	if err != nil || u > math.MaxInt64 {
		return bad("out of range")
	}
	if neg {
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
