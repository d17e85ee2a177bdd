package paykit_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/paykit-go/paykit"
)

func TestAdvance_EveryPairOfStatuses(t *testing.T) {
	const (
		u  = paykit.StatusUnknown
		pe = paykit.StatusPending
		fa = paykit.StatusFailed
		pa = paykit.StatusPaid
		ca = paykit.StatusCanceled
		re = paykit.StatusRefunded
	)
	order := []paykit.Status{u, pe, fa, pa, ca, re}
	// want[held][event]: the status held afterwards (the table of the doc).
	want := map[paykit.Status]map[paykit.Status]paykit.Status{
		u:  {u: u, pe: pe, fa: fa, pa: pa, ca: ca, re: re},
		pe: {u: pe, pe: pe, fa: fa, pa: pa, ca: ca, re: re},
		fa: {u: fa, pe: fa, fa: fa, pa: pa, ca: ca, re: re},
		pa: {u: pa, pe: pa, fa: pa, pa: pa, ca: ca, re: re},
		ca: {u: ca, pe: ca, fa: ca, pa: ca, ca: ca, re: re},
		re: {u: re, pe: re, fa: re, pa: re, ca: re, re: re},
	}
	for _, held := range order {
		for _, event := range order {
			got, changed := paykit.Advance(held, event)
			assert.Equal(t, want[held][event], got, "held %q, event %q", held, event)
			assert.Equal(t, got != held, changed, "held %q, event %q", held, event)
		}
	}
	got, changed := paykit.Advance(pa, "chargeback") // a status paykit does not know
	assert.Equal(t, pa, got)
	assert.False(t, changed)
}

// The providers' real sequences, in order and out of order.
func TestAdvance_ProvidersSequences(t *testing.T) {
	tests := []struct {
		name   string
		events []paykit.Status
		want   paykit.Status
	}{
		{"Paysera 2→1→5", []paykit.Status{"pending", "paid", "refunded"}, "refunded"},
		{"Paysera 4→1", []paykit.Status{"pending", "paid"}, "paid"},
		{"Paysera 1 then a late 2", []paykit.Status{"paid", "pending"}, "paid"},
		{"Paysera 0 then 1 (the payer retried)", []paykit.Status{"failed", "paid"}, "paid"},
		{"Paysera 1 then 3 (info)", []paykit.Status{"paid", ""}, "paid"},
		{"VK chargeable→refunded", []paykit.Status{"paid", "refunded"}, "refunded"},
		{"VK refunded before chargeable", []paykit.Status{"refunded", "paid"}, "refunded"},
		{"Xsolla payment, refund", []paykit.Status{"paid", "refunded"}, "refunded"},
		{"Xsolla refund before its payment", []paykit.Status{"refunded", "paid"}, "refunded"},
		{"Xsolla payment, two partial refunds", []paykit.Status{"paid", "refunded", "refunded"}, "refunded"},
		{"Xsolla order_paid, order_canceled", []paykit.Status{"paid", "canceled"}, "canceled"},
		{"Xsolla order_canceled before order_paid", []paykit.Status{"canceled", "paid"}, "canceled"},
		{"Playvision paid, delivered twice", []paykit.Status{"paid", "paid"}, "paid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			held := paykit.StatusUnknown
			for _, e := range tt.events {
				held, _ = paykit.Advance(held, e)
			}
			assert.Equal(t, tt.want, held)
		})
	}
}
