package xsolla

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/paykit-go/paykit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	reportsURL = "https://api.xsolla.com/merchant/v2/merchants/2340/reports/transactions/"
	// searchRecord is the response sample of Xsolla's "Find transactions"
	// reference (search.json).
	searchRecord = `{"payment_details":{"payment":{"amount":7.96,"amount_from_ps":7.96,"currency":"RUB"},
		"sales_tax":{"amount":0,"percent":0}},"payment_system":{"decline_reason":null},
		"purchase":{"pin_codes":{"amount":null,"content":null,"currency":null},"simple_checkout":{"amount":7.96,"currency":"RUB"},
		"subscription":{"name":null},"virtual_currency":{"amount":0,"name":null},"virtual_items":null},
		"transaction":{"create_date":"2021-10-20","dry_run":0,"external_id":"example-external-id","id":123456789,
		"is_refund_allowed":0,"payment_method":{"id":1,"name":"PayPal"},"project":{"id":18404,"name":"Example"},
		"refund_reason":null,"status":"done","transfer_date":"2021-10-20"},
		"user":{"country":"RU","custom":null,"email":"email@example.com","id":"example-id","name":"Example","phone":null}}`
)

func TestRefundRequest(t *testing.T) {
	c := mockedClient(t)
	httpmock.RegisterResponder(http.MethodPut, reportsURL+"987/refund", func(r *http.Request) (*http.Response, error) {
		user, pass, _ := r.BasicAuth()
		assert.Equal(t, "2340", user)
		assert.Equal(t, "key", pass)
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		b, _ := io.ReadAll(r.Body)
		assert.JSONEq(t, `{"description":"user request","email":"a@b.c"}`, string(b))
		return httpmock.NewStringResponse(http.StatusNoContent, ""), nil
	})
	res, err := c.Refund(context.Background(), 987, RefundRequest{Description: "user request", Email: "a@b.c"})
	require.NoError(t, err)
	assert.Equal(t, RefundResult{}, res)

	httpmock.RegisterResponder(http.MethodPut, reportsURL+"988/refund",
		httpmock.NewStringResponder(200, `{"message":"The request for a refund has been accepted. Xsolla CS will manually complete the refund."}`))
	res, err = c.Refund(context.Background(), 988, RefundRequest{Description: "x"})
	require.NoError(t, err)
	assert.Contains(t, res.Message, "manually")
}

// TestRefundRetriesButPartialRefundDoesNot: a full refund is retried
// after a 5xx (it cannot refund twice); a partial refund only after a 429,
// because after a 5xx it may have been made.
func TestRefundRetriesButPartialRefundDoesNot(t *testing.T) {
	c := mockedClient(t)
	httpmock.RegisterResponder(http.MethodPut, reportsURL+"1/refund", httpmock.ResponderFromMultipleResponses([]*http.Response{
		httpmock.NewStringResponse(502, `{}`), httpmock.NewStringResponse(204, ``)}))
	_, err := c.Refund(context.Background(), 1, RefundRequest{Description: "d"})
	require.NoError(t, err)
	assert.Equal(t, 2, httpmock.GetCallCountInfo()["PUT "+reportsURL+"1/refund"])

	httpmock.RegisterResponder(http.MethodPut, reportsURL+"2/partial_refund", func(r *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(r.Body)
		assert.JSONEq(t, `{"refund_amount":1.5,"description":"half"}`, string(b))
		return httpmock.NewStringResponse(500, `{"message":"oops"}`), nil
	})
	_, err = c.PartialRefund(context.Background(), 2, PartialRefundRequest{Amount: paykit.Money{Amount: 150, Currency: "USD"}, Description: "half"})
	var ae *paykit.APIError
	require.True(t, errors.As(err, &ae))
	assert.Equal(t, 1, httpmock.GetCallCountInfo()["PUT "+reportsURL+"2/partial_refund"], "a 5xx partial refund is not repeated")

	httpmock.RegisterResponder(http.MethodPut, reportsURL+"3/partial_refund", httpmock.ResponderFromMultipleResponses([]*http.Response{
		httpmock.NewStringResponse(429, `{}`), httpmock.NewStringResponse(204, ``)}))
	_, err = c.PartialRefund(context.Background(), 3, PartialRefundRequest{Amount: paykit.Money{Amount: 500, Currency: "JPY"}, Description: "d"})
	require.NoError(t, err)
	assert.Equal(t, 2, httpmock.GetCallCountInfo()["PUT "+reportsURL+"3/partial_refund"], "429: not processed, retried")
}

