package paysera

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/paykit-go/paykit"
)

// signSS3 signs a parameter string like Paysera (ss3 only) with the
// vectors' test key and returns the callback query.
func signSS3(t testing.TB, fields []field) string {
	t.Helper()
	v := mustVectors(t)
	block, _ := pem.Decode([]byte(v.About.PrivateKeyPEM))
	priv, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	data := encodeData(buildQuery(fields))
	sum := sha256.Sum256([]byte(data))
	sig, err := rsa.SignPKCS1v15(rand.Reader, priv, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return buildQuery([]field{{"data", data}, {"ss3", base64.URLEncoding.EncodeToString(sig)}})
}

func macro(status string) []field {
	return []field{{"projectid", "123456"}, {"orderid", "A-1"}, {"requestid", "42"}, {"amount", "500"},
		{"currency", "EUR"}, {"status", status}, {"test", "0"}, {"type", "macro"}}
}

type recorder struct {
	mu     sync.Mutex
	events []*Callback
	err    error
}

func (r *recorder) event(ctx context.Context, n paykit.Notification) error {
	if _, ok := ctx.Deadline(); !ok {
		return errors.New("hook context without deadline")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	r.events = append(r.events, n.(*Callback))
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

func serve(h http.Handler, rawQuery string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, getRequest(rawQuery))
	return w
}

func TestHandlerAnswersOKOncePerEvent(t *testing.T) {
	v := mustVectors(t)
	rec := &recorder{}
	h := vectorClient(t, "").Handler(paykit.Hooks{Event: rec.event})
	raw := v.Callbacks["C1_macro_status1"].Raw
	for i := 0; i < 3; i++ {
		w := serve(h, raw)
		if w.Code != http.StatusOK || w.Body.String() != "OK" {
			t.Fatalf("delivery %d: %d %q", i, w.Code, w.Body.String())
		}
	}
	if rec.count() != 1 {
		t.Errorf("Event ran %d times, want 1", rec.count())
	}
}

func TestHandlerConcurrentDuplicatesRunEventOnce(t *testing.T) {
	v := mustVectors(t)
	var calls atomic.Int32
	h := vectorClient(t, "").Handler(paykit.Hooks{Event: func(context.Context, paykit.Notification) error {
		calls.Add(1)
		return nil
	}})
	raw := v.Callbacks["C1_macro_status1"].Raw
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if w := serve(h, raw); w.Body.String() != "OK" {
				t.Errorf("got %d %q", w.Code, w.Body.String())
			}
		}()
	}
	wg.Wait()
	if calls.Load() != 1 {
		t.Errorf("Event ran %d times", calls.Load())
	}
}

func TestHandlerTreatsEachStatusAsAnEvent(t *testing.T) {
	rec := &recorder{}
	h := vectorClient(t, "").Handler(paykit.Hooks{Event: rec.event})
	info1 := append(macro("3"), field{"account", "LT1"})
	info2 := append(macro("3"), field{"personcodestatus", "1"})
	for _, q := range []string{signSS3(t, macro("2")), signSS3(t, macro("4")), signSS3(t, macro("1")),
		signSS3(t, macro("1")), signSS3(t, info1), signSS3(t, info2), signSS3(t, info2), signSS3(t, macro("5"))} {
		if w := serve(h, q); w.Code != http.StatusOK || w.Body.String() != "OK" {
			t.Fatalf("%d %q", w.Code, w.Body.String())
		}
	}
	var got []Status
	for _, e := range rec.events {
		got = append(got, e.Status)
	}
	want := []Status{"2", "4", "1", "3", "3", "5"}
	if len(got) != len(want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("events %v, want %v", got, want)
		}
	}
}

