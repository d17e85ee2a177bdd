// Package merchanttest is the test kit of package vkpay/merchant (VK Pay
// merchant payments): a [Signer] that signs notifications exactly as VK
// Pay does (RSA PKCS #1 v1.5 over the base64 data, SHA-1 by default), and
// an [Emulator] of the pay form VKWebAppOpenPayForm opens and of the
// notifications that follow.
//
// The emulator checks a form's app sign and merchant_sign
// ([Emulator.Open]), shows the merchant, the order, the description and
// the amount in roubles on a page with the TEST MODE banner every kit
// shares, and on Pay ([Emulator.Pay]) sends a signed notification of a
// paid transaction to Options.NotifyURL, on Decline ([Emulator.Decline]) a
// rejected one; a paid order can be refunded ([Emulator.Refund]: a refund
// transaction with refund_for). An answer that is not a correctly signed
// OK, or is ERR_SYSTEM, is resent on Options.RetrySchedule; ERR_ARGUMENTS,
// ERR_SIGNATURE and ERR_DUPLICATE stop the resends, as VK Pay does.
// Every notification is a [Delivery] in [Emulator.Deliveries];
// [Emulator.Resend] and the page's "Send the callback again" button
// deliver one once more, the same signed bytes; [Emulator.Wait] returns
// when nothing is in flight or waiting for a resend.
//
// It shares its delivery engine, order book, verbs and page layout with
// the other kits. VK Pay publishes no resend schedule [unsure]:
// [DefaultRetrySchedule] is the emulator's stand-in.
package merchanttest
