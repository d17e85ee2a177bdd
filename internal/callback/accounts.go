package callback

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/form"
)

// One endpoint for several accounts of a provider (VK apps, Xsolla
// projects, Paysera projects, Playvision apps, VK Pay merchants): each
// provider package's Accounts is a [Set] of its clients, and its handler
// is one engine running [Route] over the clients' protocols, with one
// Store. A provider contributes two functions: a [Peek] that reads the
// account a delivery names from its raw, unverified input — only to pick
// whose secrets verify it — and the account of a notification its client
// verified (for the idempotency key, the replies and the delivery
// record).

// Peek reads the account a delivery names (in the form of the clients'
// Account()) from its raw input, before anything is verified: r is the
// request (nil when the input was handed over as bytes) and input what
// the engine read. It returns "" with a nil error when the delivery names
// no account that can be read before verification (an encrypted Paysera
// callback, a Playvision notification without app_id): every account then
// tries it in turn. An error refuses the delivery as it is; it must match
// a root sentinel. A peek never trusts what it reads: the client it picks
// verifies the delivery with its own secrets and checks its own account.
type Peek func(r *http.Request, input []byte) (string, error)

// Set is the members of one endpoint (a provider's clients, or their
// protocols) by account, in the order given.
type Set[M any] struct {
	ids     []string
	members []M
	byID    map[string]M
}

// NewSet returns the set of members, members[i] serving account ids[i].
// No member, an empty account or an account given twice is a
// *[paykit.FieldError] naming field.
func NewSet[M any](field string, ids []string, members []M) (*Set[M], error) {
	if len(members) == 0 || len(ids) != len(members) {
		return nil, &paykit.FieldError{Field: field, Reason: "must name at least one account"}
	}
	s := &Set[M]{ids: ids, members: members, byID: make(map[string]M, len(ids))}
	for i, id := range ids {
		if id == "" {
			return nil, &paykit.FieldError{Field: field, Reason: fmt.Sprintf("entry %d has no account", i)}
		}
		if _, dup := s.byID[id]; dup {
			return nil, &paykit.FieldError{Field: field, Reason: fmt.Sprintf("account %s is given twice", form.Clip(id))}
		}
		s.byID[id] = members[i]
	}
	return s, nil
}

// Get returns the member serving account.
func (s *Set[M]) Get(account string) (M, bool) {
	m, ok := s.byID[account]
	return m, ok
}

// Len is the number of accounts.
func (s *Set[M]) Len() int { return len(s.members) }

// Member returns the i-th member, in the order given to [NewSet].
func (s *Set[M]) Member(i int) M { return s.members[i] }

// Try runs parse with the member of the account a delivery names. An
// account the set does not hold is [paykit.ErrWrongAccount]. With account
// "" (the delivery names none that can be read before verification) each
// member tries in turn and the first that verifies the delivery serves
// it; when none does, the error is the first that is not about the
// signature (a member verified it but refused it for another reason, e.g.
// its account check), else the first.
func Try[M, N any](s *Set[M], account string, parse func(M) (N, error)) (N, error) {
	if account != "" {
		m, ok := s.byID[account]
		if !ok {
			var zero N
			return zero, fmt.Errorf("%w: account %s is not served here", paykit.ErrWrongAccount, form.Clip(account))
		}
		return parse(m)
	}
	var first, telling error
	for _, m := range s.members {
		n, err := parse(m)
		if err == nil {
			return n, nil
		}
		if first == nil {
			first = err
		}
		if telling == nil && !errors.Is(err, paykit.ErrInvalidSignature) && !errors.Is(err, paykit.ErrMissingSignature) {
			telling = err
		}
	}
	var zero N
	if telling != nil {
		return zero, telling
	}
	return zero, first
}

// Route returns the [Protocol] of one endpoint serving every account of s
// (each member is that account's protocol): peek picks the account, whose
// protocol parses and verifies the delivery (see [Try]); accountOf names
// the account of a notification a member verified, and that member's
// protocol keys, answers and replies to it. A delivery refused before an
// account verified it is answered by the first account's protocol. Route
// implements [AccountOf], so each delivery record names its account. A
// refusal is answered by the protocol that refused it — the named
// account's, or in a try the one whose error was kept — and by the first
// account's when no account was tried (an unknown account, a peek error).
func Route(s *Set[Protocol], peek Peek, accountOf func(paykit.Notification) string) Protocol {
	return &router{set: s, peek: peek, accountOf: accountOf}
}

type router struct {
	set       *Set[Protocol]
	peek      Peek
	accountOf func(paykit.Notification) string
}

