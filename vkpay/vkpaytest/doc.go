// Package vkpaytest is the test kit of package vkpay: a [Signer] that signs
// payments notifications exactly as VK does, and an [Emulator] of VK's
// purchase flow that drives a merchant's notification URL.
//
// The emulator does what VK does around VKWebAppShowOrderBox and
// VKWebAppShowSubscriptionBox: for an item key it asks the merchant with
// get_item, shows the item and price, sends order_status_change when the
// buyer pays and resends it on [Options.RetrySchedule] while the answer
// is missing, not JSON, not HTTP 200 or a non-critical error; it can
// refund a charged order, and create, cancel and resume subscriptions
// (get_subscription, subscription_status_change). The "Send the callback
// again" button of an order or subscription page, and [Emulator.Resend],
// deliver its last status change once more, the same signed bytes, as a
// duplicate from VK would be.
//
// It is both an http.Handler with plain HTML pages a person can click
// (mount it under Options.Prefix, e.g. "/emulator/vkpay/", in any mux) and
// a Go API for tests ([Emulator.Buy], [Emulator.Refund],
// [Emulator.Subscribe], …). [NewServer] runs one on a loopback port, like
// httptest.NewServer, with Options.BaseURL (the emulator's URL, prefix
// included) set to its URL. The emulator only ever calls Options.NotifyURL; it
// has one background goroutine, stopped by Close. It uses the standard
// library only.
package vkpaytest