func TestRefundNotFoundAndErrors(t *testing.T) {
	c := mockedClient(t)
	httpmock.RegisterResponder(http.MethodPut, reportsURL+"5/refund",
		httpmock.NewStringResponder(404, `{"message":"Transaction ID not valid. Please check payment credentials."}`))
	_, err := c.Refund(context.Background(), 5, RefundRequest{Description: "d"})
	assert.ErrorIs(t, err, ErrTransactionNotFound)
	assert.ErrorIs(t, err, paykit.ErrAPI)
	var ae *paykit.APIError
	require.True(t, errors.As(err, &ae))
	assert.Equal(t, 404, ae.StatusCode)
	assert.NotContains(t, err.Error(), "key")

	httpmock.RegisterResponder(http.MethodPut, reportsURL+"6/refund",
		httpmock.NewStringResponder(422, `{"message":"Full refund is unavailable because there are successful partial refunds for this transaction."}`))
	_, err = c.Refund(context.Background(), 6, RefundRequest{Description: "d"})
	require.True(t, errors.As(err, &ae))
	assert.Equal(t, 422, ae.StatusCode)
	assert.Contains(t, ae.Message, "partial refunds")
}

func TestRefundValidation(t *testing.T) {
	c := mockedClient(t)
	long := string(make([]rune, 4001))
	for field, call := range map[string]func() error{
		"transaction_id": func() error { _, err := c.Refund(context.Background(), 0, RefundRequest{Description: "d"}); return err },
		"description":    func() error { _, err := c.Refund(context.Background(), 1, RefundRequest{}); return err },
		"email": func() error {
			_, err := c.Refund(context.Background(), 1, RefundRequest{Description: "d", Email: string(make([]rune, 101))})
			return err
		},
		"refund_amount": func() error {
			_, err := c.PartialRefund(context.Background(), 1, PartialRefundRequest{Description: "d", Amount: paykit.Money{Currency: "USD"}})
			return err
		},
		"description ": func() error {
			_, err := c.PartialRefund(context.Background(), 1, PartialRefundRequest{Description: long, Amount: paykit.Money{Amount: 1, Currency: "USD"}})
			return err
		},
		"refund_amount ": func() error {
			_, err := c.PartialRefund(context.Background(), 1, PartialRefundRequest{Description: "d", Amount: paykit.Money{Amount: 1, Currency: "GOLD"}})
			return err
		},
		"offset": func() error {
			_, err := c.FindTransactions(context.Background(), TransactionQuery{Offset: -1})
			return err
		},
		"limit": func() error {
			_, err := c.FindTransactions(context.Background(), TransactionQuery{Limit: -1})
			return err
		},
		"datetime_to": func() error {
			_, err := c.FindTransactions(context.Background(), TransactionQuery{From: time.Unix(100, 0), To: time.Unix(50, 0)})
			return err
		},
		"transaction_id ": func() error { _, err := c.Transaction(context.Background(), -3); return err },
		"external_id":     func() error { _, err := c.TransactionsByExternalID(context.Background(), ""); return err },
	} {
		err := call()
		var fe *paykit.FieldError
		require.True(t, errors.As(err, &fe), field)
		assert.Equal(t, field[:len(field)-len(trailingSpace(field))], fe.Field)
	}
	assert.Zero(t, httpmock.GetTotalCallCount())

	noMerchant := newTestClient(t, func(c *Config) { c.MerchantID = 0 })
	_, err := noMerchant.FindTransactions(context.Background(), TransactionQuery{})
	assert.ErrorIs(t, err, paykit.ErrInvalidRequest)
}

