package paykit

import "github.com/paykit-go/paykit/internal/key"

// IdempotencyKey names one event for a [Store]: provider, account (project,
// app or merchant id), test flag, kind, status and the provider's id.
//
// A status change is a new event (one Paysera request brings pending, then
// paid, then refunded; one VK subscription brings chargeable, then
// cancelled), so only an exact repeat has the same key. Test and production
// deliveries never share a key. Parts are length-prefixed so that no
// choice of ids can make two different events collide.
//
// Each provider's Client.IdempotencyKey builds on the same parts and adds
// what its protocol needs to keep distinct events apart (Paysera's SMS
// payments, VK's subscription changes, Xsolla's several id spaces): use the
// client's method to look an event up in a Store.
func IdempotencyKey(account string, n Notification) string {
	s := n.Summary()
	return key.Build(key.Parts{
		Provider: string(s.Provider),
		Account:  account,
		Test:     s.Test,
		Kind:     string(s.Kind),
		Status:   string(s.Status),
		ID:       s.ID,
	})
}
