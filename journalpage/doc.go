// Package journalpage is the page a merchant opens to see what the
// payment providers sent and what the shop answered: an [http.Handler]
// over a [paykit.Journal] that lists deliveries (filtered by provider,
// account, order id, provider id, outcome and time, page by page), shows
// one delivery's request and reply side by side, and runs a delivery again
// through its handler.
//
//	page := journalpage.New(journal, journalpage.Options{
//		BasePath:  "/journal",
//		Authorize: isAdmin, // your authentication: nil refuses every request
//		Handler:   func(d paykit.Delivery) http.Handler { return mux },
//	})
//	mux.Handle("/journal/", page)
//
// # Who may see it
//
// Bodies hold payers' personal data and Run again changes orders, so the
// page refuses every request (403 Forbidden) unless [Options].Authorize
// says yes; with Authorize nil nothing is ever shown. Mount the page behind
// your own authentication and pass its check as Authorize.
//
// # Pages
//
//   - BasePath + "/": the list, newest first, amounts as people read them
//     ("4.99 EUR", "500 JPY", "499 GOLD"). Query parameters: provider,
//     account, order (the merchant's order id), id (the provider's id),
//     outcome, since and until (2006-01-02T15:04 in [Options].Location, or
//     RFC 3339), limit, and after (the cursor of the next page).
//   - BasePath + "/d/{id}": one delivery: how it was verified, its summary
//     (its order id and provider id link to the list of the same; its
//     amount as people read it, [paykit.Money.String], with the exact
//     integer beside it: "4.99 EUR (499 minor units)", or "7 (whole units
//     of a virtual currency)" for VK votes and PlayGold), outcome,
//     error, idempotency key, whether it was replayed, the delivery it ran
//     again; then the request and the reply side by side — JSON
//     pretty-printed, form fields (and a GET's query) as a table, with the
//     raw bytes one click away in a <details> element and as plain text at
//     BasePath + "/d/{id}/raw/request" and …/raw/reply.
//   - POST BasePath + "/d/{id}/run": Run again.
//
// Pages are server-rendered with html/template (everything is escaped) and
// need no JavaScript; their stylesheet fits a phone's screen. Every answer
// forbids caching, framing and scripts (Content-Security-Policy).
//
// # Run again
//
// Run again re-submits the recorded request — method, path, query, the
// headers the journal kept, body, and the peer's address (so that an IP
// allowlist judges the provider's address, not yours) — to the handler
// [Options].Handler returns for the delivery, with the context marking it
// as a run of the original: the new delivery is recorded with RunOf set,
// and the page shows the handler's reply and links to it (found in the
// journal among the provider's deliveries since the run started; a journal
// that records in the background may not hold it yet, and the page says
// so). The handler verifies it like any delivery, so
// a recorded body that a redaction function changed no longer verifies.
// Through the [paykit.Store] this does what a provider's retry would: an
// event that was fulfilled is answered with the stored reply and Event does
// not run again; one that failed (the shop's server was down when the
// provider gave up) is fulfilled now, once.
//
// Run again is a POST protected against cross-site request forgery twice:
// the form carries a token, an HMAC-SHA256 under [Options].Secret (random
// per New when unset) of the delivery's ID, which only an authorised page
// view reveals, and the request must not come from another site (net/http's
// CrossOriginProtection: Sec-Fetch-Site, else Origin against Host). A GET
// to the run URL is answered 405. Deliveries whose body was not kept (over
// the size cap) and requests refused before anything was read cannot be
// run again.
package journalpage
