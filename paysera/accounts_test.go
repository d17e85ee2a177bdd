package paysera

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/signature"
)

const (
	otherProject  = 654321
	otherPassword = "0f9e8d7c6b5a49382716a5b4c3d2e1f0"
)

// twoProjects is an endpoint for the vectors' project (123456) and
// another project with its own password; Paysera signs ss2 and ss3 with
// one key for every project, so both verify RSA with the test key. Both
// accept ss1, so that a password can be checked on signed callbacks too.
func twoProjects(tb testing.TB) *Accounts {
	tb.Helper()
	v := mustVectors(tb)
	other := mustClient(tb, Config{ProjectID: otherProject, Password: otherPassword,
		PublicKeyPEM: []byte(v.About.PublicKeyPEM), AcceptSS1: true})
	a, err := NewAccounts(vectorClientSS1(tb, true), other)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// paid is a paid macro callback's parameters of project for requestid.
func paid(project, requestID string) []field {
	return []field{{"projectid", project}, {"orderid", "o-" + requestID}, {"requestid", requestID},
		{"status", "1"}, {"amount", "500"}, {"currency", "EUR"}, {"test", "0"}, {"version", "1.6"}}
}

// withSS1 is the query of fields signed with ss1 under password only.
func withSS1(fields []field, password string) string {
	data := encodeData(buildQuery(fields))
	return buildQuery([]field{{"data", data}, {"ss1", signature.JoinedMD5([]string{data}, "", password)}})
}

// sealed is the query of fields encrypted like Paysera under password.
func sealed(fields []field, password string) string {
	key := make([]byte, 32)
	copy(key, password)
	block, _ := aes.NewCipher(key)
	gcm, _ := cipher.NewGCM(block)
	iv := []byte("0123456789ab")
	return buildQuery([]field{{"data", encodeData(string(gcm.Seal(append([]byte(nil), iv...), iv, []byte(buildQuery(fields)), nil)))}})
}

type projectEvents struct {
	mu       sync.Mutex
	projects []string
}

func (e *projectEvents) event(_ context.Context, n paykit.Notification) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.projects = append(e.projects, n.(*Callback).ProjectID)
	return nil
}

func TestAccountsAnswerEachProjectWithItsOwnSecrets(t *testing.T) {
	v := mustVectors(t)
	passA := v.About.Password
	events := &projectEvents{}
	h := twoProjects(t).Handler(paykit.Hooks{Event: events.event})
	cases := []struct {
		name, query string
		status      int
	}{
		{"project A, ss3", signSS3(t, paid("123456", "1")), http.StatusOK},
		{"project B, ss3", signSS3(t, paid("654321", "2")), http.StatusOK},
		{"project B, ss1 with B's password", withSS1(paid("654321", "3"), otherPassword), http.StatusOK},
		{"project B, encrypted with B's password", sealed(paid("654321", "4"), otherPassword), http.StatusOK},
		{"project A, encrypted with A's password", sealed(paid("123456", "5"), passA), http.StatusOK},
		{"B named, ss1 with A's password", withSS1(paid("654321", "6"), passA), http.StatusBadRequest},
		{"A named, ss1 with B's password", withSS1(paid("123456", "7"), otherPassword), http.StatusBadRequest},
		{"B named, encrypted with A's password", sealed(paid("654321", "8"), passA), http.StatusBadRequest},
		{"encrypted with no project's password", sealed(paid("654321", "9"), "nobody"), http.StatusBadRequest},
		{"unknown project, ss3", signSS3(t, paid("999999", "10")), http.StatusBadRequest},
		{"no projectid, ss3", signSS3(t, paid("", "11")), http.StatusBadRequest},
		{"the merchant's own parameter beside", "shop=a;b&" + signSS3(t, paid("654321", "12")), http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := serve(h, tc.query)
			if w.Code != tc.status {
				t.Errorf("status %d %q, want %d", w.Code, w.Body.String(), tc.status)
			}
			if ok := w.Body.String() == ReplyOK; ok != (tc.status == http.StatusOK) {
				t.Errorf("body %q", w.Body.String())
			}
		})
	}
	want := []string{"123456", "654321", "654321", "654321", "123456", "654321"}
	if strings.Join(events.projects, ",") != strings.Join(want, ",") {
		t.Errorf("events for projects %v, want %v", events.projects, want)
	}
}

