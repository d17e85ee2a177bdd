package vkpay_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/vkpay"
)

const (
	otherAppID  = 87654321
	otherSecret = "another_app_secret"
)

// twoApps is an endpoint for the test app and another app with its own
// secret.
func twoApps(t testing.TB) *vkpay.Accounts {
	t.Helper()
	other, err := vkpay.New(vkpay.Config{AppID: otherAppID, Secret: otherSecret})
	if err != nil {
		t.Fatal(err)
	}
	a, err := vkpay.NewAccounts(newClient(t), other)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// orderOf is an order notification of app for order id.
func orderOf(app, id string) url.Values {
	p := orderParams(id, "chargeable")
	p.Set("app_id", app)
	return p
}

type appEvents struct {
	mu   sync.Mutex
	apps []int64
}

func (e *appEvents) event(_ context.Context, n paykit.Notification) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.apps = append(e.apps, n.(*vkpay.OrderStatusChange).AppID)
	return nil
}

func (e *appEvents) count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.apps)
}

func TestAccountsAnswerEachAppWithItsOwnSecret(t *testing.T) {
	events := &appEvents{}
	h := twoApps(t).Handler(paykit.Hooks{Event: events.event})
	cases := []struct {
		name, body, want string
	}{
		{"app A signed with A's secret", signed(orderOf("12345678", "1"), testSecret), `{"response":{"order_id":1}}`},
		{"app B signed with B's secret", signed(orderOf("87654321", "2"), otherSecret), `{"response":{"order_id":2}}`},
		{"app B with a leading zero", signed(orderOf("087654321", "3"), otherSecret), `{"response":{"order_id":3}}`},
		{"B named, signed with A's secret", signed(orderOf("87654321", "4"), testSecret), `"error_code":10`},
		{"A named, signed with B's secret", signed(orderOf("12345678", "5"), otherSecret), `"error_code":10`},
		{"unknown app with its own secret", signed(orderOf("555", "6"), "s555"), `"error_code":11`},
		{"unknown app signed with A's secret", signed(orderOf("555", "7"), testSecret), `"error_code":11`},
		{"no app_id, signed with A's secret", signed(orderOf("", "8"), testSecret), `"error_code":11`},
		{"no app_id, no secret fits", signed(orderOf("", "9"), "nobody"), `"error_code":10`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, body := serve(h, tc.body)
			if code != http.StatusOK || !strings.Contains(body, tc.want) {
				t.Errorf("%d %s, want %s", code, body, tc.want)
			}
		})
	}
	if got := events.apps; len(got) != 3 || got[0] != testAppID || got[1] != otherAppID || got[2] != otherAppID {
		t.Errorf("events for apps %v, want A, B, B", got)
	}
}

func TestAccountsKeepKeysPerApp(t *testing.T) {
	events := &appEvents{}
	a := twoApps(t)
	h := a.Handler(paykit.Hooks{Event: events.event})
	bodyA := signed(orderOf("12345678", "42"), testSecret)
	bodyB := signed(orderOf("87654321", "42"), otherSecret)
	for range 2 {
		for _, body := range []string{bodyA, bodyB} {
			if _, reply := serve(h, body); reply != `{"response":{"order_id":42}}` {
				t.Fatalf("reply %s", reply)
			}
		}
	}
	if events.count() != 2 {
		t.Fatalf("order 42 fulfilled %d times, want once per app", events.count())
	}
	nA, err := a.ParseBody([]byte(bodyA), nil)
	if err != nil {
		t.Fatal(err)
	}
	nB, err := a.ParseCallback(postForm(bodyB))
	if err != nil {
		t.Fatal(err)
	}
	cA, _ := a.Client("12345678")
	cB, _ := a.Client("87654321")
	if a.IdempotencyKey(nA) != cA.IdempotencyKey(nA) || a.IdempotencyKey(nB) != cB.IdempotencyKey(nB) {
		t.Error("a key is not the verifying app's")
	}
	if a.IdempotencyKey(nA) == a.IdempotencyKey(nB) {
		t.Error("one key for the same order of two apps")
	}
	if a.IdempotencyKey(nil) != "" || a.IdempotencyKey((*vkpay.OrderStatusChange)(nil)) != "" {
		t.Error("a key for no notification")
	}
}

