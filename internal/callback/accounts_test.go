package callback_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/callback"
)

// tenantNote is a notification of the tenant protocol.
type tenantNote struct{ account, id string }

func (n *tenantNote) Summary() paykit.Summary {
	return paykit.Summary{Provider: "fake", Kind: paykit.KindPayment, Status: paykit.StatusPaid, ID: n.id}
}

// tenant is one account's protocol: a body "acct=<account>&sec=<secret>&id=<id>"
// verifies when sec is its secret (acct may be left out, as some
// providers do), then acct, when sent, must be its account.
type tenant struct {
	account, secret string
	answers         atomic.Int64
}

func (p *tenant) Parse(_ *http.Request, input []byte) (paykit.Notification, error) {
	v, err := url.ParseQuery(string(input))
	if err != nil || v.Get("id") == "" {
		return nil, fmt.Errorf("%w: bad body", paykit.ErrMalformed)
	}
	if v.Get("sec") != p.secret {
		return nil, fmt.Errorf("%w: secret of another account", paykit.ErrInvalidSignature)
	}
	if a := v.Get("acct"); a != "" && a != p.account {
		return nil, fmt.Errorf("%w: %s", paykit.ErrWrongAccount, a)
	}
	return &tenantNote{account: p.account, id: v.Get("id")}, nil
}

func (p *tenant) Key(n paykit.Notification) string {
	return p.account + ":" + n.(*tenantNote).id
}

func (p *tenant) Answer(_ context.Context, n paykit.Notification) ([]byte, error) {
	p.answers.Add(1)
	if id := n.(*tenantNote).id; id != "fail" {
		return []byte("ok " + id), nil
	}
	return nil, errors.New("hook failed")
}

func (p *tenant) Success(_ paykit.Notification, body []byte) callback.Reply {
	return callback.Reply{Status: http.StatusOK, Body: append([]byte(p.account+" "), body...)}
}

func (p *tenant) Failure(c callback.Class, n paykit.Notification, _ error) callback.Reply {
	return callback.Reply{Status: 400 + int(c), Body: []byte(fmt.Sprintf("%s: class %d, verified %t", p.account, c, n != nil))}
}

// peekAcct reads acct from the raw body without verifying anything.
func peekAcct(_ *http.Request, input []byte) (string, error) {
	v, err := url.ParseQuery(string(input))
	if err != nil {
		return "", fmt.Errorf("%w: unreadable", paykit.ErrMalformed)
	}
	return v.Get("acct"), nil
}

func tenantAccount(n paykit.Notification) string {
	if t, ok := n.(*tenantNote); ok {
		return t.account
	}
	return ""
}

func twoTenants(t *testing.T) (*callback.Handler, *tenant, *tenant, *paykit.MemoryJournal) {
	t.Helper()
	a, b := &tenant{account: "A", secret: "sa"}, &tenant{account: "B", secret: "sb"}
	set, err := callback.NewSet("clients", []string{"A", "B"}, []*tenant{a, b})
	require.NoError(t, err)
	journal := paykit.NewMemoryJournal(paykit.MemoryJournalOptions{})
	// The engine's settings are the first account's: B's method would
	// show if they were not.
	methods := map[string][]string{"A": {http.MethodPost}, "B": {http.MethodPut}}
	h := callback.Join(set, peekAcct, tenantAccount, func(p *tenant) (callback.Protocol, callback.Settings) {
		return p, callback.Settings{Methods: methods[p.account], Account: p.account, Observer: journal}
	})
	return h, a, b, journal
}

func TestOneEngineServesEveryAccountWithItsOwnSecrets(t *testing.T) {
	h, a, b, _ := twoTenants(t)
	cases := []struct {
		name, body string
		status     int
		reply      string
	}{
		{"account A with A's secret", "acct=A&sec=sa&id=1", 200, "A ok 1"},
		{"account B with B's secret", "acct=B&sec=sb&id=1", 200, "B ok 1"},
		{"a repeat of B's is B's reply", "acct=B&sec=sb&id=1", 200, "B ok 1"},
		{"B named, signed with A's secret", "acct=B&sec=sa&id=2", 400 + int(callback.InvalidSignature), "B: class 3, verified false"},
		{"A named, signed with B's secret", "acct=A&sec=sb&id=2", 400 + int(callback.InvalidSignature), "A: class 3, verified false"},
		{"unknown account, answered by the first", "acct=C&sec=sc&id=3", 400 + int(callback.WrongAccount), "A: class 4, verified false"},
		{"unknown account with a valid secret", "acct=C&sec=sa&id=3", 400 + int(callback.WrongAccount), "A: class 4, verified false"},
		{"no account named: B's secret decides", "sec=sb&id=4", 200, "B ok 4"},
		{"no account named, no secret fits", "sec=x&id=5", 400 + int(callback.InvalidSignature), "A: class 3, verified false"},
		{"unreadable: the peek refuses", "acct=%zz", 400 + int(callback.Malformed), "A: class 6, verified false"},
		{"B's hook fails: B answers", "acct=B&sec=sb&id=fail", 400 + int(callback.Failed), "B: class 9, verified true"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := post(h, tc.body)
			assert.Equal(t, tc.status, w.Code)
			assert.Equal(t, tc.reply, w.Body.String())
		})
	}
	assert.Equal(t, int64(1), a.answers.Load())
	assert.Equal(t, int64(3), b.answers.Load())
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPut, "/", strings.NewReader("acct=B&sec=sb&id=1")))
	assert.Equal(t, http.StatusMethodNotAllowed, w.Code, "the first account's methods")
}

