package paysera

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/form"
	"github.com/paykit-go/paykit/internal/redact"
)

var callbackSentinels = []error{paykit.ErrMalformed, paykit.ErrMissingSignature, paykit.ErrInvalidSignature,
	paykit.ErrWrongAccount, paykit.ErrBodyTooLarge}

func matchesSentinel(err error) bool {
	for _, s := range callbackSentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

func seedQueries(f *testing.F) {
	v := mustVectors(f)
	for _, cv := range v.Callbacks {
		f.Add(cv.Raw)
		f.Add("data=" + cv.Data + "&ss1=" + cv.SS1)
	}
	for _, ev := range v.Encrypted {
		f.Add(ev.Raw)
	}
	f.Add("")
	f.Add("data=")
	f.Add("data=AAAA&ss2=%%")
	f.Add("data=a&data=b")
}

// FuzzParseCallback feeds arbitrary query strings to ParseCallback (with
// ss1 accepted, so every path is reachable): it must never panic, every
// error must match a root sentinel, and anything accepted must belong to
// the configured project.
func FuzzParseCallback(f *testing.F) {
	seedQueries(f)
	c := vectorClientSS1(f, true)
	f.Fuzz(func(t *testing.T, raw string) {
		r := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/cb", RawQuery: raw}, Header: http.Header{}}
		r = r.WithContext(context.Background())
		cb, err := c.ParseCallback(r)
		if err != nil {
			if cb != nil || !matchesSentinel(err) {
				t.Fatalf("error %v (callback %v) matches no sentinel", err, cb)
			}
			return
		}
		if cb.ProjectID != "123456" || (cb.Type != TypeMacro && cb.Type != TypeMicro) {
			t.Fatalf("accepted %+v", cb)
		}
		_ = cb.Summary()
	})
}

// FuzzDecodeBase64 checks the lenient decoder against the standard one:
// whatever it accepts re-encodes to an equivalent string.
func FuzzDecodeBase64(f *testing.F) {
	v := mustVectors(f)
	f.Add(v.DocsExample.Base64)
	for _, cv := range v.Callbacks {
		f.Add(cv.Data)
		f.Add(cv.SS2)
	}
	f.Add("a-_b+/==")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := decodeBase64(s)
		if err != nil {
			return
		}
		again, err := decodeBase64(base64.StdEncoding.EncodeToString(b))
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("round trip of %q: %v", s, err)
		}
	})
}

// FuzzNewCallback fills a Callback from arbitrary decoded parameters.
func FuzzNewCallback(f *testing.F) {
	v := mustVectors(f)
	for _, cv := range v.Callbacks {
		f.Add(cv.Query)
	}
	f.Add("to=1&from=2&sms=3&projectid=1")
	f.Add("status=5&refund_amount=x&refund_timestamp=-1")
	f.Fuzz(func(t *testing.T, q string) {
		fields, err := form.Parse(q)
		if err != nil {
			return
		}
		cb, err := newCallback(fields)
		if err != nil {
			if !errors.Is(err, paykit.ErrMalformed) {
				t.Fatalf("error %v", err)
			}
			return
		}
		s := cb.Summary()
		if s.Provider != paykit.Paysera || s.Amount.Amount < 0 {
			t.Fatalf("summary %+v", s)
		}
	})
}

// FuzzParsePaymentMethods parses arbitrary XML.
func FuzzParsePaymentMethods(f *testing.F) {
	f.Add([]byte(methodsXML))
	f.Add([]byte("<payment_types_document/>"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		list, err := ParsePaymentMethods(doc)
		if err != nil {
			if !errors.Is(err, paykit.ErrMalformed) {
				t.Fatalf("error %v", err)
			}
			return
		}
		_ = list.FilterByAmount(paykit.Money{Amount: 100, Currency: "EUR"})
	})
}

