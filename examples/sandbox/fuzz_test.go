package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"
)

// FuzzStartBodies: any request body to POST /api/{provider}/orders
// (network input) gives an order or an error, never a panic; a body that
// is not JSON is a bad request.
func FuzzStartBodies(f *testing.F) {
	for _, seed := range []string{
		`{"item":"gems","user_id":1}`, `{"user_id":1,"item":"gems","token":"t"}`, `{"token":"x"}`,
		`{"data":"cHJvamVjdGlkPTE=","sign":"00"}`, `{"payment_url":"http://x/pay/?data=a&sign=b"}`,
		`{"link_id":"l-1"}`, `{"order_id":"o-1"}`, `{"payment_url":"http://127.0.0.1:1/paysera-checkout/pay/x"}`,
		`{}`, `[]`, `{"item":1}`, `{"user_id":"1"}`, ``, `{"a":1}`, `null`,
	} {
		f.Add([]byte(seed))
	}
	// Notifications go to a port nothing listens on: item requests fail
	// at once, nothing leaves the machine.
	c, err := parseFlags([]string{"-vk-notify-url", "http://127.0.0.1:1/vk", "-xsolla-webhook-url", "http://127.0.0.1:1/x",
		"-playvision-callback-url", "http://127.0.0.1:1/pv"}, io.Discard)
	if err != nil {
		f.Fatal(err)
	}
	s, err := newSandbox(c, "http://127.0.0.1:1")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(s.set.Close)
	f.Fuzz(func(t *testing.T, body []byte) {
		for name, p := range s.providers {
			_, err := p.start(context.Background(), body)
			if !json.Valid(body) && !errors.Is(err, errBadRequest) {
				t.Fatalf("%s: %q: want a bad request, got %v", name, body, err)
			}
		}
	})
}
