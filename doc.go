// Package paykit is the provider-neutral core of an SDK for taking payments
// through Paysera, VK, Xsolla and Playvision.
//
// Each provider lives in its own package (paysera, vkpay, xsolla, playvision)
// with a request builder, a callback parser that verifies the provider's
// signature before anything is trusted, and an [net/http.Handler] that answers
// in exactly the format the provider expects. Every verified callback
// implements [Notification]; its [Summary] describes it in the same terms for
// all four providers, so one set of [Hooks] can fulfil orders from any of
// them.
//
// Handlers are idempotent: a [Store] runs the fulfilment for one idempotency
// key at most once and replays the exact reply bytes to every repeated
// delivery, sequential or concurrent. With [Hooks.Store] nil a handler uses
// its own [MemoryStore]; merchants running several replicas plug in a
// database-backed store (package sqlstore) without changing a handler.
//
// The package also holds the HTTP plumbing the provider handlers share:
// [ReadBody] (a size cap that fails instead of truncating), [ParseForm]
// (rejects duplicate keys), [WriteJSON] and [HookContext] (a deadline under
// the provider's limit).
//
// Money is always an integer amount in minor units ([Money]); nothing in
// paykit uses floating point for money.
package paykit
