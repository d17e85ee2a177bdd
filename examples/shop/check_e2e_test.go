package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
)

func dropCallbacks(o *Options) { o.DropCallbacks = true }

// TestShopDroppedCallbackRecoveredByCheckingWithTheProvider: the emulators
// drop the payment callbacks, so a paid order keeps waiting; "Check with
// the provider" on its page fulfils it once, and the callback sent late
// (the emulator's "Send the callback again") is answered from the Store
// without delivering the goods again.
func TestShopDroppedCallbackRecoveredByCheckingWithTheProvider(t *testing.T) {
	for _, tc := range []struct {
		provider paykit.Provider
		button   string
	}{
		{paykit.Xsolla, "Check with Xsolla"},
		{paykit.VKPay, "Check with VK votes"},
	} {
		t.Run(string(tc.provider), func(t *testing.T) {
			h := newShopHarness(t, dropCallbacks)
			paid := h.submit(h.buy(tc.provider), "Pay")
			require.Contains(t, paid.Body, `id="status">paid<`, "paid at the provider")
			o := h.readOrder(h.follow(paid, "back"))
			require.NotEqual(t, OrderPaid, o.Status, "the callback was dropped")
			require.Equal(t, 0, o.Deliveries)

			o = h.readOrder(h.submit(o.Page, tc.button))
			assert.Equal(t, OrderPaid, o.Status)
			assert.Equal(t, 1, o.Deliveries)
			assert.Contains(t, o.Page.Body, "its callback was missing — fulfilled now")
			assert.Contains(t, o.Page.Body, "found by checking with the provider: fulfilled")
			assert.NotContains(t, o.Page.Body, tc.button, "nothing left to check")

			h.submit(paid, "Send the callback again") // the provider's late retry
			o = h.order(o.ID)
			assert.Equal(t, OrderPaid, o.Status)
			assert.Equal(t, 1, o.Deliveries, "the late callback delivers nothing again")
			assert.Equal(t, 1, o.Duplicates, "it is answered from the store")
		})
	}
}

// TestShopCheckBeforePaymentFindsNothingToFulfil: checking an order the
// buyer has not paid changes nothing and says so.
func TestShopCheckBeforePaymentFindsNothingToFulfil(t *testing.T) {
	h := newShopHarness(t, dropCallbacks)
	id := h.newOrder(paykit.Xsolla)
	o := h.readOrder(h.submit(h.order(id).Page, "Check with Xsolla"))
	assert.Equal(t, OrderNew, o.Status)
	assert.Equal(t, 0, o.Deliveries)
	assert.Contains(t, o.Page.Body, "the provider knows no payment for this order")
}
