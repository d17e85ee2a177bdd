package paysera

import (
	"fmt"
	"net/http"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/callback"
	"github.com/paykit-go/paykit/internal/form"
	"github.com/paykit-go/paykit/signature"
)

// Accounts is one callback endpoint for several Paysera projects: the
// projectid inside a signed callback's data picks the project whose
// password and keys verify it, and that project's [Client] checks
// everything (signature, projectid, Paysera's id) before anything is
// trusted. An encrypted callback names its project only inside the
// ciphertext: each project tries to decrypt it with its passwords, and the
// one that can then checks the projectid it finds. A callback for a
// project not among them is [paykit.ErrWrongAccount], one whose ss1 or
// encryption is another project's password [paykit.ErrInvalidSignature]
// or [paykit.ErrWrongAccount]; all are answered 400, body not "OK". Its
// handler is one engine with one Store; each callback is keyed by the
// project that verified it ([Client.IdempotencyKey] names the project),
// so the same requestid under two projects is fulfilled twice, once per
// project.
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
// account (the project id in decimal).
func (a *Accounts) Client(account string) (*Client, bool) { return a.set.Get(account) }

// ParseCallback is [Client.ParseCallback] of the project the callback
// names.
func (a *Accounts) ParseCallback(r *http.Request) (*Callback, error) {
	input, again, err := callback.ReadInput(r, form.DefaultMaxBytes)
	if err != nil {
		return nil, err
	}
	account, err := peekProject(r, input, form.DefaultMaxBytes)
	if err != nil {
		return nil, err
	}
	return callback.Try(a.set, account, func(c *Client) (*Callback, error) { return c.ParseCallback(again()) })
}

// ParseBody is [Client.ParseBody] of the project the callback names.
func (a *Accounts) ParseBody(body []byte, header http.Header) (*Callback, error) {
	if len(body) > form.DefaultMaxBytes {
		return nil, fmt.Errorf("%w: over %d bytes", paykit.ErrBodyTooLarge, form.DefaultMaxBytes)
	}
	account, err := peekProject(nil, body, form.DefaultMaxBytes)
	if err != nil {
		return nil, err
	}
	return callback.Try(a.set, account, func(c *Client) (*Callback, error) { return c.ParseBody(body, header) })
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
// answers, hooks and options (SMSReply included), with the project picked
// per callback.
func (a *Accounts) HandlerWith(hooks paykit.Hooks, opts HandlerOptions) http.Handler {
	limit := opts.MaxBodyBytes
	if limit <= 0 {
		limit = form.DefaultMaxBytes
	}
	peek := func(r *http.Request, input []byte) (string, error) { return peekProject(r, input, limit) }
	return callback.Join(a.set, peek, projectOf, func(c *Client) (callback.Protocol, callback.Settings) {
		return c.engine(hooks, opts)
	})
}

// peekProject reads the projectid inside a raw, unverified callback's
// data, only to pick the client that verifies it: input is what
// [Client.ParseCallback] reads (r, when not nil, for a POST's query). A
// callback without ss1, ss2 or ss3 is encrypted and names its project
// only inside the ciphertext (""): every project tries it. Data that does
// not decode, or names no project, is refused as every client would
// refuse it, [paykit.ErrMalformed].
func peekProject(r *http.Request, input []byte, limit int64) (string, error) {
	var p callbackParams
	var err error
	if r != nil {
		p, err = requestParams(r, inputString(r, input), limit)
	} else {
		p, err = callbackQuery(string(input))
	}
	if err != nil {
		return "", err
	}
	if p.data == "" {
		return "", fmt.Errorf("%w: \"data\" parameter not found", paykit.ErrMalformed)
	}
	if !p.hasSS1 && !p.hasSS2 && !p.hasSS3 {
		return "", nil
	}
	q, err := decodeBase64Bytes(p.bytes(p.data))
	if err != nil {
		return "", fmt.Errorf("%w: data: %w", paykit.ErrMalformed, err)
	}
	var arr [stackFields]signature.Pair
	pairs, err := form.ParseSorted(arr[:0], string(q))
	if err != nil {
		return "", err
	}
	if id := fieldList(pairs).Get("projectid"); id != "" {
		return id, nil
	}
	return "", fmt.Errorf("%w: project id not provided in callback", paykit.ErrMalformed)
}

// projectOf is the account of a verified callback: its projectid.
func projectOf(n paykit.Notification) string {
	if cb, ok := n.(*Callback); ok && cb != nil {
		return cb.ProjectID
	}
	return ""
}
