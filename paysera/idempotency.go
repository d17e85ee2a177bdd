package paysera

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/callback"
	"github.com/paykit-go/paykit/internal/key"
)

// Account returns the project id as used in idempotency keys: the
// configured ProjectID in decimal.
func (c *Client) Account() string { return c.account }

// IdempotencyKey is the key the handler fulfils n under. Use it (not
// paykit.IdempotencyKey) when you key Paysera events yourself: the plain
// key gives an SMS payment and a macro payment with the same number the
// same key.
//
// Macro callbacks with statuses 0, 1 and 2 (and 5 without refund fields)
// get exactly paykit.IdempotencyKey with the project id, as does any
// notification that is not a *Callback. Every other event adds a
// discriminator that keeps it apart from those:
//   - micro (SMS) payments: "micro" (an SMS id and a macro requestid are
//     separate number spaces, and both summarise as a paid payment);
//   - status 5 with refund fields: a digest of them (one payment may be
//     refunded in parts, each its own status 5 callback);
//   - status 4 (pending like 2, and may follow it) and statuses outside
//     0-5: the raw status;
//   - status 3 (additional information, which may come several times with
//     different content for one payment): a digest of the decoded fields.
//
// Every part is length-prefixed, so no id can be mistaken for a
// discriminator, and an exact repeat always has the same key. Callbacks
// without Paysera's id (requestid, SMS id) never get here: ParseCallback
// refuses them as malformed.
func (c *Client) IdempotencyKey(n paykit.Notification) string {
	parts := callback.KeyParts(paykit.Paysera, c.account, n)
	if cb, ok := n.(*Callback); ok {
		parts.Discriminator = discriminator(cb)
	}
	return key.Build(parts)
}

// discriminator is what keeps cb's event apart from others with the same
// summary (see Client.IdempotencyKey); "" for the common statuses.
func discriminator(cb *Callback) string {
	if cb.Type == TypeMicro {
		return TypeMicro
	}
	switch cb.Status {
	case StatusRefunded:
		if cb.hasRefundFields() {
			return "refund:" + digest(cb.refundTimestamp, cb.refundAmount, cb.refundCurrency,
				cb.refundCommission, cb.refundCommCur)
		}
		return ""
	case StatusNotExecuted, StatusSuccess, StatusAccepted:
		return ""
	case StatusAdditionalInfo:
		return "info:" + fieldsDigest(cb)
	default:
		return "status:" + string(cb.Status)
	}
}

func (cb *Callback) hasRefundFields() bool {
	return cb.refundTimestamp != "" || cb.refundAmount != "" || cb.refundCurrency != "" ||
		cb.refundCommission != "" || cb.refundCommCur != ""
}

// digest is a short SHA-256, in hex, of parts, each length-prefixed.
func digest(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write(strconv.AppendInt(nil, int64(len(p)), 10))
		h.Write([]byte{':'})
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// fieldsDigest is digest over the sorted decoded fields.
func fieldsDigest(cb *Callback) string {
	fields := cb.Fields()
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		for _, v := range fields[k] {
			parts = append(parts, k, v)
		}
	}
	return digest(parts...)
}