func TestAccountsKeepKeysPerProject(t *testing.T) {
	a := twoProjects(t)
	events := &projectEvents{}
	h := a.Handler(paykit.Hooks{Event: events.event})
	qA, qB := signSS3(t, paid("123456", "42")), signSS3(t, paid("654321", "42"))
	for range 2 {
		for _, q := range []string{qA, qB} {
			if w := serve(h, q); w.Code != http.StatusOK {
				t.Fatalf("status %d", w.Code)
			}
		}
	}
	if len(events.projects) != 2 {
		t.Fatalf("requestid 42 fulfilled %d times, want once per project", len(events.projects))
	}
	cbA, err := a.ParseCallback(getRequest(qA))
	if err != nil {
		t.Fatal(err)
	}
	cbB, err := a.ParseBody([]byte(qB), nil)
	if err != nil {
		t.Fatal(err)
	}
	cA, _ := a.Client("123456")
	cB, _ := a.Client("654321")
	if a.IdempotencyKey(cbA) != cA.IdempotencyKey(cbA) || a.IdempotencyKey(cbB) != cB.IdempotencyKey(cbB) {
		t.Error("a key is not the verifying project's")
	}
	if a.IdempotencyKey(cbA) == a.IdempotencyKey(cbB) || a.IdempotencyKey(nil) != "" || a.IdempotencyKey((*Callback)(nil)) != "" {
		t.Error("keys are not per project")
	}
}

func TestAccountsParseLikeTheNamedProject(t *testing.T) {
	passA := mustVectors(t).About.Password
	a := twoProjects(t)
	for name, tc := range map[string]struct {
		query string
		want  error
	}{
		"B named, ss1 with A's password":       {withSS1(paid("654321", "6"), passA), paykit.ErrInvalidSignature},
		"B named, encrypted with A's password": {sealed(paid("654321", "8"), passA), paykit.ErrWrongAccount},
		"encrypted with no project's password": {sealed(paid("654321", "9"), "nobody"), paykit.ErrInvalidSignature},
		"unknown project":                      {signSS3(t, paid("999999", "10")), paykit.ErrWrongAccount},
		"no data":                              {"ss2=x", paykit.ErrMalformed},
		"data twice":                           {signSS3(t, paid("654321", "1")) + "&data=x", paykit.ErrMalformed},
		"data not base64":                      {"data=%21%21&ss3=x", paykit.ErrMalformed},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := a.ParseCallback(getRequest(tc.query)); !errors.Is(err, tc.want) {
				t.Errorf("ParseCallback: %v, want %v", err, tc.want)
			}
			if _, err := a.ParseBody([]byte(tc.query), nil); !errors.Is(err, tc.want) {
				t.Errorf("ParseBody: %v, want %v", err, tc.want)
			}
			post := httptest.NewRequest(http.MethodPost, "/cb", strings.NewReader(tc.query))
			if _, err := a.ParseCallback(post); !errors.Is(err, tc.want) {
				t.Errorf("ParseCallback(POST): %v, want %v", err, tc.want)
			}
		})
	}
	q := signSS3(t, paid("654321", "1"))
	if _, err := a.ParseCallback(httptest.NewRequest(http.MethodPost, "/cb?"+q, nil)); err != nil {
		t.Errorf("POST with the parameters in its query: %v", err)
	}
	if _, err := a.ParseBody([]byte(strings.Repeat("a", 64<<10+1)), nil); !errors.Is(err, paykit.ErrBodyTooLarge) {
		t.Errorf("ParseBody over the cap: %v", err)
	}
}

