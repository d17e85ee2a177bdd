package paykit

// Advance is the forward-only rule for one order's status over time: given
// the status the merchant holds and the status of an event that arrived
// (its [Summary].Status), it returns the status to hold and whether it
// changed. Providers deliver out of order — Paysera may send "pending"
// after "paid", Xsolla a refund before its payment — so an order's status
// only moves forward along
//
//	unknown → pending → failed → paid → canceled → refunded
//
// and an event of an earlier or equal rank leaves it as it is:
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
// ("—": unchanged; an event with no status, such as Paysera's status 3,
// never changes anything.) So a late pending never undoes paid, a failure
// after a retried payer's success does not either, and a refund that
// arrives before its payment is held as refunded, not lost: the payment
// that follows does not make the order paid again.
//
// Advance decides the order's status only. Whether to act on an event is
// the idempotency key's business: a second partial refund leaves the
// status refunded (changed false) and is still an event to process.
// Subscriptions are not one order: VK and Xsolla resume a canceled
// subscription, so follow a subscription by its latest event instead.
func Advance(held, event Status) (Status, bool) {
	if rank(event) > rank(held) {
		return event, true
	}
	return held, false
}

// rank orders the statuses for [Advance]; an unknown one ranks lowest.
func rank(s Status) int {
	switch s {
	case StatusPending:
		return 1
	case StatusFailed:
		return 2
	case StatusPaid:
		return 3
	case StatusCanceled:
		return 4
	case StatusRefunded:
		return 5
	}
	return 0
}
