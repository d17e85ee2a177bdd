package paykit_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/paykit-go/paykit"
)

func TestReconciliationCountsEachFoundState(t *testing.T) {
	r := paykit.Reconciliation{Entries: []paykit.Reconciled{
		{Ref: "1", Found: paykit.FoundFulfilled}, {Ref: "2", Found: paykit.FoundAlreadyFulfilled},
		{Ref: "3", Found: paykit.FoundFulfilled}, {Ref: "4", Found: paykit.FoundUnknown},
	}}
	for f, want := range map[paykit.Found]int{paykit.FoundFulfilled: 2, paykit.FoundAlreadyFulfilled: 1,
		paykit.FoundPending: 0, paykit.FoundUnknown: 1, paykit.FoundFailed: 0} {
		assert.Equal(t, want, r.Count(f), f)
	}
	assert.Zero(t, paykit.Reconciliation{}.Count(paykit.FoundFulfilled))
}
