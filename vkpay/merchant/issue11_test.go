package merchant_test

import (
	"bytes"
	"context"
	"crypto"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/vkpay"
	"github.com/paykit-go/paykit/vkpay/merchant"
)

func withBody(d map[string]any, k string, v any) map[string]any {
	body := d["body"].(map[string]any)
	if v == nil {
		delete(body, k)
	} else {
		body[k] = v
	}
	return d
}

func TestNotificationMustNameThisMerchant(t *testing.T) {
	tests := []struct {
		name string
		data map[string]any
		want error
	}{
		{"this merchant as a string", paidData("t", "paid"), nil},
		{"this merchant as a number", withBody(paidData("t", "paid"), "merchant_id", 617001), nil},
		{"no merchant_id", withBody(paidData("t", "paid"), "merchant_id", nil), paykit.ErrWrongAccount},
		{"empty merchant_id", withBody(paidData("t", "paid"), "merchant_id", ""), paykit.ErrWrongAccount},
		{"null merchant_id", withBody(paidData("t", "paid"), "merchant_id", "null"), paykit.ErrWrongAccount},
		{"another merchant", withBody(paidData("t", "paid"), "merchant_id", 617002), paykit.ErrWrongAccount},
		{"this merchant with a leading zero", withBody(paidData("t", "paid"), "merchant_id", "0617001"), paykit.ErrWrongAccount},
		{"this merchant as a prefix", withBody(paidData("t", "paid"), "merchant_id", "6170011"), paykit.ErrWrongAccount},
	}
	c := newClient(t) // ClientID unset: merchant_id is the only account check
	var events atomic.Int32
	h := c.Handler(paykit.Hooks{Event: func(context.Context, paykit.Notification) error {
		events.Add(1)
		return nil
	}})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := events.Load()
			form := notify(t, tt.data, crypto.SHA1)
			_, err := c.ParseValues(form)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			_, m := decodeAnswer(t, post(h, form).Body.Bytes())
			ran := events.Load() != before
			if tt.want != nil && (ran || m["header"].(map[string]any)["status"] != "ERROR") {
				t.Fatalf("refused notification: Event ran %t, answer %v", ran, m)
			}
		})
	}
}

