package paysera

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paykit-go/paykit"
)

func TestHandlerWithSharedOptions(t *testing.T) {
	v := mustVectors(t)
	raw := v.Callbacks["C1_macro_status1"].Raw
	t.Run("MaxBodyBytes caps the query of a GET", func(t *testing.T) {
		var logged error
		rec := &recorder{}
		h := vectorClient(t, "").HandlerWith(paykit.Hooks{Event: rec.event}, HandlerOptions{
			HandlerOptions: paykit.HandlerOptions{MaxBodyBytes: 100, ErrorLog: func(_ *http.Request, err error) { logged = err }}})
		if w := serve(h, raw); w.Code != http.StatusBadRequest || !errors.Is(logged, paykit.ErrBodyTooLarge) {
			t.Fatalf("%d, logged %v", w.Code, logged)
		}
		if rec.count() != 0 {
			t.Fatal("Event ran")
		}
	})
	t.Run("MaxBodyBytes caps the body of a POST", func(t *testing.T) {
		h := vectorClient(t, "").HandlerWith(paykit.Hooks{Event: (&recorder{}).event}, HandlerOptions{
			HandlerOptions: paykit.HandlerOptions{MaxBodyBytes: 100}})
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/cb", strings.NewReader(raw)))
		if w.Code != http.StatusBadRequest {
			t.Fatalf("%d", w.Code)
		}
	})
	t.Run("MaxBodyBytes caps the query of a POST without parameters in its body", func(t *testing.T) {
		h := vectorClient(t, "").HandlerWith(paykit.Hooks{Event: (&recorder{}).event}, HandlerOptions{
			HandlerOptions: paykit.HandlerOptions{MaxBodyBytes: 100}})
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/cb?"+raw, strings.NewReader("")))
		if w.Code != http.StatusBadRequest {
			t.Fatalf("%d", w.Code)
		}
	})
	t.Run("HookTimeout sets the hook deadline", func(t *testing.T) {
		var left time.Duration
		h := vectorClient(t, "").HandlerWith(paykit.Hooks{Event: func(ctx context.Context, _ paykit.Notification) error {
			d, _ := ctx.Deadline()
			left = time.Until(d)
			return nil
		}}, HandlerOptions{HandlerOptions: paykit.HandlerOptions{HookTimeout: time.Hour}})
		if w := serve(h, raw); w.Code != http.StatusOK {
			t.Fatalf("%d", w.Code)
		}
		if left <= ReplyTimeout {
			t.Errorf("deadline %v away, want the hour of HookTimeout, not ReplyTimeout", left)
		}
	})
	t.Run("by default the hook deadline is inside ReplyTimeout", func(t *testing.T) {
		var left time.Duration
		h := vectorClient(t, "").Handler(paykit.Hooks{Event: func(ctx context.Context, _ paykit.Notification) error {
			d, _ := ctx.Deadline()
			left = time.Until(d)
			return nil
		}})
		if w := serve(h, raw); w.Code != http.StatusOK {
			t.Fatalf("%d", w.Code)
		}
		if left <= 0 || left >= ReplyTimeout {
			t.Errorf("deadline %v away, want inside %v", left, ReplyTimeout)
		}
	})
}

func TestHandlerSMSReplyErrorFailsTheDeliveryAndRetries(t *testing.T) {
	v := mustVectors(t)
	rec := &recorder{}
	fail := true
	h := vectorClient(t, "").HandlerWith(paykit.Hooks{Event: rec.event}, HandlerOptions{
		SMSReply: func(context.Context, *Callback) (string, error) {
			if fail {
				return "", errors.New("template store down")
			}
			return "thanks", nil
		}})
	raw := v.Callbacks["C3_micro_sms"].Raw
	if w := serve(h, raw); w.Code != http.StatusInternalServerError || w.Body.String() == "OK" {
		t.Fatalf("%d %q", w.Code, w.Body.String())
	}
	fail = false
	if w := serve(h, raw); w.Body.String() != "OK thanks" {
		t.Fatalf("retry %d %q", w.Code, w.Body.String())
	}
}

func TestParseBodyIsParseCallbackOfTheRawInput(t *testing.T) {
	v := mustVectors(t)
	c := vectorClient(t, "")
	for name, cv := range v.Callbacks {
		t.Run(name, func(t *testing.T) {
			want, err := c.ParseCallback(getRequest(cv.Raw))
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.ParseBody([]byte(cv.Raw), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got.Query != want.Query || got.VerifiedBy != want.VerifiedBy || c.IdempotencyKey(got) != c.IdempotencyKey(want) {
				t.Errorf("ParseBody %+v, ParseCallback %+v", got, want)
			}
			if _, err := c.ParseBody([]byte(cv.Raw), http.Header{"X-Ignored": {"1"}}); err != nil {
				t.Errorf("with a header: %v", err)
			}
		})
	}
	for _, tc := range []struct {
		name string
		body string
		want error
	}{
		{"empty", "", paykit.ErrMalformed},
		{"bad escape", "data=%zz", paykit.ErrMalformed},
		{"repeated data", "data=a&data=b", paykit.ErrMalformed},
		{"near-miss signature", v.Callbacks["C1_macro_status1"].Raw[:len(v.Callbacks["C1_macro_status1"].Raw)-5] + "AAAAA",
			paykit.ErrInvalidSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := c.ParseBody([]byte(tc.body), nil); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestParseValuesRefusesRepeatedParameters(t *testing.T) {
	v := mustVectors(t)
	c1 := v.Callbacks["C1_macro_status1"]
	c := vectorClient(t, "")
	if _, err := c.ParseValues(mustQuery(t, c1.Raw)); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"data", "ss1", "ss2", "ss3"} {
		vals := mustQuery(t, c1.Raw)
		vals[k] = append(vals[k], "x")
		if _, err := c.ParseValues(vals); !errors.Is(err, paykit.ErrMalformed) {
			t.Errorf("%s twice: %v", k, err)
		}
	}
}

func TestAccountIsTheProjectID(t *testing.T) {
	c := mustClient(t, Config{ProjectID: 654321, Password: "x"})
	if c.Account() != "654321" {
		t.Errorf("Account %q", c.Account())
	}
}

// otherNotification is a notification that is not a *Callback.
type otherNotification struct{ s paykit.Summary }

func (o otherNotification) Summary() paykit.Summary { return o.s }

func TestIdempotencyKeyOfOtherNotificationsIsTheContractKey(t *testing.T) {
	c := vectorClient(t, "")
	n := otherNotification{paykit.Summary{Provider: paykit.Paysera, Kind: paykit.KindPayment, Status: paykit.StatusPaid, ID: "1"}}
	if got, want := c.IdempotencyKey(n), paykit.IdempotencyKey(c.Account(), n); got != want {
		t.Errorf("%s, want %s", got, want)
	}
}
