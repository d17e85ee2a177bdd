package checkout

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"time"
)

// errAmount: an amount or timestamp that is neither an integer nor a
// string of digits.
var errAmount = errors.New("an amount or timestamp is not an integer")

// flexInt decodes an integer sent as a JSON number or as a string of
// digits: the docs type amounts as strings in some places and numbers in
// others (spec §1.5), so every amount a reply or webhook carries accepts
// both. null and "" decode as 0. Fractions and exponents are refused:
// amounts are minor units.
type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		b = b[1 : len(b)-1]
		if len(b) == 0 {
			*f = 0
			return nil
		}
	}
	if len(b) == 0 || b[0] == '+' {
		return errAmount
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return errAmount
	}
	*f = flexInt(n)
	return nil
}

// flexTime decodes a timestamp: Unix seconds (number or string of digits,
// as the API documents) or an RFC 3339 string (as Paysera's SDK reads the
// refund reply's created_at). 0, null and "" decode as the zero time.
type flexTime time.Time

func (t *flexTime) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil && s != "" {
		if p, err := time.Parse(time.RFC3339, s); err == nil {
			*t = flexTime(p.UTC())
			return nil
		}
	}
	var n flexInt
	if err := n.UnmarshalJSON(b); err != nil {
		return err
	}
	if n == 0 {
		*t = flexTime{}
		return nil
	}
	*t = flexTime(time.Unix(int64(n), 0).UTC())
	return nil
}

// stringMap decodes merchant data and metadata: an object of strings (as
// requests send it) or a list of {"key", "value"} (as order snapshots
// show it). Non-string values are kept as their JSON text.
type stringMap map[string]string

func (m *stringMap) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	out := map[string]string{}
	if len(b) > 0 && b[0] == '[' {
		var list []struct {
			Key   string          `json:"key"`
			Value json.RawMessage `json:"value"`
		}
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		for _, kv := range list {
			out[kv.Key] = rawText(kv.Value)
		}
	} else {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(b, &obj); err != nil {
			return err
		}
		for k, v := range obj {
			out[k] = rawText(v)
		}
	}
	if len(out) > 0 {
		*m = out
	}
	return nil
}

// rawText is a JSON string's value, or the JSON text of anything else.
func rawText(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	if string(v) == "null" {
		return ""
	}
	return string(v)
}

// first returns the first non-empty string.
func first(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// firstInt returns the first non-nil integer, else 0.
func firstInt(v ...*flexInt) int64 {
	for _, p := range v {
		if p != nil {
			return int64(*p)
		}
	}
	return 0
}

// firstTime returns the first non-zero time.
func firstTime(v ...flexTime) time.Time {
	for _, t := range v {
		if !time.Time(t).IsZero() {
			return time.Time(t)
		}
	}
	return time.Time{}
}