// FuzzCallbackQueryMatchesParseQuery keeps the scanner of the outer query
// equal to url.ParseQuery, followed by paramsFromValues, of the pairs whose
// key decodes to one of Paysera's four parameters: the same four values,
// and an error exactly when they err, always ErrMalformed. Every other
// pair is the merchant's and never matters.
func FuzzCallbackQueryMatchesParseQuery(f *testing.F) {
	seedQueries(f)
	f.Add("a=1&b=%zz")
	f.Add("a=1;b=2")
	f.Add("a+b=c+d&%41=%42&ss%31=x+y")
	f.Add("shop=1&shop=2&data=x")
	f.Add("data=a;b&%zz=1")
	f.Add("x;data=1&data=2")
	f.Fuzz(func(t *testing.T, q string) {
		got, err := callbackQuery(q)
		var want callbackParams
		v, wantErr := url.ParseQuery(payseraPairs(q))
		if wantErr == nil {
			want, wantErr = paramsFromValues(v)
		}
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("callbackQuery error %v, url.ParseQuery error %v", err, wantErr)
		}
		if err != nil {
			if !errors.Is(err, paykit.ErrMalformed) {
				t.Fatalf("error %v", err)
			}
			return
		}
		if got.value(got.data) != want.data || string(got.bytes(got.data)) != want.data ||
			got.value(got.ss1) != want.ss1 || got.value(got.ss2) != want.ss2 || got.value(got.ss3) != want.ss3 ||
			got.hasData != want.hasData || got.hasSS1 != want.hasSS1 || got.hasSS2 != want.hasSS2 || got.hasSS3 != want.hasSS3 {
			t.Fatalf("callbackQuery %+v, url.ParseQuery %+v", got, want)
		}
	})
}

// payseraPairs keeps the '&'-separated pairs of q whose key decodes to
// data, ss1, ss2 or ss3.
func payseraPairs(q string) string {
	var kept []string
	for _, pair := range strings.Split(q, "&") {
		rawKey, _, _ := strings.Cut(pair, "=")
		if k, err := url.QueryUnescape(rawKey); err == nil && (k == "data" || k == "ss1" || k == "ss2" || k == "ss3") {
			kept = append(kept, pair)
		}
	}
	return strings.Join(kept, "&")
}

// FuzzFieldsMatchForm keeps the typed fields equal to what form.Parse
// reads: every field a Callback has is the value form.Parse gives its key.
func FuzzFieldsMatchForm(f *testing.F) {
	v := mustVectors(f)
	for _, cv := range v.Callbacks {
		f.Add(cv.Query)
	}
	f.Add("requestid=1&surname=a&surename=b&to=&from=&sms=&id=2")
	f.Add("requestid=1&a=1&a=2")
	f.Fuzz(func(t *testing.T, q string) {
		want, wantErr := form.Parse(q)
		cb, err := callbackFromQuery(q)
		if wantErr != nil {
			if err == nil {
				t.Fatalf("accepted what form.Parse refuses: %v", wantErr)
			}
			return
		}
		if err != nil {
			return // no id, bad amount: refused after parsing
		}
		for key, got := range map[string]string{"projectid": cb.ProjectID, "orderid": cb.OrderID,
			"requestid": cb.RequestID, "currency": cb.Currency, "status": string(cb.Status), "id": cb.SMSID,
			"p_email": cb.Payer.Email, "account": cb.Account, "paytext": cb.PayText, "sms": cb.Text} {
			if got != want.Get(key) {
				t.Fatalf("%s: %q, form.Parse %q", key, got, want.Get(key))
			}
		}
		if !reflect.DeepEqual(cb.Fields()["projectid"], want["projectid"]) {
			t.Fatalf("Fields %v, form.Parse %v", cb.Fields(), want)
		}
	})
}

