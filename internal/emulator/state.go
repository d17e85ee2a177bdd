package emulator

import (
	"errors"
	"fmt"
)

// Errors every kit returns (each kit re-exports them under the same names).
var (
	// ErrNotFound: no order, or no delivery, has this id (never issued,
	// or forgotten by the cap).
	ErrNotFound = errors.New("emulator: not found")
	// ErrState: the order's state does not allow the action (paying twice,
	// refunding an unpaid order, resending before anything was sent, …).
	ErrState = errors.New("emulator: not allowed in the order's state")
	// ErrClosed: the emulator was closed.
	ErrClosed = errors.New("emulator: closed")
)

// State is an emulated order's state at the provider.
type State string

// The states of an emulated order. Not every provider has every state:
// pending is Paysera's "accepted, not executed" and VK's and Playvision's
// "the merchant has not accepted the payment yet"; refunding is a refund
// whose notification the merchant has not acknowledged yet.
const (
	StateOpen      State = "open"      // created; the payer has not chosen
	StatePending   State = "pending"   // paying, not final yet
	StatePaid      State = "paid"      // paid and acknowledged where the provider waits for that
	StateDeclined  State = "declined"  // the payment was refused (payer's bank, or the merchant)
	StateCanceled  State = "canceled"  // the payer left without paying
	StateFailed    State = "failed"    // the merchant never acknowledged; retries exhausted
	StateRefunding State = "refunding" // refund notification not acknowledged yet
	StateRefunded  State = "refunded"
)

// moves lists, for each state, the states an order may move to.
var moves = map[State][]State{
	StateOpen:      {StatePending, StatePaid, StateDeclined, StateCanceled, StateFailed},
	StatePending:   {StatePending, StatePaid, StateDeclined, StateCanceled, StateFailed},
	StatePaid:      {StateRefunding, StateRefunded},
	StateFailed:    {StatePaid, StateDeclined},
	StateRefunding: {StateRefunding, StateRefunded, StatePaid},
}

// Move checks that an order may go from one state to another and returns
// an error matching [ErrState] when it may not. Final states (declined,
// canceled, refunded) go nowhere.
func Move(from, to State) error {
	for _, s := range moves[from] {
		if s == to {
			return nil
		}
	}
	return fmt.Errorf("%w: %s order cannot become %s", ErrState, from, to)
}

// Final reports whether no verb changes an order in state s any more.
func (s State) Final() bool { return len(moves[s]) == 0 }
