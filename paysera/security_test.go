package paysera

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/signature"
)

// --- idempotency keys -------------------------------------------------

func mustCallback(t *testing.T, f url.Values) *Callback {
	t.Helper()
	cb, err := newCallback(f)
	if err != nil {
		t.Fatal(err)
	}
	return cb
}

func macroValues(status, requestID, test string) url.Values {
	return url.Values{"projectid": {"123456"}, "orderid": {"A-1"}, "requestid": {requestID}, "amount": {"500"},
		"currency": {"EUR"}, "status": {status}, "test": {test}, "type": {"macro"}}
}

func microValues(id, test string) url.Values {
	return url.Values{"projectid": {"123456"}, "to": {"1398"}, "from": {"37060000000"}, "sms": {"PAY 1"},
		"id": {id}, "amount": {"500"}, "currency": {"EUR"}, "test": {test}}
}

func TestIdempotencyKeysOfDistinctEventsAreDistinct(t *testing.T) {
	live := vectorClient(t, "")
	other := mustClient(t, Config{ProjectID: 654321, Password: "x"})
	info := func(account string) url.Values {
		v := macroValues("3", "555", "0")
		v.Set("account", account)
		return v
	}
	refund := func(ts, amount string) url.Values {
		v := macroValues("5", "555", "0")
		v.Set("refund_timestamp", ts)
		v.Set("refund_amount", amount)
		v.Set("refund_currency", "EUR")
		return v
	}
	events := []struct {
		name   string
		client *Client
		fields url.Values
	}{
		{"macro status 0", live, macroValues("0", "555", "0")},
		{"macro status 1", live, macroValues("1", "555", "0")},
		{"macro status 2", live, macroValues("2", "555", "0")},
		{"macro status 3, one content", live, info("LT01")},
		{"macro status 3, other content", live, info("LT02")},
		{"macro status 4", live, macroValues("4", "555", "0")},
		{"macro status 5", live, macroValues("5", "555", "0")},
		{"macro status 5, first partial refund", live, refund("1735689600", "300")},
		{"macro status 5, second partial refund", live, refund("1735776000", "200")},
		{"macro status 5, same time, other amount", live, refund("1735776000", "100")},
		{"macro unknown status 7", live, macroValues("7", "555", "0")},
		{"macro status 1, test", live, macroValues("1", "555", "1")},
		{"macro status 1, other request", live, macroValues("1", "556", "0")},
		{"micro with the macro's id", live, microValues("555", "0")},
		{"micro, test", live, microValues("555", "1")},
		{"micro, other id", live, microValues("556", "0")},
		{"macro status 1, other project", other, macroValues("1", "555", "0")},
		{"micro, other project", other, microValues("555", "0")},
	}
	seen := map[string]string{}
	for _, ev := range events {
		key := ev.client.IdempotencyKey(mustCallback(t, ev.fields))
		if prev, dup := seen[key]; dup {
			t.Errorf("%q and %q share the key %s", prev, ev.name, key)
		}
		seen[key] = ev.name
		// An exact repeat has the same key.
		if again := ev.client.IdempotencyKey(mustCallback(t, ev.fields)); again != key {
			t.Errorf("%s: repeat keyed %s, first %s", ev.name, again, key)
		}
	}
}

func TestIdempotencyKeyOfARepeatedDeliveryIsTheSame(t *testing.T) {
	v := mustVectors(t)
	c := vectorClient(t, "")
	for _, name := range []string{"C1_macro_status1", "C3_micro_sms"} {
		first, err := c.ParseCallback(getRequest(v.Callbacks[name].Raw))
		if err != nil {
			t.Fatal(err)
		}
		second, err := c.ParseCallback(getRequest(v.Callbacks[name].Raw))
		if err != nil {
			t.Fatal(err)
		}
		if c.IdempotencyKey(first) != c.IdempotencyKey(second) {
			t.Errorf("%s: repeat has another key", name)
		}
	}
}

