package xsolla

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/paykit-go/paykit"
)

var parseSentinels = []error{paykit.ErrMissingSignature, paykit.ErrInvalidSignature, paykit.ErrMalformed,
	paykit.ErrUnknownType, paykit.ErrWrongAccount, paykit.ErrBodyTooLarge}

func matchesSentinel(err error) bool {
	for _, s := range parseSentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

func seedBodies(f *testing.F) {
	v := loadVectors(f)
	for _, vec := range v.Vectors {
		f.Add([]byte(vec.RawBody))
	}
	for _, vec := range v.SDK {
		f.Add([]byte(vec.RawBody))
	}
	for _, b := range []string{
		paymentBody, userBody, `{}`, `[]`, `null`, `{"notification_type":"order_paid","items":[{"sku":"a","amount":"[null]"}],"order":{"id":1}}`,
		`{"notification_type":"refund","user":{"name":"\ud83d\ude00\u00e9\/"},"transaction":{"id":1e3}}`,
		`{"notification_type":"create_subscription","subscription":{"tags":["a",1,null],"trial":null}}`,
		`{"a":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}`,
		`{"notification_type":"payment","Settings":{"project_id":1},"settings":{"project_id":18404},"transaction":{"id":1}}`,
		`{"notification_type":"payment","settings":{"project_id":18404,"project_id":1},"transaction":{"id":1,"id":2}}`,
		disputeBody, `{"notification_type":"brand_new","settings":{"project_id":18404.0}}`,
		`{"notification_type":"payment","transaction":{"id":1},"payment_details":{"payment":{"currency":"USD","amount":4.999}},"purchase":{"total":{"currency":"EUR","amount":5}}}`,
	} {
		f.Add([]byte(b))
	}
}

// FuzzWebhookDecoder signs arbitrary bodies and parses them: no panic, every
// error matches a paykit sentinel, and nothing that is not valid JSON is
// ever accepted.
func FuzzWebhookDecoder(f *testing.F) {
	seedBodies(f)
	c, err := New(Config{ProjectID: 18404, MerchantID: 2340, WebhookSecret: testSecret})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := c.ParseBody(body, authHeader(sign(string(body), testSecret)))
		if err != nil {
			if !matchesSentinel(err) {
				t.Fatalf("error matches no sentinel: %v", err)
			}
			if strings.Contains(err.Error(), testSecret) {
				t.Fatal("error echoes the secret")
			}
			return
		}
		if !json.Valid(body) {
			t.Fatalf("accepted invalid JSON: %q", body)
		}
		s := n.Summary()
		if s.Provider != paykit.Xsolla || s.Type == "" {
			t.Fatalf("bad summary %+v", s)
		}
		_ = c.IdempotencyKey(n)
		// The type string decodes like encoding/json does (exact key,
		// last duplicate wins; invalid UTF-8 is kept, not replaced).
		var probe map[string]json.RawMessage
		var typ string
		if utf8.Valid(body) && json.Unmarshal(body, &probe) == nil &&
			json.Unmarshal(probe["notification_type"], &typ) == nil && typ != s.Type {
			t.Fatalf("type %q, encoding/json says %q", s.Type, typ)
		}
		// encoding/json into a struct (case-folding keys, last duplicate
		// wins) sees the same type and project as this decoder: no parse
		// differential on the fields the checks rely on.
		var folded struct {
			Type     string `json:"notification_type"`
			Settings struct {
				ProjectID json.RawMessage `json:"project_id"`
			} `json:"settings"`
		}
		if utf8.Valid(body) && json.Unmarshal(body, &folded) == nil {
			pid, _ := scalarText(folded.Settings.ProjectID)
			m := n.(interface{ message() *Message }).message()
			if folded.Type != s.Type || (len(folded.Settings.ProjectID) > 0 && pid != string(m.Settings.ProjectID)) {
				t.Fatalf("encoding/json reads type %q project %q; decoder %q %q", folded.Type, pid, s.Type, m.Settings.ProjectID)
			}
		}
	})
}

