package paysera

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"reflect"
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
