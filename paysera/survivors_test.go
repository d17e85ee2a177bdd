package paysera

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/form"
)

// Tests for the mutants listed as surviving in .ci/mutation-survivors.md.

func TestPOSTWithAMalformedQueryBesideASignedBodyIsMalformed(t *testing.T) {
	v := mustVectors(t)
	raw := v.Callbacks["C1_macro_status1"].Raw
	c := vectorClient(t, "")
	for name, query := range map[string]string{
		"duplicate data":           "data=a&data=b",
		"bad escape in ss2":        "ss2=%zz",
		"semicolon in data":        "data=a;b",
		"duplicate ss3 beside own": "shop=1;x&ss3=a&ss3=b",
	} {
		t.Run(name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "https://shop.example.com/cb?"+query, strings.NewReader(raw))
			if _, err := c.ParseCallback(r); !errors.Is(err, paykit.ErrMalformed) {
				t.Fatalf("got %v", err)
			}
		})
	}
}

func TestSignatureThatIsNotBase64FailsWithoutAKeyDownload(t *testing.T) {
	v := mustVectors(t)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte(v.About.PublicKeyPEM))
	}))
	defer srv.Close()
	c := mustClient(t, Config{ProjectID: 123456, Password: "x", FetchPublicKey: true,
		PublicKeyURL: srv.URL, KeyRefreshInterval: time.Hour})
	data := v.Callbacks["C1_macro_status1"].Data
	for _, param := range []string{"ss2", "ss3"} {
		for name, sig := range map[string]string{"empty": "", "not base64": "!!!!", "bad padding": "QQ="} {
			t.Run(param+"/"+name, func(t *testing.T) {
				_, err := c.ParseValues(url.Values{"data": {data}, param: {sig}})
				if !errors.Is(err, paykit.ErrInvalidSignature) {
					t.Fatalf("got %v", err)
				}
			})
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("%d key downloads for signatures that never reach a verification", n)
	}
}

// A semicolon in one of Paysera's parameters is refused wherever it
// stands; in the merchant's own parameters it is never looked at (see
// TestMerchantParametersOnTheCallbackURLNeverFailAValidCallback).
func TestSemicolonInAPayseraParameterIsRefused(t *testing.T) {
	cv := mustVectors(t).Callbacks["C1_macro_status1"]
	c := vectorClient(t, "")
	for _, q := range []string{"data=;" + cv.Data + "&ss2=" + cv.SS2, "data=" + cv.Data + ";&ss2=" + cv.SS2,
		"data=" + cv.Data + "&ss2=;" + cv.SS2, "data=" + cv.Data + "&ss2=" + cv.SS2 + ";"} {
		if _, err := c.ParseBody([]byte(q), nil); !errors.Is(err, paykit.ErrMalformed) {
			t.Errorf("%.20q…: %v", q, err)
		}
	}
	if _, err := c.ParseBody([]byte(";a=1&"+cv.Raw+"&;b=2"), nil); err != nil {
		t.Errorf("semicolons in the merchant's own components: %v", err)
	}
}

func TestEmptyComponentsAreSkipped(t *testing.T) {
	raw := mustVectors(t).Callbacks["C1_macro_status1"].Raw
	c := vectorClient(t, "")
	for _, q := range []string{"&" + raw, raw + "&", strings.Replace(raw, "&", "&&", 1)} {
		if _, err := c.ParseBody([]byte(q), nil); err != nil {
			t.Errorf("%.20q…: %v", q, err)
		}
	}
}

func TestDuplicateOfAnyKnownFieldIsRefused(t *testing.T) {
	for _, key := range []string{"type", "projectid", "requestid", "status", "amount", "surename", "surname",
		"id", "to", "from", "sms", "refund_timestamp", "refund_commission_currency", "p_countrycode", "unknown_key"} {
		q := "projectid=1&requestid=1&" + key + "=a&" + key + "=b"
		if key == "projectid" || key == "requestid" {
			q = key + "=1&" + key + "=2"
		}
		if _, err := callbackFromQuery(q); !errors.Is(err, paykit.ErrMalformed) {
			t.Errorf("%s twice: %v", key, err)
		}
	}
}

