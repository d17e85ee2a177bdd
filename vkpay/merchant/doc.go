// Package merchant implements VK Pay merchant payments (real roubles via
// VK Pay / Деньги.Мэйл.Ру): the parameters of the mini app's
// VKWebAppOpenPayForm call (action pay-to-service), verification and
// decoding of the merchant notifications, their signed answers, and signed
// calls to the VK Pay API. It is unrelated to payments in votes (package
// vkpay): other keys, other encodings, RSA.
//
// # Forms
//
// [Client.PayForm] turns a typed [PayRequest] into the signed params:
// merchant_data (base64 JSON of order_id, cashback, ts, amount, currency),
// merchant_sign = hex(SHA-1(merchant_data + merchant key)) and the app
// sign = hex(MD5(params sorted by key without action and sign, data as
// compact JSON with alphabetical keys, + app secure key)). Amounts are
// int64 kopecks, rendered in roubles ("amount":1.5).
//
// # Notifications
//
// [Client.ParseCallback] (and [Client.ParseBody] for a body read by the
// caller) verifies the RSA PKCS #1 v1.5 signature over
// the base64 data string exactly as received, with the payment system's
// public key (and previous keys, for rotation), then decodes it: status
// case-insensitively, dates as unix seconds or ISO 8601, amounts exactly
// into kopecks. [Client.Ack] and [Client.ErrorAnswer] build the signed
// answers; [Client.Handler] and [Client.HandlerWith] do it all with
// [paykit.Hooks] on paykit's one callback engine (body cap, POST only,
// hook deadline inside [ReplyTimeout], error log), deduplicating on
// transaction_id and status.
//
// Summary mapping: Type is notify_type; Kind refund when payment_info has
// a refund_type or refunded_transaction_id or refund_for is set, else
// payment; status paid → paid (refunded for a refund), new, wait, process,
// held → pending, rejected, expired, hold_failed, hold_canceled → failed;
// ID transaction_id; OrderID issuer_id; UserID user_info.user_id; Amount
// amount in kopecks with currency.
//
// # Several merchants, one endpoint
//
// [NewAccounts] joins the clients of several merchants into one
// [Accounts] with the methods of a Client (ParseCallback, ParseBody,
// IdempotencyKey, Handler, HandlerWith). The merchant_id inside each
// notification's data, read before anything is verified, only picks the
// merchant whose contract keys verify it; that merchant's Client then
// checks the signature, merchant_id and client_id as usual, and answers
// signed with its own key. A merchant not among them is ERR_ARGUMENTS.
// One Store serves every merchant and keys name the merchant.
//
// # Choices where the spec is unsure
//
//   - SHA-1 is the default for merchant_sign, answer signatures and API
//     signatures, because the docs' examples compute SHA-1 while their
//     prose says SHA-256; Config.Hash switches to SHA-256. Config.RSAHash
//     does the same for the RSA signatures of VK Pay (spec B.5).
//   - The form's data object is rendered with Go-style JSON escaping ("/"
//     is not escaped, non-ASCII stays UTF-8); VK's own rendering of
//     unusual characters for the app sign is not documented.
//   - merchant_data uses the types of the docs' pay-to-service example:
//     order_id and ts strings, amount a number.
//   - VK Pay signs every merchant's notifications with one RSA key, so a
//     notification must name this merchant: a merchant_id other than
//     Config.MerchantID, a missing merchant_id, or another client_id when
//     Config.ClientID is set, is refused (ErrWrongAccount). New refuses a
//     Config without MerchantID.
//   - Handler deduplicates on [Client.IdempotencyKey]: merchant account,
//     transaction_id, payment or refund, and VK Pay's own status (new and
//     wait are both pending but distinct events). Only POST is accepted.
//   - An API error is a *paykit.APIError; it never keeps a credential of the Client or the request's
//     signature, even when the server echoes them.
//   - The Handler answers an Event failure that is not "unknown item or
//     user" with ERR_SYSTEM, so VK Pay resends rather than stops.
//   - APIKey defaults to MerchantKey; ClientID defaults to MerchantID.
package merchant
