// Package paykit is the provider-neutral core of an SDK for taking payments
// through Paysera, VK, Xsolla and Playvision.
//
// Each provider lives in its own package (paysera, vkpay, vkpay/merchant,
// xsolla, playvision) with a request builder, a callback parser that
// verifies the provider's signature and account before anything is
// trusted, and an [net/http.Handler] that answers in exactly the format the
// provider expects. Every package has the same shape: New(Config),
// ParseCallback(*http.Request), ParseBody(body, header) for raw input,
// Handler(Hooks) and HandlerWith(Hooks, HandlerOptions) — whose
// HandlerOptions embeds this package's [HandlerOptions] beside the
// provider's extras —, IdempotencyKey, Account, ReplyTimeout, and
// [*APIError] from outbound calls. Every verified callback implements
// [Notification]; its [Summary] describes it in the same terms for all
// providers, so one set of [Hooks] can fulfil orders from any of them.
//
// All handlers run on one internal callback engine: only the provider's
// HTTP methods, a body cap, verification first, the hooks under a deadline
// inside the provider's reply timeout, idempotent fulfilment through a
// [Store], and the outcome rendered in the provider's format.
//
// Handlers are idempotent: a [Store] runs the fulfilment for one
// idempotency key once and replays the exact reply bytes to every repeated
// delivery, sequential or concurrent; a failed attempt is not remembered,
// so the provider's retry runs it again. With [Hooks.Store] nil a handler
// uses its own [MemoryStore]; merchants running several replicas plug in a
// database-backed store (package sqlstore, which also says what holds
// across crashes) without changing a handler.
//
// Every delivery through any handler is reported once, after its reply is
// written, as a [Delivery] to [Hooks].Observer: a [Journal] such as
// [MemoryJournal] keeps them (exact bytes, verification, outcome, reply),
// [LogDeliveries] logs them, package paykitotel traces and counts them.
//
// Providers deliver out of order, so an order's status only moves forward
// ([Advance]):
//
//	| held \ event | pending | failed  | paid     | canceled | refunded |
//	|--------------|---------|---------|----------|----------|----------|
//	| (none)       | pending | failed  | paid     | canceled | refunded |
//	| pending      | —       | failed  | paid     | canceled | refunded |
//	| failed       | —       | —       | paid     | canceled | refunded |
//	| paid         | —       | —       | —        | canceled | refunded |
//	| canceled     | —       | —       | —        | —        | refunded |
//	| refunded     | —       | —       | —        | —        | —        |
//
// Money is always an integer amount in minor units ([Money]); nothing in
// paykit uses floating point for money.
package paykit
