package merchant

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Status is a VK Pay transaction status, always lower case here (VK Pay
// sends both "paid" and "PAID").
type Status string

// The transaction statuses of spec B.3.
const (
	StatusNew          Status = "new"
	StatusRejected     Status = "rejected"
	StatusPaid         Status = "paid" // final success
	StatusExpired      Status = "expired"
	StatusHeld         Status = "held"
	StatusHoldFailed   Status = "hold_failed"
	StatusHoldCanceled Status = "hold_canceled"
	StatusWait         Status = "wait"
	StatusProcess      Status = "process"
)

// UnmarshalJSON lower-cases the status.
func (s *Status) UnmarshalJSON(b []byte) error {
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = Status(strings.ToLower(strings.TrimSpace(v)))
	return nil
}

// Time is a date VK Pay sends either as unix seconds (string or number) or
// as ISO 8601 ("2021-09-07T14:09:23.000+03:00"); both are accepted. An
// empty value is the zero Time.
type Time struct{ time.Time }

var isoLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.000Z0700", "2006-01-02T15:04:05Z0700", "2006-01-02 15:04:05"}

// UnmarshalJSON accepts unix seconds and ISO 8601.
func (t *Time) UnmarshalJSON(b []byte) error {
	s, err := scalar(b)
	if err != nil || s == "" || s == "0" {
		t.Time = time.Time{}
		return err
	}
	if digits(s) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n > 1<<40 {
			return errors.New("unix time out of range")
		}
		t.Time = time.Unix(n, 0).UTC()
		return nil
	}
	for _, layout := range isoLayouts {
		if v, err := time.Parse(layout, s); err == nil {
			t.Time = v
			return nil
		}
	}
	return errors.New("date is neither unix seconds nor ISO 8601")
}

// MarshalJSON writes unix seconds.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte(`""`), nil
	}
	return strconv.AppendInt(nil, t.Unix(), 10), nil
}

// Amount is a sum in kopecks; VK Pay sends rubles as a string or number
// ("10.00", 10.5), converted exactly.
type Amount int64

// UnmarshalJSON parses rubles into kopecks, refusing sub-kopeck values.
func (a *Amount) UnmarshalJSON(b []byte) error {
	s, err := scalar(b)
	if err != nil {
		return err
	}
	if s == "" {
		*a = 0
		return nil
	}
	n, ok := parseRubles(s)
	if !ok {
		return errors.New("amount is not a decimal with at most 2 places")
	}
	*a = Amount(n)
	return nil
}

// MarshalJSON writes rubles as a string.
func (a Amount) MarshalJSON() ([]byte, error) {
	return appendString(nil, formatRubles(int64(a))), nil
}

// FlexString is an id VK Pay may send as a string or a number.
type FlexString string

// UnmarshalJSON accepts a string, a number or null.
func (f *FlexString) UnmarshalJSON(b []byte) error {
	s, err := scalar(b)
	*f = FlexString(s)
	return err
}

// scalar returns a JSON string's value or a number's literal; null is "".
func scalar(b []byte) (string, error) {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		return "", nil
	case b[0] == '"':
		var s string
		err := json.Unmarshal(b, &s)
		return strings.TrimSpace(s), err
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return "", err
		}
		return n.String(), nil
	}
	return "", errors.New("want a string or a number")
}
