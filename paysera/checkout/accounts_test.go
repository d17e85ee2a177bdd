package checkout

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/paysera/checkout/checkouttest"
)

// The two projects of one merchant behind one webhook URL.
const (
	projectA = "01990618-2c90-7103-9169-752bdaac7a52"
	projectB = "01990618-2c90-7103-9169-752bdaac7b99"
	secretA  = testSecret
	secretB  = "b-secret-9Kd2Lq7Vx1Zr5Tn8Wc3Hy6Jf"
	oldB     = "b-old-secret-rotated-away-4Gh7Pq"
)

func projectClient(tb testing.TB, project, secret string, previous ...string) *Client {
	tb.Helper()
	c, err := New(Config{ClientID: "client-" + project[len(project)-4:], ClientSecret: secret,
		PreviousSecrets: previous, ProjectID: project})
	require.NoError(tb, err)
	return c
}

// twoProjects is an endpoint for projects A and B; B is rotating its
// secret (oldB still accepted).
func twoProjects(tb testing.TB) *Accounts {
	tb.Helper()
	a, err := NewAccounts(projectClient(tb, projectA, secretA), projectClient(tb, projectB, secretB, oldB))
	require.NoError(tb, err)
	return a
}

// snapshot is a modern order snapshot (no project named) of a paid order.
func snapshot(orderID string) []byte {
	return checkouttest.OrderSnapshot{ID: orderID, Reference: "ORDER-" + orderID[len(orderID)-2:],
		Amount: 2500, AmountPaid: 2500, Currency: "EUR", Status: "paid"}.Body()
}

// v3Paid is a checkout-v3 order.paid naming its project.
func v3Paid(project, orderID string) []byte {
	return []byte(`{"event":{"name":"order.paid","type":"order","timestamp":1736433570},"order":{"id":"` + orderID +
		`","projectId":"` + project + `","status":"paid","amount":2500,"currency":"EUR","reference":"ORDER-1","amountPaid":2500}}`)
}

const orderX = "019ed03a-84f0-7ba0-874a-f7473738875b"

func TestAccounts_RouteOnTheProjectAWebhookNames(t *testing.T) {
	a := twoProjects(t)
	cases := []struct {
		name    string
		body    []byte
		secret  string
		account string
		err     error
	}{
		{"A named, signed with A's secret", v3Paid(projectA, orderX), secretA, projectA, nil},
		{"B named, signed with B's secret", v3Paid(projectB, orderX), secretB, projectB, nil},
		{"B named in upper case", v3Paid(strings.ToUpper(projectB), orderX), secretB, projectB, nil},
		{"B named, signed with B's previous secret", v3Paid(projectB, orderX), oldB, projectB, nil},
		{"B named, signed with A's secret", v3Paid(projectB, orderX), secretA, "", paykit.ErrInvalidSignature},
		{"A named, signed with B's secret", v3Paid(projectA, orderX), secretB, "", paykit.ErrInvalidSignature},
		{"project not served, signed with A's secret", v3Paid("01990618-0000-7000-8000-000000000000", orderX), secretA, "", paykit.ErrWrongAccount},
		{"project not served, its own secret", v3Paid("01990618-0000-7000-8000-000000000000", orderX), "x", "", paykit.ErrWrongAccount},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n, err := a.ParseBody(tc.body, signed(tc.secret, tc.body))
			if tc.err != nil {
				assert.ErrorIs(t, err, tc.err)
				assert.Nil(t, n)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.account, n.(*OrderEvent).Account)
		})
	}
}

