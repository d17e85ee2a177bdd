// Package vkpaytest is the test kit of package vkpay: a [Signer] that signs
// payments notifications exactly as VK does, and an [Emulator] of VK's
// purchase flow that drives a merchant's notification URL.
//
// The emulator does what VK does around VKWebAppShowOrderBox and
// VKWebAppShowSubscriptionBox: for an item key it asks the merchant with
// get_item ([Emulator.Open]), shows the item and price, sends
// order_status_change when the buyer pays ([Emulator.Pay]) and resends it
// on [Options.RetrySchedule] while the answer is missing, not JSON, not
// HTTP 200 or a non-critical error; it can refund a paid order
// ([Emulator.Refund]), and create, cancel and resume subscriptions
// (get_subscription, subscription_status_change). Every notification is a
// [Delivery] in [Emulator.Deliveries]; [Emulator.Resend], and the "Send the
// callback again" button of an order or subscription page, delivers one
// once more, the same signed bytes, as a duplicate from VK would be.
// [Emulator.Wait] returns when nothing is being delivered or waiting for a
// resend. [Options.DropCallbacks] records status changes without sending
// them; [Options.MaxOrders] bounds the orders kept.
//
// It is both an http.Handler with plain HTML pages a person can click
// (mount it under Options.Prefix, e.g. "/emulator/vkpay/", in any mux) and
// a Go API for tests. [NewServer] runs one on a loopback port, like
// httptest.NewServer, with Options.BaseURL (the emulator's URL, prefix
// included) set to its URL. The emulator only ever calls Options.NotifyURL.
// It shares its delivery engine, order book, verbs and page layout with the
// other kits (payseratest, xsollatest, playvisiontest, merchanttest).
package vkpaytest
