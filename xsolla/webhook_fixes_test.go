package xsolla

import (
	"context"
	"net/http"
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
	assert.Equal(t, body, string(got[0].(interface{ RawBody() []byte }).RawBody()))

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