func typeName(v any) string { return fmt.Sprintf("%T", v) }

func trailingSpace(s string) string {
	if len(s) > 0 && s[len(s)-1] == ' ' {
		return " "
	}
	return ""
}

// TestFindTransactionsQueryAndRecords: the window and filters are sent as
// Xsolla's query parameters with the client's project, and the docs'
// sample record decodes and becomes the payment webhook's notification,
// under the same idempotency key.
func TestFindTransactionsQueryAndRecords(t *testing.T) {
	c := mockedClient(t)
	httpmock.RegisterResponder(http.MethodGet, reportsURL+"search.json", func(r *http.Request) (*http.Response, error) {
		assert.Equal(t, "datetime_from=2026-11-01T00%3A00%3A00Z&datetime_to=2026-11-02T00%3A00%3A00Z&external_id=example-external-id&limit=50&project_id=18404&status=done",
			r.URL.RawQuery)
		assert.Empty(t, r.Header.Get("Content-Type"), "a GET has no body")
		user, _, _ := r.BasicAuth()
		assert.Equal(t, "2340", user)
		return httpmock.NewStringResponse(200, `[`+searchRecord+`]`), nil
	})
	from := time.Date(2026, 11, 1, 1, 0, 0, 0, time.FixedZone("CET", 3600))
	recs, err := c.FindTransactions(context.Background(), TransactionQuery{
		From: from, To: from.Add(24 * time.Hour), ExternalID: "example-external-id", Status: "done", Limit: 50,
	})
	require.NoError(t, err)
	require.Len(t, recs, 1)
	r := recs[0]
	assert.Equal(t, ID("123456789"), r.Transaction.ID)
	assert.Equal(t, "PayPal", r.Transaction.PaymentMethod.Name)
	assert.Equal(t, ID("18404"), r.Transaction.Project.ID)
	assert.False(t, bool(r.Transaction.DryRun))
	m, err := r.PaymentDetails.Payment.Money()
	require.NoError(t, err)
	assert.Equal(t, paykit.Money{Amount: 796, Currency: "RUB"}, m)
	assert.Contains(t, string(r.Raw), `"transfer_date":"2021-10-20"`)

	n, ok := r.Notification()
	require.True(t, ok)
	assert.Equal(t, paykit.Summary{Provider: paykit.Xsolla, Type: "payment", Kind: paykit.KindPayment, Status: paykit.StatusPaid,
		ID: "123456789", OrderID: "example-external-id", UserID: "example-id", Amount: paykit.Money{Amount: 796, Currency: "RUB"}}, n.Summary())
	webhook := `{"notification_type":"payment","settings":{"project_id":18404},"user":{"id":"example-id"},` +
		`"transaction":{"id":123456789,"external_id":"example-external-id"},"payment_details":{"payment":{"currency":"RUB","amount":7.96}}}`
	wn, err := c.ParseBody([]byte(webhook), authHeader(sign(webhook, testSecret)))
	require.NoError(t, err)
	assert.Equal(t, c.IdempotencyKey(wn), c.IdempotencyKey(n), "a reconciled payment keys like its webhook")
}

