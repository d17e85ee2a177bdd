package xsolla

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
)

const otherSecret = "another_project_secret"

// twoProjects is an endpoint for the test project (18404) and project
// 18405 of the same merchant, with its own webhook secret.
func twoProjects(tb testing.TB) *Accounts {
	tb.Helper()
	other := newTestClient(tb, func(cfg *Config) { cfg.ProjectID, cfg.WebhookSecret = 18405, otherSecret })
	a, err := NewAccounts(newTestClient(tb), other)
	require.NoError(tb, err)
	return a
}

// paymentOf is a payment webhook of project for transaction id.
func paymentOf(project, id string) string {
	settings := `"settings":{"project_id":` + project + `,"merchant_id":2340},`
	if project == "" {
		settings = ""
	}
	return `{"notification_type":"payment",` + settings + `"user":{"id":"u1"},"transaction":{"id":` + id +
		`,"external_id":"o-1"},"payment_details":{"payment":{"currency":"USD","amount":4.99}}}`
}

type projectEvents struct {
	mu       sync.Mutex
	projects []string
}

func (e *projectEvents) event(_ context.Context, n paykit.Notification) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.projects = append(e.projects, projectOf(n))
	return nil
}

func TestAccountsAnswerEachProjectWithItsOwnSecret(t *testing.T) {
	events := &projectEvents{}
	h := twoProjects(t).Handler(paykit.Hooks{Event: events.event})
	cases := []struct {
		name, body, secret string
		status             int
		code               string
	}{
		{"project A signed with A's secret", paymentOf("18404", "1"), testSecret, http.StatusNoContent, ""},
		{"project B signed with B's secret", paymentOf("18405", "2"), otherSecret, http.StatusNoContent, ""},
		{"project B written 18405.0", paymentOf("18405.0", "3"), otherSecret, http.StatusNoContent, ""},
		{"project B as a string", paymentOf(`"18405"`, "4"), otherSecret, http.StatusNoContent, ""},
		{"B named, signed with A's secret", paymentOf("18405", "5"), testSecret, http.StatusBadRequest, CodeInvalidSignature},
		{"A named, signed with B's secret", paymentOf("18404", "6"), otherSecret, http.StatusBadRequest, CodeInvalidSignature},
		{"unknown project with its own secret", paymentOf("18406", "7"), "s18406", http.StatusBadRequest, CodeInvalidParameter},
		{"unknown project signed with A's secret", paymentOf("18406", "8"), testSecret, http.StatusBadRequest, CodeInvalidParameter},
		{"no project named", paymentOf("", "9"), testSecret, http.StatusBadRequest, CodeInvalidParameter},
		{"not JSON", "project_id=18404", testSecret, http.StatusBadRequest, CodeInvalidParameter},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := serve(h, tc.body, sign(tc.body, tc.secret))
			assert.Equal(t, tc.status, w.Code, w.Body.String())
			if tc.code != "" {
				assert.Equal(t, tc.code, errorCode(t, w))
			}
		})
	}
	assert.Equal(t, []string{"18404", "18405", "18405", "18405"}, events.projects)
}

func TestAccountsKeepKeysPerProject(t *testing.T) {
	a := twoProjects(t)
	events := &projectEvents{}
	h := a.Handler(paykit.Hooks{Event: events.event})
	bodyA, bodyB := paymentOf("18404", "42"), paymentOf("18405", "42")
	for range 2 {
		assert.Equal(t, http.StatusNoContent, serve(h, bodyA, sign(bodyA, testSecret)).Code)
		assert.Equal(t, http.StatusNoContent, serve(h, bodyB, sign(bodyB, otherSecret)).Code)
	}
	assert.Equal(t, []string{"18404", "18405"}, events.projects, "transaction 42 once per project")

	nA, err := a.ParseCallback(webhookRequest(bodyA, sign(bodyA, testSecret)))
	require.NoError(t, err)
	nB, err := a.ParseBody([]byte(bodyB), authHeader(sign(bodyB, otherSecret)))
	require.NoError(t, err)
	cA, _ := a.Client("18404")
	cB, _ := a.Client("18405")
	assert.Equal(t, cA.IdempotencyKey(nA), a.IdempotencyKey(nA))
	assert.Equal(t, cB.IdempotencyKey(nB), a.IdempotencyKey(nB))
	assert.NotEqual(t, a.IdempotencyKey(nA), a.IdempotencyKey(nB))
	assert.Empty(t, a.IdempotencyKey(nil))
	assert.Empty(t, a.IdempotencyKey((*Payment)(nil)))
}

