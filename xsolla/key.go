package xsolla

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/callback"
	"github.com/paykit-go/paykit/internal/key"
)

// Account returns the project id, as used in idempotency keys.
func (c *Client) Account() string { return c.project }

// IdempotencyKey is the key the handler fulfils n under: key.Build of the
// provider, the project ([Client.Account]), live or test, n's kind and
// status, an id, and a discriminator that keeps Xsolla's id spaces apart.
//
// One purchase is one key. payment and order_paid of one purchase share
// the id (the transaction id) and the discriminator "txn", with Kind
// payment and Status paid (order_paid names the transaction in
// transaction.id in the combined variant, in order.invoice_id in the
// separate one); refund and order_canceled of one purchase share it with
// Kind refund and Status refunded. So whichever of the pair arrives first
// reaches Event and the other is answered from the store. An order_paid or
// order_canceled that names no transaction is keyed on order.id with its
// type as discriminator.
//
// Every other type has its type name as discriminator, so that no two
// types share a key: partial_refund on transaction.id and a digest of the
// body [unsure: Xsolla documents no id per partial refund, so only a
// byte-identical redelivery is a repeat], update_subscription on
// subscription_id and date_next_charge (it comes at every renewal), other
// subscriptions on subscription_id, afs_reject on transaction.id, dispute
// on transaction.id, action and dispute.status (each status change is an
// event), the informational types on their id or, without one (and an
// [Unknown] type), a digest of the body.
// Numeric ids are keyed in plain decimal, so 7 and "7" are one id.
func (c *Client) IdempotencyKey(n paykit.Notification) string {
	p := callback.KeyParts(paykit.Xsolla, c.project, n)
	p.ID, p.Discriminator = keyID(n, &p)
	return key.Build(p)
}

// purchase is the discriminator of a purchase's transaction.
const purchase = "txn"

// keyID returns the id and discriminator n is keyed on; for an
// order_canceled that names its transaction it sets p's kind and status to
// those of the refund of the same transaction.
func keyID(n paykit.Notification, p *key.Parts) (id, discriminator string) {
	switch n := n.(type) {
	case *Payment:
		return canonical(n.Transaction.ID), purchase
	case *Refund:
		return canonical(n.Transaction.ID), purchase
	case *OrderPaid:
		if tx, ok := canonicalID(n.transactionID()); ok {
			return tx, purchase
		}
	case *OrderCanceled:
		if tx, ok := canonicalID(n.transactionID()); ok {
			p.Kind, p.Status = string(paykit.KindRefund), string(paykit.StatusRefunded)
			return tx, purchase
		}
	case *UpdateSubscription:
		return canonical(n.Subscription.SubscriptionID), n.Type + "@" + n.Subscription.DateNextCharge
	case *PartialRefund:
		return canonical(n.Transaction.ID), n.Type + "#" + digest(n.Raw)
	case *Dispute:
		return canonical(n.Transaction.ID), n.Type + "@" + n.Action + "/" + n.Dispute.Status
	}
	s := n.Summary()
	if s.ID != "" {
		return canonical(ID(s.ID)), s.Type
	}
	// No id to key on: only a byte-identical redelivery is a repeat.
	if m, ok := n.(interface{ message() *Message }); ok {
		return "", s.Type + "#" + digest(m.message().Raw)
	}
	return "", s.Type
}

// digest is a short SHA-256 of a body, for keys of events without an id.
func digest(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:12])
}

// canonical is id in the form it is keyed by (see canonicalID).
func canonical(id ID) string {
	if c, ok := canonicalID(id); ok {
		return c
	}
	return string(id)
}
