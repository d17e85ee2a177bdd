package paykit_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

// plainJoin is the key without length prefixes: the mutation the next test
// guards against.
func plainJoin(account string, n note) string {
	test := "live"
	if n.Test {
		test = "test"
	}
	return strings.Join([]string{string(n.Provider), account, test, string(n.Kind), string(n.Status), n.ID}, "|")
}

func TestIdempotencyKey_PartsThatCollideWhenJoinedPlainlyStayDistinct(t *testing.T) {
	pay := note{Provider: paykit.Playvision, Kind: paykit.KindPayment, Status: paykit.StatusPaid}
	with := func(n note, f func(*note)) note { f(&n); return n }
	tests := []struct {
		name       string
		accountA   string
		a          note
		accountB   string
		b          note
		plainEqual bool // the pair collides when parts are joined with "|" alone
	}{
		{"separator moves between provider and account",
			"a|b", with(pay, func(n *note) { n.Provider = "p" }),
			"b", with(pay, func(n *note) { n.Provider = "p|a" }), true},
		{"separator moves between status and id",
			"7001", with(pay, func(n *note) { n.ID = "b|c" }),
			"7001", with(pay, func(n *note) { n.Status = paykit.StatusPaid + "|b"; n.ID = "c" }), true},
		{"account swallows the rest of an event",
			"a|live|payment|paid|1", with(pay, func(n *note) { n.ID = "1" }),
			"a", with(pay, func(n *note) { n.ID = "1|live|payment|paid|1" }), true},
		{"account a|b with id c against account a with id b|c, empty kind and status",
			"a|b", note{Provider: paykit.Playvision, ID: "c"},
			"a", note{Provider: paykit.Playvision, Kind: "b", ID: "c"}, false},
		{"test flag text inside an id",
			"7001", with(pay, func(n *note) { n.ID = "1|test" }),
			"7001|1", with(pay, func(n *note) { n.ID = "test" }), false},
		{"length-prefix lookalike in the account",
			"1:a|1:b", with(pay, func(n *note) { n.ID = "1" }),
			"1:a", with(pay, func(n *note) { n.ID = "1:b|1" }), false},
		{"length-prefix lookalike in the id",
			"7001", with(pay, func(n *note) { n.ID = "4:paid|1:1" }),
			"7001", with(pay, func(n *note) { n.Status = ""; n.ID = "1" }), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.plainEqual {
				require.Equal(t, plainJoin(tt.accountA, tt.a), plainJoin(tt.accountB, tt.b), "the case must collide without length prefixes")
			}
			assert.NotEqual(t, paykit.IdempotencyKey(tt.accountA, tt.a), paykit.IdempotencyKey(tt.accountB, tt.b))
		})
	}
}

// FuzzIdempotencyKey checks that the key is injective: two notifications
// share a key only when provider, account, test flag, kind, status and id
// are all equal.
func FuzzIdempotencyKey(f *testing.F) {
	f.Add("p", "a|b", false, "k", "s", "c", "p|a", "b", false, "k", "s", "c")
	f.Add("p", "1:a", true, "", "", "1:b", "p", "1:a|1:b", true, "", "", "")
	f.Fuzz(func(t *testing.T, p1, a1 string, t1 bool, k1, s1, id1, p2, a2 string, t2 bool, k2, s2, id2 string) {
		n1 := note{Provider: paykit.Provider(p1), Test: t1, Kind: paykit.Kind(k1), Status: paykit.Status(s1), ID: id1}
		n2 := note{Provider: paykit.Provider(p2), Test: t2, Kind: paykit.Kind(k2), Status: paykit.Status(s2), ID: id2}
		same := n1 == n2 && a1 == a2
		if got := paykit.IdempotencyKey(a1, n1) == paykit.IdempotencyKey(a2, n2); got != same {
			t.Fatalf("keys equal: %v, events equal: %v (%+v %q / %+v %q)", got, same, n1, a1, n2, a2)
		}
	})
}
