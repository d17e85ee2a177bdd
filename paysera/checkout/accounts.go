package checkout

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/callback"
	"github.com/paykit-go/paykit/internal/form"
)

// Accounts is one webhook endpoint for several Paysera Checkout projects.
// Paysera's current webhooks do not name their project: the order
// snapshot and the thin payment and refund events carry no project id,
// so each project's [Client] in turn verifies the HMAC with its own
// secrets, and the one that verifies the webhook serves it (which is why
// [NewAccounts] refuses two projects sharing a secret). A webhook that
// does name its project — the checkout-v3 generation's order.projectId,
// or an order's project_id — is verified by that project's client only:
// a project not among them is [paykit.ErrWrongAccount], one signed with
// another project's secret [paykit.ErrInvalidSignature]; a webhook no
// project verifies is [paykit.ErrInvalidSignature]. Every refusal is
// answered 400, as by a single project's handler.
//
// Its handler is one engine with one Store; each webhook is keyed by the
// project that verified it ([Client.IdempotencyKey] names the project),
// so the same order id under two projects is fulfilled twice, once per
// project, and each event's Account field says whose it is.
type Accounts struct {
	set *callback.Set[*Client]
}

// NewAccounts returns the endpoint of clients. Each client must have
// Config.ProjectID (the project a webhook names is matched against it,
// ignoring case). No client, a nil client, a client without a ProjectID,
// two clients of the same project (ignoring case) or two projects sharing
// a secret (current or previous: a webhook naming no project could be
// either's) is a *[paykit.FieldError] matching [paykit.ErrInvalidRequest].
func NewAccounts(clients ...*Client) (*Accounts, error) {
	set, err := callback.Clients(clients)
	if err != nil {
		return nil, err
	}
	projects := map[string]string{}
	owner := map[string]*Client{}
	for i, c := range clients {
		if c.cfg.ProjectID == "" {
			return nil, &paykit.FieldError{Field: "clients", Reason: fmt.Sprintf(
				"client %d has no Config.ProjectID: a webhook naming its project could not be matched", i)}
		}
		p := strings.ToLower(c.cfg.ProjectID)
		if first, dup := projects[p]; dup {
			return nil, &paykit.FieldError{Field: "clients", Reason: fmt.Sprintf(
				"projects %s and %s are the same project", form.Clip(first), form.Clip(c.cfg.ProjectID))}
		}
		projects[p] = c.cfg.ProjectID
		for _, s := range c.secrets {
			if o, ok := owner[s]; ok && o != c {
				return nil, &paykit.FieldError{Field: "clients", Reason: fmt.Sprintf(
					"projects %s and %s share a secret: a webhook naming no project could be either's",
					form.Clip(o.Account()), form.Clip(c.Account()))}
			}
			owner[s] = c
		}
	}
	return &Accounts{set: set}, nil
}

// Client returns the client of the project whose [Client.Account]
// (Config.ProjectID) is account, ignoring case.
func (a *Accounts) Client(account string) (*Client, bool) {
	if c, ok := a.set.Get(account); ok {
		return c, true
	}
	for i := range a.set.Len() {
		if c := a.set.Member(i); strings.EqualFold(c.Account(), account) {
			return c, true
		}
	}
	return nil, false
}

// ParseCallback reads a webhook's body (POST only, at most 64 KiB) and
// verifies and decodes it with [Accounts.ParseBody].
func (a *Accounts) ParseCallback(r *http.Request) (paykit.Notification, error) {
	body, err := readWebhook(r)
	if err != nil {
		return nil, err
	}
	return a.ParseBody(body, r.Header)
}

// ParseBody is [Client.ParseBody] of the project the webhook names, or of
// the project whose secret verifies it when it names none.
func (a *Accounts) ParseBody(body []byte, header http.Header) (paykit.Notification, error) {
	if len(body) > form.DefaultMaxBytes {
		return nil, fmt.Errorf("%w: over %d bytes", paykit.ErrBodyTooLarge, form.DefaultMaxBytes)
	}
	account, err := a.peek(nil, body)
	if err != nil {
		return nil, err
	}
	return callback.Try(a.set, account, func(c *Client) (paykit.Notification, error) { return c.ParseBody(body, header) })
}

// IdempotencyKey is [Client.IdempotencyKey] of the project n belongs to
// (its Account field); "" for a notification of no project here.
func (a *Accounts) IdempotencyKey(n paykit.Notification) string {
	if c, ok := a.set.Get(accountOf(n)); ok {
		return c.IdempotencyKey(n)
	}
	return ""
}

// Handler is [Accounts.HandlerWith] with zero options.
func (a *Accounts) Handler(hooks paykit.Hooks) http.Handler {
	return a.HandlerWith(hooks, HandlerOptions{})
}

// HandlerWith returns the handler of every project: [Client.HandlerWith]'s
// answers, hooks and options, with the project picked per webhook (see
// [Accounts]). Each delivery record names the project that verified it.
func (a *Accounts) HandlerWith(hooks paykit.Hooks, opts HandlerOptions) http.Handler {
	return callback.Join(a.set, a.peek, accountOf, func(c *Client) (callback.Protocol, callback.Settings) {
		return c.engine(hooks, opts)
	})
}

// peek reads the project a raw, unverified webhook names — order.project_id,
// else order.projectId, as [Order] reads them — only to pick the client
// that verifies it, and returns it in the form of that client's
// [Client.Account]. A body that is not such a JSON object, or names no
// project, names none (""): every project tries it, and refuses it as it
// would alone. A named project that is not among them is returned as
// named, which [callback.Try] refuses as paykit.ErrWrongAccount.
func (a *Accounts) peek(_ *http.Request, input []byte) (string, error) {
	var w struct {
		Order struct {
			ProjectID   json.RawMessage `json:"project_id"`
			ProjectIDv3 json.RawMessage `json:"projectId"`
		} `json:"order"`
	}
	if json.Unmarshal(input, &w) != nil {
		return "", nil
	}
	project := first(jsonString(w.Order.ProjectID), jsonString(w.Order.ProjectIDv3))
	if project == "" {
		return "", nil
	}
	if c, ok := a.Client(project); ok {
		return c.Account(), nil
	}
	return project, nil
}

// jsonString is raw's value when it is a JSON string, else "" (a number
// or an object names no project [Order] would read either).
func jsonString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// accountOf is the account of a verified notification: the Account of
// the client that verified it.
func accountOf(n paykit.Notification) string {
	switch n := n.(type) {
	case *OrderEvent:
		if n != nil {
			return n.Account
		}
	case *PaymentEvent:
		if n != nil {
			return n.Account
		}
	case *RefundEvent:
		if n != nil {
			return n.Account
		}
	case *LinkEvent:
		if n != nil {
			return n.Account
		}
	case *UnknownEvent:
		if n != nil {
			return n.Account
		}
	}
	return ""
}
