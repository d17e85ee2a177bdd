// Package xsollatest is the test kit of package xsolla: a [Signer] that
// signs webhook bodies exactly as Xsolla does, and an [Emulator] of
// Xsolla's token APIs, Pay Station and webhooks.
//
// The emulator is an http.Handler that can be mounted under a path prefix
// (Options.Prefix, with Options.BaseURL its externally visible URL), or
// run on a loopback port with [NewServer]:
//
//	emu, err := xsollatest.NewServer(xsollatest.Options{
//		MerchantID: 2340, ProjectID: 18404, APIKey: "key", WebhookSecret: "secret",
//		WebhookURL: shop.URL + "/xsolla/webhook",
//		Catalog:    map[string]paykit.Money{"gems_500": {Amount: 499, Currency: "USD"}},
//	})
//	if err != nil { … }
//	defer emu.Close()
//	client, _ := xsolla.New(emu.ClientConfig())
//
// It serves POST /merchant/v2/merchants/{merchant_id}/token and POST
// /api/v3/project/{project_id}/admin/payment/token (checking Basic auth and
// the body strictly: unknown parameters are a 422, as at Xsolla), the
// merchant API's refund and report endpoints — PUT
// …/merchants/{merchant_id}/reports/transactions/{id}/refund and
// …/partial_refund, GET …/reports/transactions/search.json and
// …/simple_search (Basic merchant_id:api_key; unknown body fields and
// query parameters are a 422; an accepted refund sends refund and
// order_canceled, a partial one partial_refund, see [Emulator.PartialRefund]) — and a
// Pay Station page at /paystation4/?token=… with the TEST MODE banner every
// kit shares, the order, the total in major units, and Pay, Decline and
// Cancel buttons that work without JavaScript. Paying ([Emulator.Pay])
// asks user_validation (a refusal declines the payment), then sends
// payment and, when items were bought, order_paid to Options.WebhookURL,
// signed with Options.WebhookSecret; a refund (button on the paid page, or
// [Emulator.Refund]) sends refund and order_canceled. Sandbox tokens get
// transaction.dry_run = 1 and order.mode "sandbox". Webhooks answered 5xx
// (or not answered) are retried per Options.RetrySchedule (by default
// Xsolla's, minutes to hours apart) in the background; 4xx answers are
// final. Every webhook is a [Delivery] in [Emulator.Deliveries];
// [Emulator.Resend], and the paid page's "Send the callback again" button,
// delivers one once more, the same signed bytes, as a duplicate from
// Xsolla would be; [Emulator.Wait] returns when nothing is in flight or
// waiting for a retry. [Options.DropCallbacks] records webhooks without
// sending them; [Options.MaxOrders] bounds the tokens kept.
//
// The emulator sends requests only to Options.WebhookURL. Its delivery
// engine, order book, verbs and page layout are the ones every kit shares.
package xsollatest
