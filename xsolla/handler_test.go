package xsolla

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/paykit-go/paykit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func serve(h http.Handler, body, auth string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, webhookRequest(body, auth))
	return w
}

func post(h http.Handler, body string) *httptest.ResponseRecorder {
	return serve(h, body, sign(body, testSecret))
}

func errorCode(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var r ErrorReply
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &r), w.Body.String())
	assert.NotEmpty(t, r.Error.Message)
	return r.Error.Code
}

const (
	paymentBody = `{"notification_type":"payment","settings":{"project_id":18404,"merchant_id":2340},"user":{"id":"u1"},"transaction":{"id":1001,"external_id":"o-1"},"payment_details":{"payment":{"currency":"USD","amount":4.99}}}`
	userBody    = `{"notification_type":"user_validation","settings":{"project_id":18404},"user":{"id":"u1"}}`
)

func TestHandlerUserValidation(t *testing.T) {
	c := newTestClient(t)
	w := post(c.Handler(paykit.Hooks{}), userBody)
	assert.Equal(t, http.StatusNoContent, w.Code, "nil User accepts")
	assert.Empty(t, w.Body.String())

	var got paykit.Notification
	h := c.Handler(paykit.Hooks{User: func(ctx context.Context, n paykit.Notification) error {
		got = n
		if _, ok := ctx.Deadline(); !ok {
			t.Error("hook context has no deadline")
		}
		return fmt.Errorf("lookup: %w", paykit.ErrUnknownUser)
	}})
	w = post(h, userBody)
	assert.Equal(t, http.StatusBadRequest, w.Code)
	assert.Equal(t, CodeInvalidUser, errorCode(t, w))
	assert.Equal(t, ID("u1"), got.(*UserValidation).User.ID)
	assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
}

func TestHandlerRefusesBadDeliveries(t *testing.T) {
	c := newTestClient(t)
	events := 0
	h := c.Handler(paykit.Hooks{Event: func(context.Context, paykit.Notification) error { events++; return nil }})
	tests := []struct {
		name, body, auth string
		code             string
	}{
		{"bad signature", paymentBody, "Signature " + strings.Repeat("0", 40), CodeInvalidSignature},
		{"no signature", paymentBody, "", CodeInvalidSignature},
		{"re-encoded body", strings.Replace(paymentBody, ",", ", ", 1), sign(paymentBody, testSecret), CodeInvalidSignature},
		{"malformed", `{"notification_type":`, sign(`{"notification_type":`, testSecret), CodeInvalidParameter},
		{"unknown type of another project", `{"notification_type":"x","settings":{"project_id":1}}`,
			sign(`{"notification_type":"x","settings":{"project_id":1}}`, testSecret), CodeInvalidParameter},
		{"other project", `{"notification_type":"payment","settings":{"project_id":1}}`,
			sign(`{"notification_type":"payment","settings":{"project_id":1}}`, testSecret), CodeInvalidParameter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(h, tt.body, tt.auth)
			assert.Equal(t, http.StatusBadRequest, w.Code)
			assert.Equal(t, tt.code, errorCode(t, w))
			assert.NotContains(t, w.Body.String(), testSecret)
		})
	}
	assert.Zero(t, events)

	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/xsolla", nil))
	assert.Equal(t, http.StatusMethodNotAllowed, w.Code)
}

// TestHandlerRefuseUnknownTypesOption: with RefuseUnknownTypes a verified
// webhook of an unknown type is answered 400 INVALID_PARAMETER and never
// reaches Event; an unverified one is still a bad signature.
func TestHandlerRefuseUnknownTypesOption(t *testing.T) {
	c := newTestClient(t)
	events := 0
	h := c.HandlerWith(paykit.Hooks{Event: func(context.Context, paykit.Notification) error { events++; return nil }},
		HandlerOptions{RefuseUnknownTypes: true})
	w := post(h, `{"notification_type":"brand_new"}`)
	assert.Equal(t, http.StatusBadRequest, w.Code)
	assert.Equal(t, CodeInvalidParameter, errorCode(t, w))
	w = serve(h, `{"notification_type":"brand_new"}`, "Signature "+strings.Repeat("1", 40))
	assert.Equal(t, CodeInvalidSignature, errorCode(t, w))
	assert.Equal(t, http.StatusNoContent, post(h, paymentBody).Code, "known types still reach Event")
	assert.Equal(t, 1, events)
}

