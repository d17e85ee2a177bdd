package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
)

// TestShopDroppedCheckoutWebhookRecoveredByCheckingWithPaysera: the
// Paysera Checkout emulator drops its webhooks, so a paid order keeps
// waiting; "Check with Paysera Checkout" reads the order (GET order) and
// fulfils it once, and the webhook sent late is answered from the Store.
func TestShopDroppedCheckoutWebhookRecoveredByCheckingWithPaysera(t *testing.T) {
	h := newShopHarness(t, dropCallbacks)
	paid := h.submit(h.buy(paykit.PayseraCheckout), "Pay")
	o := h.readOrder(h.follow(paid, "back"))
	require.NotEqual(t, OrderPaid, o.Status, "the webhooks were dropped")
	require.Equal(t, 0, o.Deliveries)

	o = h.readOrder(h.submit(o.Page, "Check with Paysera Checkout"))
	assert.Equal(t, OrderPaid, o.Status)
	assert.Equal(t, 1, o.Deliveries)
	assert.Contains(t, o.Page.Body, "its callback was missing — fulfilled now")

	h.submit(paid, "Send the webhook again") // Paysera's late retry
	o = h.order(o.ID)
	assert.Equal(t, OrderPaid, o.Status)
	assert.Equal(t, 1, o.Deliveries, "the late webhook delivers nothing again")
	assert.Equal(t, 1, o.Duplicates, "it is answered from the store")
}