func TestHandlerRunsEventForAnSMSPaymentWithTheIDOfAMacroPayment(t *testing.T) {
	rec := &recorder{}
	h := vectorClient(t, "").Handler(paykit.Hooks{Event: rec.event})
	paid := []field{{"projectid", "123456"}, {"orderid", "A-1"}, {"requestid", "555"}, {"amount", "500"},
		{"currency", "EUR"}, {"status", "1"}, {"test", "0"}, {"type", "macro"}}
	sms := []field{{"to", "1398"}, {"sms", "PAY 1"}, {"from", "37060000000"}, {"amount", "500"},
		{"currency", "EUR"}, {"id", "555"}, {"test", "0"}, {"projectid", "123456"}}
	for _, q := range []string{signSS3(t, paid), signSS3(t, sms)} {
		if w := serve(h, q); w.Code != http.StatusOK || w.Body.String() != "OK" {
			t.Fatalf("answer %d %q", w.Code, w.Body.String())
		}
	}
	if rec.count() != 2 {
		t.Fatalf("Event ran %d times for a macro and a micro payment, want 2", rec.count())
	}
	if rec.events[1].Type != TypeMicro {
		t.Errorf("second event %+v", rec.events[1])
	}
}

func TestHandlerRunsEventForEachPartialRefund(t *testing.T) {
	rec := &recorder{}
	h := vectorClient(t, "").Handler(paykit.Hooks{Event: rec.event})
	refund := func(ts, amount string) string {
		return signSS3(t, []field{{"projectid", "123456"}, {"orderid", "A-1"}, {"requestid", "555"}, {"amount", "500"},
			{"currency", "EUR"}, {"status", "5"}, {"test", "0"}, {"refund_timestamp", ts}, {"refund_amount", amount},
			{"refund_currency", "EUR"}})
	}
	first, second := refund("1735689600", "300"), refund("1735776000", "200")
	for _, q := range []string{first, second, first, second} {
		if w := serve(h, q); w.Code != http.StatusOK || w.Body.String() != "OK" {
			t.Fatalf("answer %d %q", w.Code, w.Body.String())
		}
	}
	if rec.count() != 2 {
		t.Fatalf("Event ran %d times for two partial refunds delivered twice each, want 2", rec.count())
	}
}

// --- events without Paysera's id --------------------------------------

func TestCallbackWithoutPayseraIDIsMalformed(t *testing.T) {
	c := vectorClient(t, "")
	rec := &recorder{}
	h := c.Handler(paykit.Hooks{Event: rec.event})
	var cases []struct {
		name   string
		fields []field
	}
	for _, st := range []string{"0", "1", "2", "3", "4", "5"} {
		cases = append(cases, struct {
			name   string
			fields []field
		}{"macro status " + st + " without requestid", []field{{"projectid", "123456"}, {"orderid", "A-1"},
			{"amount", "500"}, {"currency", "EUR"}, {"status", st}, {"test", "0"}}})
	}
	cases = append(cases,
		struct {
			name   string
			fields []field
		}{"macro with empty requestid", []field{{"projectid", "123456"}, {"orderid", "A-1"}, {"requestid", ""},
			{"status", "1"}}},
		struct {
			name   string
			fields []field
		}{"micro without id", []field{{"to", "1398"}, {"sms", "PAY"}, {"from", "3706"}, {"projectid", "123456"}}},
		struct {
			name   string
			fields []field
		}{"micro with empty id", []field{{"to", "1398"}, {"sms", "PAY"}, {"from", "3706"}, {"id", ""}, {"projectid", "123456"}}},
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := signSS3(t, tc.fields)
			if _, err := c.ParseCallback(getRequest(q)); !errors.Is(err, paykit.ErrMalformed) {
				t.Fatalf("ParseCallback: %v, want ErrMalformed", err)
			}
			if w := serve(h, q); w.Code != http.StatusBadRequest || strings.HasPrefix(w.Body.String(), "OK") {
				t.Errorf("handler answered %d %q", w.Code, w.Body.String())
			}
		})
	}
	if rec.count() != 0 {
		t.Errorf("Event ran %d times", rec.count())
	}
}