func TestNewAccountsRefusesAnEndpointItCannotRoute(t *testing.T) {
	c := vectorClient(t, "")
	for name, clients := range map[string][]*Client{
		"no client":         nil,
		"a nil client":      {c, nil},
		"one project twice": {c, vectorClientSS1(t, true)},
	} {
		t.Run(name, func(t *testing.T) {
			var fe *paykit.FieldError
			if _, err := NewAccounts(clients...); !errors.As(err, &fe) || !errors.Is(err, paykit.ErrInvalidRequest) {
				t.Errorf("got %v, want a FieldError", err)
			}
		})
	}
}

// FuzzPeekProject feeds arbitrary callback queries to the project peek,
// which decodes unverified input: no panic, every error a root sentinel,
// and routing changes nothing — a query is accepted by the endpoint
// exactly when one of its two clients alone accepts it, with that
// client's key.
func FuzzPeekProject(f *testing.F) {
	v := mustVectors(f)
	f.Add(withSS1(paid("123456", "1"), v.About.Password))
	f.Add(withSS1(paid("654321", "2"), otherPassword))
	f.Add(withSS1(paid("654321", "3"), v.About.Password))
	f.Add(sealed(paid("654321", "4"), otherPassword))
	f.Add("shop=a;b&" + withSS1(paid("", "5"), otherPassword))
	f.Add("data=%21&ss1=x")
	f.Add("")
	a := twoProjects(f)
	cA, _ := a.Client("123456")
	cB, _ := a.Client("654321")
	f.Fuzz(func(t *testing.T, q string) {
		if _, err := peekProject(nil, []byte(q), 1<<16); err != nil && !matchesSentinel(err) {
			t.Fatalf("peek error matches no sentinel: %v", err)
		}
		cb, err := a.ParseBody([]byte(q), nil)
		cbA, errA := cA.ParseBody([]byte(q), nil)
		cbB, errB := cB.ParseBody([]byte(q), nil)
		switch {
		case err != nil:
			if !matchesSentinel(err) {
				t.Fatalf("error matches no sentinel: %v", err)
			}
			if errA == nil || errB == nil {
				t.Fatalf("refused (%v) what a client alone accepts", err)
			}
		case errA == nil:
			if a.IdempotencyKey(cb) != cA.IdempotencyKey(cbA) {
				t.Fatal("accepted under another key than project A's")
			}
		case errB == nil:
			if a.IdempotencyKey(cb) != cB.IdempotencyKey(cbB) {
				t.Fatal("accepted under another key than project B's")
			}
		default:
			t.Fatalf("accepted what neither client accepts: %v / %v", errA, errB)
		}
	})
}

// One callbackurl for two projects: each callback is verified with the
// password and keys of the project it names (an encrypted one by the
// project whose password opens it) and keyed under that project.
func ExampleNewAccounts() {
	shop, err := New(Config{ProjectID: 123456, Password: "8c1f0ad7e5b44a2f9d3c6b1e0a7f4d29"})
	if err != nil {
		log.Fatal(err)
	}
	outlet, err := New(Config{ProjectID: 654321, Password: "0f9e8d7c6b5a49382716a5b4c3d2e1f0"})
	if err != nil {
		log.Fatal(err)
	}
	projects, err := NewAccounts(shop, outlet)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/paysera/callback", projects.Handler(paykit.Hooks{
		Event: func(ctx context.Context, n paykit.Notification) error {
			cb := n.(*Callback)
			fmt.Println("fulfil order", cb.OrderID, "of project", cb.ProjectID, "paid:", cb.Paid())
			return nil
		},
	}))
	// An encrypted callback of the second project.
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/paysera/callback?"+sealed(paid("654321", "77"), "0f9e8d7c6b5a49382716a5b4c3d2e1f0"), nil))
	fmt.Println(w.Body.String())
	// Output:
	// fulfil order o-77 of project 654321 paid: true
	// OK
}
