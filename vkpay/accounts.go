package vkpay

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/callback"
	"github.com/paykit-go/paykit/internal/form"
	"github.com/paykit-go/paykit/signature"
)

// Accounts is one callback endpoint for several VK apps: the app_id a
// notification carries picks the app whose secrets verify it, and that
// app's [Client] checks everything (signature, app_id, fields) before
// anything is trusted. A notification for an app not among them is
// [paykit.ErrWrongAccount] (error 11), one signed with another app's
// secret [paykit.ErrInvalidSignature] (error 10). Its handler is one
// engine with one Store; each notification is keyed by the app that
// verified it ([Client.IdempotencyKey] names the app), so the same
// order_id under two apps is fulfilled twice, once per app.
type Accounts struct {
	set *callback.Set[*Client]
}

// NewAccounts returns the endpoint of clients. No client, a nil client or
// two clients of the same app is a *[paykit.FieldError] matching
// [paykit.ErrInvalidRequest].
func NewAccounts(clients ...*Client) (*Accounts, error) {
	set, err := callback.Clients(clients)
	if err != nil {
		return nil, err
	}
	return &Accounts{set: set}, nil
}

// Client returns the client of the app whose [Client.Account] is account.
func (a *Accounts) Client(account string) (*Client, bool) { return a.set.Get(account) }

// ParseCallback is [Client.ParseCallback] of the app the notification
// names in app_id. A notification without a readable app_id is tried by
// every app in turn (none accepts it: VK always sends app_id).
func (a *Accounts) ParseCallback(r *http.Request) (paykit.Notification, error) {
	input, again, err := callback.ReadInput(r, form.DefaultMaxBytes)
	if err != nil {
		return nil, err
	}
	return a.parse(input, func(c *Client) (paykit.Notification, error) { return c.ParseCallback(again()) })
}

// ParseBody is [Client.ParseBody] of the app the notification names.
func (a *Accounts) ParseBody(body []byte, header http.Header) (paykit.Notification, error) {
	if len(body) > form.DefaultMaxBytes {
		return nil, fmt.Errorf("%w: over %d bytes", paykit.ErrBodyTooLarge, form.DefaultMaxBytes)
	}
	return a.parse(body, func(c *Client) (paykit.Notification, error) { return c.ParseBody(body, header) })
}

func (a *Accounts) parse(input []byte, parse func(*Client) (paykit.Notification, error)) (paykit.Notification, error) {
	account, err := peekApp(nil, input)
	if err != nil {
		return nil, err
	}
	return callback.Try(a.set, account, parse)
}

// IdempotencyKey is [Client.IdempotencyKey] of the app n belongs to; ""
// for a notification of no app here.
func (a *Accounts) IdempotencyKey(n paykit.Notification) string {
	if c, ok := a.set.Get(appOf(n)); ok {
		return c.IdempotencyKey(n)
	}
	return ""
}

// Handler is [Accounts.HandlerWith] with zero options.
func (a *Accounts) Handler(hooks paykit.Hooks) http.Handler {
	return a.HandlerWith(hooks, HandlerOptions{})
}

// HandlerWith returns the handler of every app: [Client.HandlerWith]'s
// answers, hooks and options, with the app picked per notification. Refusals
// before an app verified the notification are answered like any VK
// refusal (error 10 or 11).
func (a *Accounts) HandlerWith(hooks paykit.Hooks, opts HandlerOptions) http.Handler {
	return callback.Join(a.set, peekApp, appOf, func(c *Client) (callback.Protocol, callback.Settings) {
		return c.engine(hooks, opts)
	})
}

// peekApp reads app_id from a raw, unverified form body, in the form of
// [Client.Account] (decimal, no leading zeros), only to pick the client
// that verifies it. An unreadable form is refused as every client would
// refuse it; a missing or non-numeric app_id names no app ("").
func peekApp(_ *http.Request, input []byte) (string, error) {
	var arr [maxStackPairs]signature.Pair
	pairs, err := form.ParseSorted(arr[:0], string(input))
	if err != nil {
		return "", err
	}
	for _, p := range pairs {
		if p.Key == "app_id" {
			if id, err := strconv.ParseInt(p.Value, 10, 64); err == nil {
				return strconv.FormatInt(id, 10), nil
			}
		}
	}
	return "", nil
}

// appOf is the account of a verified notification: its app_id.
func appOf(n paykit.Notification) string {
	var c *Common
	switch n := n.(type) {
	case *GetItem:
		if n != nil {
			c = &n.Common
		}
	case *OrderStatusChange:
		if n != nil {
			c = &n.Common
		}
	case *GetSubscription:
		if n != nil {
			c = &n.Common
		}
	case *SubscriptionStatusChange:
		if n != nil {
			c = &n.Common
		}
	}
	if c == nil {
		return ""
	}
	return strconv.FormatInt(c.AppID, 10)
}
