package xsolla

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/google/go-querystring/query"
	"github.com/paykit-go/paykit"
)

// Refunds and transaction lookups of the merchant API (Pay Station API
// v2, "Refund" and "Reports"): Basic auth MerchantID:APIKey with a
// company-wide key, like [Client.CreateToken].

// RefundRequest is the body of [Client.Refund].
type RefundRequest struct {
	// Description is the reason for the refund (required, at most 4000
	// characters).
	Description string `json:"description"`
	// Email is the user's email, which Xsolla needs for some payment
	// methods (at most 100 characters; optional).
	Email string `json:"email,omitempty"`
}

// PartialRefundRequest is the body of [Client.PartialRefund].
type PartialRefundRequest struct {
	// Amount is what to give back, in minor units of the purchase's
	// currency (sent as refund_amount with the currency's exponent).
	Amount paykit.Money
	// Description is the reason (required, at most 4000 characters).
	Description string
}

// RefundResult is Xsolla's answer to an accepted refund request: empty on
// 204, else its message (for instance that Xsolla's support will complete
// the refund by hand, or write to the user).
type RefundResult struct {
	Message string `json:"message"`
}

// ErrTransactionNotFound: Xsolla knows no such transaction (a 404 of the
// lookup, or no matching record). The *paykit.APIError is kept in the
// chain when Xsolla answered 404.
var ErrTransactionNotFound = errors.New("xsolla: transaction not found")

func checkDescription(d string) error {
	if d == "" || utf8.RuneCountInString(d) > 4000 {
		return bad("description", "must be 1–4000 characters")
	}
	return nil
}

func checkTransactionID(id int64) error {
	if id <= 0 {
		return bad("transaction_id", "must be positive")
	}
	return nil
}

func (c *Client) transactionURL(id int64, action string) string {
	return c.baseURL + "/merchant/v2/merchants/" + c.merchant + "/reports/transactions/" +
		strconv.FormatInt(id, 10) + "/" + action
}

// Refund asks Xsolla to refund the transaction in full (PUT
// …/merchants/{MerchantID}/reports/transactions/{id}/refund). Xsolla then
// sends the refund webhook (and order_canceled for an order): take the
// goods back there, not here. Xsolla refuses (422) a transaction not
// completed, one already being refunded, and one with partial refunds.
// Retried on 429, 5xx and network errors: a repeated full refund of one
// transaction cannot refund twice. Validation errors match
// paykit.ErrInvalidRequest; API failures are *paykit.APIError.
func (c *Client) Refund(ctx context.Context, transactionID int64, r RefundRequest) (RefundResult, error) {
	if err := c.needMerchantAPI(); err != nil {
		return RefundResult{}, err
	}
	if err := checkTransactionID(transactionID); err != nil {
		return RefundResult{}, err
	}
	if err := checkDescription(r.Description); err != nil {
		return RefundResult{}, err
	}
	if utf8.RuneCountInString(r.Email) > 100 {
		return RefundResult{}, bad("email", "at most 100 characters")
	}
	body, err := json.Marshal(r)
	if err != nil {
		return RefundResult{}, fmt.Errorf("xsolla: encoding request: %w", err)
	}
	var out RefundResult
	err = c.call(ctx, apiCall{method: http.MethodPut, url: c.transactionURL(transactionID, "refund"),
		user: c.merchant, body: body, retry: true}, &out)
	return out, notFound(err)
}

// PartialRefund asks Xsolla to refund part of the transaction (PUT
// …/reports/transactions/{id}/partial_refund, refund_amount in the
// purchase currency). Xsolla then sends the partial_refund webhook. Only
// some payment methods allow it. Unlike the other calls it is retried only
// on 429 (the request was not processed): after a 5xx or a lost answer
// the refund may have been made, and a second request would refund again
// — check with [Client.Transaction] first.
func (c *Client) PartialRefund(ctx context.Context, transactionID int64, r PartialRefundRequest) (RefundResult, error) {
	if err := c.needMerchantAPI(); err != nil {
		return RefundResult{}, err
	}
	if err := checkTransactionID(transactionID); err != nil {
		return RefundResult{}, err
	}
	if err := checkDescription(r.Description); err != nil {
		return RefundResult{}, err
	}
	if r.Amount.Amount <= 0 {
		return RefundResult{}, bad("refund_amount", "must be positive")
	}
	amount, err := FormatAmount(r.Amount)
	if err != nil {
		return RefundResult{}, bad("refund_amount", "not an ISO 4217 currency")
	}
	body, err := json.Marshal(struct {
		RefundAmount json.Number `json:"refund_amount"`
		Description  string      `json:"description"`
	}{json.Number(amount), r.Description})
	if err != nil {
		return RefundResult{}, fmt.Errorf("xsolla: encoding request: %w", err)
	}
	var out RefundResult
	err = c.call(ctx, apiCall{method: http.MethodPut, url: c.transactionURL(transactionID, "partial_refund"),
		user: c.merchant, body: body}, &out)
	return out, notFound(err)
}

// notFound adds ErrTransactionNotFound to the chain of a 404.
func notFound(err error) error {
	var ae *paykit.APIError
	if errors.As(err, &ae) && ae.StatusCode == http.StatusNotFound {
		return fmt.Errorf("%w: %w", ErrTransactionNotFound, err)
	}
	return err
}

