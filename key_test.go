package paykit_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/paykit-go/paykit"
)

type note paykit.Summary

func (n note) Summary() paykit.Summary { return paykit.Summary(n) }

func TestIdempotencyKey_DistinguishesEveryPart(t *testing.T) {
	base := note{Provider: paykit.Paysera, Kind: paykit.KindPayment, Status: paykit.StatusPending, ID: "42"}
	key := paykit.IdempotencyKey("123", base)

	variants := map[string]note{}
	v := base
	v.Status = paykit.StatusPaid
	variants["status change"] = v
	v = base
	v.Kind = paykit.KindRefund
	variants["kind"] = v
	v = base
	v.Test = true
	variants["test flag"] = v
	v = base
	v.ID = "43"
	variants["id"] = v
	v = base
	v.Provider = paykit.VKPay
	variants["provider"] = v
	for name, n := range variants {
		assert.NotEqual(t, key, paykit.IdempotencyKey("123", n), name)
	}
	assert.NotEqual(t, key, paykit.IdempotencyKey("124", base), "account")
	assert.Equal(t, key, paykit.IdempotencyKey("123", base), "an exact repeat has the same key")

	// Fields that are not part of the event's identity do not change it.
	v = base
	v.Amount = paykit.Money{Amount: 5, Currency: "EUR"}
	v.UserID = "u"
	assert.Equal(t, key, paykit.IdempotencyKey("123", v))
}

func TestIdempotencyKey_SeparatorsInIDsCannotCollide(t *testing.T) {
	a := note{Provider: paykit.VKPay, ID: "1|live"}
	b := note{Provider: paykit.VKPay, ID: "1"}
	assert.NotEqual(t, paykit.IdempotencyKey("x", a), paykit.IdempotencyKey("x|1", b))
	assert.NotEqual(t, paykit.IdempotencyKey("a|b", b), paykit.IdempotencyKey("a", note{Provider: "b|" + paykit.VKPay, ID: "1"}))
}