func TestNewRefusesAConfigThatCannotCheckTheAccount(t *testing.T) {
	for name, id := range map[string]int64{"zero merchant id": 0, "negative merchant id": -617001} {
		t.Run(name, func(t *testing.T) {
			_, err := merchant.New(merchant.Config{MerchantID: id, MerchantKey: merchantKey, PublicKeyPEM: readFile(t, "test_pub.pem")})
			var fe *paykit.FieldError
			if !errors.As(err, &fe) || fe.Field != "MerchantID" {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

// keyStore records the key of every delivery that reaches the store.
type keyStore struct {
	paykit.Store
	mu   sync.Mutex
	keys []string
}

func (s *keyStore) Do(ctx context.Context, key string, fulfil func(context.Context) ([]byte, error)) ([]byte, bool, error) {
	s.mu.Lock()
	s.keys = append(s.keys, key)
	s.mu.Unlock()
	return s.Store.Do(ctx, key, fulfil)
}

func TestKeySeparatesEveryVKPayEventAndMatchesExactRepeats(t *testing.T) {
	refund := func(txn, status string) map[string]any {
		d := paidData(txn, status)
		d["body"].(map[string]any)["payment_info"] = map[string]any{"refund_type": "refund", "refunded_transaction_id": "txn-1"}
		return d
	}
	other := func(c *merchant.Config) { c.MerchantID = 617002 }
	otherData := func(txn, status string) map[string]any {
		return withBody(paidData(txn, status), "merchant_id", 617002)
	}
	tests := []struct {
		name   string
		a, b   map[string]any
		bOther bool // b is for another merchant, delivered to its own client
		same   bool
	}{
		{"exact repeat", paidData("txn-1", "paid"), paidData("txn-1", "paid"), false, true},
		{"repeat with upper-case status", paidData("txn-1", "paid"), paidData("txn-1", "PAID"), false, true},
		{"two transactions", paidData("txn-1", "paid"), paidData("txn-2", "paid"), false, false},
		{"new then wait (both pending)", paidData("txn-1", "new"), paidData("txn-1", "wait"), false, false},
		{"held then process (both pending)", paidData("txn-1", "held"), paidData("txn-1", "process"), false, false},
		{"rejected then expired (both failed)", paidData("txn-1", "rejected"), paidData("txn-1", "expired"), false, false},
		{"two statuses paykit does not know", paidData("txn-1", "frozen"), paidData("txn-1", "thawed"), false, false},
		{"pending then paid", paidData("txn-1", "new"), paidData("txn-1", "paid"), false, false},
		{"payment and refund with one id", paidData("txn-1", "paid"), refund("txn-1", "paid"), false, false},
		{"same transaction id at two merchants", paidData("txn-1", "paid"), otherData("txn-1", "paid"), true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &keyStore{Store: paykit.NewMemoryStore(paykit.MemoryStoreOptions{})}
			hooks := paykit.Hooks{Store: store, Event: func(context.Context, paykit.Notification) error { return nil }}
			post(newClient(t).Handler(hooks), notify(t, tt.a, crypto.SHA1))
			hb := newClient(t).Handler(hooks)
			if tt.bOther {
				hb = newClient(t, other).Handler(hooks)
			}
			post(hb, notify(t, tt.b, crypto.SHA1))
			if len(store.keys) != 2 || store.keys[0] == "" || store.keys[1] == "" {
				t.Fatalf("keys %q", store.keys)
			}
			if same := store.keys[0] == store.keys[1]; same != tt.same {
				t.Fatalf("keys %q: same=%t, want %t", store.keys, same, tt.same)
			}
		})
	}
}

func TestRSASignatureNearMissesAreRefused(t *testing.T) {
	c := newClient(t)
	good := notify(t, paidData("txn-1", "paid"), crypto.SHA1)
	if _, err := c.ParseValues(good); err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(good.Get("signature"))
	if err != nil {
		t.Fatal(err)
	}
	reencode := func(f func([]byte) []byte) string {
		return base64.StdEncoding.EncodeToString(f(append([]byte(nil), raw...)))
	}
	b64 := good.Get("signature")
	swapCase := func(s string) string {
		i := strings.IndexFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' })
		b := []byte(s)
		b[i] ^= 0x20
		return string(b)
	}
	sigs := map[string]string{
		"first byte differs":         reencode(func(b []byte) []byte { b[0] ^= 1; return b }),
		"last byte differs":          reencode(func(b []byte) []byte { b[len(b)-1] ^= 1; return b }),
		"truncated by one byte":      reencode(func(b []byte) []byte { return b[:len(b)-1] }),
		"extended by one byte":       reencode(func(b []byte) []byte { return append(b, 0) }),
		"one base64 letter's case":   swapCase(b64),
		"last base64 letter's case":  swapCase(reverse(b64)),
		"base64 truncated by 4":      b64[:len(b64)-4],
		"base64 extended by AAAA":    b64 + "AAAA",
		"signature of other data":    notify(t, paidData("txn-2", "paid"), crypto.SHA1).Get("signature"),
		"sha256 signature of same":   notify(t, paidData("txn-1", "paid"), crypto.SHA256).Get("signature"),
		"empty after base64 padding": "====",
	}
	h := c.Handler(paykit.Hooks{Event: func(context.Context, paykit.Notification) error {
		t.Error("Event ran for a near-miss signature")
		return nil
	}})
	for name, sig := range sigs {
		t.Run(name, func(t *testing.T) {
			if sig == b64 {
				t.Fatal("not a near miss")
			}
			form := clone(good)
			form.Set("signature", sig)
			if _, err := c.ParseValues(form); !errors.Is(err, paykit.ErrInvalidSignature) {
				t.Fatalf("err = %v, want ErrInvalidSignature", err)
			}
			_, m := decodeAnswer(t, post(h, form).Body.Bytes())
			if e, _ := m["header"].(map[string]any)["error"].(map[string]any); e == nil || e["code"] != "ERR_SIGNATURE" {
				t.Fatalf("answer %v", m)
			}
		})
	}
}

// reverse is used to find the last letter with the same helper: the case
// flip is applied to the reversed string and undone by reversing back.
func reverse(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

func TestHandlerAcceptsOnlyPost(t *testing.T) {
	var events atomic.Int32
	h := newClient(t).Handler(paykit.Hooks{Event: func(context.Context, paykit.Notification) error {
		events.Add(1)
		return nil
	}})
	form := notify(t, paidData("txn-1", "paid"), crypto.SHA1)
	for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions} {
		t.Run(method, func(t *testing.T) {
			r := httptest.NewRequest(method, "/vkpay/notify?"+form.Encode(), strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != http.MethodPost {
				t.Fatalf("status %d, Allow %q", w.Code, w.Header().Get("Allow"))
			}
		})
	}
	if events.Load() != 0 {
		t.Fatalf("Event ran %d times", events.Load())
	}
	if w := post(h, form); w.Code != http.StatusOK || events.Load() != 1 {
		t.Fatalf("POST: %d, events %d", w.Code, events.Load())
	}
}

func TestAPIErrorRedactsEchoedCredentials(t *testing.T) {
	const (
		appSecret = "app-Secret/with+chars&="
		apiKey    = "928e0c62564fdb4c862e422f8ca3c49e578c7cdf"
	)
	var reqSig string
	// The server echoes the request and the credentials it keeps for the
	// merchant, as a careless error page of a payment API might.
	echo := func(w http.ResponseWriter, r *http.Request, status int, signed bool, c *merchant.Client) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		reqSig = form.Get("signature")
		leak := "body=" + string(body) + " sig=" + reqSig + " SIG=" + strings.ToUpper(reqSig) +
			" key=" + apiKey + " mkey=" + merchantKey + " secret=" + appSecret +
			" escaped=" + url.QueryEscape(appSecret)
		if !signed {
			w.WriteHeader(status)
			_, _ = io.WriteString(w, leak)
			return
		}
		_ = c
		ans := notify(t, map[string]any{"header": map[string]any{"status": "ERROR",
			"error": map[string]any{"code": "ERR_SIGNATURE " + reqSig, "message": leak, "error_id": apiKey}}}, crypto.SHA1)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"version":"2-03-01","data":"`+ans.Get("data")+`","signature":"`+ans.Get("signature")+`"}`)
	}
	tests := []struct {
		name   string
		status int
		signed bool
	}{
		{"plain error page", http.StatusBadRequest, false},
		{"plain 200 that is no VK Pay answer", http.StatusOK, false},
		{"signed error answer", http.StatusOK, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c *merchant.Client
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				echo(w, r, tt.status, tt.signed, c)
			}))
			defer srv.Close()
			c = newClient(t, func(cfg *merchant.Config) {
				cfg.BaseURL, cfg.HTTPClient = srv.URL, srv.Client()
				cfg.AppSecret, cfg.APIKey = appSecret, apiKey
			})
			err := c.Call(context.Background(), "transaction/get", map[string]string{"transaction_id": "x"}, nil)
			var ae *paykit.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v, want *APIError", err)
			}
			if reqSig == "" {
				t.Fatal("the request carried no signature")
			}
			kept := strings.Join([]string{err.Error(), ae.Code, ae.Message, string(ae.Body)}, "\n")
			for name, secret := range map[string]string{
				"request signature": reqSig, "upper-case request signature": strings.ToUpper(reqSig),
				"API key": apiKey, "merchant key": merchantKey, "app secret": appSecret,
				"escaped app secret": url.QueryEscape(appSecret),
			} {
				if strings.Contains(strings.ToLower(kept), strings.ToLower(secret)) {
					t.Errorf("%s kept in the error", name)
				}
			}
			if !bytes.Contains(ae.Body, []byte("[redacted]")) && !strings.Contains(ae.Message, "[redacted]") {
				t.Error("nothing marked as redacted")
			}
		})
	}
}

func TestKeyNeverEqualsAVotesKeyInASharedStore(t *testing.T) {
	c := newClient(t) // merchant 617001
	votes, err := vkpay.New(vkpay.Config{AppID: 617001, Secret: "votes-secret"})
	if err != nil {
		t.Fatal(err)
	}
	p := url.Values{"app_id": {"617001"}, "user_id": {"1"}, "receiver_id": {"1"}, "order_id": {"5"},
		"status": {"chargeable"}, "item_price": {"10"}, "notification_type": {"order_status_change"},
		"date": {"1656358147"}, "item": {"gold"}}
	p.Set("sig", vkpay.Sign(p, "votes-secret"))
	order, err := votes.ParseValues(p)
	if err != nil {
		t.Fatal(err)
	}
	txn, err := c.ParseValues(notify(t, withBody(paidData("5", "paid"), "user_info", nil), crypto.SHA1))
	if err != nil {
		t.Fatal(err)
	}
	if order.Summary().ID != txn.Summary().ID || order.Summary().Kind != txn.Summary().Kind {
		t.Fatalf("the two notifications should look alike: %+v %+v", order.Summary(), txn.Summary())
	}
	if kv, km := votes.IdempotencyKey(order), c.IdempotencyKey(txn); kv == km || km == "" {
		t.Fatalf("votes key %q, merchant key %q", kv, km)
	}
	if c.IdempotencyKey(order) != "" {
		t.Fatal("a votes notification got a merchant key")
	}
}

// A space in data is tried as '+' (a sender that did not escape base64's
// '+'), but a data whose '+' reading does not verify either is refused: the
// retry must not turn into an acceptance.
func TestDataWithASpaceIsRefusedWhenNeitherReadingVerifies(t *testing.T) {
	c := newClient(t)
	good := notify(t, paidData("txn-1", "paid"), crypto.SHA1)
	other := notify(t, paidData("txn-2", "paid"), crypto.SHA1)
	form := clone(good)
	data := form.Get("data")
	form.Set("data", data[:len(data)/2]+" "+data[len(data)/2+1:])
	form.Set("signature", other.Get("signature"))
	if _, err := c.ParseValues(form); !errors.Is(err, paykit.ErrInvalidSignature) {
		t.Fatalf("err = %v, want ErrInvalidSignature", err)
	}
}