// FuzzSignatureHeader feeds arbitrary Authorization values: no panic, only
// the two signature sentinels, and acceptance only for the right digest.
func FuzzSignatureHeader(f *testing.F) {
	body := []byte(userBody)
	good := sign(userBody, testSecret)
	for _, h := range []string{good, strings.ToUpper(good), "signature " + good[10:], "", " ", "Signature", "Signature ",
		"Signature  " + good[10:], good + " ", "Bearer x", "Signature " + strings.Repeat("G", 40)} {
		f.Add(h, false)
		f.Add(h, true)
	}
	want := sha1.Sum(append(append([]byte{}, body...), testSecret...))
	f.Fuzz(func(t *testing.T, header string, strict bool) {
		err := verifySig(body, header, []string{"other", testSecret}, strict)
		if err == nil {
			_, hexsig, _ := strings.Cut(strings.Trim(header, " \t"), " ")
			got, decErr := hex.DecodeString(hexsig)
			if decErr != nil || string(got) != string(want[:]) {
				t.Fatalf("accepted %q", header)
			}
			return
		}
		if !errors.Is(err, paykit.ErrInvalidSignature) && !errors.Is(err, paykit.ErrMissingSignature) {
			t.Fatalf("unexpected error %v", err)
		}
		if strings.Contains(err.Error(), hex.EncodeToString(want[:])) {
			t.Fatal("error echoes the expected signature")
		}
	})
}

// FuzzParseAmount: no panic, and every accepted amount formats back to a
// decimal that parses to the same value.
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"4.99", "0", "-1.5", "1e2", "1.23e-1", "92233720368547758.07", "[null]", "00.10"} {
		f.Add(s, "USD")
		f.Add(s, "JPY")
		f.Add(s, "KWD")
	}
	f.Fuzz(func(t *testing.T, s, cur string) {
		m, err := ParseAmount(s, cur)
		if err != nil {
			return
		}
		back, err := FormatAmount(m)
		if err != nil {
			t.Fatal(err)
		}
		m2, err := ParseAmount(back, cur)
		if err != nil || m2 != m {
			t.Fatalf("%q → %v → %q → %v, %v", s, m, back, m2, err)
		}
	})
}

// FuzzAPIError parses arbitrary error bodies from the API: no panic, the
// message is bounded, and no field keeps a credential the body echoed.
func FuzzAPIError(f *testing.F) {
	const key, secret = "fuzz-api-key", "fuzz-webhook-secret"
	forms := credentialForms(Config{APIKey: key, WebhookSecret: secret}, "2340")
	f.Add(422, []byte(`{"http_status_code":422,"message":"x","extended_message":{"a":1},"request_id":"r"}`))
	f.Add(404, []byte(`{"statusCode":404,"errorCode":4001,"errorMessage":"[0401-4001]: Item not found","transactionId":"t"}`))
	f.Add(500, []byte(`<html>oops</html>`))
	f.Add(401, []byte(`{"message":"Basic MjM0MDpmdXp6LWFwaS1rZXk= fuzz-api-key","request_id":"fuzz\u002dwebhook-secret"}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := newAPIError(status, body, forms...)
		if len(e.Error()) > 1000 {
			t.Fatalf("error text too long: %d", len(e.Error()))
		}
		for _, field := range []string{e.Error(), string(e.Body), e.Message, e.Code} {
			for _, c := range []string{key, secret, "MjM0MDpmdXp6LWFwaS1rZXk="} {
				if strings.Contains(field, c) {
					t.Fatalf("credential kept in %q", field)
				}
			}
		}
	})
}

// FuzzTransactionRecords decodes arbitrary answers of the transaction
// searches: no panic, errors never echo the input, and every record
// decoded turns into a notification (or none) that can be summarised and
// keyed.
func FuzzTransactionRecords(f *testing.F) {
	for _, s := range []string{`[` + searchRecord + `]`, `{"transactions":[` + searchRecord + `]}`, `[]`, `null`, `{}`,
		`[{"transaction":{"id":"7","status":"refunded","dry_run":"1"},"payment_details":{"payment":{"amount":"4.999","currency":"USD"}}}]`,
		`[{"transaction":{"id":1e400,"status":"done"}}]`, `[{"transaction":{"id":-1,"status":"partiallyRefunded"}}]`} {
		f.Add([]byte(s))
	}
	c, err := New(Config{ProjectID: 18404, MerchantID: 2340, WebhookSecret: testSecret})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		recs, err := decodeRecords(body)
		if err != nil {
			if len(body) > 8 && strings.Contains(err.Error(), string(body)) {
				t.Fatalf("error echoes the input: %v", err)
			}
			return
		}
		for _, r := range recs {
			n, ok := r.Notification()
			if !ok {
				continue
			}
			s := n.Summary()
			if s.Provider != paykit.Xsolla || s.ID == "" {
				t.Fatalf("bad summary %+v", s)
			}
			if c.IdempotencyKey(n) == "" {
				t.Fatal("no key")
			}
		}
	})
}
