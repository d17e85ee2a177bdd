package xsollatest_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/xsolla"
	"github.com/paykit-go/paykit/xsolla/xsollatest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// paidV3 buys items with a v3 token and pays them on the emulator.
func paidV3(t *testing.T, emu *xsollatest.Server, c *xsolla.Client, order string) xsollatest.Order {
	t.Helper()
	pt, err := c.CreatePaymentToken(context.Background(), xsolla.TokenRequest{
		UserID: "player-" + order, Country: "US", ExternalID: order, Email: order + "@example.com",
		Items: []xsolla.ItemQuantity{{SKU: "gems_500", Quantity: 2}},
	})
	require.NoError(t, err)
	o, err := emu.Pay(context.Background(), pt.Token)
	require.NoError(t, err)
	require.NoError(t, emu.Wait(t.Context()))
	return o
}

// TestLookupsAgainstTheEmulator: the client's lookups read the emulator's
// records, and a record becomes the notification its payment webhook
// delivered, under the same key.
func TestLookupsAgainstTheEmulator(t *testing.T) {
	sh, emu, c := setup(t, true)
	ctx := context.Background()
	before := time.Now().Add(-time.Minute)
	s1 := paidV3(t, emu, c, "order-a")
	s2 := paidV3(t, emu, c, "order-b")

	r, err := c.Transaction(ctx, s1.TransactionID)
	require.NoError(t, err)
	assert.Equal(t, "done", r.Transaction.Status)
	assert.Equal(t, xsolla.ID("order-a"), r.Transaction.ExternalID)
	n, ok := r.Notification()
	require.True(t, ok)
	delivered := sh.recorded()
	require.Len(t, delivered, 2)
	assert.Equal(t, delivered[0].Summary(), n.Summary(), "the record summarises like the payment webhook")
	assert.Equal(t, c.IdempotencyKey(delivered[0]), c.IdempotencyKey(n))

	_, err = c.Transaction(ctx, 999)
	assert.ErrorIs(t, err, xsolla.ErrTransactionNotFound)

	recs, err := c.TransactionsByExternalID(ctx, "order-b")
	require.NoError(t, err)
	require.Len(t, recs, 1)
	assert.Equal(t, xsolla.ID(strconv.FormatInt(s2.TransactionID, 10)), recs[0].Transaction.ID)
	recs, err = c.TransactionsByExternalID(ctx, "nobody")
	require.NoError(t, err)
	assert.Empty(t, recs)

	all, err := c.FindTransactions(ctx, xsolla.TransactionQuery{From: before, To: time.Now().Add(time.Minute)})
	require.NoError(t, err)
	assert.Len(t, all, 2)
	none, err := c.FindTransactions(ctx, xsolla.TransactionQuery{From: time.Now().Add(time.Hour)})
	require.NoError(t, err)
	assert.Empty(t, none)
	page, err := c.FindTransactions(ctx, xsolla.TransactionQuery{Type: "test", Offset: 1, Limit: 5})
	require.NoError(t, err)
	require.Len(t, page, 1)
	assert.Equal(t, xsolla.ID("order-b"), page[0].Transaction.ExternalID)
	byUser, err := c.FindTransactions(ctx, xsolla.TransactionQuery{UserID: "player-order-a", Status: "done"})
	require.NoError(t, err)
	assert.Len(t, byUser, 1)
}

// TestRefundsThroughTheEmulatedAPI: a partial refund sends partial_refund,
// a full refund sends refund and order_canceled; each reaches Event once
// and the lookups show the new status; refusals are Xsolla's.
func TestRefundsThroughTheEmulatedAPI(t *testing.T) {
	sh, emu, c := setup(t, false)
	ctx := context.Background()
	s := paidV3(t, emu, c, "order-p")

	_, err := c.PartialRefund(ctx, s.TransactionID, xsolla.PartialRefundRequest{
		Amount: paykit.Money{Amount: 300, Currency: "USD"}, Description: "one gem back"})
	require.NoError(t, err)
	events := sh.recorded()
	require.Len(t, events, 2)
	pr, ok := events[1].(*xsolla.PartialRefund)
	require.True(t, ok, "%T", events[1])
	assert.Equal(t, paykit.Money{Amount: 300, Currency: "USD"}, pr.Summary().Amount)
	assert.Equal(t, strconv.FormatInt(s.TransactionID, 10), pr.Summary().ID)
	r, err := c.Transaction(ctx, s.TransactionID)
	require.NoError(t, err)
	assert.Equal(t, "partiallyRefunded", r.Transaction.Status)

	var ae *paykit.APIError
	_, err = c.PartialRefund(ctx, s.TransactionID, xsolla.PartialRefundRequest{
		Amount: paykit.Money{Amount: 699, Currency: "USD"}, Description: "too much"})
	require.True(t, errors.As(err, &ae))
	assert.Equal(t, 422, ae.StatusCode, "more than is left")
	_, err = c.Refund(ctx, s.TransactionID, xsolla.RefundRequest{Description: "all"})
	require.True(t, errors.As(err, &ae))
	assert.Contains(t, ae.Message, "partial refunds")

	s2 := paidV3(t, emu, c, "order-f")
	_, err = c.Refund(ctx, s2.TransactionID, xsolla.RefundRequest{Description: "user request", Email: "a@example.com"})
	require.NoError(t, err)
	require.NoError(t, emu.Wait(ctx))
	got := types(emu.Deliveries())
	assert.Equal(t, []string{"refund", "order_canceled"}, got[len(got)-2:])
	events = sh.recorded()
	require.Len(t, events, 4, "payment, partial refund, payment, refund: order_canceled is the refund's pair")
	assert.IsType(t, &xsolla.Refund{}, events[3])
	r, err = c.Transaction(ctx, s2.TransactionID)
	require.NoError(t, err)
	assert.Equal(t, "refunded", r.Transaction.Status)
	rn, ok := r.Notification()
	require.True(t, ok)
	assert.Equal(t, c.IdempotencyKey(events[3]), c.IdempotencyKey(rn), "a reconciled refund keys like its webhook")

	_, err = c.Refund(ctx, s2.TransactionID, xsolla.RefundRequest{Description: "again"})
	require.True(t, errors.As(err, &ae))
	assert.Equal(t, 422, ae.StatusCode)
	_, err = c.Refund(ctx, 424242, xsolla.RefundRequest{Description: "x"})
	assert.ErrorIs(t, err, xsolla.ErrTransactionNotFound)
}