func TestHandlerFailures(t *testing.T) {
	v := mustVectors(t)
	raw := v.Callbacks["C1_macro_status1"].Raw
	cases := []struct {
		name  string
		hooks paykit.Hooks
		query string
		code  int
	}{
		{"bad signature", paykit.Hooks{Event: (&recorder{}).event}, raw[:len(raw)-10] + "AAAAAAAAAA", http.StatusBadRequest},
		{"no data", paykit.Hooks{Event: (&recorder{}).event}, "ss1=x", http.StatusBadRequest},
		{"wrong project", paykit.Hooks{Event: (&recorder{}).event}, signSS3(t, []field{{"projectid", "1"}}), http.StatusBadRequest},
		{"duplicate query key", paykit.Hooks{Event: (&recorder{}).event}, raw + "&ss3=x", http.StatusBadRequest},
		{"hook error", paykit.Hooks{Event: (&recorder{err: errors.New("db down")}).event}, raw, http.StatusInternalServerError},
		{"temporary hook error", paykit.Hooks{Event: (&recorder{err: paykit.Temporary(errors.New("busy"))}).event}, raw, http.StatusInternalServerError},
		{"nil Event", paykit.Hooks{}, raw, http.StatusInternalServerError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var logged error
			h := vectorClient(t, "").HandlerWith(tc.hooks, HandlerOptions{HandlerOptions: paykit.HandlerOptions{
				ErrorLog: func(_ *http.Request, err error) { logged = err }}})
			w := serve(h, tc.query)
			if w.Code != tc.code || w.Body.String() == "OK" {
				t.Fatalf("got %d %q, want %d", w.Code, w.Body.String(), tc.code)
			}
			if logged == nil {
				t.Error("ErrorLog not called")
			}
		})
	}
}

func TestHandlerRetryAfterFailureRunsEventAgain(t *testing.T) {
	v := mustVectors(t)
	rec := &recorder{err: errors.New("db down")}
	h := vectorClient(t, "").Handler(paykit.Hooks{Event: rec.event})
	raw := v.Callbacks["C1_macro_status1"].Raw
	if w := serve(h, raw); w.Code != http.StatusInternalServerError {
		t.Fatalf("first delivery %d", w.Code)
	}
	rec.mu.Lock()
	rec.err = nil
	rec.mu.Unlock()
	if w := serve(h, raw); w.Body.String() != "OK" {
		t.Fatalf("retry %d %q", w.Code, w.Body.String())
	}
	if rec.count() != 1 {
		t.Errorf("events %d", rec.count())
	}
}

func TestHandlerMicroReplyIsStoredAndReplayed(t *testing.T) {
	v := mustVectors(t)
	rec := &recorder{}
	var n atomic.Int32
	h := vectorClient(t, "").HandlerWith(paykit.Hooks{Event: rec.event}, HandlerOptions{
		SMSReply: func(_ context.Context, cb *Callback) (string, error) {
			return "Your code " + cb.SMSID + "-" + string(rune('0'+n.Add(1))), nil
		},
	})
	raw := v.Callbacks["C3_micro_sms"].Raw
	first := serve(h, raw)
	second := serve(h, raw)
	if first.Body.String() != "OK Your code 555000111-1" || second.Body.String() != first.Body.String() {
		t.Errorf("replies %q, %q", first.Body.String(), second.Body.String())
	}
	if rec.count() != 1 {
		t.Errorf("events %d", rec.count())
	}
	// Without the option a micro payment is answered plain OK.
	plain := vectorClient(t, "").Handler(paykit.Hooks{Event: rec.event})
	if w := serve(plain, raw); w.Body.String() != "OK" {
		t.Errorf("plain micro reply %q", w.Body.String())
	}
}

func TestIdempotencyKeyIsTheContractKeyForTheCommonStatuses(t *testing.T) {
	c := vectorClient(t, "")
	for _, st := range []Status{StatusNotExecuted, StatusSuccess, StatusAccepted, StatusRefunded} {
		cb := &Callback{Type: TypeMacro, Status: st, RequestID: "1"}
		if got, want := c.IdempotencyKey(cb), paykit.IdempotencyKey("123456", cb); got != want {
			t.Errorf("status %s: %s, want %s", st, got, want)
		}
	}
	// A micro payment is keyed apart from a macro one with the same id,
	// by a length-prefixed discriminator.
	micro := &Callback{Type: TypeMicro, SMSID: "1"}
	if got, want := c.IdempotencyKey(micro), paykit.IdempotencyKey("123456", micro)+"|5:micro"; got != want {
		t.Errorf("micro key %s, want %s", got, want)
	}
	s2 := c.IdempotencyKey(&Callback{Type: TypeMacro, Status: StatusAccepted, RequestID: "1"})
	s4 := c.IdempotencyKey(&Callback{Type: TypeMacro, Status: StatusExecutedWithoutConfirmation, RequestID: "1"})
	if s2 == s4 {
		t.Error("statuses 2 and 4 share a key")
	}
}
