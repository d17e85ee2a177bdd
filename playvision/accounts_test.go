package playvision_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/playvision"
	"github.com/paykit-go/paykit/playvision/playvisiontest"
)

const (
	otherAppID  = 7002
	otherSecret = "pv_secret_of_another_app"
)

var otherSigner = playvisiontest.Signer{Secret: otherSecret}

// twoApps is an endpoint for the test app and another app with its own
// secret.
func twoApps(tb testing.TB) *playvision.Accounts {
	tb.Helper()
	other := newClient(tb, func(cfg *playvision.Config) { cfg.AppID, cfg.Secret = otherAppID, otherSecret })
	a, err := playvision.NewAccounts(newClient(tb), other)
	require.NoError(tb, err)
	return a
}

// order is order_status_change of app (0: no app_id sent) for transaction id.
func order(app, id int64) url.Values {
	return playvisiontest.OrderStatusChange{AppID: app, UserID: 1, TransactionID: id, Sum: 5, ItemID: "gold_100"}.Params()
}

type appEvents struct {
	mu   sync.Mutex
	keys []string
}

func (e *appEvents) hooks(a *playvision.Accounts) paykit.Hooks {
	return paykit.Hooks{Event: func(_ context.Context, n paykit.Notification) error {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.keys = append(e.keys, a.IdempotencyKey(n))
		return nil
	}}
}

func TestAccountsAnswerEachAppWithItsOwnSecret(t *testing.T) {
	a := twoApps(t)
	events := &appEvents{}
	h := a.Handler(events.hooks(a))
	ok, refused := `{"status":"1","message":"success"}`, `"status":"-1"`
	cases := []struct {
		name string
		req  *http.Request
		want string
	}{
		{"app A signed with A's secret", signer.NewRequest("/", order(testAppID, 1)), ok},
		{"app B signed with B's secret", otherSigner.NewRequest("/", order(otherAppID, 2)), ok},
		{"no app_id, signed with B's secret", otherSigner.NewRequest("/", order(0, 3)), ok},
		{"B named, signed with A's secret", signer.NewRequest("/", order(otherAppID, 4)), refused},
		{"A named, signed with B's secret", otherSigner.NewRequest("/", order(testAppID, 5)), refused},
		{"unknown app with its own secret", playvisiontest.Signer{Secret: "s9"}.NewRequest("/", order(9, 6)), refused},
		{"no app_id, no secret fits", playvisiontest.Signer{Secret: "s9"}.NewRequest("/", order(0, 7)), refused},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := serve(h, tc.req)
			assert.Equal(t, http.StatusOK, w.Code)
			assert.Contains(t, w.Body.String(), tc.want)
		})
	}
	cA, _ := a.Client("7001")
	cB, _ := a.Client("7002")
	require.Len(t, events.keys, 3)
	assert.Contains(t, events.keys[0], cA.Account())
	assert.Contains(t, events.keys[1], cB.Account())
	assert.Contains(t, events.keys[2], cB.Account(), "the secret that verified names the app")
}

func TestAccountsRefuseTheWayPlayvisionAnswers(t *testing.T) {
	a := twoApps(t)
	h := a.Handler(paykit.Hooks{})
	w := serve(h, playvisiontest.Signer{Secret: "s9"}.NewRequest("/", order(9, 6)))
	assert.JSONEq(t, `{"status":"-1","message":"`+playvision.MessageWrongApp+`"}`, w.Body.String())
	w = serve(h, signer.NewRequest("/", order(otherAppID, 4)))
	assert.JSONEq(t, `{"status":"-1","message":"`+playvision.MessageInvalidSignature+`"}`, w.Body.String())
}

func TestAccountsKeepKeysPerApp(t *testing.T) {
	a := twoApps(t)
	events := &appEvents{}
	h := a.Handler(events.hooks(a))
	for range 2 {
		serve(h, signer.NewRequest("/", order(testAppID, 42)))
		serve(h, otherSigner.NewRequest("/", order(otherAppID, 42)))
		serve(h, otherSigner.NewRequest("/", order(0, 43)))
	}
	require.Len(t, events.keys, 3, "transaction 42 once per app, 43 once")
	assert.NotEqual(t, events.keys[0], events.keys[1])

	nA, err := a.ParseCallback(signer.NewRequest("/", order(0, 42)))
	require.NoError(t, err)
	nB, err := a.ParseBody([]byte(otherSigner.Body(order(0, 42))), nil)
	require.NoError(t, err)
	cA, _ := a.Client("7001")
	cB, _ := a.Client("7002")
	assert.Equal(t, cA.IdempotencyKey(nA), a.IdempotencyKey(nA))
	assert.Equal(t, cB.IdempotencyKey(nB), a.IdempotencyKey(nB))
	assert.Empty(t, a.IdempotencyKey(nil))
	assert.Empty(t, a.IdempotencyKey((*playvision.OrderStatusChange)(nil)))
	assert.Empty(t, a.IdempotencyKey(&playvision.OrderStatusChange{Sig: "forged", Params: order(0, 1)}))
}