// --- HTTP methods ------------------------------------------------------

func TestHandlerRefusesMethodsPayseraDoesNotUse(t *testing.T) {
	v := mustVectors(t)
	raw := v.Callbacks["C1_macro_status1"].Raw
	rec := &recorder{}
	h := vectorClient(t, "").Handler(paykit.Hooks{Event: rec.event})
	for _, m := range []string{http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodPatch,
		http.MethodOptions, http.MethodTrace, "PROPFIND"} {
		t.Run(m, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(m, "https://shop.example.com/cb?"+raw, strings.NewReader(raw)))
			if w.Code != http.StatusMethodNotAllowed {
				t.Errorf("status %d, want 405", w.Code)
			}
			if allow := w.Header().Get("Allow"); allow != "GET, POST" {
				t.Errorf("Allow %q", allow)
			}
		})
	}
	if rec.count() != 0 {
		t.Fatalf("Event ran %d times for refused methods", rec.count())
	}
	if w := serve(h, raw); w.Code != http.StatusOK || rec.count() != 1 {
		t.Errorf("GET: %d, events %d", w.Code, rec.count())
	}
	head := httptest.NewRequest(http.MethodHead, "https://shop.example.com/cb?"+raw, nil)
	if _, err := vectorClient(t, "").ParseCallback(head); !errors.Is(err, paykit.ErrMalformed) {
		t.Errorf("ParseCallback(HEAD): %v", err)
	}
}

func TestParseCallbackTakesPOSTParametersFromBodyOrQueryNotBoth(t *testing.T) {
	v := mustVectors(t)
	raw := v.Callbacks["C1_macro_status1"].Raw
	c := vectorClient(t, "")
	inQuery := httptest.NewRequest(http.MethodPost, "https://shop.example.com/cb?"+raw, strings.NewReader(""))
	if _, err := c.ParseCallback(inQuery); err != nil {
		t.Errorf("POST with the parameters in the query: %v", err)
	}
	merchant := httptest.NewRequest(http.MethodPost, "https://shop.example.com/cb?shop=1", strings.NewReader(raw))
	if _, err := c.ParseCallback(merchant); err != nil {
		t.Errorf("POST body with the merchant's own query: %v", err)
	}
	both := httptest.NewRequest(http.MethodPost, "https://shop.example.com/cb?"+raw, strings.NewReader(raw))
	if _, err := c.ParseCallback(both); !errors.Is(err, paykit.ErrMalformed) {
		t.Errorf("POST with parameters in body and query: %v", err)
	}
}

// --- near-miss signatures ----------------------------------------------

func swapCase(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case 'a' <= c && c <= 'z':
			b[i] = c - 32
		case 'A' <= c && c <= 'Z':
			b[i] = c + 32
		}
	}
	return string(b)
}

// base64NearMisses returns signatures one step away from sig (base64url
// text with padding): in the decoded bytes and in the text.
func base64NearMisses(t *testing.T, sig string) map[string]string {
	t.Helper()
	raw, err := base64.URLEncoding.DecodeString(sig)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) string {
		b := append([]byte(nil), raw...)
		b[i] ^= 0x01
		return base64.URLEncoding.EncodeToString(b)
	}
	body := strings.TrimRight(sig, "=")
	pad := sig[len(body):]
	last := body[len(body)-1]
	lastFlipped := strings.IndexByte(b64Alphabet, last) ^ 1 // in the unused low bits when there are some
	firstChar := "A"
	if body[0] == 'A' {
		firstChar = "B"
	}
	return map[string]string{
		"first byte":            flip(0),
		"last byte":             flip(len(raw) - 1),
		"truncated by one byte": base64.URLEncoding.EncodeToString(raw[:len(raw)-1]),
		"extended by one byte":  base64.URLEncoding.EncodeToString(append(append([]byte(nil), raw...), 0)),
		"case swapped":          swapCase(sig),
		"first character":       firstChar + sig[1:],
		"last character":        body[:len(body)-1] + string(b64Alphabet[lastFlipped]) + pad,
		"truncated by one char": body[:len(body)-1] + pad,
		"extended by one char":  sig + "A",
		"padding extended":      sig + "=",
		"padding cut":           sig[:len(sig)-1],
	}
}

