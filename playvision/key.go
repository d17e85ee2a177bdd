package playvision

import (
	"strings"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/callback"
	"github.com/paykit-go/paykit/internal/key"
	"github.com/paykit-go/paykit/signature"
)

// IdempotencyKey returns the key under which hooks.Store remembers the
// answer to n, a notification returned by [Client.ParseCallback]:
//
//   - order_status_change: (app, mode, transaction_id). Test ids can repeat
//     production ids, so the mode is part of the key; a resend of one
//     order with another time is the same order.
//   - get_item: (app, mode, every signed parameter), so two item requests
//     share a key only when they are the same request. get_item changes
//     nothing and the handler answers it afresh at every delivery, without
//     the store; the key serves merchants who log or rate-limit requests.
//
// It returns "" for any other value, and for an order_status_change
// without a positive TransactionID, which ParseCallback never returns:
// such a notification must be refused, never keyed on an empty or zero id.
func (c *Client) IdempotencyKey(n paykit.Notification) string {
	switch n := n.(type) {
	case *OrderStatusChange:
		if n == nil || n.TransactionID <= 0 {
			return ""
		}
		p := callback.KeyParts(paykit.Playvision, c.account, n)
		p.Kind, p.Status, p.ID = string(paykit.KindPayment), string(paykit.StatusPaid), decimal(n.id, n.TransactionID)
		return key.Build(p)
	case *GetItem:
		if n == nil {
			return ""
		}
		p := callback.KeyParts(paykit.Playvision, c.account, n)
		p.Kind, p.Status, p.ID, p.Discriminator = string(paykit.KindItemRequest), "", "", "request:"+requestDigest(n)
		return key.Build(p)
	}
	return ""
}

// requestDigest identifies a get_item by all its signed parameters: the
// verified sig (in lower case: its hex case is not part of the request),
// or for a notification built by hand, a digest of its parameters.
func requestDigest(g *GetItem) string {
	if g.Sig != "" {
		return strings.ToLower(g.Sig)
	}
	return signature.SortedMD5Except(g.Params, "", "sig")
}
