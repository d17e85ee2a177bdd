package playvision

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/callback"
	"github.com/paykit-go/paykit/internal/form"
	"github.com/paykit-go/paykit/signature"
)

// Accounts is one callback endpoint for several Playvision apps: the
// app_id a notification carries picks the app whose secrets verify it,
// and that app's [Client] checks everything (signature, app_id, fields)
// before anything is trusted. Playvision does not document app_id in
// order_status_change, so a notification without one is tried by every
// app in turn: the app whose secret verifies it is the one it is for
// (which is why [NewAccounts] refuses two apps sharing a secret). A
// notification naming an app not among them is [paykit.ErrWrongAccount],
// one signed with another app's secret [paykit.ErrInvalidSignature]; both
// are answered {"status":"-1",…}. Its handler is one engine with one
// Store; each notification is keyed by the app that verified it, so the
// same transaction_id under two apps is fulfilled twice, once per app.
type Accounts struct {
	set *callback.Set[*Client]
}

// NewAccounts returns the endpoint of clients. No client, a nil client,
// two clients of the same app, or two apps sharing a secret (current or
// previous) is a *[paykit.FieldError] matching [paykit.ErrInvalidRequest].
func NewAccounts(clients ...*Client) (*Accounts, error) {
	set, err := callback.Clients(clients)
	if err != nil {
		return nil, err
	}
	owner := map[string]*Client{}
	for _, c := range clients {
		for _, s := range c.secrets {
			if o, ok := owner[s]; ok && o != c {
				return nil, &paykit.FieldError{Field: "clients", Reason: fmt.Sprintf(
					"apps %s and %s share a secret: a notification without app_id could be either's", o.account, c.account)}
			}
			owner[s] = c
		}
	}
	return &Accounts{set: set}, nil
}

// Client returns the client of the app whose [Client.Account] is account.
func (a *Accounts) Client(account string) (*Client, bool) { return a.set.Get(account) }

// ParseCallback is [Client.ParseCallback] of the app the notification
// names in app_id, or of the app whose secret verifies it when it names
// none.
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
	if c, ok := a.set.Get(a.appOf(n)); ok {
		return c.IdempotencyKey(n)
	}
	return ""
}

// Handler is [Accounts.HandlerWith] with zero options.
func (a *Accounts) Handler(hooks paykit.Hooks) http.Handler {
	return a.HandlerWith(hooks, HandlerOptions{})
}

// HandlerWith returns the handler of every app: [Client.HandlerWith]'s
// answers, hooks and options, with the app picked per notification.
func (a *Accounts) HandlerWith(hooks paykit.Hooks, opts HandlerOptions) http.Handler {
	return callback.Join(a.set, peekApp, a.appOf, func(c *Client) (callback.Protocol, callback.Settings) {
		return c.engine(hooks, opts)
	})
}

// peekApp reads app_id from a raw, unverified form body, in the form of
// [Client.Account], only to pick the client that verifies it. An
// unreadable form is refused as every client would refuse it; a missing
// or non-numeric app_id names no app ("": every app tries it).
func peekApp(_ *http.Request, input []byte) (string, error) {
	var arr [stackPairs]signature.Pair
	pairs, err := form.ParseSorted(arr[:0], string(input))
	if err != nil {
		return "", err
	}
	if id, err := strconv.ParseInt(pairValue(pairs, "app_id"), 10, 64); err == nil {
		return strconv.FormatInt(id, 10), nil
	}
	return "", nil
}

// appOf is the account of a verified notification: its app_id, or,
// without one, the app whose secrets verify its signature (at most one:
// NewAccounts refuses shared secrets).
func (a *Accounts) appOf(n paykit.Notification) string {
	var app int64
	var params url.Values
	var sig string
	switch n := n.(type) {
	case *GetItem:
		if n != nil {
			app, params, sig = n.AppID, n.Params, n.Sig
		}
	case *OrderStatusChange:
		if n != nil {
			app, params, sig = n.AppID, n.Params, n.Sig
		}
	}
	if app != 0 {
		return strconv.FormatInt(app, 10)
	}
	if sig == "" {
		return ""
	}
	for i := range a.set.Len() {
		c := a.set.Member(i)
		if signature.VerifySortedMD5(params, "sig", sig, c.secrets) == nil {
			return c.account
		}
	}
	return ""
}
