package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
)

// TestOrderStatusOnlyMovesForward: providers deliver out of order; the
// order follows paykit.Advance, so a refund that arrives before its
// payment is held and the payment after it delivers nothing, and a late
// pending or failure never undoes paid.
func TestOrderStatusOnlyMovesForward(t *testing.T) {
	price := paykit.Money{Amount: 499, Currency: "EUR"}
	ev := func(kind paykit.Kind, st paykit.Status) paykit.Summary {
		return paykit.Summary{Provider: paykit.Xsolla, Kind: kind, Status: st, ID: "tx1", Amount: price}
	}
	paid, pending, failed := ev(paykit.KindPayment, paykit.StatusPaid), ev(paykit.KindPayment, paykit.StatusPending), ev(paykit.KindPayment, paykit.StatusFailed)
	refund, canceled := ev(paykit.KindRefund, paykit.StatusRefunded), ev(paykit.KindRefund, paykit.StatusCanceled)
	for _, tc := range []struct {
		name       string
		events     []paykit.Summary
		status     OrderStatus
		deliveries int
		revoked    int
	}{
		{"refund before its payment: nothing delivered", []paykit.Summary{refund, paid}, OrderRefunded, 0, 0},
		{"order_canceled before its payment: nothing delivered", []paykit.Summary{canceled, paid}, OrderCancelled, 0, 0},
		{"pending after paid stays paid", []paykit.Summary{paid, pending}, OrderPaid, 1, 0},
		{"failure after paid stays paid", []paykit.Summary{paid, failed}, OrderPaid, 1, 0},
		{"paid after a failure delivers", []paykit.Summary{failed, paid}, OrderPaid, 1, 0},
		{"refund then order_canceled takes back once", []paykit.Summary{paid, refund, canceled}, OrderRefunded, 1, 1},
		{"order_canceled then refund takes back once", []paykit.Summary{paid, canceled, refund}, OrderRefunded, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newOrderBook(nil)
			o := b.create(Product{SKU: "x", Title: "X"}, paykit.Xsolla, price)
			for _, e := range tc.events {
				require.NoError(t, b.apply(o.ID, e))
			}
			got, _ := b.get(o.ID)
			assert.Equal(t, tc.status, got.Status)
			assert.Equal(t, tc.deliveries, got.Deliveries)
			assert.Equal(t, tc.revoked, got.Revoked)
		})
	}
}
