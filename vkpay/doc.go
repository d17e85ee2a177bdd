// Package vkpay takes payments in VK votes ("голоса") for VK mini apps and
// games: it verifies and decodes the payment notifications VK sends to the
// app's "payment notifications URL", answers them in VK's JSON envelope, and
// makes the answers idempotent. Subpackage [github.com/paykit-go/paykit/vkpay/merchant]
// covers the unrelated VK Pay merchant protocol (VKWebAppOpenPayForm), and
// [github.com/paykit-go/paykit/vkpay/vkpaytest] signs test notifications and
// emulates VK's purchase flow.
//
// # Notifications
//
// All eight types are supported: get_item, order_status_change,
// get_subscription and subscription_status_change, each also with the
// "_test" suffix VK uses for payment testers. [Client.ParseCallback] returns
// a *[GetItem], *[OrderStatusChange], *[GetSubscription] or
// *[SubscriptionStatusChange]; Test is true for the "_test" variants and
// parameters this package does not model are kept in Common.Extra.
//
// The sig is checked exactly as VK computes it: the parameters other than
// sig, URL-decoded ('+' is a space), sorted by key, written key=value with
// no separator, the secure key appended, MD5 in hex. The comparison is in
// constant time; Config.PreviousSecrets are accepted too (rotation). Then
// app_id must be Config.AppID. Duplicate keys are refused.
//
// # Required parameters
//
// A notification without a parameter VK always sends for its type is
// refused with [paykit.ErrMalformed] naming it (the handlers answer error
// 11, critical, with the parameter's name in error_msg), so no hook ever
// sees a zero value standing in for a missing one:
//
//	every type                  app_id, notification_type, user_id, sig
//	get_item, get_subscription  receiver_id, order_id, item, lang
//	order_status_change         receiver_id, order_id, status, date, item, item_price
//	subscription_status_change  subscription_id, status, item_price
//
// version is optional (apps on payments API settings older than 5.132
// send none).
//
// # Handlers
//
// [Client.Handler] answers with the provider-neutral [paykit.Hooks];
// [Client.HandlerWith] adds the shared [paykit.HandlerOptions] (body cap,
// hook deadline, error log) and VK's extras in [HandlerOptions]: your
// app_order_id in the answers to status changes, refunds handled apart
// from payments. Both run on paykit's one callback engine and always
// answer HTTP 200 with {"response":{…}} or {"error":{…}} — never both:
//
//	bad or missing sig                      error 10, critical
//	other bad input (app_id, duplicate keys,
//	missing fields, unknown type or status) error 11, critical
//	hook: paykit.ErrUnknownItem, nil Item   error 20, critical
//	hook: paykit.ErrUnknownUser             error 22, critical
//	hook: paykit.Temporary(err), deadline,
//	nil Event                               error 2, not critical (VK resends)
//	hook: *vkpay.Error                      that error (e.g. 21, or 100–999)
//	hook: any other error, invalid reply    error 1, critical
//
// order_status_change and subscription_status_change are fulfilled through
// the [paykit.Store]: the hook runs once per [Client.IdempotencyKey] and
// every repeat, sequential or concurrent, gets the first answer byte for
// byte, as VK requires. Order keys are (app, test flag, payment or refund,
// order_id), so test and production ids never collide. Hooks get a context
// with a deadline inside VK's 10 s limit ([ReplyTimeout]). Only POST is
// accepted.
//
// # Payments API
//
// With Config.AccessToken (the app's service access token) the Client
// calls VK's payments API methods, each with a context and a plain request
// struct: [Client.GetOrdersByID] (orders.getById), [Client.GetOrders]
// (orders.get), [Client.ChangeOrderState] (orders.changeState: charge,
// cancel, refund), [Client.GetUserSubscriptionByID],
// [Client.GetUserSubscriptions], [Client.CancelSubscription] and
// [Client.UpdateSubscription] (orders.getUserSubscriptionById,
// orders.getUserSubscriptions, orders.cancelSubscription,
// orders.updateSubscription); [Client.Call] calls any other method. Calls
// send v=[APIVersion] and the token in the Authorization header, go
// through Config.HTTPClient, and are retried (Config.MaxRetries) after
// HTTP 429 or 5xx and VK errors 6 and 10, honouring Retry-After. A VK
// error is a *[paykit.APIError] whose Code is VK's error_code
// ([APIErrorCode], constants APIErr…), the token and secrets redacted.
// [Order.StatusChange] turns an order found by reconciliation into the
// *[OrderStatusChange] its notification would have been, with the same
// [Client.IdempotencyKey].
//
// # Launch parameters
//
// [Client.VerifyLaunch] checks the launch parameters VK adds to a mini
// app's URL, so that a server can trust vk_user_id before any payment
// notification arrives: sign is HMAC-SHA256 under the same secure key over
// the vk_* parameters sorted by name ([SignLaunch]), compared in constant
// time, previous secrets accepted; vk_app_id must be Config.AppID
// ([paykit.ErrWrongAccount] otherwise). It returns a *[Launch] with the
// user, app, platform, language, vk_ts and the other vk_* parameters. VK's
// sign has no expiry: compare Launch.TS with your own limit. This is not
// the payments sig (sorted MD5), which the two are often confused with.
//
// # Summary mapping
//
//	type                          Kind          Status                          ID               Amount
//	get_item, get_subscription    item_request  unknown                         order_id         zero
//	order_status_change           payment       paid (chargeable)               order_id         item_price votes
//	                              refund        refunded (refunded)
//	subscription_status_change    subscription  paid (chargeable, active),      subscription_id  item_price votes
//	                                            canceled (cancelled)
//
// Amount.Currency is "" (votes are not an ISO currency); OrderID is "";
// UserID is user_id; Test is true for the "_test" types.
//
// # Reconciliation: when a notification never arrives
//
// VK gives up resending an unanswered order_status_change, so a payment
// can be made while the app never hears of it. [Client.Reconciler] asks
// VK's orders API (orders.getById for your pending orders' ids,
// orders.get for a time window; [Config.AccessToken] needed) and runs each
// paid or refunded order through the handler's own path: the same hooks,
// the same [Client.IdempotencyKey], the same hooks.Store. An order fulfilled
// by reconciliation is answered from the Store when its notification comes
// late (Event does not run again), and the reverse order is reported as
// already fulfilled. The Store must be the handler's: a reconciler refuses
// hooks without one. [Reconciler.Reconcile] is a function for your own
// scheduler; [Reconciler.Loop] runs it every interval until its context
// ends. Both return a [paykit.Reconciliation]: per order, fulfilled now,
// already fulfilled, pending, unknown to VK, or failed.
//
//	rec, err := client.Reconciler(hooks, vkpay.ReconcilerOptions{Handler: handlerOpts})
//	…
//	go rec.Loop(ctx, 5*time.Minute, pendingVKOrderIDs, logReport)
//
// A chargeable order (paid, unconfirmed) is fulfilled like a charged one;
// confirm it with [Client.ChangeOrderState] if your app settles orders
// that way. Multi-app [Accounts] have no reconciler: build one per app's
// Client on the same hooks.
//
// # Several apps, one endpoint
//
// [NewAccounts] joins the clients of several apps into one [Accounts] with
// the methods of a Client (ParseCallback, ParseBody, IdempotencyKey,
// Handler, HandlerWith): mount its handler once and point every app's
// payments URL at it. The app_id of each notification, read before
// anything is verified, only picks the app whose secrets verify it; that
// app's Client then checks the signature and app_id as usual. An app not
// among them is error 11, a notification signed with another app's secret
// error 10. One Store serves every app and keys name the app, so the same
// order_id of two apps is two events.
//
// # Choices where the spec is unsure
//
//   - An order or subscription status other than the documented ones is
//     refused as malformed (error 11, critical) rather than fulfilled.
//   - A refund is answered like a payment, {order_id, app_order_id}.
//   - Subscription answers are keyed on the subscription id and VK's status
//     plus cancel_reason, pending_cancel and next_bill_time, so that a
//     second cancellation after a resumption is a new event while an exact
//     resend replays.
//   - subscription_id is echoed as a JSON number when it is a decimal
//     number and as a string otherwise; item_id is always a string.
//   - item_id, item_title and item_photo_url of order_status_change, and
//     item_id, cancel_reason, next_bill_time and pending_cancel of
//     subscription_status_change, may be absent: they echo optional
//     fields of your answer or are sent only for some statuses.
//   - One Client serves one app; [Accounts] serves several apps at one
//     URL.
package vkpay
