package paysera

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/form"
)

func mustQuery(t testing.TB, raw string) url.Values {
	t.Helper()
	v, err := form.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func getRequest(raw string) *http.Request {
	return httptest.NewRequest(http.MethodGet, "https://shop.example.com/paysera/callback?"+raw, nil)
}

func assertParsed(t *testing.T, cb *Callback, want map[string]string) {
	t.Helper()
	got := map[string]string{}
	for k, vs := range cb.Fields() {
		got[k] = vs[0]
	}
	if !maps.Equal(got, want) {
		t.Errorf("fields\n got %v\nwant %v", got, want)
	}
}

func TestSignedCallbackVectors(t *testing.T) {
	v := mustVectors(t)
	for name, cv := range v.Callbacks {
		variants := map[string]struct {
			params url.Values
			via    string
			ss1    bool
		}{
			"as sent (ss1+ss2+ss3)": {mustQuery(t, cv.Raw), "ss3", false},
			"ss1+ss2":               {url.Values{"data": {cv.Data}, "ss1": {cv.SS1}, "ss2": {cv.SS2}}, "ss2", false},
			"ss2 only":              {url.Values{"data": {cv.Data}, "ss2": {cv.SS2}}, "ss2", false},
			"ss3 only":              {url.Values{"data": {cv.Data}, "ss3": {cv.SS3}}, "ss3", false},
			"ss2 unpadded":          {url.Values{"data": {cv.Data}, "ss2": {strings.TrimRight(cv.SS2, "=")}}, "ss2", false},
			"ss3 standard alphabet": {url.Values{"data": {cv.Data}, "ss3": {strings.NewReplacer("-", "+", "_", "/").Replace(cv.SS3)}}, "ss3", false},
			"valid ss3, garbage ss2": {url.Values{"data": {cv.Data}, "ss2": {"Z2FyYmFnZQ"}, "ss3": {cv.SS3}},
				"ss3", false},
			"ss1 only, opted in": {url.Values{"data": {cv.Data}, "ss1": {cv.SS1}}, "ss1", true},
			// ss1 in upper case is refused, as by Paysera's library (an
			// exact comparison): see TestNearMissSignaturesAreRefused.
		}
		for vname, vr := range variants {
			t.Run(name+"/"+vname, func(t *testing.T) {
				c := vectorClientSS1(t, vr.ss1)
				cb, err := c.ParseValues(vr.params)
				if err != nil {
					t.Fatal(err)
				}
				if cb.VerifiedBy != vr.via {
					t.Errorf("verified by %s, want %s", cb.VerifiedBy, vr.via)
				}
				assertParsed(t, cb, cv.Parsed)
			})
		}
		t.Run(name+"/http request", func(t *testing.T) {
			cb, err := vectorClient(t, "").ParseCallback(getRequest(cv.Raw))
			if err != nil {
				t.Fatal(err)
			}
			assertParsed(t, cb, cv.Parsed)
		})
	}
}

func vectorClientSS1(t testing.TB, ss1 bool) *Client {
	t.Helper()
	v := mustVectors(t)
	c, err := New(Config{ProjectID: v.About.ProjectID, Password: v.About.Password,
		PublicKeyPEM: []byte(v.About.PublicKeyPEM), AcceptSS1: ss1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestMacroCallbackTypedFields(t *testing.T) {
	v := mustVectors(t)
	cb, err := vectorClient(t, "").ParseCallback(getRequest(v.Callbacks["C1_macro_status1"].Raw))
	if err != nil {
		t.Fatal(err)
	}
	want := Callback{Type: "macro", ProjectID: "123456", Version: "1.6", Amount: 1250, Currency: "EUR", Country: "LT",
		OrderID: "ORDER-1001", RequestID: "987654321", Status: StatusSuccess, PayAmount: 1250, PayCurrency: "EUR",
		Payment: "hanza", Lang: "ENG", PayText: "Order ORDER-1001 at shop.example.com",
		OriginalPayText: "Order [order_nr] at [site_name]", Name: "JONAS", Surname: "JONAITIS",
		Account: "LT601010012345678901", PaymentCountry: "LT", PayerIPCountry: "LT", PayerCountry: "LT",
		Payer: Payer{Email: "jonas@example.com"}, VerifiedBy: "ss3"}
	if !equalCallback(*cb, want) {
		t.Errorf("callback\n got %+v\nwant %+v", *cb, want)
	}
	if !cb.Paid() {
		t.Error("status 1 is not Paid")
	}
	s := cb.Summary()
	wantS := paykit.Summary{Provider: paykit.Paysera, Type: "macro", Kind: paykit.KindPayment, Status: paykit.StatusPaid,
		ID: "987654321", OrderID: "ORDER-1001", Amount: paykit.Money{Amount: 1250, Currency: "EUR"}}
	if s != wantS {
		t.Errorf("summary %+v", s)
	}
}

func equalCallback(a, b Callback) bool {
	a.Query, b.Query = "", ""
	a.hasTo, a.hasFrom, a.hasSMS, a.hasRefund = false, false, false, false
	a.amountText, a.payAmountText = "", ""
	a.refundTimestamp, a.refundAmount, a.refundCommission, a.refundCurrency, a.refundCommCur = "", "", "", "", ""
	return reflect.DeepEqual(a, b)
}

func TestMicroCallbackGetsTypeMicro(t *testing.T) {
	v := mustVectors(t)
	cv := v.Callbacks["C3_micro_sms"]
	cb, err := vectorClient(t, "").ParseCallback(getRequest(cv.Raw))
	if err != nil {
		t.Fatal(err)
	}
	if cb.Type != TypeMicro || cb.SMSID != "555000111" || cb.To != "1398" || cb.From != "37060000000" ||
		cb.Text != "PAY ORDER 77" || cb.Key != "PAY" || cb.Operator != "omnitel" || cb.Amount != 100 {
		t.Errorf("micro callback %+v", cb)
	}
	s := cb.Summary()
	if s.Kind != paykit.KindPayment || s.Status != paykit.StatusPaid || s.ID != "555000111" || s.OrderID != "" ||
		s.Amount != (paykit.Money{Amount: 100, Currency: "EUR"}) {
		t.Errorf("summary %+v", s)
	}
}

func TestEncryptedCallbackVector(t *testing.T) {
	v := mustVectors(t)
	ev := v.Encrypted["E1_gcm_32char_password"]
	if hex.EncodeToString(aesKey(ev.Password)) != ev.AESKeyHex {
		t.Fatal("AES key derivation differs")
	}
	c := vectorClient(t, "")
	cb, err := c.ParseCallback(getRequest(ev.Raw))
	if err != nil {
		t.Fatal(err)
	}
	if cb.VerifiedBy != "aes-gcm" {
		t.Errorf("verified by %s", cb.VerifiedBy)
	}
	assertParsed(t, cb, ev.Parsed)

	// The vectors leave "with_wrong_password" open ("ACCEPTED?"): GCM
	// authenticates, so a wrong password must be refused.
	wrong, err := New(Config{ProjectID: 123456, Password: "0c1f0ad7e5b44a2f9d3c6b1e0a7f4d29"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wrong.ParseCallback(getRequest(ev.Raw)); !errors.Is(err, paykit.ErrInvalidSignature) {
		t.Errorf("wrong password: %v", err)
	}
	// Rotation: the old password still decrypts as a previous secret.
	rotated, err := New(Config{ProjectID: 123456, Password: "new-password", PreviousSecrets: []string{ev.Password}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rotated.ParseCallback(getRequest(ev.Raw)); err != nil {
		t.Errorf("previous password: %v", err)
	}
}

func TestEncryptedCallbackKeyIsPaddedOrCut(t *testing.T) {
	// spec §2.5: shorter passwords are NUL-padded to 32 bytes (E2 uses
	// "secret"), longer ones cut. The vectors carry E2's tag only, not its
	// plaintext, so this seals E1's plaintext under the derived key.
	v := mustVectors(t)
	ev := v.Encrypted["E1_gcm_32char_password"]
	iv, _ := hex.DecodeString(ev.IVHex)
	for _, password := range []string{v.About.ShortPassword, ev.Password + "-and-more-than-32-bytes"} {
		key := make([]byte, 32)
		copy(key, password)
		block, _ := aes.NewCipher(key)
		gcm, _ := cipher.NewGCM(block)
		sealed := gcm.Seal(append([]byte(nil), iv...), iv, []byte(ev.Plaintext), nil)
		c := mustClient(t, Config{ProjectID: 123456, Password: password})
		cb, err := c.ParseValues(url.Values{"data": {encodeData(string(sealed))}})
		if err != nil {
			t.Fatalf("password of %d bytes: %v", len(password), err)
		}
		assertParsed(t, cb, ev.Parsed)
	}
}

func TestRejectedCallbacks(t *testing.T) {
	v := mustVectors(t)
	c1 := v.Callbacks["C1_macro_status1"]
	tampered := encodeData(strings.Replace(c1.Query, "amount=1250", "amount=9250", 1))
	other, err := New(Config{ProjectID: 654321, Password: v.About.Password, PublicKeyPEM: []byte(v.About.PublicKeyPEM)})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		client *Client
		params url.Values
		want   error
	}{
		{"no data", nil, url.Values{"ss1": {c1.SS1}}, paykit.ErrMalformed},
		{"tampered data, same ss1 (opted in)", vectorClientSS1(t, true), url.Values{"data": {tampered}, "ss1": {c1.SS1}}, paykit.ErrInvalidSignature},
		{"tampered data, same ss2", nil, url.Values{"data": {tampered}, "ss2": {c1.SS2}}, paykit.ErrInvalidSignature},
		{"tampered data, same ss3", nil, url.Values{"data": {tampered}, "ss3": {c1.SS3}}, paykit.ErrInvalidSignature},
		{"valid ss2, garbage ss3", nil, url.Values{"data": {c1.Data}, "ss2": {c1.SS2}, "ss3": {"Z2FyYmFnZQ"}}, paykit.ErrInvalidSignature},
		{"ss3 used as ss2 (wrong hash)", nil, url.Values{"data": {c1.Data}, "ss2": {c1.SS3}}, paykit.ErrInvalidSignature},
		{"ss2 not base64", nil, url.Values{"data": {c1.Data}, "ss2": {"***"}}, paykit.ErrInvalidSignature},
		{"empty ss3", nil, url.Values{"data": {c1.Data}, "ss3": {""}}, paykit.ErrInvalidSignature},
		{"ss1 only without opt-in", nil, url.Values{"data": {c1.Data}, "ss1": {c1.SS1}}, paykit.ErrMissingSignature},
		{"no signature, plain data", nil, url.Values{"data": {c1.Data}}, paykit.ErrInvalidSignature},
		{"no signature, tiny data", nil, url.Values{"data": {"AAAA"}}, paykit.ErrMissingSignature},
		{"other project", other, mustQuery(t, c1.Raw), paykit.ErrWrongAccount},
		{"data twice", nil, url.Values{"data": {c1.Data, c1.Data}, "ss3": {c1.SS3}}, paykit.ErrMalformed},
		{"embedded production key does not accept test signatures", mustClient(t, Config{ProjectID: 123456, Password: "x"}),
			mustQuery(t, c1.Raw), paykit.ErrInvalidSignature},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.client
			if c == nil {
				c = vectorClient(t, "")
			}
			cb, err := c.ParseValues(tc.params)
			if !errors.Is(err, tc.want) || cb != nil {
				t.Fatalf("got %v, %v; want %v", cb, err, tc.want)
			}
			if strings.Contains(err.Error(), v.About.Password) || strings.Contains(err.Error(), c1.SS1) {
				t.Errorf("error leaks a secret or signature: %v", err)
			}
		})
	}
}

func mustClient(t testing.TB, cfg Config) *Client {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDataInTheStandardAlphabetDecodesTheSame(t *testing.T) {
	v := mustVectors(t)
	data := v.Callbacks["C1_macro_status1"].Data
	std := strings.NewReplacer("-", "+", "_", "/").Replace(data)
	a, err1 := decodeBase64(data)
	b, err2 := decodeBase64(strings.TrimRight(std, "="))
	if err1 != nil || err2 != nil || string(a) != string(b) {
		t.Fatalf("decodings differ: %v %v", err1, err2)
	}
}

func TestSMSAnswerVector(t *testing.T) {
	v := mustVectors(t)
	c := vectorClient(t, "")
	got := c.SMSAnswerURL("555000111", v.SMSAnswer.Msg)
	if got != v.SMSAnswer.URL {
		t.Errorf("SMS answer URL\n got %s\nwant %s", got, v.SMSAnswer.URL)
	}
	if !strings.Contains(got, "transaction="+v.SMSAnswer.Transaction) {
		t.Error("transaction differs")
	}
}

func TestMicroReply(t *testing.T) {
	cases := map[string]string{"": "OK", "Thanks": "OK Thanks", "a\r\nb\nc": "OK a b c", "  ": "OK"}
	for in, want := range cases {
		if got := string(MicroReply(in)); got != want {
			t.Errorf("MicroReply(%q) = %q, want %q", in, got, want)
		}
	}
}

// keyServer serves a PEM and counts downloads.
func keyServer(t *testing.T, pemBytes *atomic.Pointer[[]byte]) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		p := pemBytes.Load()
		if p == nil {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write(*p)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestPublicKeyIsFetchedOnFailureAndCached(t *testing.T) {
	v := mustVectors(t)
	var served atomic.Pointer[[]byte]
	testKey := []byte(v.About.PublicKeyPEM)
	served.Store(&testKey)
	srv, hits := keyServer(t, &served)
	// The pinned (embedded production) key does not verify the test
	// signatures; the downloaded test key does.
	c := mustClient(t, Config{ProjectID: 123456, Password: "x", FetchPublicKey: true,
		PublicKeyURL: srv.URL + "/download/public.key", KeyRefreshInterval: time.Hour})
	raw := v.Callbacks["C1_macro_status1"].Raw
	for i := 0; i < 5; i++ {
		if _, err := c.ParseCallback(getRequest(raw)); err != nil {
			t.Fatalf("delivery %d: %v", i, err)
		}
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("key downloaded %d times for 5 callbacks, want 1", n)
	}
	// Forged signatures do not trigger a download per callback.
	for i := 0; i < 5; i++ {
		forged := url.Values{"data": {v.Callbacks["C1_macro_status1"].Data}, "ss3": {"Z2FyYmFnZQ"}}
		if _, err := c.ParseValues(forged); !errors.Is(err, paykit.ErrInvalidSignature) {
			t.Fatal(err)
		}
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("key downloaded %d times after forgeries, want 1", n)
	}
}

func TestSandboxWithoutKeyDownloadsItAndRetriesWhenUnavailable(t *testing.T) {
	v := mustVectors(t)
	var served atomic.Pointer[[]byte]
	srv, hits := keyServer(t, &served)
	c := mustClient(t, Config{ProjectID: 123456, Password: "x", Sandbox: true, BaseURL: srv.URL, KeyRefreshInterval: time.Nanosecond})
	raw := v.Callbacks["C1_macro_status1"].Raw
	_, err := c.ParseCallback(getRequest(raw))
	if !errors.Is(err, paykit.ErrInvalidSignature) || !paykit.IsTemporary(err) {
		t.Fatalf("key unavailable: got %v, want a temporary ErrInvalidSignature", err)
	}
	key := []byte(v.About.PublicKeyPEM)
	served.Store(&key)
	if _, err := c.ParseCallback(getRequest(raw)); err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 2 {
		t.Errorf("downloads %d", hits.Load())
	}
}

func TestPublicKeyRotationIsPickedUp(t *testing.T) {
	v := mustVectors(t)
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	newPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	var served atomic.Pointer[[]byte]
	served.Store(&newPEM)
	srv, _ := keyServer(t, &served)
	c := mustClient(t, Config{ProjectID: 123456, Password: "x", PublicKeyPEM: []byte(v.About.PublicKeyPEM),
		FetchPublicKey: true, PublicKeyURL: srv.URL})
	if err := c.RefreshPublicKey(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Old (pinned) key still verifies.
	if _, err := c.ParseCallback(getRequest(v.Callbacks["C1_macro_status1"].Raw)); err != nil {
		t.Fatal(err)
	}
	if n := len(*c.keys.keys.Load()); n != 2 {
		t.Errorf("%d keys after refresh, want 2", n)
	}
	if err := mustClient(t, Config{ProjectID: 1, Password: "x"}).RefreshPublicKey(context.Background()); err == nil {
		t.Error("RefreshPublicKey without FetchPublicKey succeeded")
	}
}

func TestRefundCallback(t *testing.T) {
	f := url.Values{"projectid": {"1"}, "requestid": {"77"}, "orderid": {"A"}, "status": {"5"}, "amount": {"1250"},
		"currency": {"eur"}, "refund_timestamp": {"1735689600"}, "refund_amount": {"500"}, "refund_currency": {"EUR"},
		"refund_commission_amount": {"12.5"}, "refund_commission_currency": {"EUR"}}
	cb, err := newCallback(f)
	if err != nil {
		t.Fatal(err)
	}
	want := Refund{Timestamp: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Amount: 500, Currency: "EUR", CommissionCurrency: "EUR"}
	if cb.Refund == nil || *cb.Refund != want {
		t.Errorf("refund %+v", cb.Refund)
	}
	s := cb.Summary()
	if s.Kind != paykit.KindRefund || s.Status != paykit.StatusRefunded || s.Amount.Currency != "EUR" {
		t.Errorf("summary %+v", s)
	}
}

func TestSummaryMapsEveryStatus(t *testing.T) {
	cases := []struct {
		status Status
		kind   paykit.Kind
		want   paykit.Status
	}{
		{StatusNotExecuted, paykit.KindPayment, paykit.StatusFailed},
		{StatusSuccess, paykit.KindPayment, paykit.StatusPaid},
		{StatusAccepted, paykit.KindPayment, paykit.StatusPending},
		{StatusAdditionalInfo, paykit.KindInfo, paykit.StatusUnknown},
		{StatusExecutedWithoutConfirmation, paykit.KindPayment, paykit.StatusPending},
		{StatusRefunded, paykit.KindRefund, paykit.StatusRefunded},
		{"9", paykit.KindPayment, paykit.StatusUnknown},
	}
	for _, tc := range cases {
		cb := &Callback{Type: TypeMacro, Status: tc.status, Test: true}
		s := cb.Summary()
		if s.Kind != tc.kind || s.Status != tc.want || !s.Test {
			t.Errorf("status %s: %+v", tc.status, s)
		}
	}
}

func TestMalformedAmountsAreRefused(t *testing.T) {
	for _, amt := range []string{"12.50", "-1", "1e3", "9999999999999999999"} {
		_, err := newCallback(url.Values{"projectid": {"1"}, "amount": {amt}})
		if !errors.Is(err, paykit.ErrMalformed) {
			t.Errorf("amount %q: %v", amt, err)
		}
	}
}

func TestParseCallbackReadsPOSTBodiesAndCapsSize(t *testing.T) {
	v := mustVectors(t)
	raw := v.Callbacks["C1_macro_status1"].Raw
	post := httptest.NewRequest(http.MethodPost, "/cb", strings.NewReader(raw))
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if _, err := vectorClient(t, "").ParseCallback(post); err != nil {
		t.Fatalf("POST: %v", err)
	}
	huge := "shop=" + strings.Repeat("x", form.DefaultMaxBytes) + "&" + raw
	if _, err := vectorClient(t, "").ParseCallback(getRequest(huge)); !errors.Is(err, paykit.ErrBodyTooLarge) {
		t.Errorf("query over the default cap: %v", err)
	}
	hugePost := httptest.NewRequest(http.MethodPost, "/cb", strings.NewReader(huge))
	if _, err := vectorClient(t, "").ParseCallback(hugePost); !errors.Is(err, paykit.ErrBodyTooLarge) {
		t.Errorf("body over the default cap: %v", err)
	}
	if _, err := vectorClient(t, "").ParseBody([]byte(huge), nil); !errors.Is(err, paykit.ErrBodyTooLarge) {
		t.Errorf("ParseBody over the default cap: %v", err)
	}
	// The merchant's own parameters on the callback URL are ignored.
	if _, err := vectorClient(t, "").ParseCallback(getRequest("shop=1&" + raw)); err != nil {
		t.Errorf("extra parameter: %v", err)
	}
}

func TestFieldsKeepsUnknownKeysAndDerivedType(t *testing.T) {
	cb, err := newCallback(url.Values{"projectid": {"1"}, "to": {"1"}, "from": {"2"}, "sms": {"x"}, "id": {"9"},
		"identification_successful": {"1"}})
	if err != nil {
		t.Fatal(err)
	}
	f := cb.Fields()
	if f.Get("type") != "micro" || f.Get("identification_successful") != "1" {
		t.Errorf("fields %v", f)
	}
	if _, err := newCallback(url.Values{"projectid": {"1"}, "to": {"1"}, "from": {"2"}, "sms": {"x"}}); !errors.Is(err, paykit.ErrMalformed) {
		t.Errorf("micro without id: %v", err)
	}
}