func TestAccounts_EachProjectTriesAWebhookThatNamesNone(t *testing.T) {
	a := twoProjects(t)
	body := snapshot(orderX)
	good := hmacHex(secretB, body)
	thin := []byte(thinPayment)
	cases := []struct {
		name    string
		body    []byte
		header  http.Header
		account string
		err     error
	}{
		{"snapshot signed by A", body, signed(secretA, body), projectA, nil},
		{"snapshot signed by B", body, signed(secretB, body), projectB, nil},
		{"snapshot signed with B's previous secret", body, signed(oldB, body), projectB, nil},
		{"thin payment signed by B", thin, signed(secretB, thin), projectB, nil},
		{"signed by neither", body, signed("neither", body), "", paykit.ErrInvalidSignature},
		{"B's signature, first byte changed", body, withSig(body, string(otherHex(good[0]))+good[1:]), "", paykit.ErrInvalidSignature},
		{"B's signature, last byte changed", body, withSig(body, good[:63]+string(otherHex(good[63]))), "", paykit.ErrInvalidSignature},
		{"B's signature in upper case", body, withSig(body, strings.ToUpper(good)), "", paykit.ErrInvalidSignature},
		{"B's signature truncated", body, withSig(body, good[:62]), "", paykit.ErrInvalidSignature},
		{"B's signature extended", body, withSig(body, good+"00"), "", paykit.ErrInvalidSignature},
		{"no signature", body, http.Header{}, "", paykit.ErrMissingSignature},
		{"not JSON, signed by B", []byte("project_id=x"), signed(secretB, []byte("project_id=x")), "", paykit.ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n, err := a.ParseBody(tc.body, tc.header)
			if tc.err != nil {
				assert.ErrorIs(t, err, tc.err)
				assert.Nil(t, n)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.account, accountOf(n))
		})
	}
}

func withSig(body []byte, sig string) http.Header {
	h := signed("", body)
	h.Set(HeaderSignature, sig)
	return h
}

func TestAccounts_ParseCallbackReadsThePOSTBody(t *testing.T) {
	a := twoProjects(t)
	body := snapshot(orderX)
	r := checkouttest.Signer{Secret: secretB}.NewRequest("/wh", body)
	n, err := a.ParseCallback(r)
	require.NoError(t, err)
	assert.Equal(t, projectB, accountOf(n))

	get := httptest.NewRequest(http.MethodGet, "/wh", nil)
	_, err = a.ParseCallback(get)
	assert.ErrorIs(t, err, paykit.ErrMalformed)
	_, err = a.ParseBody(make([]byte, 64<<10+1), signed(secretA, nil))
	assert.ErrorIs(t, err, paykit.ErrBodyTooLarge)
}

func TestAccounts_KeysNameTheProject(t *testing.T) {
	a := twoProjects(t)
	body := snapshot(orderX)
	nA, err := a.ParseBody(body, signed(secretA, body))
	require.NoError(t, err)
	nB, err := a.ParseBody(body, signed(secretB, body))
	require.NoError(t, err)
	cA, _ := a.Client(projectA)
	cB, _ := a.Client(strings.ToUpper(projectB))
	require.NotNil(t, cB, "Client ignores case")
	assert.Equal(t, cA.IdempotencyKey(nA), a.IdempotencyKey(nA))
	assert.Equal(t, cB.IdempotencyKey(nB), a.IdempotencyKey(nB))
	assert.NotEqual(t, a.IdempotencyKey(nA), a.IdempotencyKey(nB), "the same order id under two projects")
	assert.Empty(t, a.IdempotencyKey(nil))
	assert.Empty(t, a.IdempotencyKey((*OrderEvent)(nil)))
	assert.Empty(t, a.IdempotencyKey(&OrderEvent{Account: "another"}))
	_, ok := a.Client("another")
	assert.False(t, ok)
}

func TestNewAccounts_RefusesAnEndpointItCannotRoute(t *testing.T) {
	a := projectClient(t, projectA, secretA)
	noProject, err := New(Config{ClientID: "client-id", ClientSecret: secretB})
	require.NoError(t, err)
	for name, clients := range map[string][]*Client{
		"no client":                       nil,
		"a nil client":                    {a, nil},
		"a client without ProjectID":      {a, noProject},
		"one project twice":               {a, projectClient(t, projectA, secretB)},
		"one project twice, another case": {a, projectClient(t, strings.ToUpper(projectA), secretB)},
		"two projects, one secret":        {a, projectClient(t, projectB, secretA)},
		"a previous secret shared":        {a, projectClient(t, projectB, secretB, secretA)},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := NewAccounts(clients...)
			var fe *paykit.FieldError
			require.ErrorAs(t, err, &fe)
			assert.ErrorIs(t, err, paykit.ErrInvalidRequest)
			assert.NotContains(t, err.Error(), secretA, "no secret in the error")
		})
	}
}

type projectEvents struct {
	mu   sync.Mutex
	seen []string
}

func (e *projectEvents) event(_ context.Context, n paykit.Notification) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.seen = append(e.seen, accountOf(n)+" "+n.Summary().ID)
	return nil
}

