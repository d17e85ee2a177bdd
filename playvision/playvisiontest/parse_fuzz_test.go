package playvisiontest

import (
	"strings"
	"testing"
)

// FuzzParseAnswers feeds arbitrary merchant answers to the emulator's
// parsers: no panic, and an accepted item is complete.
func FuzzParseAnswers(f *testing.F) {
	f.Add(`{"item_id":"a","item_title":"b","item_price":"5"}`)
	f.Add(`{"item_id":1,"item_title":"b","item_price":5,"item_photo_url":null}`)
	f.Add(`{"status":"-1","message":"x"}`)
	f.Add(`{"status":1}`)
	f.Add(`[`)
	f.Fuzz(func(t *testing.T, body string) {
		if a, err := parseItem([]byte(body)); err == nil {
			if a.id == "" || a.title == "" || a.price < 1 {
				t.Fatalf("accepted incomplete item %+v", a)
			}
		}
		if err := parseStatus([]byte(body)); err == nil && !strings.Contains(body, "1") {
			t.Fatalf("status 1 accepted from %q", body)
		}
	})
}

// FuzzParseStrict: repeated keys are never accepted.
func FuzzParseStrict(f *testing.F) {
	f.Add("a=1&b=2")
	f.Add("a=1&a=2")
	f.Add("a=%zz")
	f.Fuzz(func(t *testing.T, q string) {
		v, err := parseStrict(q)
		if err != nil {
			return
		}
		for k, vs := range v {
			if len(vs) != 1 {
				t.Fatalf("key %q has %d values", k, len(vs))
			}
		}
	})
}