// TestReportEndpointsCheckAuthAndShape: credentials, content type, body
// and query parameters are checked as strictly as Xsolla does.
func TestReportEndpointsCheckAuthAndShape(t *testing.T) {
	_, emu, c := setup(t, false)
	s := paidV3(t, emu, c, "order-x")
	tx := strconv.FormatInt(s.TransactionID, 10)
	base := emu.URL + "/merchant/v2/merchants/2340/reports/transactions/"
	tests := []struct {
		name, method, url, user, key, ctype, body string
		want                                      int
	}{
		{"wrong key", "PUT", base + tx + "/refund", "2340", "nope", "application/json", `{"description":"d"}`, 401},
		{"project as user", "PUT", base + tx + "/refund", "18404", "api-key", "application/json", `{"description":"d"}`, 401},
		{"other merchant in path", "GET", emu.URL + "/merchant/v2/merchants/1/reports/transactions/simple_search?transaction_id=" + tx, "2340", "api-key", "", "", 401},
		{"form body", "PUT", base + tx + "/refund", "2340", "api-key", "application/x-www-form-urlencoded", `description=d`, 422},
		{"unknown field", "PUT", base + tx + "/refund", "2340", "api-key", "application/json", `{"description":"d","amount":1}`, 422},
		{"no description", "PUT", base + tx + "/refund", "2340", "api-key", "application/json", `{}`, 422},
		{"partial: amount as text", "PUT", base + tx + "/partial_refund", "2340", "api-key", "application/json", `{"refund_amount":"1","description":"d"}`, 422},
		{"partial: too many decimals", "PUT", base + tx + "/partial_refund", "2340", "api-key", "application/json", `{"refund_amount":1.001,"description":"d"}`, 422},
		{"partial: no amount", "PUT", base + tx + "/partial_refund", "2340", "api-key", "application/json", `{"description":"d"}`, 422},
		{"search: unknown parameter", "GET", base + "search.json?from=2020-01-01", "2340", "api-key", "", "", 422},
		{"search: repeated parameter", "GET", base + "search.json?limit=1&limit=2", "2340", "api-key", "", "", 422},
		{"search: other project", "GET", base + "search.json?project_id=1", "2340", "api-key", "", "", 422},
		{"search: bad date", "GET", base + "search.json?datetime_from=yesterday", "2340", "api-key", "", "", 422},
		{"search: bad type", "GET", base + "search.json?type=paid", "2340", "api-key", "", "", 422},
		{"fast search: both ids", "GET", base + "simple_search?transaction_id=" + tx + "&external_id=order-x", "2340", "api-key", "", "", 422},
		{"fast search: no id", "GET", base + "simple_search", "2340", "api-key", "", "", 422},
		{"fast search: unknown", "GET", base + "simple_search?transaction_id=1", "2340", "api-key", "", "", 404},
		{"search: fine", "GET", base + "search.json?datetime_from=2020-01-01&project_id=18404", "2340", "api-key", "", "", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, tt.url, strings.NewReader(tt.body))
			require.NoError(t, err)
			req.SetBasicAuth(tt.user, tt.key)
			if tt.ctype != "" {
				req.Header.Set("Content-Type", tt.ctype)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, tt.want, resp.StatusCode)
		})
	}
	after, _ := emu.Order(s.Token)
	assert.Equal(t, xsollatest.StatePaid, after.State, "no refused request refunded anything")
}
