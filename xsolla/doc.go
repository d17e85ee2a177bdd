// Package xsolla takes payments through Xsolla Pay Station: it creates
// payment tokens, opens the payment UI (redirect URL, plain HTML form or the
// JS widget), and verifies, decodes and answers every Xsolla webhook.
//
// # Flow
//
//  1. Server side, create a token from a [TokenRequest]:
//     [Client.CreatePaymentToken] (store v3: an order of catalog items by
//     SKU, the call Xsolla's docs recommend for purchases) or
//     [Client.CreateToken] (merchant v2, which Xsolla's docs now restrict
//     to the Subscriptions product and to a Checkout amount where Xsolla
//     enabled it). Each call refuses the parameters it does not take.
//
//  2. Send the buyer to Pay Station: [Client.PaymentURL] (Pay Station 4),
//     [Client.PaymentFormHTML] (a no-JavaScript form — the "simple HTML
//     form" mode) or [Client.WidgetHTML] (paystation-embed lightbox).
//     [Client.BuildPaymentURL] does steps 1 and 2 in one call, on v3
//     whenever the request has Items.
//
//  3. Xsolla posts webhooks: user_validation, then payment, then order_paid
//     when catalog items were bought; refund and order_canceled later.
//     [Client.Handler] verifies and answers them and calls your
//     [paykit.Hooks] once per event ([Client.IdempotencyKey]);
//     [Client.HandlerWith] adds the shared handler options (body cap, hook
//     deadline inside [ReplyTimeout], or [OrderPaidReplyTimeout] for
//     order_paid, error log) and Xsolla's own hooks
//     ([HandlerOptions]). The handler runs on paykit's one callback engine,
//     like every provider's. [Client.ParseCallback] and [Client.ParseBody]
//     (raw body and headers, for frameworks that read the body) are the
//     lower level.
//
//  4. Later, from your back office: [Client.Refund] and
//     [Client.PartialRefund] ask Xsolla to give money back (Xsolla then
//     sends refund / partial_refund: take the goods back there);
//     [Client.Transaction], [Client.TransactionsByExternalID] and
//     [Client.FindTransactions] (a time window, your external id, a user, a
//     status) look transactions up for reconciliation. A
//     [TransactionRecord] turns into the notification its webhook would
//     have produced ([TransactionRecord.Notification]), under the same
//     [Client.IdempotencyKey], so a missed webhook can be fulfilled
//     through the same Store without fulfilling twice.
//
// Every API call takes a context, uses [Config.HTTPClient], retries 429,
// 5xx and network errors a bounded number of times honouring Retry-After
// (a partial refund only 429: it could otherwise refund twice), and fails
// with *paykit.APIError, the credentials redacted.
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
//	dispute                        info           unknown   transaction.id        transaction.external_id   transaction.total
//	any other type ([Unknown])     info           unknown   ""                    ""                        zero
//	get_pincode,                   item_request   unknown   ""                    ""                        zero
//	partner_side_catalog
//
// payment_details.payment that cannot be converted is replaced by
// purchase.total or purchase.checkout only in the same currency; else the
// amount is zero and [Payment.Money] says why.
//
// UserID is user.id (user.external_id for orders, user_id for redeem_key).
// Test is transaction.dry_run = 1, or order.mode "sandbox".
//
// # One purchase, one event
//
// A store purchase can reach the webhook URL twice: as payment (payment
// data) and as order_paid (the items). Projects registered before
// 2025-01-22 get both, payment first — Xsolla sends order_paid only once
// payment was acknowledged; newer projects get one "combined" order_paid
// carrying the transaction too. order_paid names the transaction in
// transaction.id (combined) or order.invoice_id (separate) [unsure: Xsolla
// documents order_paid as carrying "the transaction ID"; invoice_id is the
// only field that can hold it in the separate variant].
//
// Both are Kind payment, Status paid, and both are fulfilled under one
// idempotency key, the transaction's ([Client.IdempotencyKey]): whichever
// arrives first reaches Event, the other is answered 204 from the store. So
// Event runs once per purchase whichever webhooks the project receives —
// with separate webhooks that is the *Payment (it always comes first), so
// find the items through s.OrderID (your settings.external_id) in your
// own order, not in order_paid. refund and order_canceled of one purchase
// are paired the same way (Kind refund; whichever comes first, in practice
// the *Refund). An order webhook that names no transaction is keyed on
// order.id alone and cannot be paired. Why not two events of different
// kinds: a project may receive payment only (Pay Station v2 tokens),
// order_paid only (combined webhooks) or both, and cannot be told apart
// from one webhook; one key covers all three.
//
// A payment, refund, partial_refund, upgrade_refund or afs_reject without a
// positive transaction.id, an order webhook without order.id, and a
// subscription webhook without subscription_id are refused as
// paykit.ErrMalformed (400 INVALID_PARAMETER): keyed on an empty id, two
// different events would share a key and the second would never reach
// Event. Xsolla's PHP SDK accepts them.
//
// # JSON
//
// Keys match exactly: encoding/json would read "Settings" as settings, so
// a key that differs only in case from a key of the envelope, settings or
// transaction is refused as malformed rather than read or ignored. An
// object that repeats a key, or holds two keys equal under case folding,
// is refused at any depth. So every reader of the signed body — this
// package, or encoding/json on Message.Raw — sees the same values. project_id and merchant_id are
// compared as numbers (18404, "18404" and 18404.0 are one project).
//
// # Handler answers
//
// 204 on success; 200 with {"user":{…}} for user_search and
// {"pin_code":"…"} for get_pincode; 400 {"error":{"code":…,"message":…}}
// with INVALID_SIGNATURE (bad or missing signature), INVALID_CLIENT_IP,
// INVALID_PARAMETER (malformed body, another project, an unknown type with
// RefuseUnknownTypes),
// INVALID_USER (paykit.ErrUnknownUser), INCORRECT_AMOUNT /
// INCORRECT_INVOICE ([ErrIncorrectAmount], [ErrIncorrectInvoice]) or
// CLIENT_ERROR (any other hook error); 500 SERVER_ERROR for
// paykit.Temporary errors, so that Xsolla retries. Statuses per code are
// configurable ([HandlerOptions].Status), e.g. to answer 401/422 like the PHP SDK.
// Remember that any 4xx on order_paid may make Xsolla refund the user.
//
// Refund codes (refund_details.code): 1 cancellation from Publisher
// Account, 2 chargeback, 3 integration error, 4 potential fraud, 5 test
// payment, 6 user invoice expired, 7 fraud notification from the payment
// system, 8 cancellation by the payment system, 9 user request, 10 game
// request, 11 account holder reported fraud, 12 friendly fraud, 13
// duplicate.
//
// # Reconciliation: when a webhook never arrives
//
// Xsolla stops retrying after a while, and delivers out of order (a refund
// before its payment). [Client.Reconciler] asks the merchant API's
// transaction reports — by your order id (external_id, one search per
// order) or for a time window (search.json, paged) — and runs each done
// transaction as its *[Payment], each refunded one as its *[Refund],
// through the handler's own path: the same hooks (and CheckAmount), the
// same [Client.IdempotencyKey], the same hooks.Store. A payment fulfilled
// by reconciliation is answered from the Store when its payment or
// order_paid webhook comes late (Event does not run again); the reverse
// order is reported as already fulfilled. The Store must be the handler's:
// a reconciler refuses hooks without one. [Reconciler.Reconcile] is a
// function for your own scheduler, [Reconciler.Loop] runs it every
// interval until its context ends; both report a [paykit.Reconciliation].
// A partially refunded transaction is reconciled as its payment only:
// the reports name no id per partial refund, so a polled partial refund
// could not share its webhook's key. Multi-project [Accounts] have no
// reconciler: build one per project's Client on the same hooks.
//
// # Several projects, one endpoint
//
// [NewAccounts] joins the clients of several projects into one
// [Accounts] with the methods of a Client (ParseCallback, ParseBody,
// IdempotencyKey, Handler, HandlerWith): enter the same webhook URL in
// every project. The settings.project_id of each webhook, read before
// anything is verified, only picks the project whose secrets verify it;
// that project's Client then checks the IP allowlist, the signature, the
// project and merchant as usual. A project not among them, or a webhook
// that names none, is refused (400 INVALID_PARAMETER), one signed with
// another project's secret 400 INVALID_SIGNATURE. One Store serves every
// project and keys name the project, so one transaction id in two
// projects is two events.
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
//     Russian docs list different addresses. [WebhookIPs] returns the list
//     of Xsolla's current webhook documentation.
//   - partial_refund carries no per-refund id that Xsolla documents, so its
//     idempotency key includes a digest of the body.
//   - payment and order_paid of one transaction share one idempotency key
//     (see "One purchase, one event"), as do refund and order_canceled.
//   - A verified webhook of a type this package does not model (Xsolla adds
//     types) reaches Event as an [Unknown] — Kind info, its type, its raw
//     body — keyed on a digest of the body, instead of a 400 that Xsolla
//     would retry for hours. [HandlerOptions].RefuseUnknownTypes answers
//     400 INVALID_PARAMETER instead.
//   - Hook deadlines: order_paid, where Xsolla asks for an answer in less
//     than 3 s, within [OrderPaidReplyTimeout]; every other type within
//     [ReplyTimeout], 10 s (Xsolla documents no timeout for them).
//   - The PaySuper "three integration modes" text maps onto Xsolla as
//     redirect URL, plain form and widget; Xsolla's unsigned "access_data"
//     mode is deliberately not implemented.
package xsolla