const b64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

func hexNearMisses(sum string) map[string]string {
	other := func(c byte) string {
		if c == '0' {
			return "1"
		}
		return "0"
	}
	return map[string]string{
		"first char":           other(sum[0]) + sum[1:],
		"last char":            sum[:len(sum)-1] + other(sum[len(sum)-1]),
		"upper case":           strings.ToUpper(sum),
		"truncated by one":     sum[:len(sum)-1],
		"extended by one":      sum + "0",
		"truncated by a byte":  sum[:len(sum)-2],
		"extended by a byte":   sum + "00",
		"empty":                "",
		"same length, garbage": strings.Repeat("z", len(sum)),
	}
}

func refused(err error) bool {
	return errors.Is(err, paykit.ErrInvalidSignature) || errors.Is(err, paykit.ErrMalformed) ||
		errors.Is(err, paykit.ErrMissingSignature)
}

func TestNearMissSignaturesAreRefused(t *testing.T) {
	v := mustVectors(t)
	c1 := v.Callbacks["C1_macro_status1"]
	rsa := vectorClient(t, "")
	ss1 := vectorClientSS1(t, true)
	for _, tc := range []struct {
		name, param, good string
	}{{"ss2", "ss2", c1.SS2}, {"ss3", "ss3", c1.SS3}} {
		if _, err := rsa.ParseValues(url.Values{"data": {c1.Data}, tc.param: {tc.good}}); err != nil {
			t.Fatalf("%s: the genuine signature is refused: %v", tc.name, err)
		}
		for miss, sig := range base64NearMisses(t, tc.good) {
			t.Run(tc.name+"/"+miss, func(t *testing.T) {
				if sig == tc.good {
					t.Fatal("mutation left the signature unchanged")
				}
				_, err := rsa.ParseValues(url.Values{"data": {c1.Data}, tc.param: {sig}})
				if !refused(err) {
					t.Fatalf("accepted or wrong error: %v", err)
				}
			})
		}
	}
	for miss, sig := range hexNearMisses(c1.SS1) {
		t.Run("ss1/"+miss, func(t *testing.T) {
			_, err := ss1.ParseValues(url.Values{"data": {c1.Data}, "ss1": {sig}})
			if !errors.Is(err, paykit.ErrInvalidSignature) {
				t.Fatalf("accepted or wrong error: %v", err)
			}
		})
	}
}

func TestNearMissEncryptedCallbacksAreRefused(t *testing.T) {
	v := mustVectors(t)
	for name, ev := range v.Encrypted {
		c := mustClient(t, Config{ProjectID: 123456, Password: ev.Password})
		if _, err := c.ParseValues(url.Values{"data": {ev.Data}}); err != nil {
			t.Fatalf("%s: genuine data refused: %v", name, err)
		}
		raw, err := decodeBase64(ev.Data)
		if err != nil {
			t.Fatal(err)
		}
		mutate := func(f func([]byte) []byte) string {
			return base64.URLEncoding.EncodeToString(f(append([]byte(nil), raw...)))
		}
		tag := len(raw) - gcmTagSize
		misses := map[string]string{
			"IV first byte":         mutate(func(b []byte) []byte { b[0] ^= 1; return b }),
			"ciphertext first byte": mutate(func(b []byte) []byte { b[gcmIVSize] ^= 1; return b }),
			"tag first byte":        mutate(func(b []byte) []byte { b[tag] ^= 1; return b }),
			"tag last byte":         mutate(func(b []byte) []byte { b[len(b)-1] ^= 0x80; return b }),
			"truncated by one byte": mutate(func(b []byte) []byte { return b[:len(b)-1] }),
			"extended by one byte":  mutate(func(b []byte) []byte { return append(b, 0) }),
			"tag only":              mutate(func(b []byte) []byte { return b[tag:] }),
			"case swapped":          swapCase(ev.Data),
		}
		for miss, data := range misses {
			t.Run(name+"/"+miss, func(t *testing.T) {
				_, err := c.ParseValues(url.Values{"data": {data}})
				if !refused(err) {
					t.Fatalf("accepted or wrong error: %v", err)
				}
			})
		}
	}
}