func TestAccountsParseLikeTheNamedProject(t *testing.T) {
	a := twoProjects(t)
	for name, tc := range map[string]struct {
		body, auth string
		want       error
	}{
		"B named, signed with A's secret": {paymentOf("18405", "5"), sign(paymentOf("18405", "5"), testSecret), paykit.ErrInvalidSignature},
		"unknown project":                 {paymentOf("18406", "7"), sign(paymentOf("18406", "7"), "x"), paykit.ErrWrongAccount},
		"no project named":                {paymentOf("", "9"), sign(paymentOf("", "9"), testSecret), paykit.ErrWrongAccount},
		"no signature":                    {paymentOf("18404", "1"), "", paykit.ErrMissingSignature},
		"other merchant":                  {strings.Replace(paymentOf("18405", "1"), "2340", "2341", 1), sign(strings.Replace(paymentOf("18405", "1"), "2340", "2341", 1), otherSecret), paykit.ErrWrongAccount},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := a.ParseCallback(webhookRequest(tc.body, tc.auth))
			assert.ErrorIs(t, err, tc.want, "ParseCallback")
			var h http.Header
			if tc.auth != "" {
				h = authHeader(tc.auth)
			}
			_, err = a.ParseBody([]byte(tc.body), h)
			assert.ErrorIs(t, err, tc.want, "ParseBody")
		})
	}
}

func TestNewAccountsRefusesAnEndpointItCannotRoute(t *testing.T) {
	c := newTestClient(t)
	for name, clients := range map[string][]*Client{
		"no client":         nil,
		"a nil client":      {c, nil},
		"one project twice": {c, newTestClient(t, func(cfg *Config) { cfg.WebhookSecret = otherSecret })},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := NewAccounts(clients...)
			var fe *paykit.FieldError
			require.ErrorAs(t, err, &fe)
			assert.ErrorIs(t, err, paykit.ErrInvalidRequest)
		})
	}
}

// FuzzPeekProject feeds arbitrary bodies to the project peek, which reads
// unverified input: no panic, every error a root sentinel, and routing
// changes nothing — a body is accepted by the endpoint exactly when one of
// its two clients alone accepts it, with that client's key.
func FuzzPeekProject(f *testing.F) {
	for _, b := range []string{paymentOf("18404", "1"), paymentOf("18405", "2"), paymentOf("18405.0", "3"),
		paymentOf("", "4"), `{"settings":{"project_id":{}}}`, `{"settings":[]}`, "", "null"} {
		f.Add(b, testSecret)
	}
	f.Add(paymentOf("18405", "2"), otherSecret)
	a := twoProjects(f)
	cA, _ := a.Client("18404")
	cB, _ := a.Client("18405")
	f.Fuzz(func(t *testing.T, body, secret string) {
		if account, err := peekProject(nil, []byte(body)); err != nil {
			if !errors.Is(err, paykit.ErrMalformed) && !errors.Is(err, paykit.ErrWrongAccount) {
				t.Fatalf("peek error matches no sentinel: %v", err)
			}
		} else if account == "" {
			t.Fatal("peek named no account without an error")
		}
		h := authHeader(sign(body, secret))
		n, err := a.ParseBody([]byte(body), h)
		nA, errA := cA.ParseBody([]byte(body), h)
		nB, errB := cB.ParseBody([]byte(body), h)
		switch {
		case err != nil:
			if errA == nil && projectOf(nA) != "" || errB == nil && projectOf(nB) != "" {
				t.Fatalf("refused (%v) what a client alone accepts for its project", err)
			}
		case errA == nil:
			if a.IdempotencyKey(n) != cA.IdempotencyKey(nA) {
				t.Fatal("accepted under another key than project A's")
			}
		case errB == nil:
			if a.IdempotencyKey(n) != cB.IdempotencyKey(nB) {
				t.Fatal("accepted under another key than project B's")
			}
		default:
			t.Fatalf("accepted what neither client accepts: %v / %v", errA, errB)
		}
	})
}

// One webhook URL for two projects: each webhook is verified with the
// secret of the project it names and keyed under that project.
func ExampleNewAccounts() {
	game, err := New(Config{MerchantID: 2340, ProjectID: 18404, APIKey: "key", WebhookSecret: "s3cret"})
	if err != nil {
		log.Fatal(err)
	}
	launcher, err := New(Config{MerchantID: 2340, ProjectID: 18405, APIKey: "key", WebhookSecret: "another_project_secret"})
	if err != nil {
		log.Fatal(err)
	}
	projects, err := NewAccounts(game, launcher)
	if err != nil {
		log.Fatal(err)
	}
	h := projects.Handler(paykit.Hooks{
		Event: func(ctx context.Context, n paykit.Notification) error {
			p := n.(*Payment)
			fmt.Println("credit transaction", p.Transaction.ID, "of project", p.Settings.ProjectID)
			return nil
		},
	})
	body := paymentOf("18405", "1001")
	w := serve(h, body, sign(body, "another_project_secret"))
	fmt.Println(w.Code)
	// Output:
	// credit transaction 1001 of project 18405
	// 204
}
