package vkpay

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/paykit-go/paykit"
)

// recordingClient returns a client whose retries record their delay
// instead of sleeping, with replies from the given responders in turn.
func recordingClient(t *testing.T, replies ...httpmock.Responder) (*Client, *[]time.Duration) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	n := 0
	mt.RegisterResponder("POST", "https://api.test/method/orders.get", func(r *http.Request) (*http.Response, error) {
		n++
		return replies[min(n, len(replies))-1](r)
	})
	c, err := New(Config{AppID: 1, Secret: "s", AccessToken: "t", APIBaseURL: "https://api.test",
		HTTPClient: &http.Client{Transport: mt}, MaxRetries: len(replies)})
	if err != nil {
		t.Fatal(err)
	}
	var waits []time.Duration
	c.wait = func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		return ctx.Err()
	}
	return c, &waits
}

func TestRetriesHonourRetryAfterAndBackOffWithinBounds(t *testing.T) {
	busy := func(retryAfter string) httpmock.Responder {
		return func(*http.Request) (*http.Response, error) {
			r := httpmock.NewStringResponse(http.StatusTooManyRequests, "")
			if retryAfter != "" {
				r.Header.Set("Retry-After", retryAfter)
			}
			return r, nil
		}
	}
	ok := httpmock.NewStringResponder(http.StatusOK, `{"response":[]}`)
	c, waits := recordingClient(t, busy("7"), busy("3600"), busy(""), busy(""), ok)
	if _, err := c.GetOrders(context.Background(), OrdersRequest{}); err != nil {
		t.Fatal(err)
	}
	w := *waits
	if len(w) != 4 {
		t.Fatalf("waits %v, want 4", w)
	}
	if w[0] != 7*time.Second || w[1] != maxRetryAfter {
		t.Fatalf("waits %v: want Retry-After 7 s, then 3600 s capped at %v", w, maxRetryAfter)
	}
	for i, d := range w[2:] {
		if ceiling := min(defaultRetryBaseDelay<<(i+2), maxRetryDelay); d < 0 || d > ceiling {
			t.Fatalf("backoff %v of attempt %d outside [0, %v]", d, i+2, ceiling)
		}
	}
}

func TestRetryStopsWhenTheWaitIsCut(t *testing.T) {
	c, _ := recordingClient(t, httpmock.NewStringResponder(http.StatusServiceUnavailable, ""))
	c.wait = func(context.Context, time.Duration) error { return context.DeadlineExceeded }
	_, err := c.GetOrders(context.Background(), OrdersRequest{})
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, paykit.ErrAPI) {
		t.Fatalf("err = %v, want the deadline and the last API error", err)
	}
}

// FuzzDecodeAPIReplies feeds arbitrary bodies, with any HTTP status, to the
// decoders of every method's reply: each returns a value or an error,
// never panics, and a decoded order or subscription is well-formed.
func FuzzDecodeAPIReplies(f *testing.F) {
	f.Add(200, []byte(`{"response":[{"id":"1","status":"charged","amount":"5","date":"1656358147","transaction_id":7}]}`))
	f.Add(200, []byte(`{"response":{"id":77,"item_id":"vip","status":"active","price":30,"period":30,"pending_cancel":"1"}}`))
	f.Add(200, []byte(`{"response":{"count":1,"items":[{"id":1,"status":"active","create_time":-1}]}}`))
	f.Add(200, []byte(`{"error":{"error_code":"6","error_msg":"Too many requests per second"}}`))
	f.Add(500, []byte(`<html>`))
	f.Add(200, []byte(`{"response":1}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		var raw json.RawMessage
		err := decodeAPIReply(status, body, &raw)
		var ae *paykit.APIError
		if errors.As(err, &ae) {
			if ae.Provider != paykit.VKPay || ae.StatusCode != status {
				t.Fatalf("%+v", ae)
			}
			return
		}
		if err != nil {
			return
		}
		if orders, err := decodeOrders(raw); err == nil {
			for _, o := range orders {
				if o.ID <= 0 || o.Status == "" || o.Amount < 0 {
					t.Fatalf("accepted %+v", o)
				}
			}
		}
		if s, err := decodeSubscription(raw); err == nil && (s.ID <= 0 || s.Status == "" || s.Price < 0) {
			t.Fatalf("accepted %+v", s)
		}
		if subs, err := decodeSubscriptions(raw); err == nil {
			for _, s := range subs {
				if s.ID <= 0 || s.Status == "" {
					t.Fatalf("accepted %+v", s)
				}
			}
		}
	})
}