// --- public key download -------------------------------------------------

// forgedValues is C1's data with a well-formed signature that does not
// verify: it makes the keyring try a download.
func forgedValues(t *testing.T) url.Values {
	v := mustVectors(t)
	c1 := v.Callbacks["C1_macro_status1"]
	return url.Values{"data": {c1.Data}, "ss3": {base64NearMisses(t, c1.SS3)["first byte"]}}
}

func TestKeyDownloadSurvivesAForgedCallbackThatHangsUp(t *testing.T) {
	v := mustVectors(t)
	started := make(chan struct{}, 1)
	release := make(chan struct{})
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			started <- struct{}{}
			<-release
		}
		_, _ = w.Write([]byte(v.About.PublicKeyPEM))
	}))
	defer srv.Close()
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	defer unblock()
	// The embedded production key does not verify the test signatures;
	// only the downloaded test key does.
	c := mustClient(t, Config{ProjectID: 123456, Password: "x", FetchPublicKey: true,
		PublicKeyURL: srv.URL, KeyRefreshInterval: time.Hour})

	ctx, cancel := context.WithCancel(context.Background())
	forged := make(chan error, 1)
	hangsUp := getRequest(forgedValues(t).Encode()).WithContext(ctx)
	go func() {
		_, err := c.ParseCallback(hangsUp)
		forged <- err
	}()
	<-started // the forged callback's download is under way
	cancel()  // and its client hangs up
	if err := <-forged; !errors.Is(err, paykit.ErrInvalidSignature) {
		t.Fatalf("forged callback: %v", err)
	}
	unblock()
	if _, err := c.ParseCallback(getRequest(v.Callbacks["C1_macro_status1"].Raw)); err != nil {
		t.Fatalf("genuine callback after a forged one hung up: %v", err)
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("%d downloads, want 1", n)
	}
}

func TestFailedKeyDownloadIsRetriedAfterAShortGapNotTheInterval(t *testing.T) {
	v := mustVectors(t)
	var up atomic.Bool
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if !up.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(v.About.PublicKeyPEM))
	}))
	defer srv.Close()
	c := mustClient(t, Config{ProjectID: 123456, Password: "x", FetchPublicKey: true,
		PublicKeyURL: srv.URL, KeyRefreshInterval: time.Hour})
	var clock atomic.Int64
	clock.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	c.keys.now = func() time.Time { return time.Unix(0, clock.Load()) }
	advance := func(d time.Duration) { clock.Add(int64(d)) }
	genuine := v.Callbacks["C1_macro_status1"].Raw

	if _, err := c.ParseValues(forgedValues(t)); !errors.Is(err, paykit.ErrInvalidSignature) {
		t.Fatal(err)
	}
	if hits.Load() != 1 {
		t.Fatalf("%d downloads after the first forgery, want 1", hits.Load())
	}
	// Strangers cannot make the client download again and again.
	for i := 0; i < 5; i++ {
		_, _ = c.ParseValues(forgedValues(t))
	}
	if hits.Load() != 1 {
		t.Fatalf("%d downloads right after a failed one, want 1", hits.Load())
	}
	// A short gap later (far less than the interval) the key is fetched.
	up.Store(true)
	if c.keys.retryGap <= 0 || c.keys.retryGap*10 > c.keys.interval {
		t.Fatalf("retry gap %v is not far shorter than the interval %v", c.keys.retryGap, c.keys.interval)
	}
	advance(c.keys.retryGap)
	if _, err := c.ParseCallback(getRequest(genuine)); err != nil {
		t.Fatalf("genuine callback a retry gap after a failed download: %v", err)
	}
	if hits.Load() != 2 {
		t.Errorf("%d downloads, want 2", hits.Load())
	}
	// After a success, the interval applies.
	advance(c.keys.retryGap)
	_, _ = c.ParseValues(forgedValues(t))
	if hits.Load() != 2 {
		t.Errorf("%d downloads after a success, want 2", hits.Load())
	}
}

