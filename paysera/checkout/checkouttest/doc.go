// Package checkouttest is the test kit of package checkout (Paysera
// Checkout (New)): a [Signer] that signs webhooks exactly as Paysera does,
// body builders for every webhook shape, and an [Emulator] of the
// platform, built on paykit's shared emulator core like every other kit.
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
// Each link has a payment page (TEST MODE banner, the project, the order
// reference, the amount in major units) with Pay, Leave pending, Decline
// and Cancel buttons, Refund and "Send the webhook again" once paid, and a
// way back to the shop; tests drive the same steps from Go with
// [Emulator.Pay], [Emulator.Pend], [Emulator.Decline], [Emulator.Cancel]
// and [Emulator.Refund]. Orders follow the state machine every kit shares
// ([Order].State: open, pending, paid, refunded) beside Paysera's own
// statuses; at most Options.MaxOrders are kept, the oldest forgotten
// first with its links and payments.
//
// Webhooks (the order snapshot, payment/status_updated and
// refund/status_updated) go to the order's callback_url: delivered once at
// once and retried on Options.RetrySchedule (by default the documented
// 1 h, 5 h, 25 h) until answered 2xx; a 401 stops the retries, as Paysera
// does. Every attempt is a [Delivery] ([Emulator.Deliveries]);
// [Emulator.Resend] sends one again by its id, byte for byte;
// [Emulator.Wait] returns once none is in flight or scheduled;
// Options.DropCallbacks records them without sending. GET order answers
// from the order's current state (status, amount_paid, is_test), so that
// a checkout.Reconciler is tested end to end: drop the webhooks, pay,
// reconcile, then Resend the late webhook. It is an
// http.Handler to mount under Options.Prefix; [NewServer] runs one on a
// loopback port like httptest.NewServer.
package checkouttest