// TransactionQuery selects transactions for [Client.FindTransactions]:
// a time window and any of the filters. Zero values are left out.
type TransactionQuery struct {
	// From and To bound the window (datetime_from, datetime_to).
	From, To time.Time `url:"-"`
	// ExternalID is your settings.external_id of the payment.
	ExternalID string `url:"external_id,omitempty"`
	// TransactionID is Xsolla's transaction id.
	TransactionID int64 `url:"transaction_id,omitempty"`
	// UserID, Email and Phone select a user's transactions.
	UserID string `url:"user_id,omitempty"`
	Email  string `url:"email,omitempty"`
	Phone  string `url:"phone,omitempty"`
	// Type is "all", "transferred" (successful, no test ones), "canceled"
	// or "test".
	Type string `url:"type,omitempty"`
	// Status is one status: "created", "processing", "review", "error",
	// "done", "awaitingRefund", "refunded", "canceled",
	// "partiallyRefunded".
	Status string `url:"status,omitempty"`
	// Offset and Limit page through the results.
	Offset int `url:"offset,omitempty"`
	Limit  int `url:"limit,omitempty"`
}

// searchQuery is the encoded form of a TransactionQuery.
type searchQuery struct {
	TransactionQuery
	From      string `url:"datetime_from,omitempty"`
	To        string `url:"datetime_to,omitempty"`
	ProjectID int    `url:"project_id"`
}

// searchTimeLayout renders the window [unsure: Xsolla's reference says
// "string <datetime>" without a layout; RFC 3339 in UTC is sent].
const searchTimeLayout = "2006-01-02T15:04:05Z"

// FindTransactions searches the project's transactions (GET
// …/merchants/{MerchantID}/reports/transactions/search.json, project_id =
// [Config.ProjectID]): by time window, external id, user or status, every
// state included (created, failed and refunded ones too). Records turn
// into the notifications the webhooks produce with
// [TransactionRecord.Notification]. Retried on 429, 5xx and network
// errors.
func (c *Client) FindTransactions(ctx context.Context, q TransactionQuery) ([]TransactionRecord, error) {
	if err := c.needMerchantAPI(); err != nil {
		return nil, err
	}
	switch {
	case q.Offset < 0:
		return nil, bad("offset", "must not be negative")
	case q.Limit < 0:
		return nil, bad("limit", "must not be negative")
	case !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From):
		return nil, bad("datetime_to", "before datetime_from")
	}
	sq := searchQuery{TransactionQuery: q, ProjectID: c.cfg.ProjectID}
	if !q.From.IsZero() {
		sq.From = q.From.UTC().Format(searchTimeLayout)
	}
	if !q.To.IsZero() {
		sq.To = q.To.UTC().Format(searchTimeLayout)
	}
	v, err := query.Values(sq)
	if err != nil {
		return nil, fmt.Errorf("xsolla: encoding query: %w", err)
	}
	u := c.baseURL + "/merchant/v2/merchants/" + c.merchant + "/reports/transactions/search.json?" + v.Encode()
	return c.records(ctx, u)
}

// Transaction returns one transaction by Xsolla's id, found with the
// fast search (GET …/reports/transactions/simple_search?transaction_id=).
// A transaction Xsolla does not know is ErrTransactionNotFound.
func (c *Client) Transaction(ctx context.Context, transactionID int64) (TransactionRecord, error) {
	if err := c.needMerchantAPI(); err != nil {
		return TransactionRecord{}, err
	}
	if err := checkTransactionID(transactionID); err != nil {
		return TransactionRecord{}, err
	}
	recs, err := c.records(ctx, c.simpleSearchURL("transaction_id", strconv.FormatInt(transactionID, 10)))
	if err != nil {
		return TransactionRecord{}, notFound(err)
	}
	want := strconv.FormatInt(transactionID, 10)
	for _, r := range recs {
		if id, ok := canonicalID(r.Transaction.ID); ok && id == want {
			return r, nil
		}
	}
	return TransactionRecord{}, ErrTransactionNotFound
}

// TransactionsByExternalID returns the transactions of your order id
// (settings.external_id), with the fast search (GET
// …/simple_search?external_id=): several when the buyer tried more than
// once. None is an empty list, not an error.
func (c *Client) TransactionsByExternalID(ctx context.Context, externalID string) ([]TransactionRecord, error) {
	if err := c.needMerchantAPI(); err != nil {
		return nil, err
	}
	if externalID == "" {
		return nil, bad("external_id", "empty")
	}
	recs, err := c.records(ctx, c.simpleSearchURL("external_id", externalID))
	if errors.Is(notFound(err), ErrTransactionNotFound) {
		return nil, nil
	}
	return recs, err
}

func (c *Client) simpleSearchURL(key, value string) string {
	return c.baseURL + "/merchant/v2/merchants/" + c.merchant + "/reports/transactions/simple_search?" +
		key + "=" + url.QueryEscape(value)
}

// maxRecordsAnswer caps a search answer (about 30 000 records); narrow
// the window or page with Limit for more.
const maxRecordsAnswer = 64 << 20

// records GETs u and decodes the list of transaction records it answers.
func (c *Client) records(ctx context.Context, u string) ([]TransactionRecord, error) {
	var raw json.RawMessage
	a := apiCall{method: http.MethodGet, url: u, user: c.merchant, retry: true, maxAnswer: maxRecordsAnswer}
	if err := c.call(ctx, a, &raw); err != nil {
		return nil, err
	}
	return decodeRecords(raw)
}
