package xsolla

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/callback"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPaymentAmountFallsBackOnlyInTheSameCurrency: a payment_details.payment
// that cannot be converted is replaced by purchase.total or
// purchase.checkout only when they are in the same currency; an amount in
// another currency is never reported as what the user paid.
func TestPaymentAmountFallsBackOnlyInTheSameCurrency(t *testing.T) {
	c := newTestClient(t)
	tests := []struct {
		name, parts string
		want        paykit.Money
	}{
		{"unconvertible payment, total in another currency",
			`"payment_details":{"payment":{"currency":"USD","amount":4.999}},"purchase":{"total":{"currency":"EUR","amount":5}}`, paykit.Money{}},
		{"unconvertible payment, checkout in another currency",
			`"payment_details":{"payment":{"currency":"USD","amount":"[null]"}},"purchase":{"checkout":{"currency":"EUR","amount":5}}`, paykit.Money{}},
		{"unknown payment currency, total in EUR",
			`"payment_details":{"payment":{"currency":"ZZZ","amount":5}},"purchase":{"total":{"currency":"EUR","amount":5}}`, paykit.Money{}},
		{"unconvertible payment, total in the same currency",
			`"payment_details":{"payment":{"currency":"USD","amount":4.999}},"purchase":{"total":{"currency":"USD","amount":4.99}}`, paykit.Money{Amount: 499, Currency: "USD"}},
		{"unconvertible payment, checkout in the same currency",
			`"payment_details":{"payment":{"currency":"USD","amount":"[null]"}},"purchase":{"checkout":{"currency":"USD","amount":4.99}}`, paykit.Money{Amount: 499, Currency: "USD"}},
		{"no payment: total", `"purchase":{"total":{"currency":"EUR","amount":5}}`, paykit.Money{Amount: 500, Currency: "EUR"}},
		{"payment wins", `"payment_details":{"payment":{"currency":"RUB","amount":"300"}},"purchase":{"total":{"currency":"EUR","amount":5}}`, paykit.Money{Amount: 30000, Currency: "RUB"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"notification_type":"payment","transaction":{"id":7},` + tt.parts + `}`
			n, err := c.ParseBody([]byte(body), authHeader(sign(body, testSecret)))
			require.NoError(t, err)
			assert.Equal(t, tt.want, n.Summary().Amount)
			m, err := n.(*Payment).Money()
			assert.Equal(t, tt.want, m)
			if tt.want == (paykit.Money{}) {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "payment_details.payment", "the error names the field")
			} else {
				assert.NoError(t, err)
			}
		})
	}
}

// TestUnknownTypeReachesEventVerified: a verified webhook of a type this
// package does not know is not refused (Xsolla would retry it for hours):
// Event gets it as a verified *Unknown, once, Kind info, with its type and
// body; the project is still checked and the signature still required.
func TestUnknownTypeReachesEventVerified(t *testing.T) {
	c := newTestClient(t)
	var mu sync.Mutex
	var got []paykit.Notification
	h := c.Handler(paykit.Hooks{Event: func(ctx context.Context, n paykit.Notification) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, n)
		return nil
	}})
	body := `{"notification_type":"brand_new","settings":{"project_id":18404},"user":{"id":"u7"},"thing":{"id":3}}`
	assert.Equal(t, http.StatusNoContent, post(h, body).Code)
	assert.Equal(t, http.StatusNoContent, post(h, body).Code, "a redelivery is answered from the store")
	require.Len(t, got, 1)
	s := got[0].Summary()
	assert.Equal(t, paykit.Summary{Provider: paykit.Xsolla, Type: "brand_new", Kind: paykit.KindInfo, UserID: "u7"}, s)
	assert.Equal(t, body, string(got[0].(*Unknown).Raw))

	other := `{"notification_type":"brand_new","settings":{"project_id":1}}`
	assert.Equal(t, CodeInvalidParameter, errorCode(t, post(h, other)), "another project is refused")
	assert.Equal(t, http.StatusBadRequest, serve(h, body, "Signature 0000000000000000000000000000000000000000").Code)
	assert.Len(t, got, 1)
}

// TestHookDeadlinePerType: only order_paid, where Xsolla asks for an answer
// within about 3 s, gets a hook deadline inside 3 s; the other types get
// the budget of Xsolla's ordinary reply timeout.
func TestHookDeadlinePerType(t *testing.T) {
	c := newTestClient(t)
	left := make(chan time.Duration, 1)
	h := c.Handler(paykit.Hooks{Event: func(ctx context.Context, n paykit.Notification) error {
		d, ok := ctx.Deadline()
		require.True(t, ok)
		left <- time.Until(d)
		return nil
	}})
	orderPaid := `{"notification_type":"order_paid","order":{"id":5,"invoice_id":"77"},"items":[]}`
	require.Equal(t, http.StatusNoContent, post(h, orderPaid).Code)
	assert.LessOrEqual(t, <-left, callback.HookBudget(3*time.Second), "order_paid: inside Xsolla's 3 s")
	require.Equal(t, http.StatusNoContent, post(h, paymentBody).Code)
	assert.Greater(t, <-left, callback.HookBudget(3*time.Second), "payment: Xsolla's ordinary timeout, not 3 s")
}

// TestWebhookIPsMatchXsollaDocs: the allowlist helper returns the sources
// Xsolla's webhook documentation lists today.
func TestWebhookIPsMatchXsollaDocs(t *testing.T) {
	assert.Equal(t, []string{"185.30.20.0/24", "185.30.21.0/24", "185.30.23.0/24"}, WebhookIPs())
}

// disputeBody is the example of Xsolla's dispute webhook documentation.
const disputeBody = `{"notification_type":"dispute","action":"adding","transaction":{"id":123456789,` +
	`"external_id":"ord-5","date_create":"2023-08-24T10:21:00+04:00","total":{"amount":1,"currency":"EUR"},` +
	`"payment_method":"credit_debit_card","country_code":"US"},"settings":{"project_id":18404,"merchant_id":2340},` +
	`"user":{"id":"1234567","email":"email@example.com","country_code":"US"},` +
	`"dispute":{"incoming_date":"2024-01-25T01:02:03+04:00","reason":"not_as_described","type":"retrieval","status":"new"}}`

// TestDisputeDecoded: dispute is typed — transaction, total, dispute
// details — and each action or status change is its own event.
func TestDisputeDecoded(t *testing.T) {
	c := newTestClient(t)
	n, err := c.ParseBody([]byte(disputeBody), authHeader(sign(disputeBody, testSecret)))
	require.NoError(t, err)
	d, ok := n.(*Dispute)
	require.True(t, ok, "%T", n)
	assert.Equal(t, "adding", d.Action)
	assert.Equal(t, DisputeDetails{IncomingDate: "2024-01-25T01:02:03+04:00", Reason: "not_as_described", Type: "retrieval", Status: "new"}, d.Dispute)
	assert.Equal(t, "2023-08-24T10:21:00+04:00", d.Transaction.DateCreate)
	assert.Equal(t, ID("credit_debit_card"), d.Transaction.PaymentMethod)
	assert.Equal(t, "US", d.Transaction.CountryCode)
	assert.Equal(t, "US", d.User.CountryCode)
	assert.Equal(t, paykit.Summary{Provider: paykit.Xsolla, Type: "dispute", Kind: paykit.KindInfo, ID: "123456789",
		OrderID: "ord-5", UserID: "1234567", Amount: paykit.Money{Amount: 100, Currency: "EUR"}}, d.Summary())

	keys := map[string]bool{c.IdempotencyKey(d): true}
	for _, change := range []struct{ from, to string }{{`"action":"adding"`, `"action":"updating"`}, {`"status":"new"`, `"status":"won"`}} {
		body := strings.Replace(disputeBody, change.from, change.to, 1)
		n, err := c.ParseBody([]byte(body), authHeader(sign(body, testSecret)))
		require.NoError(t, err)
		keys[c.IdempotencyKey(n)] = true
	}
	assert.Len(t, keys, 3, "each action and status is a new event")

	noTx := `{"notification_type":"dispute","action":"adding","transaction":{"total":{"amount":1,"currency":"EUR"}}}`
	_, err = c.ParseBody([]byte(noTx), authHeader(sign(noTx, testSecret)))
	assert.ErrorIs(t, err, paykit.ErrMalformed, "a dispute without transaction.id cannot be keyed")
}

// TestIssue12Vectors: the signed vectors of testdata/issue12.json verify
// and decode as each one's expect says.
func TestIssue12Vectors(t *testing.T) {
	b, err := os.ReadFile("testdata/issue12.json")
	require.NoError(t, err)
	var f struct {
		Vectors []struct {
			Name, Secret string
			RawBody      string `json:"raw_body"`
			Header       string `json:"expected_authorization_header"`
			Expect       struct {
				Error, Kind, ID, Currency, User string
				GoType                          string `json:"go_type"`
				Amount                          int64
				ItemAmount                      int64 `json:"item_amount"`
			}
		}
	}
	require.NoError(t, json.Unmarshal(b, &f))
	require.Len(t, f.Vectors, 8)
	for _, v := range f.Vectors {
		t.Run(v.Name, func(t *testing.T) {
			require.NoError(t, Verify([]byte(v.RawBody), v.Header, v.Secret))
			c, err := New(Config{ProjectID: 18404, MerchantID: 2340, WebhookSecret: v.Secret, StrictSignatureHeader: true})
			require.NoError(t, err)
			n, err := c.ParseBody([]byte(v.RawBody), authHeader(v.Header))
			if v.Expect.Error == "malformed" {
				assert.ErrorIs(t, err, paykit.ErrMalformed)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, v.Expect.GoType, fmt.Sprintf("%T", n))
			s := n.Summary()
			assert.Equal(t, paykit.Kind(v.Expect.Kind), s.Kind)
			assert.Equal(t, v.Expect.ID, s.ID)
			assert.Equal(t, paykit.Money{Amount: v.Expect.Amount, Currency: v.Expect.Currency}, s.Amount)
			if v.Expect.User != "" {
				assert.Equal(t, v.Expect.User, s.UserID)
			}
			if o, ok := n.(*OrderPaid); ok {
				m, err := o.Items[0].Amount.Minor(o.Order.Currency)
				require.NoError(t, err)
				assert.Equal(t, v.Expect.ItemAmount, m.Amount)
			}
		})
	}
}
