// Package payseratest is the test kit of package paysera: a [Signer] that
// signs callbacks exactly as Paysera does (ss1, ss2, ss3 with a generated
// test key, or AES-256-GCM encrypted), and an [Emulator] of Paysera's
// payment page and callbacks.
//
// The emulator is an http.Handler to mount under a prefix in any mux
// (Options.Prefix, e.g. "/emulator/paysera/") and, through [NewServer], a
// running loopback server with URL and Close like httptest.Server. Point a
// client at it with paysera.Config{BaseURL: server.URL, PublicKeyPEM:
// server.Signer().PublicKeyPEM()} (or FetchPublicKey: true, which
// downloads the emulator's certificate).
//
// It serves plain HTML pages a person can click (no JavaScript), with the
// TEST MODE banner every kit shares: the payment page for a data/sign
// request (a wrong sign gets Paysera's error 0x14) shows the project, the
// shop's order, the amount in major units, and Pay, Leave pending, Decline
// and Cancel; a paid payment can be refunded (the status 5 callback). Each
// callback goes to callbackurl, retried on [Options.RetrySchedule] until
// the shop answers "OK", and the payer is sent to accepturl or cancelurl.
// It also serves its public key, a payment-methods XML and the SMS answer
// endpoint. A payment's page has a "Send the callback again" button that
// delivers its last callback once more, the same signed bytes, as a
// duplicate from Paysera would be. Tests drive the same flow from Go with
// the verbs every kit shares: [Emulator.Open] (the payment request),
// [Emulator.Pay], [Emulator.Pend], [Emulator.Decline], [Emulator.Cancel],
// [Emulator.Refund], [Emulator.Resend] of a [Delivery], [Emulator.Wait]
// for quiet, [Emulator.Deliveries]. [Options.DropCallbacks] records
// callbacks without sending them; [Options.MaxOrders] bounds the payments
// kept.
//
// Generating the test RSA key takes a while (about a second under -race);
// tests that create many emulators share one [Signer] through
// [Options.Signer].
//
// Choices where Paysera's behaviour is not documented [unsure]: the retry
// times Paysera lists (1, 3 and 24 hours after the first attempt) are
// expressed as delays between attempts ([DefaultRetrySchedule]); a
// cancelled payment sends no callback ([Emulator.Decline] sends status 0);
// the payer's return to accepturl carries data, ss1 and ss2 as Paysera's
// does; the callback's paytext replaces [site_name] and [owner_name] with
// "emulator"; a refund from the page refunds the whole amount.
//
// The emulator only ever calls the URLs it is given and runs a fixed number
// of goroutines that Close stops and waits for; its delivery engine, order
// book and page layout are the ones every kit shares.
package payseratest
