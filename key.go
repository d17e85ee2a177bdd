package paykit

import (
	"strconv"
	"strings"
)

// IdempotencyKey names one event for a [Store]: provider, account (project,
// app or merchant id), test flag, kind, status and the provider's id.
//
// A status change is a new event (one Paysera request brings pending, then
// paid, then refunded; one VK subscription brings chargeable, then
// cancelled), so only an exact repeat has the same key. Test and production
// deliveries never share a key. Parts are length-prefixed so that no
// choice of ids can make two different events collide.
func IdempotencyKey(account string, n Notification) string {
	s := n.Summary()
	test := "live"
	if s.Test {
		test = "test"
	}
	parts := [...]string{string(s.Provider), account, test, string(s.Kind), string(s.Status), s.ID}
	var b strings.Builder
	b.Grow(64)
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('|')
		}
		b.WriteString(strconv.Itoa(len(p)))
		b.WriteByte(':')
		b.WriteString(p)
	}
	return b.String()
}