func TestHandlerPaymentOnceAndReplay(t *testing.T) {
	c := newTestClient(t)
	var calls atomic.Int32
	h := c.Handler(paykit.Hooks{Event: func(ctx context.Context, n paykit.Notification) error {
		calls.Add(1)
		s := n.Summary()
		assert.Equal(t, paykit.KindPayment, s.Kind)
		assert.Equal(t, paykit.Money{Amount: 499, Currency: "USD"}, s.Amount)
		return nil
	}})
	first := post(h, paymentBody)
	assert.Equal(t, http.StatusNoContent, first.Code)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := post(h, paymentBody)
			assert.Equal(t, http.StatusNoContent, w.Code)
			assert.Equal(t, first.Body.Bytes(), w.Body.Bytes())
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(1), calls.Load())
}

func TestHandlerHookErrors(t *testing.T) {
	c := newTestClient(t)
	tests := []struct {
		name   string
		err    error
		status int
		code   string
	}{
		{"temporary", paykit.Temporary(errors.New("db down: password=hunter2")), 500, CodeServerError},
		{"deadline", context.DeadlineExceeded, 500, CodeServerError},
		{"in progress", paykit.ErrInProgress, 500, CodeServerError},
		{"permanent", errors.New("db said no: password=hunter2"), 400, CodeClientError},
		{"unknown user", paykit.ErrUnknownUser, 400, CodeInvalidUser},
		{"incorrect amount", fmt.Errorf("want 5.00: %w", ErrIncorrectAmount), 400, CodeIncorrectAmount},
		{"incorrect invoice", ErrIncorrectInvoice, 400, CodeIncorrectInvoice},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			h := c.Handler(paykit.Hooks{Event: func(context.Context, paykit.Notification) error {
				calls++
				if calls == 1 {
					return tt.err
				}
				return nil
			}})
			w := post(h, paymentBody)
			assert.Equal(t, tt.status, w.Code)
			assert.Equal(t, tt.code, errorCode(t, w))
			assert.NotContains(t, w.Body.String(), "hunter2")
			// A failure is not remembered: the redelivery runs the hook again.
			assert.Equal(t, http.StatusNoContent, post(h, paymentBody).Code)
			assert.Equal(t, 2, calls)
		})
	}
}

func TestHandlerNilEventIsTemporary(t *testing.T) {
	c := newTestClient(t)
	w := post(c.Handler(paykit.Hooks{}), paymentBody)
	assert.Equal(t, http.StatusInternalServerError, w.Code)
	assert.Equal(t, CodeServerError, errorCode(t, w))
}

func TestHandlerCheckAmount(t *testing.T) {
	c := newTestClient(t)
	events := 0
	h := c.HandlerWith(paykit.Hooks{Event: func(context.Context, paykit.Notification) error { events++; return nil }},
		HandlerOptions{CheckAmount: func(_ context.Context, n paykit.Notification) error {
			s := n.Summary()
			if s.OrderID != "o-1" {
				return ErrIncorrectInvoice
			}
			if s.Amount != (paykit.Money{Amount: 500, Currency: "USD"}) {
				return ErrIncorrectAmount
			}
			return nil
		}})
	w := post(h, paymentBody)
	assert.Equal(t, http.StatusBadRequest, w.Code)
	assert.Equal(t, CodeIncorrectAmount, errorCode(t, w))
	other := strings.Replace(paymentBody, `"o-1"`, `"o-2"`, 1)
	assert.Equal(t, CodeIncorrectInvoice, errorCode(t, post(h, other)))
	assert.Zero(t, events)
	// Refunds are not amount-checked.
	refund := strings.Replace(paymentBody, `"payment"`, `"refund"`, 1)
	assert.Equal(t, http.StatusNoContent, post(h, refund).Code)
	assert.Equal(t, 1, events)
}

