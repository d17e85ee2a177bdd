package xsolla

import (
	"encoding/json"
	"errors"
	"strconv"

	"github.com/paykit-go/paykit"
)

// Xsolla's payloads are loose about scalar types: ids arrive as strings or
// numbers, amounts as numbers or strings ("10", even "[null]"), flags as 1,
// "1" or true. The types below accept every such spelling and keep the text
// exactly as sent, so nothing is lost to float64 on the way.

var errScalar = errors.New("xsolla: unexpected JSON value")

// ID is an identifier that Xsolla sends either as a JSON string or as a
// JSON number. It holds the text as sent (a number's digits, a string's
// value); null and absent are "".
type ID string

// UnmarshalJSON accepts a string, a number or null.
func (v *ID) UnmarshalJSON(b []byte) error {
	s, err := scalarText(b)
	*v = ID(s)
	return err
}

// String returns the id's text.
func (v ID) String() string { return string(v) }

// Int64 parses the id as a decimal integer.
func (v ID) Int64() (int64, error) { return strconv.ParseInt(string(v), 10, 64) }

// Decimal is an amount or quantity as sent: a JSON number or a string,
// kept as decimal text so that no precision is lost. Convert it with
// [Decimal.Minor] or [Amount.Money]; never through float64.
type Decimal string

// UnmarshalJSON accepts a number, a string or null.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	s, err := scalarText(b)
	*d = Decimal(s)
	return err
}

// Minor converts d into minor units of currency (see [ParseAmount]).
func (d Decimal) Minor(currency string) (paykit.Money, error) {
	return ParseAmount(string(d), currency)
}

// Int64 parses d as a whole number (a quantity). "2", "2.0" and "2e0" give
// 2; "2.5" fails.
func (d Decimal) Int64() (int64, error) { return parseMinor(string(d), 0) }

// Flag is a boolean that Xsolla sends as 1/0, "1"/"0" or true/false.
// transaction.dry_run is one: 1 on sandbox payments, absent on live ones.
type Flag bool

// UnmarshalJSON accepts true, false, null, a number (non-zero is true) or a
// string holding one of those.
func (f *Flag) UnmarshalJSON(b []byte) error {
	s, err := scalarText(b)
	if err != nil {
		return err
	}
	*f = flagOf(s)
	return nil
}

// scalarText returns the text of a JSON string, number, boolean or null
// (null gives ""). Objects and arrays fail. encoding/json has already
// validated the token, so a string without escapes is sliced directly.
func scalarText(b []byte) (string, error) {
	if len(b) == 0 {
		return "", errScalar
	}
	switch b[0] {
	case '"':
		inner := b[1 : len(b)-1]
		for _, c := range inner {
			if c == '\\' {
				var s string
				err := json.Unmarshal(b, &s)
				return s, err
			}
		}
		return string(inner), nil
	case 'n':
		return "", nil
	case '{', '[':
		return "", errScalar
	default:
		return string(b), nil
	}
}
