// Package checkout takes payments through Paysera's REST platform
// "Checkout (New)" (the developer docs' checkout-modern, earlier
// checkout-v3): an OAuth2 client for orders, payment links, payment
// methods and refunds, and a handler for its HMAC-signed JSON webhooks on
// paykit's callback engine. Paysera's older WebToPay flow ("Classic") is
// package paysera; the two share no credentials, ids or replies.
//
// # Client
//
// [New] takes the project's client id and client secret. Every call sends
// a bearer token from the token endpoint ([TokenPath], client
// credentials), cached and renewed [TokenRenewBefore] its expiry by one
// call at a time; a 401 renews it once and repeats the call. Calls take a
// context, use Config.HTTPClient (default: a 30 s timeout) and are retried
// at most Config.MaxRetries times after 429 (honouring Retry-After, capped
// at [MaxRetryAfter]) and, for GET and PUT, after 5xx and network errors.
// POSTs are not retried after a 5xx: Paysera has no idempotency keys and
// the order or refund may exist. API errors are *paykit.APIError (both
// error formats read: error / error_description / error_properties and
// error / message / details), with the client id, the secrets and the
// token redacted from the body.
//
// [Client.BuildPaymentURL] creates an order and a payment link for it and
// returns the link's URL; [Client.CreateOrder], [Client.GetOrder],
// [Client.CreatePaymentLink], [Client.GetPaymentLink],
// [Client.CancelPaymentLink], [Client.PaymentMethods],
// [Client.RefundEligibility] and [Client.Refund] are the single calls.
// Amounts are int64 minor units everywhere; the create-order amount goes
// out as a JSON string of digits as the docs specify (Config.OrderAmountAsNumber
// sends a number, as Paysera's PHP SDK does), link and refund amounts as
// JSON integers, and every amount received is read as a number or a
// string.
//
// # Webhooks
//
// [Client.ParseBody] verifies before it trusts anything: the lower-case
// hex HMAC-SHA256 of the raw body under the client secret (or a previous
// one, Config.PreviousSecrets), compared in constant time. Upper-case hex,
// a truncated or extended signature, or an X-Paysera-Signature-Alg other
// than HMAC-SHA256 are refused. Both header generations are accepted: the
// modern one (Signature-Alg, Created-At, Request-Id, Callback-Id) and v3's
// (Event, Timestamp); unsigned headers are checked for form when present
// and kept in [Headers], never used to route or to key.
//
// Routing is on the body's event type and name, the name read with or
// without a "<type>." prefix:
//
//	type          name                                    value            Kind     Status                               ID            OrderID
//	order         amount_paid_updated, order.* (any)      *OrderEvent      payment  paid (status paid or amount_paid ≥   order id      merchant_order_id
//	                                                                                amount), pending_payment → pending,   (paysera_order_id,
//	                                                                                canceled → canceled                   or v3 id)     (v3 reference)
//	order         …, status closed                        *OrderEvent      info     unknown                              order id      reference
//	payment       status_updated                          *PaymentEvent    info     settled → paid; failed, rejected,    payment id    merchant_order_id
//	                                                                                canceled, expired → failed; others
//	                                                                                pending
//	payment       status_updated, status chargeback       *PaymentEvent    refund   refunded                             payment id    merchant_order_id
//	refund        status_updated                          *RefundEvent     refund   pending, processing → pending;       refund id     merchant_order_id
//	                                                                                completed, refunded → refunded;
//	                                                                                failed → failed
//	payment_link  payment_link.completed/expired/canceled *LinkEvent       info     paid / failed / canceled             link id       order reference
//	anything else                                         *UnknownEvent    info     unknown                              ""            ""
//
// Amount is the order's amount (the amount paid when the payer sets it),
// else the payment's or refund's, currency upper-cased. Test is
// Config.TestMode or an order's is_test: the webhooks carry no test flag.
// One purchase is one Kind payment: the order snapshot, which Paysera
// sends for every payment and which says whether the order is paid in
// full. The thin payment event of the same payment is info (fulfil on the
// order, not on each attempt), except a chargeback, which is a refund.
//
// [Client.Handler] answers 200 with an empty body once the Event hook
// succeeded (any 2xx stops Paysera's retries) and replays it to repeats;
// 400 to bad signatures and bodies (never 401, which makes Paysera give up
// for good), 413 to bodies over the cap, 503 or 500 when a hook fails so
// that Paysera retries. [Client.IdempotencyKey] keys an order event by its
// amount paid and status, a payment or refund event by its status, all
// from signed content: a retried delivery is a duplicate, a status change
// a new event.
//
// With Config.ProjectID set, a webhook whose order names another project
// (an order or link snapshot's project_id or v3 projectId, or the order
// a thin payment or refund event names) is paykit.ErrWrongAccount; one
// that names no project is accepted on the HMAC alone, as Paysera's
// current webhooks name none.
//
// # Where the docs disagree [unsure]
//
//   - Webhook headers and event names differ between doc generations:
//     every documented form is accepted when receiving.
//   - Create-order amount: string in the docs, number in the PHP SDK; the
//     string is sent (see Config.OrderAmountAsNumber). Links: integer.
//   - Refunds: three descriptions exist (spec §5); this package calls the
//     newest docs' payment-executor endpoints ([PaymentsPath]) and maps
//     every refund status vocabulary.
//   - GET order: one crawl of the modern docs says there is no public
//     GET, the current one lists GET /orders/{id} and GET /orders "for
//     reconciliation and on-demand lookups" (the response schema is not
//     in the retrievable pages; both field generations are read). The
//     link read/cancel calls appear in one crawl only; a 404 or 405 comes
//     back as *paykit.APIError.
//   - Upper-case signature hex is refused, as Paysera's SDK refuses it.
//   - The retry schedule (0, +1 h, +6 h, +31 h in the newer docs) means a
//     store must remember keys for at least two days: paykit's default
//     retention of 30 days does.
//   - metadata: "referer" (the SDK's spelling) and "referrer" (the docs')
//     are both sent, with the shop's origin.
//   - The sandbox host https://sandbox.paysera.com is named only by the
//     PHP SDK; Config.BaseURL overrides it.
//
// # Several projects, one endpoint
//
// [NewAccounts] serves the webhooks of several projects (each client with
// its Config.ProjectID) on one URL. Paysera's current webhooks do not
// name their project, so each project's client in turn verifies the HMAC
// with its own secrets and the one that verifies a webhook serves it;
// NewAccounts refuses two projects sharing a secret. A webhook that names
// its project (v3's order.projectId, an order's project_id) is verified by
// that project's client only; a project not served is
// paykit.ErrWrongAccount. Keys name the project ([Client.IdempotencyKey]),
// so the same order id under two projects is fulfilled twice, once per
// project; each event's Account field says whose it is.
//
// # Reconciliation
//
// A webhook Paysera gave up on (four attempts over about 31 hours) is
// found by [Client.Reconciler]: [Reconciler.Reconcile] reads each order
// by Paysera's order id ([Client.GetOrder]; keep [Order].ID from
// [Client.CreateOrder] with your order) and delivers every order paid in
// full as the *[OrderEvent] its order/amount_paid_updated webhook
// carries — same type, Summary and [Client.IdempotencyKey] — through the
// handler's hooks and Store: the late webhook is then answered from the
// Store, and an order whose webhook came first is reported already
// fulfilled. Pending, partly paid, canceled and closed orders are
// reported pending, a 404 unknown, a failed token request or lookup
// failed (a *paykit.APIError, credentials redacted). The event's Test is
// Config.TestMode, as the webhook's: the snapshot carries no is_test.
// [Reconciler.Loop] runs it on a schedule.
//
// Package checkouttest is the test kit: a signer and an emulator of the
// API, the payment page and the webhooks.
package checkout