// FuzzParseBodyMatchesParseCallback keeps the raw-input entry point equal
// to ParseCallback of a GET with the same query: same callback, and an
// error exactly when it errs.
func FuzzParseBodyMatchesParseCallback(f *testing.F) {
	seedQueries(f)
	f.Add("a=1&b=%zz")
	f.Add("a=1;b=2")
	c := vectorClientSS1(f, true)
	f.Fuzz(func(t *testing.T, q string) {
		r := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/cb", RawQuery: q}, Header: http.Header{}}
		want, wantErr := c.ParseCallback(r.WithContext(context.Background()))
		got, err := c.ParseBody([]byte(q), nil)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("ParseBody error %v, ParseCallback error %v", err, wantErr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("ParseBody %+v, ParseCallback %+v", got, want)
		}
	})
}

// FuzzParseCallbackPOST feeds arbitrary bodies and queries to a POST:
// never a panic, every error a root sentinel, and whatever is accepted
// has Paysera's id, which its idempotency key is made of.
func FuzzParseCallbackPOST(f *testing.F) {
	v := mustVectors(f)
	for _, cv := range v.Callbacks {
		f.Add(cv.Raw, "")
		f.Add("", cv.Raw)
		f.Add(cv.Raw, "shop=1")
		f.Add(cv.Raw, cv.Raw)
	}
	f.Add("data=a;b", "x=%zz")
	c := vectorClientSS1(f, true)
	f.Fuzz(func(t *testing.T, body, query string) {
		r := &http.Request{Method: http.MethodPost, URL: &url.URL{Path: "/cb", RawQuery: query}, Header: http.Header{},
			Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body))}
		cb, err := c.ParseCallback(r.WithContext(context.Background()))
		if err != nil {
			if cb != nil || !matchesSentinel(err) {
				t.Fatalf("error %v (callback %v) matches no sentinel", err, cb)
			}
			return
		}
		if cb.ProjectID != "123456" || cb.Summary().ID == "" {
			t.Fatalf("accepted %+v", cb)
		}
	})
}

// FuzzDecodeSignature checks the strict signature decoder: whatever it
// accepts is the canonical encoding of the bytes it returns (up to the
// alphabet, padding and line breaks, which do not change the bytes).
func FuzzDecodeSignature(f *testing.F) {
	v := mustVectors(f)
	for _, cv := range v.Callbacks {
		f.Add(cv.SS2)
		f.Add(cv.SS3)
	}
	f.Add("QQ==")
	f.Add("QR==")
	f.Add("QQ=")
	f.Add("QQ===")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := decodeSignature(s)
		if err != nil {
			return
		}
		norm := strings.NewReplacer("+", "-", "/", "_", "\r", "", "\n", "").Replace(strings.TrimRight(s, "="))
		if got := base64.RawURLEncoding.EncodeToString(b); got != norm {
			t.Fatalf("%q accepted as %x, whose encoding is %q", s, b, got)
		}
	})
}

// FuzzRedact checks that no credential survives in an API error's body,
// as is, upper or lower case, or URL-escaped: with every marker cut out,
// none is in what is left. Credentials are at least 4 bytes (shorter
// strings are not redacted: no Paysera credential is that short).
func FuzzRedact(f *testing.F) {
	f.Add("id=1&transaction=ABCDEF", "abcdef")
	f.Add("xxababab", "abab")
	f.Add("p%40ss1 and p@ss1", "p@ss1")
	f.Fuzz(func(t *testing.T, body, secret string) {
		if len(secret) < 4 || strings.ContainsRune(secret, 0) {
			return
		}
		c := &Client{secrets: []string{"fixed-password"}}
		out := strings.ReplaceAll(string(c.redactBody([]byte(body), secret)), redact.Mark, "\x00")
		for _, s := range []string{secret, strings.ToUpper(secret), strings.ToLower(secret), url.QueryEscape(secret), "fixed-password"} {
			if strings.Contains(out, s) {
				t.Fatalf("redactBody(%q) = %q keeps %q", body, out, s)
			}
		}
	})
}
