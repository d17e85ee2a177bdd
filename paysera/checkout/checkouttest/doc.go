// Package checkouttest is the test kit of package checkout (Paysera
// Checkout (New)): a [Signer] that signs webhooks exactly as Paysera does,
// body builders for every webhook shape, and an [Emulator] of the
// platform.
//
// The emulator answers the token endpoint (client credentials; tokens
// expire after Options.TokenTTL, [Emulator.ExpireTokens] ends them early)
// and the REST API — create and get orders, create, get and cancel payment
// links, payment methods, refund eligibility and refunds — checking the
// bearer token and the request shapes strictly (unknown fields, the
// create-order amount as a string of digits, link and refund amounts as
// JSON integers), so that a client's bugs show. [Emulator.Throttle]
// answers the next calls 429 with Retry-After.
//
// Each link has a payment page with Pay, Leave pending, Decline and Cancel
// buttons, and Refund and "Send the webhook again" once paid; tests drive
// the same steps from Go with [Emulator.Pay], [Emulator.Pending],
// [Emulator.Decline], [Emulator.Cancel], [Emulator.Refund],
// [Emulator.Resend] and [Emulator.Wait]. Webhooks (the order snapshot,
// payment/status_updated and refund/status_updated) are delivered once at
// once and retried on Options.RetrySchedule (by default the documented
// 1 h, 5 h, 25 h) until answered 2xx; a 401 stops the retries, as Paysera
// does. It is an http.Handler to mount under Options.Prefix; [NewServer]
// runs one on a loopback port like httptest.NewServer. It uses nothing
// outside the standard library.
package checkouttest