func (rt *router) Parse(r *http.Request, input []byte) (paykit.Notification, error) {
	account, err := rt.peek(r, input)
	if err != nil {
		return nil, err
	}
	return Try(rt.set, account, func(p Protocol) (paykit.Notification, error) {
		n, err := p.Parse(r, input)
		if err != nil {
			return nil, &refusal{err: err, by: p}
		}
		return n, nil
	})
}

// refusal is the error of a protocol that refused a delivery, so that its
// Failure answers it (a reply may be signed with that account's key).
type refusal struct {
	err error
	by  Protocol
}

func (e *refusal) Error() string { return e.err.Error() }
func (e *refusal) Unwrap() error { return e.err }

// of returns the protocol of the account that verified n; ok is false
// only for a notification that did not come from Parse.
func (rt *router) of(n paykit.Notification) (Protocol, bool) {
	return rt.set.Get(rt.accountOf(n))
}

func (rt *router) AccountOf(n paykit.Notification) string { return rt.accountOf(n) }

func (rt *router) Key(n paykit.Notification) string {
	if p, ok := rt.of(n); ok {
		return p.Key(n)
	}
	return ""
}

func (rt *router) Answer(ctx context.Context, n paykit.Notification) ([]byte, error) {
	if p, ok := rt.of(n); ok {
		return p.Answer(ctx, n)
	}
	return nil, fmt.Errorf("%w: notification of no account served here", paykit.ErrWrongAccount)
}

func (rt *router) Success(n paykit.Notification, body []byte) Reply {
	if p, ok := rt.of(n); ok {
		return p.Success(n, body)
	}
	return rt.set.members[0].Success(n, body)
}

func (rt *router) Failure(c Class, n paykit.Notification, err error) Reply {
	if n != nil {
		if p, ok := rt.of(n); ok {
			return p.Failure(c, n, err)
		}
	}
	var re *refusal
	if errors.As(err, &re) {
		return re.by.Failure(c, nil, err)
	}
	return rt.set.members[0].Failure(c, nil, err)
}

// Join returns one engine for every client of s: each client's protocol
// and settings come from engine (the function behind the client's own
// HandlerWith), the settings are the first client's with no fixed
// account, and one Store serves all accounts (keys name the account).
func Join[C any](s *Set[C], peek Peek, accountOf func(paykit.Notification) string, engine func(C) (Protocol, Settings)) *Handler {
	protocols := make([]Protocol, len(s.members))
	var settings Settings
	for i, c := range s.members {
		p, st := engine(c)
		if i == 0 {
			settings = st
		}
		protocols[i] = p
	}
	ps := &Set[Protocol]{ids: s.ids, members: protocols, byID: make(map[string]Protocol, len(protocols))}
	for i, id := range s.ids {
		ps.byID[id] = protocols[i]
	}
	settings.Account = ""
	return New(Route(ps, peek, accountOf), settings)
}

// ReadInput reads r's input like [form.ReadInput] and returns it with
// again, which gives at each call a request reading the same input, so
// that the client a delivery names (or each client in turn) parses the
// very delivery read: r itself for GET and HEAD, whose input is the
// query, else a copy of r whose body reads input again.
func ReadInput(r *http.Request, limit int64) (input []byte, again func() *http.Request, err error) {
	input, err = form.ReadInput(r, limit)
	if err != nil {
		return nil, nil, err
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return input, func() *http.Request { return r }, nil
	}
	return input, Rewind(r, input), nil
}

// ReadBody is [ReadInput] for a provider that reads the body whatever the
// method: it reads it with [form.ReadBody].
func ReadBody(r *http.Request, limit int64) (body []byte, again func() *http.Request, err error) {
	body, err = form.ReadBody(r, limit)
	if err != nil {
		return nil, nil, err
	}
	return body, Rewind(r, body), nil
}

// Rewind returns a function giving at each call a shallow copy of r whose
// body reads body from its start.
func Rewind(r *http.Request, body []byte) func() *http.Request {
	return func() *http.Request {
		c := r.WithContext(r.Context())
		c.Body = io.NopCloser(bytes.NewReader(body))
		c.ContentLength = int64(len(body))
		return c
	}
}

// Clients returns the set of a provider's clients by their Account(), for
// its Accounts type. No client, a nil client or two clients with the same
// account is a *[paykit.FieldError] on "clients".
func Clients[T any, C interface {
	*T
	Account() string
}](clients []C) (*Set[C], error) {
	ids := make([]string, len(clients))
	for i, c := range clients {
		if c == nil {
			return nil, &paykit.FieldError{Field: "clients", Reason: fmt.Sprintf("client %d is nil", i)}
		}
		ids[i] = c.Account()
	}
	return NewSet("clients", ids, clients)
}