func TestTypeIsDerivedLikePayseraLibrary(t *testing.T) {
	tests := []struct {
		name, query, want string
	}{
		{"to, from and sms without type", "to=1&from=2&sms=x&id=9", TypeMicro},
		{"to and from only", "to=1&from=2&id=9&requestid=1", TypeMacro},
		{"from and sms only", "from=2&sms=x&id=9&requestid=1", TypeMacro},
		{"to and sms only", "to=1&sms=x&id=9&requestid=1", TypeMacro},
		{"unknown type with the SMS fields", "type=other&to=1&from=2&sms=x&id=9", TypeMicro},
		{"unknown type without them", "type=other&requestid=1", TypeMacro},
		{"macro given", "type=macro&to=1&from=2&sms=x&requestid=1", TypeMacro},
		{"micro given", "type=micro&id=9", TypeMicro},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cb, err := callbackFromQuery("projectid=1&" + tt.query)
			if err != nil {
				t.Fatal(err)
			}
			if cb.Type != tt.want {
				t.Errorf("type %q, want %q", cb.Type, tt.want)
			}
		})
	}
}

func TestRefundIsSetForStatus5OrRefundFields(t *testing.T) {
	tests := []struct {
		name, query string
		refund      bool
		at          time.Time
	}{
		{"status 5 without refund fields", "status=5", true, time.Time{}},
		{"refund fields with status 1", "status=1&refund_timestamp=1735689600", true, time.Unix(1735689600, 0).UTC()},
		{"timestamp 0 is no time", "status=5&refund_timestamp=0", true, time.Time{}},
		{"timestamp 1 is a time", "status=5&refund_timestamp=1", true, time.Unix(1, 0).UTC()},
		{"status 1 alone", "status=1", false, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cb, err := callbackFromQuery("projectid=1&requestid=1&" + tt.query)
			if err != nil {
				t.Fatal(err)
			}
			if (cb.Refund != nil) != tt.refund {
				t.Fatalf("refund %+v, want present %v", cb.Refund, tt.refund)
			}
			if cb.Refund != nil && !cb.Refund.Timestamp.Equal(tt.at) {
				t.Errorf("timestamp %v, want %v", cb.Refund.Timestamp, tt.at)
			}
		})
	}
}

func TestSurenameWinsOverSurname(t *testing.T) {
	for q, want := range map[string]string{
		"surename=Paysera&surname=Facade": "Paysera",
		"surname=Facade&surename=Paysera": "Paysera",
		"surname=Facade":                  "Facade",
		"surename=Paysera":                "Paysera",
	} {
		cb, err := callbackFromQuery("projectid=1&requestid=1&" + q)
		if err != nil {
			t.Fatal(err)
		}
		if cb.Surname != want {
			t.Errorf("%s: %q, want %q", q, cb.Surname, want)
		}
	}
}

func TestInputOfExactlyTheCapIsAccepted(t *testing.T) {
	raw := mustVectors(t).Callbacks["C1_macro_status1"].Raw
	c := vectorClient(t, "")
	pad := form.DefaultMaxBytes - len(raw) - len("&shop=")
	exact := raw + "&shop=" + strings.Repeat("x", pad)
	if _, err := c.ParseCallback(getRequest(exact)); err != nil {
		t.Errorf("GET of exactly the cap: %v", err)
	}
	if _, err := c.ParseCallback(getRequest(exact + "x")); !errors.Is(err, paykit.ErrBodyTooLarge) {
		t.Errorf("GET one byte over: %v", err)
	}
	post := httptest.NewRequest(http.MethodPost, "/cb?"+exact, strings.NewReader(""))
	if _, err := c.ParseCallback(post); err != nil {
		t.Errorf("POST query of exactly the cap: %v", err)
	}
	post = httptest.NewRequest(http.MethodPost, "/cb?"+exact+"x", strings.NewReader(""))
	if _, err := c.ParseCallback(post); !errors.Is(err, paykit.ErrBodyTooLarge) {
		t.Errorf("POST query one byte over: %v", err)
	}
	if _, err := c.ParseBody([]byte(exact), nil); err != nil {
		t.Errorf("ParseBody of exactly the cap: %v", err)
	}
	if _, err := c.ParseBody([]byte(exact+"x"), nil); !errors.Is(err, paykit.ErrBodyTooLarge) {
		t.Errorf("ParseBody one byte over: %v", err)
	}
}

