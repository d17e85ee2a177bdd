package merchant_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/vkpay/merchant"
)

// otherMerchant is a second merchant with its own contract key pair and
// merchant key.
type otherMerchant struct {
	client *merchant.Client
	key    *rsa.PrivateKey
}

// newOther is the second merchant; its contract key pair is
// testdata/second_merchant_key.pem (a test key, made with openssl genrsa).
func newOther(t testing.TB) otherMerchant {
	t.Helper()
	block, _ := pem.Decode(readFile(t, "second_merchant_key.pem"))
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pub := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	c := newClient(t, func(cfg *merchant.Config) {
		cfg.MerchantID, cfg.ClientID, cfg.MerchantKey, cfg.PublicKeyPEM = 617002, 0, "another_merchant_key", pub
	})
	return otherMerchant{client: c, key: key}
}

// notifyWith is notify signed (SHA-1) with key.
func notifyWith(t testing.TB, key *rsa.PrivateKey, data any) string {
	t.Helper()
	js, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString(js)
	d := sha1.Sum([]byte(b64))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA1, d[:])
	if err != nil {
		t.Fatal(err)
	}
	return "data=" + strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(b64) +
		"&signature=" + strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(base64.StdEncoding.EncodeToString(sig)) +
		"&version=2-03"
}

// paidFor is paidData of merchant m for transaction txn.
func paidFor(m, txn string) map[string]any {
	d := paidData(txn, "paid")
	body := d["body"].(map[string]any)
	if m == "" {
		delete(body, "merchant_id")
	} else {
		body["merchant_id"] = m
	}
	d["header"].(map[string]any)["client_id"] = m
	return d
}

func twoMerchants(t testing.TB) (*merchant.Accounts, otherMerchant) {
	t.Helper()
	other := newOther(t)
	a, err := merchant.NewAccounts(newClient(t), other.client)
	if err != nil {
		t.Fatal(err)
	}
	return a, other
}

func postBody(h http.Handler, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/vkpay/notify", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// answer decodes a signed answer: its data as JSON text, and whether its
// signature is merchantKey's.
func answer(t *testing.T, w *httptest.ResponseRecorder, merchantKey string) (string, bool) {
	t.Helper()
	var env struct{ Data, Signature string }
	if err := json.Unmarshal(w.Body.Bytes(), &env); err != nil {
		t.Fatalf("answer %s: %v", w.Body.String(), err)
	}
	js, err := base64.StdEncoding.DecodeString(env.Data)
	if err != nil {
		t.Fatal(err)
	}
	return string(js), env.Signature == merchant.AnswerSignature(env.Data, merchantKey, crypto.SHA1)
}

type merchantEvents struct {
	mu        sync.Mutex
	merchants []string
}

func (e *merchantEvents) event(_ context.Context, n paykit.Notification) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.merchants = append(e.merchants, string(n.(*merchant.Notification).Body.MerchantID))
	return nil
}

func TestAccountsAnswerEachMerchantWithItsOwnKeys(t *testing.T) {
	a, other := twoMerchants(t)
	events := &merchantEvents{}
	h := a.Handler(paykit.Hooks{Event: events.event})
	keyA := privateKey(t)
	cases := []struct {
		name, body, want, signedBy string
	}{
		{"merchant A signed with A's key", notifyWith(t, keyA, paidFor("617001", "t1")), "payment_delivered", merchantKey},
		{"merchant B signed with B's key", notifyWith(t, other.key, paidFor("617002", "t2")), "payment_delivered", "another_merchant_key"},
		{"B named, signed with A's key", notifyWith(t, keyA, paidFor("617002", "t3")), "ERR_SIGNATURE", "another_merchant_key"},
		{"A named, signed with B's key", notifyWith(t, other.key, paidFor("617001", "t4")), "ERR_SIGNATURE", merchantKey},
		{"unknown merchant: the first answers", notifyWith(t, keyA, paidFor("617003", "t5")), "ERR_ARGUMENTS", merchantKey},
		{"no merchant_id", notifyWith(t, keyA, paidFor("", "t6")), "ERR_ARGUMENTS", merchantKey},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := postBody(h, tc.body)
			js, signed := answer(t, w, tc.signedBy)
			if w.Code != http.StatusOK || !strings.Contains(js, tc.want) || !signed {
				t.Errorf("%d %s (signed by the expected key: %t), want %s", w.Code, js, signed, tc.want)
			}
		})
	}
	if got := events.merchants; len(got) != 2 || got[0] != "617001" || got[1] != "617002" {
		t.Errorf("events for merchants %v, want A then B", got)
	}
}

