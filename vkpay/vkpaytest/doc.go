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
//
// It also serves VK's payments API over its own orders and subscriptions
// at {prefix}method/{name} (orders.getById, orders.get,
// orders.changeState, orders.getUserSubscriptionById,
// orders.getUserSubscriptions, orders.cancelSubscription,
// orders.updateSubscription), so that a vkpay.Client with
// Config.APIBaseURL set to the emulator's URL runs against it. It is
// strict: the token must be Options.AccessToken (error 5), v must be
// vkpay.APIVersion (error 8), and an unknown, repeated or invalid
// parameter is error 100. [OrderStateAt] says which API state each
// emulated order is in. [Signer.LaunchQuery] signs mini app launch
// parameters for vkpay.Client.VerifyLaunch.
//
// It shares its delivery engine, order book, verbs and page layout with the
// other kits (payseratest, xsollatest, playvisiontest, merchanttest).
package vkpaytest