func TestHandlerStatusOverride(t *testing.T) {
	c := newTestClient(t)
	h := c.HandlerWith(paykit.Hooks{User: func(context.Context, paykit.Notification) error { return paykit.ErrUnknownUser }},
		HandlerOptions{Status: map[string]int{CodeInvalidSignature: 401, CodeInvalidUser: 422}})
	assert.Equal(t, 401, serve(h, userBody, "Signature "+strings.Repeat("0", 40)).Code)
	assert.Equal(t, 422, post(h, userBody).Code)
}

func TestHandlerUserSearchAndPinCode(t *testing.T) {
	c := newTestClient(t)
	h := c.HandlerWith(paykit.Hooks{}, HandlerOptions{
		UserSearch: func(_ context.Context, n *UserSearch) (UserInfo, error) {
			if n.User.PublicID != "pub" {
				return UserInfo{}, paykit.ErrUnknownUser
			}
			return UserInfo{ID: "u1", PublicID: "pub", Name: "Ann"}, nil
		},
		PinCode: func(_ context.Context, n *GetPinCode) (string, error) { return "PIN-" + n.PinCode.DRM, nil },
		Catalog: func(context.Context, *PartnerSideCatalog) (json.RawMessage, error) {
			return json.RawMessage(`{"items":[]}`), nil
		},
	})
	w := post(h, `{"notification_type":"user_search","user":{"public_id":"pub"}}`)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.JSONEq(t, `{"user":{"id":"u1","public_id":"pub","name":"Ann"}}`, w.Body.String())
	w = post(h, `{"notification_type":"user_search","user":{"public_id":"nobody"}}`)
	assert.Equal(t, CodeInvalidUser, errorCode(t, w))
	w = post(h, `{"notification_type":"get_pincode","pin_code":{"DRM":"steam"}}`)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.JSONEq(t, `{"pin_code":"PIN-steam"}`, w.Body.String())
	w = post(h, `{"notification_type":"partner_side_catalog"}`)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.JSONEq(t, `{"items":[]}`, w.Body.String())

	bare := c.Handler(paykit.Hooks{})
	assert.Equal(t, CodeInvalidUser, errorCode(t, post(bare, `{"notification_type":"user_search","user":{"public_id":"pub"}}`)))
	assert.Equal(t, CodeInvalidParameter, errorCode(t, post(bare, `{"notification_type":"get_pincode"}`)))
}

func TestIdempotencyKeysSeparateEvents(t *testing.T) {
	c := newTestClient(t)
	key := func(body string) string { return c.IdempotencyKey(parse(t, body)) }
	payment := key(`{"notification_type":"payment","transaction":{"id":77}}`)
	assert.Equal(t, payment, key(`{"notification_type":"payment","transaction":{"id":"77"},"extra":1}`), "same transaction, same key")
	keys := []string{
		payment,
		key(`{"notification_type":"payment","transaction":{"id":77,"dry_run":1}}`),
		key(`{"notification_type":"refund","transaction":{"id":77}}`),
		key(`{"notification_type":"partial_refund","transaction":{"id":77},"payment_details":{"payment":{"currency":"USD","amount":1}}}`),
		key(`{"notification_type":"partial_refund","transaction":{"id":77},"payment_details":{"payment":{"currency":"USD","amount":2}}}`),
		key(`{"notification_type":"order_paid","order":{"id":77}}`),
		key(`{"notification_type":"order_canceled","order":{"id":77}}`),
		key(`{"notification_type":"create_subscription","subscription":{"subscription_id":77}}`),
		key(`{"notification_type":"update_subscription","subscription":{"subscription_id":77,"date_next_charge":"2025-01-01"}}`),
		key(`{"notification_type":"update_subscription","subscription":{"subscription_id":77,"date_next_charge":"2025-02-01"}}`),
		key(`{"notification_type":"afs_black_list","user":{"id":"a"}}`),
		key(`{"notification_type":"afs_black_list","user":{"id":"b"}}`),
	}
	seen := map[string]int{}
	for i, k := range keys {
		if j, dup := seen[k]; dup {
			t.Errorf("keys %d and %d collide: %s", j, i, k)
		}
		seen[k] = i
	}
	assert.Equal(t, payment, key(`{"notification_type":"order_paid","order":{"id":5,"invoice_id":"77"}}`),
		"payment and order_paid of one transaction are one purchase")
}