func TestAccountsKeepKeysPerMerchant(t *testing.T) {
	a, other := twoMerchants(t)
	events := &merchantEvents{}
	h := a.Handler(paykit.Hooks{Event: events.event})
	bodyA := notifyWith(t, privateKey(t), paidFor("617001", "same"))
	bodyB := notifyWith(t, other.key, paidFor("617002", "same"))
	for range 2 {
		for _, body := range []string{bodyA, bodyB} {
			if js, _ := answer(t, postBody(h, body), ""); !strings.Contains(js, "payment_delivered") {
				t.Fatalf("reply %s", js)
			}
		}
	}
	if len(events.merchants) != 2 {
		t.Fatalf("transaction fulfilled %d times, want once per merchant", len(events.merchants))
	}
	nA, err := a.ParseBody([]byte(bodyA), nil)
	if err != nil {
		t.Fatal(err)
	}
	nB, err := a.ParseCallback(httptest.NewRequest(http.MethodPost, "/", strings.NewReader(bodyB)))
	if err != nil {
		t.Fatal(err)
	}
	cA, _ := a.Client("merchant:617001")
	if a.IdempotencyKey(nA) != cA.IdempotencyKey(nA) || a.IdempotencyKey(nB) != other.client.IdempotencyKey(nB) {
		t.Error("a key is not the verifying merchant's")
	}
	if a.IdempotencyKey(nA) == a.IdempotencyKey(nB) || a.IdempotencyKey(nil) != "" {
		t.Error("keys are not per merchant")
	}
}

func TestAccountsParseLikeTheNamedMerchant(t *testing.T) {
	a, _ := twoMerchants(t)
	keyA := privateKey(t)
	for name, tc := range map[string]struct {
		body string
		want error
	}{
		"B named, signed with A's key": {notifyWith(t, keyA, paidFor("617002", "t3")), paykit.ErrInvalidSignature},
		"unknown merchant":             {notifyWith(t, keyA, paidFor("617003", "t5")), paykit.ErrWrongAccount},
		"no merchant_id":               {notifyWith(t, keyA, paidFor("", "t6")), paykit.ErrWrongAccount},
		"data twice":                   {notifyWith(t, keyA, paidFor("617001", "t7")) + "&data=x", paykit.ErrMalformed},
		"no signature":                 {"data=e30%3D", paykit.ErrMissingSignature},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := a.ParseBody([]byte(tc.body), nil); !errors.Is(err, tc.want) {
				t.Errorf("ParseBody: %v, want %v", err, tc.want)
			}
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tc.body))
			if _, err := a.ParseCallback(r); !errors.Is(err, tc.want) {
				t.Errorf("ParseCallback: %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := a.ParseBody([]byte("data="+strings.Repeat("a", 64<<10)), nil); !errors.Is(err, paykit.ErrBodyTooLarge) {
		t.Errorf("ParseBody over the cap: %v", err)
	}
}