func TestAccountsParseLikeTheNamedClient(t *testing.T) {
	a := twoApps(t)
	cases := []struct {
		name string
		body string
		want error
	}{
		{"B named, signed with A's secret", signer.Body(order(otherAppID, 4)), paykit.ErrInvalidSignature},
		{"unknown app", playvisiontest.Signer{Secret: "s9"}.Body(order(9, 6)), paykit.ErrWrongAccount},
		{"duplicate key", signer.Body(order(testAppID, 1)) + "&app_id=7002", paykit.ErrMalformed},
		{"no sig", order(testAppID, 1).Encode(), paykit.ErrMissingSignature},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a.ParseCallback(postForm(tc.body))
			assert.ErrorIs(t, err, tc.want, "ParseCallback")
			_, err = a.ParseBody([]byte(tc.body), nil)
			assert.ErrorIs(t, err, tc.want, "ParseBody")
		})
	}
	_, err := a.ParseBody([]byte("app_id=1&x="+strings.Repeat("a", 64<<10)), nil)
	assert.ErrorIs(t, err, paykit.ErrBodyTooLarge)
	_, err = a.ParseCallback(newRequest(http.MethodGet, "/?"+signer.Body(order(testAppID, 1))))
	assert.ErrorIs(t, err, paykit.ErrMalformed, "only POST, like the client")
}

func newRequest(method, target string) *http.Request {
	r, err := http.NewRequest(method, target, nil)
	if err != nil {
		panic(err)
	}
	return r
}

func TestNewAccountsRefusesAnEndpointItCannotRoute(t *testing.T) {
	c := newClient(t)
	cases := map[string][]*playvision.Client{
		"no client":    nil,
		"a nil client": {c, nil},
		"one app twice": {c, newClient(t, func(cfg *playvision.Config) {
			cfg.Secret = "x"
		})},
		"two apps sharing a secret": {c, newClient(t, func(cfg *playvision.Config) { cfg.AppID = otherAppID })},
		"a previous secret shared": {c, newClient(t, func(cfg *playvision.Config) {
			cfg.AppID, cfg.Secret, cfg.PreviousSecrets = otherAppID, otherSecret, []string{testSecret}
		})},
	}
	for name, clients := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := playvision.NewAccounts(clients...)
			var fe *paykit.FieldError
			require.ErrorAs(t, err, &fe)
			assert.ErrorIs(t, err, paykit.ErrInvalidRequest)
			assert.NotContains(t, err.Error(), testSecret)
		})
	}
}

// FuzzAccountsAgreeWithTheNamedClient feeds arbitrary bodies to an
// endpoint of two apps: the account peek reads unverified input, so it
// must never panic, every error must match a root sentinel, and routing
// must change nothing: a body is accepted exactly when one of the two
// clients alone accepts it, with that client's key.
func FuzzAccountsAgreeWithTheNamedClient(f *testing.F) {
	f.Add(signer.Body(order(testAppID, 1)))
	f.Add(otherSigner.Body(order(otherAppID, 2)))
	f.Add(otherSigner.Body(order(0, 3)))
	f.Add(signer.Body(playvisiontest.GetItem{UserID: 1, Item: "x"}.Params()))
	f.Add("app_id=%zz&sig=1")
	f.Add("app_id=07002&sig=1")
	f.Add("")
	a := twoApps(f)
	cA, _ := a.Client("7001")
	cB, _ := a.Client("7002")
	f.Fuzz(func(t *testing.T, body string) {
		n, err := a.ParseBody([]byte(body), nil)
		nA, errA := cA.ParseBody([]byte(body), nil)
		nB, errB := cB.ParseBody([]byte(body), nil)
		switch {
		case err != nil:
			if !errors.Is(err, paykit.ErrMalformed) && !errors.Is(err, paykit.ErrMissingSignature) &&
				!errors.Is(err, paykit.ErrInvalidSignature) && !errors.Is(err, paykit.ErrWrongAccount) &&
				!errors.Is(err, paykit.ErrUnknownType) && !errors.Is(err, paykit.ErrBodyTooLarge) {
				t.Fatalf("error matches no sentinel: %v", err)
			}
			if errA == nil || errB == nil {
				t.Fatalf("refused (%v) what a client alone accepts", err)
			}
		case errA == nil:
			if a.IdempotencyKey(n) != cA.IdempotencyKey(nA) {
				t.Fatal("accepted under another key than app A's")
			}
		case errB == nil:
			if a.IdempotencyKey(n) != cB.IdempotencyKey(nB) {
				t.Fatal("accepted under another key than app B's")
			}
		default:
			t.Fatalf("accepted what neither client accepts: %v / %v", errA, errB)
		}
	})
}

// One payment link for two apps: each notification is verified with the
// secret of the app it names (or, without app_id, of the app whose secret
// fits) and keyed under that app.
func ExampleNewAccounts() {
	castle, err := playvision.New(playvision.Config{AppID: 7001, Secret: "pv_secret_for_tests"})
	if err != nil {
		log.Fatal(err)
	}
	farm, err := playvision.New(playvision.Config{AppID: 7002, Secret: "pv_secret_of_another_app"})
	if err != nil {
		log.Fatal(err)
	}
	apps, err := playvision.NewAccounts(castle, farm)
	if err != nil {
		log.Fatal(err)
	}
	h := apps.Handler(paykit.Hooks{
		Event: func(ctx context.Context, n paykit.Notification) error {
			fmt.Println("deliver", n.Summary().Amount.Amount, "gold, key", apps.IdempotencyKey(n) != "")
			return nil
		},
	})
	// What Playvision sends for the second app (no app_id), signed with its secret.
	params := playvisiontest.OrderStatusChange{UserID: 1, TransactionID: 9, Sum: 100, ItemID: "gold_100"}.Params()
	w := serve(h, playvisiontest.Signer{Secret: "pv_secret_of_another_app"}.NewRequest("/pv", params))
	fmt.Println(w.Body.String())
	// Output:
	// deliver 100 gold, key true
	// {"status":"1","message":"success"}
}
