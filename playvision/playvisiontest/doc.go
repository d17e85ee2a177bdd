// Package playvisiontest is the test kit of package playvision: a [Signer]
// that signs notifications and launch parameters exactly as Playvision
// does, and an [Emulator] of the purchase dialog.
//
// The emulator answers payment.window ([Emulator.Open]): it checks the
// user's token, asks the merchant's Payment link with a signed get_item,
// shows the item and its PlayGold price on a page with Pay and Cancel
// buttons, and on Pay ([Emulator.Pay]) sends a signed order_status_change,
// resending it on [Options.RetrySchedule] (shortenable for tests) until the
// merchant answers status 1. It issues a token to any user — in the launch
// parameters of GET {prefix}launch?user_id=…, or through the index page's
// dialog form — and accepts on payment.window the token it issued to that
// user ([Emulator.Token]). It also answers the signed secure.setUserLevel
// and secure.setUserInfo methods. After Pay or Cancel the order page links
// back to the app when a return URL is known (Options.ReturnURL, or
// payment.window's return_url parameter). Every notification is a
// [Delivery] in [Emulator.Deliveries]; [Emulator.Resend], and the order
// page's "Send the callback again" button, delivers one once more, the
// same signed bytes; [Emulator.Wait] returns when nothing is being
// delivered or waiting for a resend. [Options.DropCallbacks] records
// without sending; [Options.MaxOrders] bounds the orders kept.
//
// It is an http.Handler that can be mounted under a path prefix, and
// [NewServer] runs one on a loopback port like httptest.NewServer. Every
// page works without JavaScript and carries the TEST MODE banner shared by
// every kit, whose delivery engine, order book and verbs it shares too.
// The emulator only talks to Options.CallbackURL.
package playvisiontest
