// Command shop is paykit's demo merchant: a small web shop that takes
// payments through Paysera (Classic and Checkout (New)), VK votes, Xsolla and
// Playvision with one set of paykit.Hooks for all five.
//
//	go run ./examples/shop              # serves http://127.0.0.1:8080
//	go run ./examples/shop -addr :9000
//
// Offline by default: each provider without credentials runs on its
// emulator from paykit's test kits, mounted in the same process under
// /emulator/<provider>/. Open the page, pick a product and a way to pay,
// pay (or cancel, or leave the Paysera payment pending) on the emulated
// provider page, and come back to the order page. A Paysera Checkout
// purchase creates a Paysera order and a payment link through the REST
// API; its order page's "Pay again" after a cancel creates a new link for
// the same Paysera order (a cancelled link cannot be paid). An order is paid only by
// the provider's verified callback, never by the return URL (a return from
// a cancelled payment marks an unpaid order cancelled, and a verified
// payment arriving later still counts); while it waits for the callback
// the page reloads for at most 30 seconds. The page lists every
// notification the order received, with its type, status, test flag and
// whether it was a duplicate answered from the store, read from the shop's
// delivery journal.
//
// # The journal
//
// Every callback delivery through the five handlers is recorded in a
// paykit.MemoryJournal (Hooks.Observer; with a logger, also logged by
// paykit.LogDeliveries). The journal page (package journalpage) is mounted
// at /journal/: every delivery, refused ones included, filterable by
// provider, order, provider id, outcome and time, with the exact request
// and reply side by side and a Run again button. It holds payers' data, so
// it is behind a password: HTTP Basic authentication, any user name, the
// password from SHOP_JOURNAL_PASSWORD or else a random one printed at
// start. That is the demo's stand-in for a real merchant's own
// authentication (their admin session or SSO), which is what belongs in
// journalpage.Options.Authorize.
//
// # A lost callback
//
// With SHOP_DROP_CALLBACKS=1 the emulators record their callbacks without
// sending them: the buyer pays, the provider's page says paid, and the
// order keeps waiting, as when a provider gives up retrying. The order
// page of a VK, Xsolla or Paysera Checkout order then offers "Check with
// the provider" (check.go): the provider's Reconciler (vkpay
// orders.getById, Xsolla's transaction search by the order id given as
// external_id, Paysera Checkout's GET order by the id kept when the order
// was created) finds the payment and fulfils it through the same Hooks,
// Store and idempotency key as the callback, so the emulator's "Send the
// callback again" ("Send the webhook again") afterwards is answered from
// the Store and delivers nothing twice. Paysera (Classic) and Playvision
// have no lookup, so their orders have no such button.
//
// # How it is built
//
// One paykit.Hooks (hooks.go) serves the five callback handlers mounted at
// /callback/{paysera,paysera_checkout,vkpay,xsolla,playvision}:
//
//   - Item prices VK and Playvision get_item requests. Those purchases are
//     started client-side on the real platforms (VKWebAppShowOrderBox,
//     payment.window), so the shop links them to its order by the item key
//     "order-<id>", which comes back in the payment notification as the
//     item id we answered. A product's SKU (starter-pack, gems-500,
//     season-pass) is priced too, as real mini apps sell: its paid
//     notification creates the order, keyed by the provider's order id,
//     so `go run ./examples/trigger -provider vkpay -item starter-pack
//     -amount 7 …` is accepted.
//   - User accepts Xsolla's user_validation for the shop's buyers.
//   - Event fulfils payments and refunds, finding the order by
//     Summary().OrderID (Paysera orderid, Paysera Checkout
//     merchant_order_id, Xsolla external_id) or, when it is
//     empty, by the item key of the provider-specific notification. It checks
//     the provider and the amount against the order.
//   - Store is one paykit.MemoryStore for all five handlers: a duplicate
//     delivery gets the first reply without reaching Event.
//   - Observer is the journal: the order page reads the order's deliveries
//     from it — by order id, by the provider's id of the payment, and by
//     the idempotency key they share (an Xsolla order_paid answered from
//     the store as its payment's duplicate) — with each one's outcome and
//     whether it was replayed.
//
// Money is int64 minor units (EUR cents) for Paysera, Paysera Checkout and
// Xsolla, whole
// votes for VK and whole PlayGold for Playvision.
//
// # Real providers
//
// Set a provider's variables and the shop talks to that provider instead of
// its emulator (the others stay emulated):
//
//	PAYSERA_PROJECT_ID, PAYSERA_PASSWORD      Paysera project; PAYSERA_SANDBOX=1 uses
//	                                          sandbox.paysera.com, PAYSERA_TEST=1 asks for
//	                                          test payments
//	PAYSERA_CHECKOUT_CLIENT_ID,               Paysera Checkout (New) client id and
//	PAYSERA_CHECKOUT_CLIENT_SECRET            secret; PAYSERA_CHECKOUT_PROJECT_ID checks
//	                                          webhooks against the project,
//	                                          PAYSERA_CHECKOUT_SANDBOX=1 uses the sandbox
//	                                          host, PAYSERA_CHECKOUT_TEST=1 marks its
//	                                          webhooks as test payments
//	VK_APP_ID, VK_SECRET                      VK app id and secure key
//	XSOLLA_MERCHANT_ID, XSOLLA_PROJECT_ID,    Xsolla merchant, project, API key and
//	XSOLLA_API_KEY, XSOLLA_WEBHOOK_SECRET     webhook secret; XSOLLA_SANDBOX=1 for
//	                                          sandbox tokens and Pay Station
//	PLAYVISION_APP_ID, PLAYVISION_SECRET      Playvision app id and secret key
//	SHOP_PUBLIC_URL                           the shop's public https URL (default: the
//	                                          listening address), which the providers
//	                                          must be able to reach
//	SHOP_JOURNAL_PASSWORD                     the journal page's password (default: a
//	                                          random one, printed at start)
//	VK_ACCESS_TOKEN                           the VK app's service token: enables
//	                                          "Check with the provider" for real VK
//	SHOP_DROP_CALLBACKS=1                     the emulators drop their callbacks
//
// Paysera and Paysera Checkout receive the callback URL with each payment
// (/callback/paysera, /callback/paysera_checkout); for VK, Xsolla and
// Playvision enter SHOP_PUBLIC_URL + "/callback/vkpay" (…/xsolla,
// …/playvision) in the app or project settings. Real VK and Playvision
// purchases start in the mini app or game, which passes the order page's
// item key to VKWebAppShowOrderBox or payment.window.
//
// Orders live in memory and the shop has no user accounts: it is a
// demonstration of the payment path, not a shop to deploy.
package main
