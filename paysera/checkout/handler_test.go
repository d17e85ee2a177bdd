package checkout_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/paysera/checkout"
	"github.com/paykit-go/paykit/paysera/checkout/checkouttest"
)

const secret = "client-secret"

func testClient(t *testing.T) *checkout.Client {
	t.Helper()
	c, err := checkout.New(checkout.Config{ClientID: "client-id", ClientSecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func paidSnapshot() []byte {
	return checkouttest.OrderSnapshot{ID: "019ed03a-84f0-7ba0-874a-f7473738875b", Reference: "ORDER-7",
		Amount: 500, AmountPaid: 500, Currency: "EUR", Status: "paid"}.Body()
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

func TestHandler_Replies(t *testing.T) {
	signer := checkouttest.Signer{Secret: secret}
	body := paidSnapshot()
	tampered := func() *http.Request {
		r := signer.NewRequest("/wh", body)
		r.Body = io.NopCloser(bytes.NewReader(bytes.Replace(body, []byte(`"amount":500`), []byte(`"amount":5`), 1)))
		r.ContentLength = -1
		return r
	}
	cases := []struct {
		name   string
		req    func() *http.Request
		event  func(context.Context, paykit.Notification) error
		status int
	}{
		{"verified event: 200 empty", func() *http.Request { return signer.NewRequest("/wh", body) }, nil, 200},
		{"tampered body: 400, never 401", tampered, nil, 400},
		{"no signature: 400", func() *http.Request {
			r := signer.NewRequest("/wh", body)
			r.Header.Del(checkout.HeaderSignature)
			return r
		}, nil, 400},
		{"other secret: 400", func() *http.Request { return checkouttest.Signer{Secret: "other"}.NewRequest("/wh", body) }, nil, 400},
		{"GET: 405", func() *http.Request { return httptest.NewRequest(http.MethodGet, "/wh", nil) }, nil, 405},
		{"body over 64 KiB: 413", func() *http.Request {
			big := append([]byte(`{"event":{"type":"x","name":"y"},"pad":"`), bytes.Repeat([]byte("a"), 70<<10)...)
			return signer.NewRequest("/wh", append(big, `"}`...))
		}, nil, 413},
		{"temporary hook error: 503", func() *http.Request { return signer.NewRequest("/wh", body) },
			func(context.Context, paykit.Notification) error { return paykit.Temporary(errors.New("db down")) }, 503},
		{"hook error: 500", func() *http.Request { return signer.NewRequest("/wh", body) },
			func(context.Context, paykit.Notification) error { return errors.New("bug") }, 500},
		{"unknown event acknowledged", func() *http.Request {
			return signer.NewRequest("/wh", []byte(`{"event":{"type":"paysera.fund-distributor.distribution","name":"created"}}`))
		}, nil, 200},
		{"v3 headers: 200", func() *http.Request {
			return checkouttest.Signer{Secret: secret, Generation: checkouttest.V3}.NewRequest("/wh", body)
		}, nil, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			event := tc.event
			if event == nil {
				event = func(context.Context, paykit.Notification) error { return nil }
			}
			rec := serve(testClient(t).Handler(paykit.Hooks{Event: event}), tc.req())
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d (%q)", rec.Code, tc.status, rec.Body)
			}
			if tc.status == 200 && rec.Body.Len() != 0 {
				t.Fatalf("body %q, want empty", rec.Body)
			}
			if strings.Contains(rec.Body.String(), secret) {
				t.Fatal("reply echoes the secret")
			}
		})
	}
}

func TestHandler_NilEventIsRetriedNotAcknowledged(t *testing.T) {
	rec := serve(testClient(t).Handler(paykit.Hooks{}), checkouttest.Signer{Secret: secret}.NewRequest("/wh", paidSnapshot()))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d", rec.Code)
	}
}

func TestHandler_RetriedDeliveryIsADuplicate(t *testing.T) {
	var calls atomic.Int32
	h := testClient(t).Handler(paykit.Hooks{Event: func(context.Context, paykit.Notification) error {
		calls.Add(1)
		return nil
	}})
	signer := checkouttest.Signer{Secret: secret}
	for range 3 { // fresh Request-Id and Callback-Id each time, as on a retry
		if rec := serve(h, signer.NewRequest("/wh", paidSnapshot())); rec.Code != 200 {
			t.Fatalf("status %d", rec.Code)
		}
	}
	if calls.Load() != 1 {
		t.Fatalf("Event ran %d times for one event", calls.Load())
	}
	refund := checkouttest.StatusUpdate{Refund: true, OrderID: "o", Reference: "ORDER-7", ID: "r-1",
		Status: "refunded", Amount: 500, Currency: "EUR"}.Body()
	serve(h, signer.NewRequest("/wh", refund))
	if calls.Load() != 2 {
		t.Fatal("a refund of the same order was taken for a duplicate")
	}
}

func TestHandler_FailedAttemptIsRunAgain(t *testing.T) {
	var calls atomic.Int32
	h := testClient(t).Handler(paykit.Hooks{Event: func(context.Context, paykit.Notification) error {
		if calls.Add(1) == 1 {
			return paykit.Temporary(errors.New("busy"))
		}
		return nil
	}})
	signer := checkouttest.Signer{Secret: secret}
	if rec := serve(h, signer.NewRequest("/wh", paidSnapshot())); rec.Code != 503 {
		t.Fatalf("first %d", rec.Code)
	}
	if rec := serve(h, signer.NewRequest("/wh", paidSnapshot())); rec.Code != 200 || calls.Load() != 2 {
		t.Fatalf("retry %d after %d calls", rec.Code, calls.Load())
	}
}
