package xsolla

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/paykit-go/paykit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func parseSigned(t *testing.T, c *Client, body string) paykit.Notification {
	t.Helper()
	n, err := c.ParseBody([]byte(body), authHeader(sign(body, testSecret)))
	require.NoError(t, err, body)
	return n
}

func TestTransactionEventsWithoutIDAreMalformed(t *testing.T) {
	c := newTestClient(t)
	for _, typ := range []string{"payment", "refund", "partial_refund", "upgrade_refund"} {
		for name, tx := range map[string]string{
			"absent":         `{"external_id":"o-1"}`,
			"null":           `{"id":null}`,
			"zero":           `{"id":0}`,
			"zero string":    `{"id":"0"}`,
			"empty":          `{"id":""}`,
			"negative":       `{"id":-5}`,
			"no transaction": ``,
		} {
			t.Run(typ+"/"+name, func(t *testing.T) {
				body := `{"notification_type":"` + typ + `","settings":{"project_id":18404}`
				if tx != "" {
					body += `,"transaction":` + tx
				}
				body += `}`
				_, err := c.ParseBody([]byte(body), authHeader(sign(body, testSecret)))
				assert.ErrorIs(t, err, paykit.ErrMalformed)
			})
		}
	}
}

func TestKeyedEventsWithoutIDAreMalformed(t *testing.T) {
	c := newTestClient(t)
	for _, body := range []string{
		`{"notification_type":"order_paid","order":{"amount":"1","currency":"USD"},"items":[]}`,
		`{"notification_type":"order_paid","order":{"id":0},"items":[]}`,
		`{"notification_type":"order_canceled","order":{"id":""},"items":[]}`,
		`{"notification_type":"create_subscription","subscription":{"plan_id":"p"}}`,
		`{"notification_type":"update_subscription","subscription":{"subscription_id":0}}`,
		`{"notification_type":"cancel_subscription","subscription":{"subscription_id":null}}`,
		`{"notification_type":"non_renewal_subscription","subscription":{}}`,
		`{"notification_type":"afs_reject","transaction":{"id":0}}`,
	} {
		_, err := c.ParseBody([]byte(body), authHeader(sign(body, testSecret)))
		assert.ErrorIs(t, err, paykit.ErrMalformed, body)
	}
}

// TestIdempotencyKeysDistinctAcrossTypesIDsTestFlagProjects: distinct events never share a key; an
// exact repeat always does; Xsolla's order and transaction id spaces, the
// test flag and the project are all part of the key.
func TestIdempotencyKeysDistinctAcrossTypesIDsTestFlagProjects(t *testing.T) {
	c := newTestClient(t)
	other := newTestClient(t, func(c *Config) { c.ProjectID = 18405 })
	bodies := map[string]string{
		"payment 7":             `{"notification_type":"payment","transaction":{"id":7}}`,
		"payment 8":             `{"notification_type":"payment","transaction":{"id":8}}`,
		"payment 7 dry run":     `{"notification_type":"payment","transaction":{"id":7,"dry_run":1}}`,
		"refund 7":              `{"notification_type":"refund","transaction":{"id":7}}`,
		"partial refund 7 a":    `{"notification_type":"partial_refund","transaction":{"id":7,"date":"a"}}`,
		"partial refund 7 b":    `{"notification_type":"partial_refund","transaction":{"id":7,"date":"b"}}`,
		"upgrade refund 7":      `{"notification_type":"upgrade_refund","transaction":{"id":7}}`,
		"afs reject 7":          `{"notification_type":"afs_reject","transaction":{"id":7}}`,
		"order 7 paid":          `{"notification_type":"order_paid","order":{"id":7},"items":[]}`,
		"order 8 paid":          `{"notification_type":"order_paid","order":{"id":8},"items":[]}`,
		"order 7 canceled":      `{"notification_type":"order_canceled","order":{"id":7},"items":[]}`,
		"order 7 paid sandbox":  `{"notification_type":"order_paid","order":{"id":7,"mode":"sandbox"},"items":[]}`,
		"subscription 7":        `{"notification_type":"create_subscription","subscription":{"subscription_id":7}}`,
		"subscription 7 update": `{"notification_type":"update_subscription","subscription":{"subscription_id":7,"date_next_charge":"x"}}`,
		"subscription 7 cancel": `{"notification_type":"cancel_subscription","subscription":{"subscription_id":7}}`,
		"subscription 7 nonren": `{"notification_type":"non_renewal_subscription","subscription":{"subscription_id":7}}`,
		"balance 7":             `{"notification_type":"user_balance_operation","id_operation":7}`,
		"account 7 add":         `{"notification_type":"payment_account_add","payment_account":{"id":7}}`,
		"account 7 remove":      `{"notification_type":"payment_account_remove","payment_account":{"id":7}}`,
		"redeem 7":              `{"notification_type":"redeem_key","key":"7"}`,
		"black list a":          `{"notification_type":"afs_black_list","user":{"id":"a"}}`,
		"black list b":          `{"notification_type":"afs_black_list","user":{"id":"b"}}`,
	}
	seen := map[string]string{}
	for name, body := range bodies {
		for _, cl := range []*Client{c, other} {
			k := cl.IdempotencyKey(parseSigned(t, cl, body))
			label := fmt.Sprintf("%s (project %s)", name, cl.project)
			if prev, dup := seen[k]; dup {
				t.Errorf("%s and %s share key %q", prev, label, k)
			}
			seen[k] = label
			assert.Equal(t, k, cl.IdempotencyKey(parseSigned(t, cl, body)), "exact repeat of %s", label)
		}
	}
	// The same transaction id written as a number or a string is one event.
	a := c.IdempotencyKey(parseSigned(t, c, `{"notification_type":"payment","transaction":{"id":7}}`))
	b := c.IdempotencyKey(parseSigned(t, c, `{"notification_type":"payment","transaction":{"id":"7"}}`))
	assert.Equal(t, a, b)
}

