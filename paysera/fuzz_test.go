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
		fields, err := paykit.ParseForm(q)
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

// FuzzQueryParserMatchesParseForm keeps the allocation-light parsers equal
// to paykit.ParseForm: same values, and an error exactly when it errs.
func FuzzQueryParserMatchesParseForm(f *testing.F) {
	seedQueries(f)
	f.Add("a=1&b=%zz")
	f.Add("a=1;b=2")
	f.Add("a+b=c+d&%41=%42")
	f.Fuzz(func(t *testing.T, q string) {
		want, err := paykit.ParseForm(q)
		cb := &Callback{}
		if cbErr := cb.parseQuery(q); (cbErr == nil) != (err == nil) {
			t.Fatalf("Callback.parseQuery error %v, ParseForm error %v", cbErr, err)
		} else if cbErr == nil && !reflect.DeepEqual(cb.Fields(), want) {
			t.Fatalf("Callback.Fields %v, ParseForm %v", cb.Fields(), want)
		}
		if err != nil {
			if !errors.Is(err, paykit.ErrMalformed) {
				t.Fatalf("error %v", err)
			}
			return
		}
		p, err := callbackQuery(q)
		if err != nil {
			t.Fatalf("callbackQuery refused what ParseForm accepts: %v", err)
		}
		fv, _ := paramsFromValues(want)
		if p.value(p.data) != fv.data || p.value(p.ss1) != fv.ss1 || p.value(p.ss2) != fv.ss2 ||
			p.value(p.ss3) != fv.ss3 || string(p.appendValue(nil, p.data)) != fv.data ||
			p.hasData != fv.hasData || p.hasSS1 != fv.hasSS1 || p.hasSS2 != fv.hasSS2 || p.hasSS3 != fv.hasSS3 {
			t.Fatalf("callbackQuery %+v, from values %+v", p, fv)
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
		b, err := decodeSignatureInto(nil, []byte(s))
		if err != nil {
			return
		}
		norm := strings.NewReplacer("+", "-", "/", "_", "\r", "", "\n", "").Replace(strings.TrimRight(s, "="))
		if got := base64.RawURLEncoding.EncodeToString(b); got != norm {
			t.Fatalf("%q accepted as %x, whose encoding is %q", s, b, got)
		}
	})
}

// FuzzRedact checks that no secret survives redaction in any ASCII case:
// with every marker cut out, the secret is not in what is left.
func FuzzRedact(f *testing.F) {
	f.Add("id=1&transaction=ABCdef", "abcDEF")
	f.Add("xxabab", "ab")
	f.Add("p%40ss and p@ss", "p@ss")
	f.Fuzz(func(t *testing.T, body, secret string) {
		if secret == "" || strings.ContainsRune(secret, 0) {
			return
		}
		c := &Client{secrets: []string{"fixed-password"}}
		out := strings.ReplaceAll(c.redact(body, secret), redacted, "\x00")
		for _, s := range []string{secret, url.QueryEscape(secret), "fixed-password"} {
			if strings.Contains(asciiLower(out), asciiLower(s)) {
				t.Fatalf("redact(%q) = %q keeps %q", body, out, s)
			}
		}
	})
}
