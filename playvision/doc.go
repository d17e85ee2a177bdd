// Package playvision takes PlayGold payments in games on the Playvision
// platform (playvision.ru, playvis.com).
//
// A purchase goes like this: the game client opens the purchase dialog
// with the payment.window call ([Client.BuildPaymentURL]); Playvision asks
// the app's server for the item with a get_item notification; the buyer
// confirms and Playvision sends order_status_change, which means "paid,
// deliver the item". Both notifications arrive at the app's "Payment link"
// and are answered by [Client.Handler] with the merchant's [paykit.Hooks]:
// Item for get_item, Event for order_status_change. [Client.HandlerWith]
// takes [HandlerOptions]: the options every provider's handler shares
// (body cap, hook deadline inside [ReplyTimeout], error log) and the text
// of failure answers. The handler runs on paykit's one callback engine,
// like every provider's: the same body cap, method check, deadline,
// idempotent store and outcome classes; this package supplies only the
// Playvision wire format. [Client.ParseBody] verifies a raw body read
// elsewhere.
//
// [Client.ParseCallback] verifies sig before reading anything else: the
// MD5 of every received parameter except sig, URL-decoded, sorted by name,
// written name=value with no separator, followed by the secret. Every
// received parameter is signed, including ones this package does not know
// (the first version of the docs had a "bonus" field): they are kept in the
// notification's Params. [Config.PreviousSecrets] stage a secret rotation.
//
// The package also verifies the iframe launch parameters
// ([Client.VerifyLaunch], auth_key) and calls the signed server methods
// secure.setUserLevel and secure.setUserInfo ([Client.SetUserLevel],
// [Client.SetUserInfo]). Package playvisiontest signs notifications like
// Playvision and emulates the purchase dialog for tests and demos.
//
// # Summary mapping
//
//	type                                  Kind          Status  ID              Amount
//	get_item, get_item_test               item_request  ""      ""              zero
//	order_status_change (+_test)          payment       paid    transaction_id  sum (game currency, Currency "")
//
// Test is true for the _test types; UserID is user_id. The idempotency key
// of an order is (app id, mode, transaction_id): test ids can repeat
// production ids, so the mode is part of it.
//
// # Several apps, one endpoint
//
// [NewAccounts] joins the clients of several apps into one [Accounts]
// with the methods of a Client (ParseCallback, ParseBody, IdempotencyKey,
// Handler, HandlerWith). The app_id of each notification, read before
// anything is verified, only picks the app whose secrets verify it; that
// app's Client then checks everything as usual. Playvision does not list
// app_id in order_status_change, so a notification without one is tried
// by each app, and the app whose secret verifies it is the one it is for;
// NewAccounts therefore refuses apps that share a secret. One Store
// serves every app and keys name the app.
//
// # No reconciliation
//
// Playvision's server API (users.*, friends.*, wall.*, secure.setUser*)
// has no method to look up a payment or an order, and it documents no
// retries of order_status_change: a notification your endpoint did not
// answer is lost for good, and nothing can find it later. So this
// package has no Reconciler. Keep the endpoint available (answer within
// the deadline, retry-safe Store), and compare Playvision's transaction
// log in the developer cabinet with your orders by hand when in doubt.
//
// # Where the platform's docs are silent
//
// These choices are this package's, not documented platform facts [unsure]:
//
//   - The notification body is read as application/x-www-form-urlencoded
//     (the docs show only a parameter dump); only POST is accepted, at most
//     64 KiB by default.
//   - Values are signed URL-decoded; names sort bytewise ("item" before
//     "item_id"); empty values are signed as "name="; a repeated key is
//     rejected; the hex digest is compared ignoring case, in constant time.
//   - app_id is checked where sent (get_item lists it, order_status_change
//     does not) and must be Config.AppID.
//   - sid, item_id and time of order_status_change are optional; user_id,
//     transaction_id and sum are required and must be plain decimal digits
//     (no sign), as must time when sent. sid and item_id are kept as
//     strings: the app chooses both (item_id in its get_item answer, sid
//     as its external server id), although the payments page types them
//     Int.
//   - Every answer to a POST is HTTP 200 with application/json;
//     charset=utf-8; other methods get 405 with "Allow: POST". A nil
//     hooks.Item refuses every item ("Unknown item"), a nil hooks.Event
//     answers a temporary failure, as in every provider. A
//     refused get_item is answered with the order envelope
//     {"status":"-1","message":…}, which the docs do not define for
//     get_item. Values are JSON strings, as in the docs' current examples.
//   - A successful order answer is {"status":"1","message":"success"}; the
//     docs' example has no message, and message is documented as the
//     text of the transaction log's "Result" column.
//   - Retries are not documented. A repeated order_status_change gets the
//     same success bytes and does not run Event again (VK's documented
//     rule). A temporary hook failure is answered "-1" like any failure and
//     may never be redelivered.
//   - A get_item is answered afresh at every delivery, never from the
//     store: it changes nothing, and a price change shows at once.
//   - API calls go to https://{domain} although the docs write http; set
//     Config.BaseURL to change it. secure.* calls are POSTed with a form
//     body (the docs allow GET or POST); their status may be a number or a
//     string.
//   - The item_price of get_item is in PlayGold (the docs name no unit).
package playvision