const (
	purchasePayment   = `{"notification_type":"payment","settings":{"project_id":18404},"user":{"id":"u1"},"transaction":{"id":5001,"external_id":"o-1"},"payment_details":{"payment":{"currency":"USD","amount":4.99}}}`
	purchaseOrderPaid = `{"notification_type":"order_paid","items":[{"sku":"gem","type":"virtual_good","quantity":1,"amount":"4.99"}],"order":{"id":900,"mode":"default","currency_type":"real","currency":"USD","amount":"4.99","status":"paid","invoice_id":"5001"},"user":{"external_id":"u1"}}`
	// combined webhook: transaction details inside order_paid
	purchaseCombined = `{"notification_type":"order_paid","items":[],"order":{"id":901,"currency":"USD","amount":"1.00","status":"paid"},"transaction":{"id":5002,"external_id":"o-2"},"user":{"external_id":"u1"}}`
	otherOrderPaid   = `{"notification_type":"order_paid","items":[],"order":{"id":902,"currency":"USD","amount":"2.00","status":"paid","invoice_id":"5003"},"user":{"external_id":"u1"}}`
	purchaseRefund   = `{"notification_type":"refund","settings":{"project_id":18404},"transaction":{"id":5001,"external_id":"o-1"},"payment_details":{"payment":{"currency":"USD","amount":4.99}}}`
	purchaseCanceled = `{"notification_type":"order_canceled","items":[],"order":{"id":900,"currency":"USD","amount":"4.99","status":"canceled","invoice_id":"5001"},"user":{"external_id":"u1"}}`
)

// TestOnePurchaseIsOnePaidPayment: payment and order_paid of one purchase
// reach Event once, in either order; so do refund and order_canceled.
func TestOnePurchaseIsOnePaidPayment(t *testing.T) {
	tests := []struct {
		name       string
		deliveries []string
		paid       int32
		refunds    int32
	}{
		{"payment then order_paid", []string{purchasePayment, purchaseOrderPaid}, 1, 0},
		{"order_paid then payment", []string{purchaseOrderPaid, purchasePayment}, 1, 0},
		{"only order_paid", []string{purchaseOrderPaid}, 1, 0},
		{"only payment", []string{purchasePayment}, 1, 0},
		{"combined order_paid", []string{purchaseCombined, purchaseCombined}, 1, 0},
		{"two purchases", []string{purchaseOrderPaid, otherOrderPaid}, 2, 0},
		{"two purchases, payment and order_paid", []string{purchasePayment, otherOrderPaid}, 2, 0},
		{"refund then order_canceled", []string{purchasePayment, purchaseOrderPaid, purchaseRefund, purchaseCanceled}, 1, 1},
		{"order_canceled then refund", []string{purchaseOrderPaid, purchaseCanceled, purchaseRefund}, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t)
			var paid, refunds atomic.Int32
			h := c.Handler(paykit.Hooks{Event: func(_ context.Context, n paykit.Notification) error {
				switch s := n.Summary(); s.Kind {
				case paykit.KindPayment:
					assert.Equal(t, paykit.StatusPaid, s.Status)
					paid.Add(1)
				case paykit.KindRefund:
					refunds.Add(1)
				}
				return nil
			}})
			for _, body := range tt.deliveries {
				w := post(h, body)
				require.Equal(t, 204, w.Code, w.Body.String())
			}
			assert.Equal(t, tt.paid, paid.Load(), "paid payment events")
			assert.Equal(t, tt.refunds, refunds.Load(), "refund events")
		})
	}
}
