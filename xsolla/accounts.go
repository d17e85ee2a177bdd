package xsolla

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/callback"
	"github.com/paykit-go/paykit/internal/form"
)

// Accounts is one webhook endpoint for several Xsolla projects: the
// settings.project_id a webhook carries picks the project whose webhook
// secrets verify it, and that project's [Client] checks everything (IP
// allowlist, signature, project and merchant, fields) before anything is
// trusted. A webhook for a project not among them, or naming no project
// (a single [Client] accepts one; here it could be any project's), is
// [paykit.ErrWrongAccount], one signed with another project's secret
// [paykit.ErrInvalidSignature]; both are answered 400 like any refusal.
// Its handler is one engine with one Store; each webhook is keyed by the
// project that verified it ([Client.IdempotencyKey] names the project),
// so the same transaction id under two projects is fulfilled twice, once
// per project.
type Accounts struct {
	set *callback.Set[*Client]
}

// NewAccounts returns the endpoint of clients. No client, a nil client or
// two clients of the same project is a *[paykit.FieldError] matching
// [paykit.ErrInvalidRequest].
func NewAccounts(clients ...*Client) (*Accounts, error) {
	set, err := callback.Clients(clients)
	if err != nil {
		return nil, err
	}
	return &Accounts{set: set}, nil
}

// Client returns the client of the project whose [Client.Account] is
// account.
func (a *Accounts) Client(account string) (*Client, bool) { return a.set.Get(account) }

// ParseCallback is [Client.ParseCallback] of the project the webhook
// names.
func (a *Accounts) ParseCallback(r *http.Request) (paykit.Notification, error) {
	body, again, err := callback.ReadBody(r, form.DefaultMaxBytes)
	if err != nil {
		return nil, err
	}
	return a.parse(body, func(c *Client) (paykit.Notification, error) { return c.ParseCallback(again()) })
}

// ParseBody is [Client.ParseBody] of the project the webhook names.
func (a *Accounts) ParseBody(body []byte, header http.Header) (paykit.Notification, error) {
	return a.parse(body, func(c *Client) (paykit.Notification, error) { return c.ParseBody(body, header) })
}

func (a *Accounts) parse(body []byte, parse func(*Client) (paykit.Notification, error)) (paykit.Notification, error) {
	account, err := peekProject(nil, body)
	if err != nil {
		return nil, err
	}
	return callback.Try(a.set, account, parse)
}

// IdempotencyKey is [Client.IdempotencyKey] of the project n belongs to;
// "" for a notification of no project here.
func (a *Accounts) IdempotencyKey(n paykit.Notification) string {
	if c, ok := a.set.Get(projectOf(n)); ok {
		return c.IdempotencyKey(n)
	}
	return ""
}

// Handler is [Accounts.HandlerWith] with zero options.
func (a *Accounts) Handler(hooks paykit.Hooks) http.Handler {
	return a.HandlerWith(hooks, HandlerOptions{})
}

// HandlerWith returns the handler of every project: [Client.HandlerWith]'s
// answers, hooks and options, with the project picked per webhook.
func (a *Accounts) HandlerWith(hooks paykit.Hooks, opts HandlerOptions) http.Handler {
	return callback.Join(a.set, peekProject, projectOf, func(c *Client) (callback.Protocol, callback.Settings) {
		return c.engine(hooks, opts)
	})
}

// peekProject reads settings.project_id from a raw, unverified body, in
// the form of [Client.Account] (a number written 18404.0 is 18404), only
// to pick the client that verifies it. A body that is not JSON is
// [paykit.ErrMalformed]; one that names no project is
// [paykit.ErrWrongAccount], as no project could be told from another.
func peekProject(_ *http.Request, body []byte) (string, error) {
	var e struct {
		Settings struct {
			ProjectID ID `json:"project_id"`
		} `json:"settings"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		return "", fmt.Errorf("%w: body is not a JSON object with settings", paykit.ErrMalformed)
	}
	if e.Settings.ProjectID == "" {
		return "", fmt.Errorf("%w: webhook names no project (settings.project_id)", paykit.ErrWrongAccount)
	}
	return canonical(e.Settings.ProjectID), nil
}

// projectOf is the account of a verified notification: its project.
func projectOf(n paykit.Notification) string {
	m, ok := n.(interface{ message() *Message })
	if !ok {
		return ""
	}
	if v := reflect.ValueOf(n); v.Kind() == reflect.Pointer && v.IsNil() {
		return ""
	}
	if id := m.message().Settings.ProjectID; id != "" {
		return canonical(id)
	}
	return ""
}
