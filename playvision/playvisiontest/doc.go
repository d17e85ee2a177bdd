// Package playvisiontest is the test kit of package playvision: a [Signer]
// that signs notifications and launch parameters exactly as Playvision
// does, and an [Emulator] of the purchase dialog.
//
// The emulator answers payment.window: it asks the merchant's Payment link
// with a signed get_item, shows the item and its PlayGold price on a page
// with Pay and Cancel buttons, and on Pay sends a signed
// order_status_change, resending it on a schedule (shortenable for tests)
// until the merchant answers status 1. It also answers the signed
// secure.setUserLevel and secure.setUserInfo methods. After Pay or Cancel
// the order page links back to the app when a return URL is known
// (Options.ReturnURL, or payment.window's return_url parameter); its "Send
// the callback again" button, like [Emulator.Resend], delivers the
// order_status_change once more. It is an
// http.Handler that can be mounted under a path prefix, and [NewServer]
// runs one on a loopback port like httptest.NewServer. Every page works
// without JavaScript; tests drive the same steps through the Go API
// ([Emulator.OpenWindow], [Emulator.Confirm], [Emulator.Resend],
// [Emulator.Wait]).
//
// The emulator only talks to Options.CallbackURL. It uses nothing outside
// the standard library.
package playvisiontest
