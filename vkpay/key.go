package vkpay

import (
	"strconv"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/callback"
	"github.com/paykit-go/paykit/internal/key"
)

// IdempotencyKey returns the key under which a handler stores the answer
// to n. Orders are keyed on (app, test flag, payment or refund, order_id),
// so test and production ids never collide and a refund is a new event.
// Subscriptions are keyed on the subscription id and VK's own status
// (chargeable, active and cancelled are distinct changes), with
// cancel_reason, pending_cancel and next_bill_time as the discriminator,
// so that a second cancellation after a resumption is a new event while
// an exact resend is a repeat. Item requests change nothing and are
// answered afresh at every delivery: their key is "".
func (c *Client) IdempotencyKey(n paykit.Notification) string {
	switch n := n.(type) {
	case *OrderStatusChange:
		return key.Build(callback.KeyParts(paykit.VKPay, c.account, n))
	case *SubscriptionStatusChange:
		p := callback.KeyParts(paykit.VKPay, c.account, n)
		p.Status, p.ID, p.Discriminator = string(n.Status), n.SubscriptionID, subscriptionChange(n)
		return key.Build(p)
	}
	return ""
}

// subscriptionChange tells apart two changes of one subscription to the
// same status: cancel_reason, pending_cancel and next_bill_time.
func subscriptionChange(n *SubscriptionStatusChange) string {
	b := make([]byte, 0, 48)
	b = strconv.AppendInt(b, int64(len(n.CancelReason)), 10)
	b = append(b, ':')
	b = append(b, n.CancelReason...)
	b = append(b, '|')
	b = strconv.AppendBool(b, n.PendingCancel)
	b = append(b, '|')
	if !n.NextBillTime.IsZero() {
		b = strconv.AppendInt(b, n.NextBillTime.Unix(), 10)
	}
	return string(b)
}