func TestAccounts_HandlerEndToEnd(t *testing.T) {
	events := &projectEvents{}
	var records []paykit.Delivery
	var mu sync.Mutex
	h := twoProjects(t).Handler(paykit.Hooks{Event: events.event,
		Observer: paykit.ObserverFunc(func(_ context.Context, d paykit.Delivery) {
			mu.Lock()
			defer mu.Unlock()
			records = append(records, d)
		})})
	body := snapshot(orderX)
	send := func(secret string, b []byte) int {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, checkouttest.Signer{Secret: secret}.NewRequest("/wh", b))
		return w.Code
	}
	steps := []struct {
		name   string
		secret string
		body   []byte
		status int
	}{
		{"A's webhook", secretA, body, http.StatusOK},
		{"B's webhook for the same order id", secretB, body, http.StatusOK},
		{"A's again: a duplicate", secretA, body, http.StatusOK},
		{"B's again, with B's previous secret: a duplicate", oldB, body, http.StatusOK},
		{"forged", "forged", body, http.StatusBadRequest},
		{"a project not served", secretA, v3Paid("01990618-0000-7000-8000-000000000000", orderX), http.StatusBadRequest},
		{"B named, A's secret", secretA, v3Paid(projectB, orderX), http.StatusBadRequest},
	}
	for _, s := range steps {
		assert.Equal(t, s.status, send(s.secret, s.body), s.name)
	}
	assert.Equal(t, []string{projectA + " " + orderX, projectB + " " + orderX}, events.seen,
		"the order fulfilled once per project")
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, records, len(steps))
	for i, want := range []string{projectA, projectB, projectA, projectB} {
		assert.Equal(t, want, records[i].Account, steps[i].name)
	}
	assert.True(t, records[2].Replayed, "the repeat answered from the store")
}

// FuzzAccountsPeek feeds arbitrary bodies to the project peek, which
// reads unverified input: no panic, no error, and routing is exactly the
// documented rule — a body naming a served project gets that project's
// client's answer, one naming another project ErrWrongAccount, and one
// naming none the answer of the first client that accepts it (else a
// refusal), always under the accepting client's key.
func FuzzAccountsPeek(f *testing.F) {
	for _, b := range [][]byte{v3Paid(projectA, orderX), v3Paid(projectB, orderX), snapshot(orderX),
		[]byte(thinPayment), []byte(`{"order":{"project_id":1}}`), []byte(`{"order":[]}`), nil, []byte("null")} {
		f.Add(b, secretA)
	}
	f.Add(v3Paid(strings.ToUpper(projectB), orderX), secretB)
	f.Add([]byte(`{"event":{"type":"order","name":"x"},"order":{"id":"o","status":"paid","project_id":"`+projectB+`","projectId":"`+projectA+`"}}`), secretB)
	f.Add([]byte(`{"event":{"type":"what","name":"x"},"order":{"project_id":"elsewhere"}}`), secretA)
	a := twoProjects(f)
	clients := map[string]*Client{}
	for _, p := range []string{projectA, projectB} {
		clients[p], _ = a.Client(p)
	}
	f.Fuzz(func(t *testing.T, body []byte, secret string) {
		named, err := a.peek(nil, body)
		if err != nil {
			t.Fatalf("peek refused input itself: %v", err)
		}
		h := signed(secret, body)
		n, err := a.ParseBody(body, h)
		if err != nil && !errors.Is(err, paykit.ErrInvalidSignature) && !errors.Is(err, paykit.ErrMissingSignature) &&
			!errors.Is(err, paykit.ErrMalformed) && !errors.Is(err, paykit.ErrWrongAccount) {
			t.Fatalf("error matches no sentinel: %v", err)
		}
		if c, ok := clients[named]; ok {
			nc, errc := c.ParseBody(body, h)
			if (err == nil) != (errc == nil) || err == nil && a.IdempotencyKey(n) != c.IdempotencyKey(nc) {
				t.Fatalf("named %s: endpoint %v, its client %v", named, err, errc)
			}
			return
		}
		if named != "" {
			if !errors.Is(err, paykit.ErrWrongAccount) {
				t.Fatalf("named %q, not served, but %v", named, err)
			}
			return
		}
		for _, p := range []string{projectA, projectB} {
			if nc, errc := clients[p].ParseBody(body, h); errc == nil {
				if err != nil || a.IdempotencyKey(n) != clients[p].IdempotencyKey(nc) {
					t.Fatalf("named none: %s accepts, endpoint %v", p, err)
				}
				return
			}
		}
		if err == nil {
			t.Fatal("accepted what neither client accepts")
		}
	})
}