func TestAccountsParseLikeTheNamedClient(t *testing.T) {
	a := twoApps(t)
	cases := []struct {
		name string
		body string
		want error
	}{
		{"B named, signed with A's secret", signed(orderOf("87654321", "4"), testSecret), paykit.ErrInvalidSignature},
		{"unknown app", signed(orderOf("555", "6"), "s555"), paykit.ErrWrongAccount},
		{"duplicate key", signed(orderOf("12345678", "1"), testSecret) + "&app_id=87654321", paykit.ErrMalformed},
		{"no sig", orderOf("12345678", "1").Encode(), paykit.ErrMissingSignature},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := a.ParseCallback(postForm(tc.body)); !errors.Is(err, tc.want) {
				t.Errorf("ParseCallback: %v, want %v", err, tc.want)
			}
			if _, err := a.ParseBody([]byte(tc.body), nil); !errors.Is(err, tc.want) {
				t.Errorf("ParseBody: %v, want %v", err, tc.want)
			}
		})
	}
	huge := []byte("app_id=1&x=" + strings.Repeat("a", 64<<10))
	if _, err := a.ParseBody(huge, nil); !errors.Is(err, paykit.ErrBodyTooLarge) {
		t.Errorf("ParseBody over the cap: %v", err)
	}
}

func TestNewAccountsRefusesAnEndpointItCannotRoute(t *testing.T) {
	c := newClient(t)
	twin := newClient(t, "old")
	for name, clients := range map[string][]*vkpay.Client{
		"no client":     nil,
		"a nil client":  {c, nil},
		"one app twice": {c, twin},
	} {
		t.Run(name, func(t *testing.T) {
			var fe *paykit.FieldError
			if _, err := vkpay.NewAccounts(clients...); !errors.As(err, &fe) || !errors.Is(err, paykit.ErrInvalidRequest) {
				t.Errorf("got %v, want a FieldError", err)
			}
		})
	}
}

// FuzzAccountsAgreeWithTheNamedClient feeds arbitrary bodies to an
// endpoint of two apps: the account peek reads unverified input, so it
// must never panic, every error must match a root sentinel, and routing
// must change nothing: a body is accepted exactly when one of the two
// clients alone accepts it, with that client's key.
func FuzzAccountsAgreeWithTheNamedClient(f *testing.F) {
	f.Add(signed(orderOf("12345678", "1"), testSecret))
	f.Add(signed(orderOf("87654321", "2"), otherSecret))
	f.Add(signed(orderOf("087654321", "2"), otherSecret))
	f.Add(signed(orderOf("", "3"), testSecret))
	f.Add("app_id=%zz&sig=1")
	f.Add("app_id=1;app_id=2")
	f.Add("")
	a := twoApps(f)
	cA, _ := a.Client("12345678")
	cB, _ := a.Client("87654321")
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

// One payments URL for two apps: each notification is verified with the
// secret of the app it names and keyed under that app.
func ExampleNewAccounts() {
	game, err := vkpay.New(vkpay.Config{AppID: 12345678, Secret: "s3cr3tKey_for_tests"})
	if err != nil {
		log.Fatal(err)
	}
	puzzle, err := vkpay.New(vkpay.Config{AppID: 87654321, Secret: "another_app_secret"})
	if err != nil {
		log.Fatal(err)
	}
	apps, err := vkpay.NewAccounts(game, puzzle)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/vk/payments", apps.Handler(paykit.Hooks{
		Event: func(ctx context.Context, n paykit.Notification) error {
			o := n.(*vkpay.OrderStatusChange)
			fmt.Println("fulfil order", o.OrderID, "of app", o.AppID)
			return nil
		},
	}))

	// What VK sends for the second app, signed with its secret.
	p := url.Values{"notification_type": {"order_status_change"}, "app_id": {"87654321"}, "user_id": {"1"},
		"receiver_id": {"1"}, "order_id": {"77"}, "date": {"1656358147"}, "status": {"chargeable"},
		"item": {"gold_100"}, "item_id": {"gold_100"}, "item_title": {"100 gold"}, "item_price": {"7"}}
	p.Set("sig", vkpay.Sign(p, "another_app_secret"))
	r := httptest.NewRequest(http.MethodPost, "/vk/payments", strings.NewReader(p.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	fmt.Println(w.Body.String())
	// Output:
	// fulfil order 77 of app 87654321
	// {"response":{"order_id":77}}
}