func TestPOSTWhoseQueryIsAsLongAsItsSignedBodyReadsTheBody(t *testing.T) {
	raw := mustVectors(t).Callbacks["C1_macro_status1"].Raw
	query := "shop=" + strings.Repeat("x", len(raw)-len("shop="))
	req := func() *http.Request {
		return httptest.NewRequest(http.MethodPost, "https://shop.example.com/cb?"+query, strings.NewReader(raw))
	}
	c := vectorClient(t, "")
	if cb, err := c.ParseCallback(req()); err != nil || cb == nil {
		t.Fatalf("ParseCallback: cb = %v, err = %v; want the body's callback", cb, err)
	}
	rec := &recorder{}
	w := httptest.NewRecorder()
	c.Handler(paykit.Hooks{Event: rec.event}).ServeHTTP(w, req())
	if w.Code != http.StatusOK || w.Body.String() != "OK" || rec.count() != 1 {
		t.Fatalf("Handler: %d %q, %d events; want OK and the body's callback", w.Code, w.Body.String(), rec.count())
	}
}

func TestPOSTQueryOverTheCapBesideASignedBodyIsTooLarge(t *testing.T) {
	raw := mustVectors(t).Callbacks["C1_macro_status1"].Raw
	query := "shop=" + strings.Repeat("x", form.DefaultMaxBytes)
	r := httptest.NewRequest(http.MethodPost, "https://shop.example.com/cb?"+query, strings.NewReader(raw))
	if _, err := vectorClient(t, "").ParseCallback(r); !errors.Is(err, paykit.ErrBodyTooLarge) {
		t.Fatalf("err = %v, want ErrBodyTooLarge", err)
	}
}

func TestParseValuesWithAnEmptyValueListIsRefusedNotAPanic(t *testing.T) {
	c := vectorClient(t, "")
	for _, k := range []string{"data", "ss1", "ss2", "ss3"} {
		t.Run(k, func(t *testing.T) {
			v := url.Values{"data": {mustVectors(t).Callbacks["C1_macro_status1"].Data}}
			v[k] = []string{}
			if _, err := c.ParseValues(v); err == nil {
				t.Fatalf("%s with no value: accepted", k)
			}
		})
	}
}

func TestRefundsDifferingOnlyInOneRefundFieldGetDistinctKeys(t *testing.T) {
	c := vectorClient(t, "")
	for _, field := range []string{"refund_timestamp", "refund_amount", "refund_currency", "refund_commission_amount", "refund_commission_currency"} {
		t.Run(field, func(t *testing.T) {
			a, b := macroValues("5", "555", "0"), macroValues("5", "555", "0")
			a.Set(field, "100")
			b.Set(field, "200")
			if ka, kb := c.IdempotencyKey(mustCallback(t, a)), c.IdempotencyKey(mustCallback(t, b)); ka == kb {
				t.Fatalf("refunds with only %s differing share key %s", field, ka)
			}
		})
	}
}

func TestAdditionalInfoKeyWithNoFieldsIsNotAPanic(t *testing.T) {
	c := vectorClient(t, "")
	k1 := c.IdempotencyKey(&Callback{Status: StatusAdditionalInfo})
	k2 := c.IdempotencyKey(&Callback{Status: StatusAdditionalInfo})
	if k1 == "" || k1 != k2 {
		t.Fatalf("keys %q, %q: want one non-empty key", k1, k2)
	}
}
