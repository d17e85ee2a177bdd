package paysera

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paykit-go/paykit"
)

// merchantQueries are parameters a merchant may put on its own
// callbackurl. None of them is Paysera's, so none may decide whether a
// callback verifies: Paysera adds data, ss1, ss2 and ss3 to whatever the
// URL already carries.
var merchantQueries = map[string]string{
	"semicolon in a value":      "shop=a;b",
	"semicolon in a key":        "a;b=1",
	"semicolon before our name": "x;data=1",
	"bad escape in a value":     "shop=%zz",
	"bad escape in a key":       "%zz=1",
	"truncated escape":          "shop=%4",
	"repeated own key":          "shop=1&shop=2",
	"key without value":         "flag",
	"empty key":                 "=1",
	"escaped semicolon":         "shop=a%3Bb",
}

func TestMerchantParametersOnTheCallbackURLNeverFailAValidCallback(t *testing.T) {
	v := mustVectors(t)
	cv := v.Callbacks["C1_macro_status1"]
	c := vectorClient(t, "")
	want, err := c.ParseBody([]byte(cv.Raw), nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, own := range merchantQueries {
		for _, q := range []string{own + "&" + cv.Raw, cv.Raw + "&" + own} {
			t.Run(name, func(t *testing.T) {
				check := func(how string, cb *Callback, err error) {
					t.Helper()
					if err != nil {
						t.Fatalf("%s: %v", how, err)
					}
					if cb.Query != want.Query || cb.VerifiedBy != want.VerifiedBy {
						t.Errorf("%s: decoded %q via %s, want %q via %s", how, cb.Query, cb.VerifiedBy, want.Query, want.VerifiedBy)
					}
					if _, exposed := cb.Fields()["shop"]; exposed {
						t.Errorf("%s: the merchant's own parameter is among the callback's fields", how)
					}
				}
				cb, err := c.ParseCallback(getRequest(q))
				check("GET", cb, err)
				cb, err = c.ParseBody([]byte(q), nil)
				check("ParseBody", cb, err)
				post := httptest.NewRequest(http.MethodPost, "https://shop.example.com/cb?"+own, strings.NewReader(cv.Raw))
				cb, err = c.ParseCallback(post)
				check("POST body beside the merchant's query", cb, err)
				post = httptest.NewRequest(http.MethodPost, "https://shop.example.com/cb?"+q, strings.NewReader(""))
				cb, err = c.ParseCallback(post)
				check("POST with everything in the query", cb, err)
				if w := serve(c.Handler(paykit.Hooks{Event: (&recorder{}).event}), q); w.Code != http.StatusOK || w.Body.String() != ReplyOK {
					t.Errorf("handler: %d %q", w.Code, w.Body.String())
				}
			})
		}
	}
}

// Paysera's own parameters are still judged: a malformed or repeated one
// fails the callback, whatever else the URL carries.
func TestPayseraParametersAreStillJudged(t *testing.T) {
	v := mustVectors(t)
	cv := v.Callbacks["C1_macro_status1"]
	c := vectorClient(t, "")
	for name, q := range map[string]string{
		"data twice":              cv.Raw + "&data=" + cv.Data,
		"ss2 twice":               cv.Raw + "&ss2=x",
		"bad escape in ss2":       cv.Raw + "&shop=1&ss1=%zz",
		"semicolon in data":       "data=" + cv.Data + ";x&ss2=x",
		"escaped key names data":  cv.Raw + "&d%61ta=x",
		"data missing, own param": "shop=a;b&ss2=x",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := c.ParseCallback(getRequest(q)); !errors.Is(err, paykit.ErrMalformed) && !errors.Is(err, paykit.ErrInvalidSignature) {
				t.Fatalf("got %v, want a refusal", err)
			}
		})
	}
}