func TestKeysStayPerAccountInTheOneStore(t *testing.T) {
	h, a, b, _ := twoTenants(t)
	for range 2 {
		assert.Equal(t, "A ok 7", post(h, "acct=A&sec=sa&id=7").Body.String())
		assert.Equal(t, "B ok 7", post(h, "acct=B&sec=sb&id=7").Body.String())
	}
	assert.Equal(t, int64(1), a.answers.Load(), "A fulfils its id 7 once")
	assert.Equal(t, int64(1), b.answers.Load(), "B fulfils its id 7 once too")
}

func TestEachDeliveryRecordNamesTheAccountThatVerifiedIt(t *testing.T) {
	h, _, _, journal := twoTenants(t)
	post(h, "acct=B&sec=sb&id=1")
	post(h, "acct=C&sec=sc&id=1")
	page, err := journal.Deliveries(context.Background(), paykit.DeliveryQuery{})
	require.NoError(t, err)
	require.Len(t, page.Deliveries, 2)
	accounts := map[string]paykit.Verification{}
	for _, d := range page.Deliveries {
		accounts[d.Account] = d.Verification
	}
	assert.Equal(t, map[string]paykit.Verification{"B": paykit.Verified, "": paykit.NotVerifiedWrongAccount}, accounts)
}

// member is a client of the Clients test.
type member struct{ account string }

func (m *member) Account() string { return m.account }

func TestClientsAreSetByTheirAccount(t *testing.T) {
	a, b := &member{"A"}, &member{"B"}
	set, err := callback.Clients([]*member{a, b})
	require.NoError(t, err)
	got, ok := set.Get("B")
	assert.True(t, ok)
	assert.Same(t, b, got)
	assert.Equal(t, 2, set.Len())
	assert.Same(t, a, set.Member(0))
	for name, clients := range map[string][]*member{
		"none":          nil,
		"a nil client":  {a, nil},
		"one twice":     {a, {"A"}},
		"empty account": {{""}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := callback.Clients(clients)
			var fe *paykit.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, "clients", fe.Field)
		})
	}
}

func TestTryPrefersTheErrorOfAnAccountThatVerified(t *testing.T) {
	set, err := callback.NewSet("clients", []string{"A", "B", "C"}, []string{"A", "B", "C"})
	require.NoError(t, err)
	errs := map[string]error{
		"A": paykit.ErrInvalidSignature,
		"B": fmt.Errorf("%w: names D", paykit.ErrWrongAccount),
		"C": paykit.ErrMissingSignature,
	}
	_, err = callback.Try(set, "", func(m string) (string, error) { return "", errs[m] })
	assert.ErrorIs(t, err, paykit.ErrWrongAccount)
	delete(errs, "B")
	errs["B"] = paykit.ErrMissingSignature
	_, err = callback.Try(set, "", func(m string) (string, error) { return "", errs[m] })
	assert.ErrorIs(t, err, paykit.ErrInvalidSignature, "the first error when none verified")
	errs = map[string]error{"A": paykit.ErrWrongAccount, "B": paykit.ErrMalformed, "C": paykit.ErrInvalidSignature}
	_, err = callback.Try(set, "", func(m string) (string, error) { return "", errs[m] })
	assert.ErrorIs(t, err, paykit.ErrWrongAccount, "the first telling error, not a later one")
	got, err := callback.Try(set, "B", func(m string) (string, error) { return "served by " + m, nil })
	require.NoError(t, err)
	assert.Equal(t, "served by B", got)
}

func TestNewSetRefusesAnEndpointItCannotRoute(t *testing.T) {
	cases := []struct {
		name string
		ids  []string
	}{
		{"no account", nil},
		{"an empty account", []string{"A", ""}},
		{"an account twice", []string{"A", "B", "A"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := callback.NewSet("clients", tc.ids, tc.ids)
			var fe *paykit.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, "clients", fe.Field)
			assert.ErrorIs(t, err, paykit.ErrInvalidRequest)
		})
	}
	_, err := callback.NewSet("clients", []string{"A"}, []string{"A", "B"})
	assert.Error(t, err, "ids and members of different lengths")
}

func TestReadInputGivesEveryTryTheSameInput(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/cb?x=1", strings.NewReader("id=1"))
	input, again, err := callback.ReadInput(r, 0)
	require.NoError(t, err)
	assert.Equal(t, "id=1", string(input))
	for range 2 {
		b, err := io.ReadAll(again().Body)
		require.NoError(t, err)
		assert.Equal(t, "id=1", string(b))
	}
	assert.Equal(t, "x=1", again().URL.RawQuery)

	get := httptest.NewRequest(http.MethodGet, "/cb?id=2", nil)
	input, again, err = callback.ReadInput(get, 0)
	require.NoError(t, err)
	assert.Equal(t, "id=2", string(input))
	assert.Same(t, get, again())

	body, again, err := callback.ReadBody(httptest.NewRequest(http.MethodGet, "/cb", strings.NewReader("{}")), 0)
	require.NoError(t, err)
	assert.Equal(t, "{}", string(body))
	b, err := io.ReadAll(again().Body)
	require.NoError(t, err)
	assert.Equal(t, "{}", string(b))

	_, _, err = callback.ReadInput(httptest.NewRequest(http.MethodPost, "/cb", strings.NewReader("12345")), 4)
	assert.True(t, errors.Is(err, paykit.ErrBodyTooLarge))
	_, _, err = callback.ReadBody(httptest.NewRequest(http.MethodPost, "/cb", strings.NewReader("12345")), 4)
	assert.True(t, errors.Is(err, paykit.ErrBodyTooLarge))
}