func TestConcurrentFailuresShareOneKeyDownload(t *testing.T) {
	v := mustVectors(t)
	started := make(chan struct{}, 1)
	release := make(chan struct{})
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			started <- struct{}{}
			<-release
		}
		_, _ = w.Write([]byte(v.About.PublicKeyPEM))
	}))
	defer srv.Close()
	c := mustClient(t, Config{ProjectID: 123456, Password: "x", FetchPublicKey: true,
		PublicKeyURL: srv.URL, KeyRefreshInterval: time.Hour})
	first := make(chan error, 1)
	go func() {
		_, err := c.ParseCallback(getRequest(v.Callbacks["C1_macro_status1"].Raw))
		first <- err
	}()
	<-started
	// While the download hangs, later callers join it instead of
	// starting their own.
	const n = 8
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		go func() {
			_, err := c.ParseCallback(getRequest(v.Callbacks["C1_macro_status1"].Raw))
			errs <- err
		}()
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if hits.Load() != 1 {
		t.Errorf("%d downloads, want 1", hits.Load())
	}
}

// --- secrets echoed by servers ---------------------------------------------

func TestAPIErrorsRedactSecretsEchoedByTheServer(t *testing.T) {
	const pw, old = "8c1f0ad7e5b44a2f9d3c6b1e0a7f4d29", "previous-password-1"
	var status atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		b.WriteString(r.URL.RawQuery + " | " + strings.ToUpper(r.URL.RawQuery) + " | config: " + pw + " " + old)
		for k, vs := range r.Header {
			b.WriteString(" " + k + ": " + strings.Join(vs, ","))
		}
		// Then the whole URL once more, its digest across the 512-byte
		// clip: 10 characters before it.
		u := r.URL.String()
		at := strings.Index(u, "transaction=") + len("transaction=")
		if n := 502 - b.Len() - at; n > 0 {
			b.WriteString(strings.Repeat("x", n))
		}
		b.WriteString(u)
		w.WriteHeader(int(status.Load()))
		_, _ = w.Write([]byte(b.String()))
	}))
	defer srv.Close()
	c := mustClient(t, Config{ProjectID: 123456, Password: pw, PreviousSecrets: []string{old},
		BaseURL: srv.URL, FetchPublicKey: true, PublicKeyPEM: []byte(ProductionCertificatePEM)})
	digest := signature.JoinedMD5([]string{pw}, "|", "555000111")
	secrets := []string{pw, old, digest, strings.ToUpper(digest), digest[:8], strings.ToUpper(digest[:8])}
	check := func(name string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		texts := []string{err.Error()}
		var apiErr *paykit.APIError
		if errors.As(err, &apiErr) {
			texts = append(texts, string(apiErr.Body), apiErr.Message)
		} else {
			t.Errorf("%s: %v is not a *paykit.APIError", name, err)
		}
		if !errors.Is(err, paykit.ErrAPI) {
			t.Errorf("%s: %v does not match paykit.ErrAPI", name, err)
		}
		for _, text := range texts {
			for _, s := range secrets {
				if strings.Contains(text, s) {
					t.Errorf("%s: %q contains a secret", name, text)
				}
			}
		}
	}
	ctx := context.Background()
	status.Store(http.StatusInternalServerError)
	check("SMS answer, HTTP 500", c.SendSMSAnswer(ctx, "555000111", "Thanks"))
	_, err := c.PaymentMethods(ctx, "EUR", 0)
	check("payment methods, HTTP 500", err)
	check("public key, HTTP 500", c.RefreshPublicKey(ctx))
	status.Store(http.StatusOK)
	err = c.SendSMSAnswer(ctx, "555000111", "Thanks")
	if !errors.Is(err, ErrSMSAnswer) {
		t.Fatalf("SMS answer refused: %v", err)
	}
	check("SMS answer, not OK", err)
}
