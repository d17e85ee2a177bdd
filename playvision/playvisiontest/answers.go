package playvisiontest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// itemAnswer is an app's answer to get_item, as the emulator reads it.
type itemAnswer struct {
	id, title, photo string
	price            int64
}

// parseItem reads a get_item answer. Values may be strings (as the docs
// show) or numbers (as their first version did).
func parseItem(body []byte) (itemAnswer, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return itemAnswer{}, fmt.Errorf("playvisiontest: get_item answer is not a JSON object: %q", clip(body))
	}
	if _, ok := m["status"]; ok {
		if _, hasItem := m["item_id"]; !hasItem {
			return itemAnswer{}, fmt.Errorf("playvisiontest: app refused get_item: %s", clip(body))
		}
	}
	var a itemAnswer
	var errs []string
	a.id = jsonText(m["item_id"])
	a.title = jsonText(m["item_title"])
	a.photo = jsonText(m["item_photo_url"])
	if a.id == "" {
		errs = append(errs, "item_id missing")
	}
	if a.title == "" {
		errs = append(errs, "item_title missing")
	}
	p, err := strconv.ParseInt(jsonText(m["item_price"]), 10, 64)
	if err != nil || p < 1 {
		errs = append(errs, "item_price is not a positive integer")
	}
	a.price = p
	if len(errs) > 0 {
		return itemAnswer{}, fmt.Errorf("playvisiontest: bad get_item answer (%s): %s", strings.Join(errs, ", "), clip(body))
	}
	return a, nil
}

// parseStatus reads an order_status_change answer: OK only for status 1
// (string or number).
func parseStatus(body []byte) error {
	var r struct {
		Status  json.RawMessage `json:"status"`
		Message string          `json:"message"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return fmt.Errorf("playvisiontest: answer is not JSON: %q", clip(body))
	}
	if s := jsonText(r.Status); s != "1" {
		return fmt.Errorf("playvisiontest: answer status %q: %s", s, r.Message)
	}
	return nil
}

// jsonText returns a JSON string's text or a number's digits; "" for
// anything else.
func jsonText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		return ""
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

func clip(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}
