// Package paysera takes payments through Paysera Checkout (WebToPay): it
// builds signed payment-page requests, verifies and decodes callbacks
// (ss3/ss2 RSA signatures, optional ss1, AES-256-GCM encrypted callbacks),
// answers them idempotently through a [paykit.Store], answers SMS (micro)
// payments, and lists a project's payment methods.
//
// # Requests
//
// [Client.BuildPaymentURL] validates a [PaymentRequest] exactly like
// Paysera's official PHP library (lib-webtopay 3.1.5: required fields,
// byte lengths, patterns, "0" as a missing order id), encodes the
// parameters like PHP's http_build_query, base64-encodes them with the
// URL-safe alphabet (padding kept) and signs them with md5(data+password).
// [Client.BuildPaymentForm] gives the same data/sign pair for a POST form,
// [Client.BuildRepeatURL] the repeat request of an existing order.
// [PaymentRequest.Extra] passes any other parameter through, including one
// with a typed field left empty ("buyer_consent", "developerid" as plain
// parameters, as the official library takes them); only a key set twice
// (typed and in Extra) or one the client sets itself is refused.
//
// # Callbacks
//
// [Client.ParseCallback] verifies before it trusts anything: ss3
// (RSA-SHA256) when present, else ss2 (RSA-SHA1), with Paysera's public
// key — the embedded production certificate, a pinned PEM, or one
// downloaded and cached when [Config.FetchPublicKey] is set (refreshed
// only after a failed verification, at most once per interval). ss1 alone
// is accepted only with [Config.AcceptSS1]. A callback without signatures
// must decrypt with AES-256-GCM under the project password. Then the
// project id must match ([paykit.ErrWrongAccount]). Only Paysera's
// parameters (data, ss1, ss2, ss3) are judged: your own parameters on the
// callbackurl (?shop=a;b) are skipped unread and never fail a valid
// callback.
//
// [Client.ParseBody] takes the raw input instead of a request (the query
// of a GET or the body of a POST), [Client.ParseValues] parameters a
// framework has already parsed.
//
// [Client.Handler] (or [Client.HandlerWith] with [HandlerOptions]: the
// shared body cap, hook deadline and error log, and the reply SMS text of
// micro payments) answers "OK" once an event is fulfilled, replays the
// same bytes for repeats, answers 400 to callbacks that do not verify and
// 500 when the Event hook fails, so that Paysera retries. It runs on
// paykit's one callback engine, like every provider's handler. Outbound
// calls (public key, payment methods, SMS answers) fail with a
// *[paykit.APIError] on an unexpected answer, credentials redacted.
//
// # Summary mapping
//
//	type   status           Kind     Status    ID         OrderID  Amount
//	macro  1                payment  paid      requestid  orderid  amount, currency (upper case)
//	macro  2, 4             payment  pending   requestid  orderid  amount, currency
//	macro  0                payment  failed    requestid  orderid  amount, currency
//	macro  5                refund   refunded  requestid  orderid  amount, currency
//	macro  3                info     unknown   requestid  orderid  amount, currency
//	macro  other            payment  unknown   requestid  orderid  amount, currency
//	micro  (SMS)            payment  paid      SMS id     ""       amount, currency
//
// Test is test=1. UserID is always "".
//
// # Several projects, one endpoint
//
// [NewAccounts] joins the clients of several projects into one
// [Accounts] with the methods of a Client (ParseCallback, ParseBody,
// IdempotencyKey, Handler, HandlerWith): give every project the same
// callbackurl. The projectid inside a signed callback's data, read before
// anything is verified, only picks the project whose password and keys
// verify it; that project's Client then checks the signature and the
// projectid as usual. An encrypted callback names its project only inside
// the ciphertext, so each project tries its passwords and the one that
// decrypts it checks the projectid it finds. A project not among them is
// refused (400). One Store serves every project and keys name the
// project, so one requestid of two projects is two events.
//
// # No reconciliation
//
// Checkout Classic (WebToPay) has no API to look a payment up by orderid
// or requestid: the callback (sent immediately, then after 1 h, 3 h and
// 24 h) is the only way Paysera reports a payment, and a lost one can only
// be re-triggered by hand from the merchant panel (Projects and Activities
// → Received payments → info icon). So this package has no Reconciler;
// accept every verified callback, late ones included, and keep the order's
// status forward-only with [paykit.Advance] (Paysera may send pending
// after paid). Paysera Checkout (package checkout) can look orders up.
//
// # Choices where the protocol is unclear [unsure]
//
//   - The request version defaults to "1.6" ([DefaultVersion]); the PHP
//     library 3.x sends its own version (e.g. "3.1.5"). Set Config.Version.
//   - TimeLimit is sent in Europe/Vilnius time (EU daylight-saving rule,
//     computed without the system time zone database); Paysera does not
//     document the zone.
//   - Method lists to hide are sent as "disallow_payments" (the current
//     documented spelling), not the old "disalow_payments".
//   - No sandbox key is embedded: with Sandbox and no PublicKeyPEM the key
//     is downloaded from the sandbox on first use.
//   - refund_amount and refund_commission_amount are read as minor units
//     when they are whole numbers; otherwise only [Callback.Fields] has them.
//   - A callback carrying ss2/ss3 is judged by RSA only, even with
//     AcceptSS1 (as Paysera's library does).
//   - Hooks get [ReplyTimeout] (30 s) less a margin; Paysera documents no
//     callback timeout.
//   - Idempotency keys ([Client.IdempotencyKey]) are exactly
//     paykit.IdempotencyKey except for micro (SMS) payments (discriminator
//     "micro": an SMS id and a requestid are separate number spaces),
//     status 5 with refund fields (a digest of them: a payment may be
//     refunded in parts), status 4 (pending like 2, so the raw status),
//     status 3 (a digest of the fields, as several different information
//     callbacks may come) and statuses outside 0-5.
//   - A macro callback without requestid, or a micro one without id, is
//     refused as malformed (400): it could not be told apart from other
//     events. Paysera's library does not check either field.
//   - The handler takes GET (what Paysera's callback documentation
//     describes) and POST (which Paysera's newer guide names); any other
//     method is answered 405.
//
// The test kit [github.com/paykit-go/paykit/paysera/payseratest] signs
// callbacks like Paysera and emulates the payment page.
package paysera
