// Package xsolla takes payments through Xsolla Pay Station: it creates
// payment tokens, opens the payment UI (redirect URL, plain HTML form or the
// JS widget), and verifies, decodes and answers every Xsolla webhook.
//
// # Flow
//
//  1. Server side, create a token: [Client.CreateToken] (merchant v2 API:
//     arbitrary checkout amounts, virtual items, virtual currency,
//     subscriptions) or [Client.CreatePaymentToken] (store v3 API: an order
//     of catalog items, Xsolla's current recommendation).
//  2. Send the buyer to Pay Station: [Client.PaymentURL] (Pay Station 4),
//     [Client.PaymentFormHTML] (a no-JavaScript form — the "simple HTML
//     form" mode) or [Client.WidgetHTML] (paystation-embed lightbox).
//     [Client.BuildPaymentURL] does steps 1 and 2 in one call.
//  3. Xsolla posts webhooks: user_validation, then payment, then order_paid
//     when catalog items were bought; refund and order_canceled later.
//     [Client.Handler] verifies and answers them and calls your
//     [paykit.Hooks] once per event; [Client.ParseCallback] is the lower
//     level.
//
// Money is always integer minor units ([paykit.Money]). Amounts sent to
// Xsolla are rendered with the currency's ISO 4217 exponent and amounts
// received (JSON numbers like 4.99, or strings) are converted with decimal
// string arithmetic ([ParseAmount]); a float64 is never involved.
//
// # Webhook signature
//
// Xsolla signs with Authorization: Signature <hex sha1(raw body ‖ secret)>
// — plain SHA-1 of a concatenation, not an HMAC. The digest is over the raw
// bytes: verify before decoding, never re-encode the body. Every configured
// secret ([Config.WebhookSecret], then [Config.PreviousSecrets]) is tried
// in constant time.
//
// Header rules. Xsolla's PHP SDK accepts exactly ^Signature ([0-9a-f]{40})$.
// This package is as strict about the shape — one Authorization header, one
// space, exactly 40 hex digits, nothing after — but by default tolerates
// what is equivalent and harmless: surrounding blanks, the scheme name in
// any case (HTTP auth schemes are case-insensitive) and upper-case hex
// (test doubles often produce it). [Config.StrictSignatureHeader] turns
// the tolerance off. A missing or empty header is paykit.ErrMissingSignature;
// any other mismatch is paykit.ErrInvalidSignature.
//
// # Summary mapping
//
//	notification_type              Kind           Status    ID                    OrderID                   Amount
//	user_validation, user_search   user_check     unknown   ""                    ""                        zero
//	payment                        payment        paid      transaction.id        transaction.external_id   payment_details.payment, else purchase.total, else purchase.checkout
//	refund, partial_refund,        refund         refunded  transaction.id        transaction.external_id   as payment
//	upgrade_refund
//	order_paid                     payment        paid      order.id              ""                        order.amount, order.currency
//	order_canceled                 refund         canceled  order.id              ""                        order.amount
//	afs_reject                     payment        failed    transaction.id        transaction.external_id   zero
//	create/update_subscription     subscription   paid      subscription_id       ""                        subscription.amount
//	cancel_subscription            subscription   canceled  subscription_id       ""                        subscription.amount
//	non_renewal_subscription       subscription   unknown   subscription_id       ""                        subscription.amount
//	user_balance_operation         info           unknown   id_operation          ""                        zero
//	payment_account_add/remove     info           unknown   payment_account.id    ""                        zero
//	redeem_key                     info           unknown   key                   ""                        zero
//	afs_black_list                 info           unknown   ""                    ""                        zero
//	get_pincode,                   item_request   unknown   ""                    ""                        zero
//	partner_side_catalog
//
// UserID is user.id (user.external_id for orders, user_id for redeem_key).
// Test is transaction.dry_run = 1, or order.mode "sandbox".
//
// # Handler answers
//
// 204 on success; 200 with {"user":{…}} for user_search and
// {"pin_code":"…"} for get_pincode; 400 {"error":{"code":…,"message":…}}
// with INVALID_SIGNATURE (bad or missing signature), INVALID_CLIENT_IP,
// INVALID_PARAMETER (malformed body, another project, unknown type),
// INVALID_USER (paykit.ErrUnknownUser), INCORRECT_AMOUNT /
// INCORRECT_INVOICE ([ErrIncorrectAmount], [ErrIncorrectInvoice]) or
// CLIENT_ERROR (any other hook error); 500 SERVER_ERROR for
// paykit.Temporary errors, so that Xsolla retries. Statuses per code are
// configurable ([Hooks.Status]), e.g. to answer 401/422 like the PHP SDK.
// Remember that any 4xx on order_paid may make Xsolla refund the user.
//
// Refund codes (refund_details.code): 1 cancellation from Publisher
// Account, 2 chargeback, 3 integration error, 4 potential fraud, 5 test
// payment, 6 user invoice expired, 7 fraud notification from the payment
// system, 8 cancellation by the payment system, 9 user request, 10 game
// request, 11 account holder reported fraud, 12 friendly fraud, 13
// duplicate.
//
// # Choices made where the protocol is unclear [unsure]
//
//   - The Basic-auth user of the store v3 API defaults to the project id,
//     as Xsolla's docs say; set [Config.StoreAuthUser] to the merchant id
//     if your key is company-wide and the project id is refused.
//   - Any 2xx is accepted as success of the token calls (200 and 201 are
//     both reported).
//   - Error replies default to 400 (Xsolla's docs); the PHP SDK uses
//     401/422. Xsolla treats every 4xx as final, so both work.
//   - Webhooks without settings.project_id (order webhooks) are accepted;
//     when present, project_id and merchant_id must match the Config.
//   - The webhook IP allowlist is off by default: Xsolla's SDK, English and
//     Russian docs list different addresses. [WebhookIPs] returns the
//     SDK's list.
//   - partial_refund carries no per-refund id that Xsolla documents, so its
//     idempotency key includes a digest of the body.
//   - Unknown notification types verify and then fail with
//     paykit.ErrUnknownType; the handler answers 400 unless
//     [Hooks.AckUnknownTypes].
//   - The PaySuper "three integration modes" text maps onto Xsolla as
//     redirect URL, plain form and widget; Xsolla's unsigned "access_data"
//     mode is deliberately not implemented.
package xsolla
