// Package emulator is the core under paykit's test kits (payseratest,
// vkpaytest, xsollatest, playvisiontest, merchanttest): what every
// provider emulator does the same way, written once.
//
//   - [Book] keeps a kit's orders, bounded: beyond its cap the oldest order
//     is forgotten first, so an emulator that serves unauthenticated
//     requests for days holds a fixed amount of memory.
//   - [State] and [Move] are the payment state machine every kit's orders
//     follow (open → pending → paid → refunded, declined, canceled, failed).
//   - [Engine] delivers signed notifications: the first attempt in the
//     caller's goroutine, retries on the provider's schedule from a fixed set
//     of goroutines, one [Delivery] record per attempt in a bounded log,
//     [Engine.Resend] of any recorded delivery (the same bytes, as a
//     provider's duplicate), and [Engine.Wait] for quiet: no delivery in
//     flight or scheduled.
//   - [Render] draws every kit's pages with one stylesheet: a TEST MODE
//     banner, the merchant and its order reference, the item, the amount in
//     major units ([FormatAmount]), the outcomes to simulate and a way back
//     to the merchant, readable on a phone, with a neutral favicon.
//
// A kit contributes only what is its own: its wire format and signature,
// how its provider judges an answer ([Verdict]), its pages' content.
package emulator