func TestNewAccountsRefusesAnEndpointItCannotRoute(t *testing.T) {
	c := newClient(t)
	for name, clients := range map[string][]*merchant.Client{
		"no client":          nil,
		"a nil client":       {c, nil},
		"one merchant twice": {c, newClient(t)},
	} {
		t.Run(name, func(t *testing.T) {
			var fe *paykit.FieldError
			if _, err := merchant.NewAccounts(clients...); !errors.As(err, &fe) || !errors.Is(err, paykit.ErrInvalidRequest) {
				t.Errorf("got %v, want a FieldError", err)
			}
		})
	}
}

// FuzzAccountsAgreeWithTheNamedMerchant feeds arbitrary bodies to an
// endpoint of two merchants: the account peek decodes unverified base64
// and JSON, so it must never panic, every error must match a root
// sentinel, and routing must change nothing: a body is accepted exactly
// when one of the two clients alone accepts it, with that client's key.
func FuzzAccountsAgreeWithTheNamedMerchant(f *testing.F) {
	a, other := twoMerchants(f)
	small := func(m string) map[string]any {
		return map[string]any{"body": map[string]any{"transaction_id": "t", "status": "paid", "merchant_id": m}}
	}
	f.Add(notifyWith(f, privateKey(f), small("617001")))
	f.Add(notifyWith(f, other.key, small("617002")))
	f.Add(notifyWith(f, privateKey(f), small("")))
	f.Add("data=e30%3D&signature=AA%3D%3D")
	f.Add("data=%zz")
	f.Add("")
	cA, _ := a.Client("merchant:617001")
	cB := other.client
	f.Fuzz(func(t *testing.T, body string) {
		n, err := a.ParseBody([]byte(body), nil)
		nA, errA := cA.ParseBody([]byte(body), nil)
		nB, errB := cB.ParseBody([]byte(body), nil)
		switch {
		case err != nil:
			if !errors.Is(err, paykit.ErrMalformed) && !errors.Is(err, paykit.ErrMissingSignature) &&
				!errors.Is(err, paykit.ErrInvalidSignature) && !errors.Is(err, paykit.ErrWrongAccount) &&
				!errors.Is(err, paykit.ErrBodyTooLarge) {
				t.Fatalf("error matches no sentinel: %v", err)
			}
			if errA == nil || errB == nil {
				t.Fatalf("refused (%v) what a client alone accepts", err)
			}
		case errA == nil:
			if a.IdempotencyKey(n) != cA.IdempotencyKey(nA) {
				t.Fatal("accepted under another key than merchant A's")
			}
		case errB == nil:
			if a.IdempotencyKey(n) != cB.IdempotencyKey(nB) {
				t.Fatal("accepted under another key than merchant B's")
			}
		default:
			t.Fatalf("accepted what neither client accepts: %v / %v", errA, errB)
		}
	})
}

// One notification URL for two merchants: each notification is verified
// with the contract keys of the merchant it names and answered signed with
// that merchant's key.
func ExampleNewAccounts() {
	pubPEM, err := os.ReadFile("testdata/test_pub.pem") // the payment system's key from the contract
	if err != nil {
		log.Fatal(err)
	}
	store, err := merchant.New(merchant.Config{MerchantID: 617001, MerchantKey: "627fdbfa24232a5b62f9c295baa93f7db9752873", PublicKeyPEM: pubPEM})
	if err != nil {
		log.Fatal(err)
	}
	club, err := merchant.New(merchant.Config{MerchantID: 617002, MerchantKey: "another_merchant_key", PublicKeyPEM: pubPEM})
	if err != nil {
		log.Fatal(err)
	}
	merchants, err := merchant.NewAccounts(store, club)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/vkpay/notify", merchants.Handler(paykit.Hooks{
		Event: func(ctx context.Context, n paykit.Notification) error {
			m := n.(*merchant.Notification)
			fmt.Println("fulfil", m.Body.IssuerID, "of merchant", m.Body.MerchantID)
			return nil
		},
	}))
	c, _ := merchants.Client("merchant:617002")
	fmt.Println(c.Account())
	// Output: merchant:617002
}