// TestRecordNotificationByStatus: done, refunded and partiallyRefunded
// become the webhooks' types; the other states are no notification.
func TestRecordNotificationByStatus(t *testing.T) {
	for status, want := range map[string]string{"done": "*xsolla.Payment", "refunded": "*xsolla.Refund",
		"partiallyRefunded": "*xsolla.PartialRefund", "created": "", "processing": "", "error": "", "canceled": "",
		"review": "", "awaitingRefund": ""} {
		r := TransactionRecord{Transaction: RecordTransaction{ID: "9", Status: status, DryRun: true}}
		n, ok := r.Notification()
		if want == "" {
			assert.False(t, ok, status)
			continue
		}
		require.True(t, ok, status)
		assert.Equal(t, want, typeName(n), status)
		assert.True(t, n.Summary().Test, status)
	}
	_, ok := TransactionRecord{Transaction: RecordTransaction{Status: "done"}}.Notification()
	assert.False(t, ok, "a record without a transaction id cannot be keyed")

	c := newTestClient(t)
	refund, _ := TransactionRecord{Transaction: RecordTransaction{ID: "9", Status: "refunded"}}.Notification()
	body := `{"notification_type":"refund","transaction":{"id":9}}`
	wn, err := c.ParseBody([]byte(body), authHeader(sign(body, testSecret)))
	require.NoError(t, err)
	assert.Equal(t, c.IdempotencyKey(wn), c.IdempotencyKey(refund))
}

func TestTransactionLookups(t *testing.T) {
	c := mockedClient(t)
	httpmock.RegisterResponder(http.MethodGet, reportsURL+"simple_search", func(r *http.Request) (*http.Response, error) {
		switch r.URL.RawQuery {
		case "transaction_id=123456789":
			return httpmock.NewStringResponse(200, `[`+searchRecord+`]`), nil
		case "transaction_id=404":
			return httpmock.NewStringResponse(404, `{"message":"not found"}`), nil
		case "transaction_id=7":
			return httpmock.NewStringResponse(200, `[]`), nil
		case "external_id=example-external-id":
			return httpmock.NewStringResponse(200, `[`+searchRecord+`,`+searchRecord+`]`), nil
		case "external_id=a+b%26c":
			return httpmock.NewStringResponse(404, `{"message":"not found"}`), nil
		}
		t.Errorf("unexpected query %q", r.URL.RawQuery)
		return httpmock.NewStringResponse(422, `{}`), nil
	})
	r, err := c.Transaction(context.Background(), 123456789)
	require.NoError(t, err)
	assert.Equal(t, "done", r.Transaction.Status)
	_, err = c.Transaction(context.Background(), 404)
	assert.ErrorIs(t, err, ErrTransactionNotFound)
	assert.ErrorIs(t, err, paykit.ErrAPI)
	_, err = c.Transaction(context.Background(), 7)
	assert.ErrorIs(t, err, ErrTransactionNotFound)

	recs, err := c.TransactionsByExternalID(context.Background(), "example-external-id")
	require.NoError(t, err)
	assert.Len(t, recs, 2)
	recs, err = c.TransactionsByExternalID(context.Background(), "a b&c")
	require.NoError(t, err)
	assert.Empty(t, recs)
}

func TestRecordDecodingErrors(t *testing.T) {
	for _, body := range []string{``, `{`, `"x"`, `[1]`, `[{"transaction":{"id":{}}}]`, `{"transactions":5}`} {
		_, err := decodeRecords([]byte(body))
		assert.Error(t, err, body)
	}
	recs, err := decodeRecords([]byte(`{"transactions":[` + searchRecord + `],"has_more":false}`))
	require.NoError(t, err)
	assert.Len(t, recs, 1)
}

// TestOversizedAnswerIsAnError: an answer past the cap is refused, never
// decoded truncated.
func TestOversizedAnswerIsAnError(t *testing.T) {
	c := mockedClient(t)
	big := `{"token":"` + strings.Repeat("a", 1<<20) + `"}`
	httpmock.RegisterResponder(http.MethodPost, v2URL, httpmock.NewStringResponder(200, big))
	_, err := c.CreateToken(context.Background(), TokenRequest{UserID: "u", Checkout: &paykit.Money{Amount: 1, Currency: "USD"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "larger than")
	assert.Equal(t, 1, httpmock.GetTotalCallCount(), "not retried")
}
