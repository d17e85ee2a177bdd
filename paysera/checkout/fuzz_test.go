package checkout

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/paykit-go/paykit"
)

// FuzzParseBody feeds bodies signed with the right secret, so that the
// decoder behind the signature check is reached: it never panics, and an
// accepted body has a Summary and a key.
func FuzzParseBody(f *testing.F) {
	for _, v := range loadVectors(f) {
		if v.BodyBase64 != "" {
			b, _ := base64.StdEncoding.DecodeString(v.BodyBase64)
			f.Add(b)
		}
	}
	f.Add([]byte(`{"event":{"type":"payment_link","name":"payment_link.completed"},"paymentLink":{"id":"l","status":"completed"},"order":{"id":"o"}}`))
	f.Add([]byte(`{"event":{"type":"order","name":"x"},"order":{"paysera_order_id":"o","status":"paid","amount":"1","merchant_data":{"a":1}}}`))
	f.Add([]byte(`{"event":{"type":"refund","name":"status_updated"},"refund":{"id":"r","status":"failed","amount":null}}`))
	f.Add([]byte(`[]`))
	c := vectorClient(f, testSecret)
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := c.ParseBody(body, signed(testSecret, body))
		if err != nil {
			return
		}
		if s := n.Summary(); s.Provider != paykit.PayseraCheckout {
			t.Fatalf("summary %+v", s)
		}
		if c.IdempotencyKey(n) == "" {
			t.Fatal("empty key")
		}
	})
}

// fuzzDecode runs one reply decoder over arbitrary bytes: no panic.
func fuzzDecode[T any](f *testing.F, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(`null`))
	f.Add([]byte(`{"amount":"12a"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var v T
		_ = decodeReply(b, &v)
	})
}

func FuzzDecodeOrder(f *testing.F) {
	fuzzDecode[Order](f, orderReply,
		`{"id":"o","projectId":"p","amount":"2500","amountPaid":1,"createdAt":"2025-01-09T14:39:30Z","merchant_data":[{"key":"k","value":{"x":1}}]}`)
}

func FuzzDecodePaymentLink(f *testing.F) {
	fuzzDecode[PaymentLink](f, `{"link_id":"l","order_id":"o","payment_URL":"https://p","experience":{"language":"en"},"purchase":{"amount":1},"expired_at":1736433570}`,
		`{"id":"l","payments":[{"id":"p","payment_amount":"5","original_amount":null}]}`)
}

func FuzzDecodeRefund(f *testing.F) {
	fuzzDecode[Refund](f, `{"refund_id":"r","status":"processing","refund_amount":1000,"created_at":"2025-01-09T14:39:30+00:00"}`,
		`{"id":"r","amount":"10","createdAt":1736433570}`)
}

func FuzzDecodeRefundEligibility(f *testing.F) {
	fuzzDecode[RefundEligibility](f, `{"eligible":false,"reason":"PAYMENT_NOT_SETTLED","refunded_amount":0,"remaining_refundable":"2500","currency":"EUR"}`)
}

func FuzzDecodeToken(f *testing.F) {
	fuzzDecode[tokenReply](f, `{"access_token":"a","expires_in":3600,"token_type":"Bearer"}`)
}

func FuzzDecodeMethods(f *testing.F) {
	f.Add([]byte(`{"items":[{"key":"swedbank","flow":"redirect","available_currencies":{"EUR":{"main":true}},"logo_url":"javascript:x","country_display":{"LT":{"title":"S"}}}]}`))
	f.Add([]byte(`{"items":[{"key":"x","flow":"popup"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ms, err := decodeMethods(b)
		if err != nil {
			return
		}
		for _, m := range ms {
			if m.LogoURL != "" && logo(m.LogoURL) == "" {
				t.Fatalf("unsafe logo kept: %q", m.LogoURL)
			}
		}
	})
}

// FuzzAPIError: any error reply gives an *APIError that holds no
// credential.
func FuzzAPIError(f *testing.F) {
	f.Add(400, []byte(`{"error":"invalid_request","error_description":"d","error_properties":{"a":["b"]}}`))
	f.Add(422, []byte(`{"error":"validation_error","message":"m","details":[{"field":"f","message":"x"}]}`))
	f.Add(401, []byte(`{"error":{"nested":1}}`))
	f.Add(500, []byte(`secret-value-0123 in plain text`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := newAPIError(status, body, "secret-value-0123")
		for _, s := range []string{e.Error(), e.Code, e.Message} {
			if strings.Contains(s, "secret-value-0123") {
				t.Fatalf("credential kept: %q", s)
			}
		}
	})
}

// FuzzReconcileOrderReply reads arbitrary GET order replies as the
// reconciler does: no panic; a paid order becomes an *OrderEvent of this
// client's account whose idempotency key is the key of the order
// snapshot webhook carrying the same order (when the reply has no
// is_test, which the webhook does not carry); anything else is pending or
// an error matching a root sentinel.
func FuzzReconcileOrderReply(f *testing.F) {
	f.Add([]byte(orderReply))
	f.Add([]byte(`{"order_id":"o-1","project_id":"p","status":"paid","amount_paid":2500,"purchase":{"reference":"R","amount":"2500","currency":"eur"}}`))
	f.Add([]byte(`{"id":"o-1","status":"pending_payment","amount":2500,"amountPaid":1000,"currency":"EUR"}`))
	f.Add([]byte(`{"order_id":"other","status":"paid"}`))
	f.Add([]byte(`{"status":"paid","amount":-1}`))
	f.Add([]byte(`{"order_id":"o-1","project_id":"elsewhere","status":"paid"}`))
	c, err := New(Config{ClientID: "client-1", ClientSecret: testSecret, ProjectID: "p"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, reply []byte) {
		var o Order
		if decodeReply(reply, &o) != nil {
			return
		}
		ref := first(o.ID, "o-1")
		it, err := c.orderItem(ref, &o)
		if err != nil {
			if !errors.Is(err, paykit.ErrMalformed) && !errors.Is(err, paykit.ErrWrongAccount) {
				t.Fatalf("error matches no sentinel: %v", err)
			}
			return
		}
		if it.Ref != ref {
			t.Fatalf("entry for %q, asked %q", it.Ref, ref)
		}
		if it.Notification == nil {
			if it.Found != paykit.FoundPending || it.Summary.Status == paykit.StatusPaid {
				t.Fatalf("not delivered but %s / %s", it.Found, it.Summary.Status)
			}
			return
		}
		n, ok := it.Notification.(*OrderEvent)
		if !ok || n.Account != c.Account() || n.Summary().Status != paykit.StatusPaid || n.Summary().ID != ref {
			t.Fatalf("delivered %#v", it.Notification)
		}
		body := append(append([]byte(`{"event":{"type":"order","name":"amount_paid_updated"},"order":`), bytes.TrimSpace(reply)...), '}')
		wh, err := c.ParseBody(body, signed(testSecret, body))
		if err == nil && !o.Test && c.IdempotencyKey(wh) != c.IdempotencyKey(n) {
			t.Fatalf("reconciled key %q, webhook key %q", c.IdempotencyKey(n), c.IdempotencyKey(wh))
		}
	})
}
