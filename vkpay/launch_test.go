package vkpay_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/vkpay"
	"github.com/paykit-go/paykit/vkpay/vkpaytest"
)

type launchVector struct {
	ID           string `json:"id"`
	Secret       string `json:"secret"`
	AppID        int64  `json:"app_id"`
	Query        string `json:"query"`
	Canonical    string `json:"canonical"`
	ExpectedSign string `json:"expected_sign"`
	DocShownSign string `json:"doc_shown_sign"`
}

func loadLaunchVector(t testing.TB) launchVector {
	t.Helper()
	raw, err := os.ReadFile("testdata/launch.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Launch []launchVector `json:"launch"`
	}
	if err := json.Unmarshal(raw, &file); err != nil || len(file.Launch) != 1 {
		t.Fatalf("testdata/launch.json: %v", err)
	}
	return file.Launch[0]
}

var launchSigner = vkpaytest.Signer{AppID: testAppID, Secret: testSecret}

func TestVerifyLaunchAcceptsTheDocumentationsExample(t *testing.T) {
	v := loadLaunchVector(t)
	q, err := url.ParseQuery(v.Query)
	if err != nil {
		t.Fatal(err)
	}
	if got := vkpay.SignLaunch(q, v.Secret); got != v.ExpectedSign {
		t.Fatalf("SignLaunch = %s, want %s", got, v.ExpectedSign)
	}
	c, err := vkpay.New(vkpay.Config{AppID: v.AppID, Secret: v.Secret})
	if err != nil {
		t.Fatal(err)
	}
	q.Set("sign", v.ExpectedSign)
	l, err := c.VerifyLaunch(q)
	if err != nil {
		t.Fatal(err)
	}
	if l.UserID != 494075 || l.AppID != v.AppID || l.Platform != "android" || l.Language != "ru" ||
		!l.IsAppUser || !l.AreNotificationsEnabled || l.IsFavorite || !l.TS.IsZero() || l.Sign != v.ExpectedSign ||
		len(l.Params) != 7 || l.Params["vk_access_token_settings"] != "" {
		t.Fatalf("%+v", l)
	}
	q.Set("sign", v.DocShownSign)
	if _, err := c.VerifyLaunch(q); !errors.Is(err, paykit.ErrInvalidSignature) {
		t.Fatalf("the sign the page shows: err = %v, want ErrInvalidSignature", err)
	}
}

func TestVerifyLaunchDecodesEveryModelledParameter(t *testing.T) {
	ts := time.Unix(1700000000, 0).UTC()
	q := launchSigner.LaunchQuery(vkpaytest.Launch{UserID: 42, Platform: "mobile_iphone", Language: "en", TS: ts,
		IsAppUser: true, IsFavorite: true, GroupID: 7, ViewerGroupRole: "admin", Ref: "catalog_recommendation",
		ChatID: "c1", AccessTokenSettings: "friends,photos",
		Extra: url.Values{"vk_testing_group_id": {"3"}, "odr_enabled": {"1"}}})
	l, err := newClient(t).VerifyLaunch(q)
	if err != nil {
		t.Fatal(err)
	}
	want := vkpay.Launch{UserID: 42, AppID: testAppID, Platform: "mobile_iphone", Language: "en", TS: ts,
		IsAppUser: true, IsFavorite: true, GroupID: 7, ViewerGroupRole: "admin", Ref: "catalog_recommendation",
		ChatID: "c1", AccessTokenSettings: "friends,photos", Sign: q.Get("sign")}
	got := *l
	if got.Params["vk_testing_group_id"] != "3" || got.Params["odr_enabled"] != "" || len(got.Params) != 14 {
		t.Fatalf("Params = %v", got.Params)
	}
	got.Params = nil
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
}

func TestVerifyLaunchRefusesNearMissSigns(t *testing.T) {
	q := launchSigner.LaunchQuery(vkpaytest.Launch{UserID: 42})
	sign := q.Get("sign")
	flip := func(b byte) byte {
		if b == 'A' {
			return 'B'
		}
		return 'A'
	}
	swapCase := func(s string) string {
		for i := 0; i < len(s); i++ {
			if c := s[i]; 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
				return s[:i] + string(c^0x20) + s[i+1:]
			}
		}
		t.Fatal("sign has no letter")
		return s
	}
	for name, bad := range map[string]string{
		"first byte":      string(flip(sign[0])) + sign[1:],
		"last byte":       sign[:len(sign)-1] + string(flip(sign[len(sign)-1])),
		"case":            swapCase(sign),
		"truncated":       sign[:len(sign)-1],
		"extended":        sign + "A",
		"padded":          sign + "=",
		"standard base64": strings.NewReplacer("-", "+", "_", "/").Replace(sign) + "+",
		"other secret":    vkpay.SignLaunch(q, testSecret+"x"),
	} {
		t.Run(name, func(t *testing.T) {
			cp := cloneValues(q)
			cp.Set("sign", bad)
			l, err := newClient(t).VerifyLaunch(cp)
			if !errors.Is(err, paykit.ErrInvalidSignature) || l != nil {
				t.Fatalf("err = %v, launch %+v; want ErrInvalidSignature", err, l)
			}
			if strings.Contains(err.Error(), sign) || strings.Contains(err.Error(), testSecret) {
				t.Fatal("error echoes the expected sign or the secret")
			}
		})
	}
}

func cloneValues(q url.Values) url.Values {
	cp := url.Values{}
	for k, v := range q {
		cp[k] = append([]string(nil), v...)
	}
	return cp
}

func TestVerifyLaunchChecksEverySignedParameterAndTheAccount(t *testing.T) {
	q := launchSigner.LaunchQuery(vkpaytest.Launch{UserID: 42, Ref: "other"})
	mod := func(f func(url.Values)) url.Values {
		cp := cloneValues(q)
		f(cp)
		return cp
	}
	resign := func(f func(url.Values)) url.Values {
		cp := mod(f)
		cp.Set("sign", vkpay.SignLaunch(cp, testSecret))
		return cp
	}
	tests := []struct {
		name string
		q    url.Values
		want error
	}{
		{"no sign", mod(func(v url.Values) { v.Del("sign") }), paykit.ErrMissingSignature},
		{"empty sign", mod(func(v url.Values) { v.Set("sign", "") }), paykit.ErrMissingSignature},
		{"other user", mod(func(v url.Values) { v.Set("vk_user_id", "43") }), paykit.ErrInvalidSignature},
		{"added vk_ parameter", mod(func(v url.Values) { v.Set("vk_is_favorite", "1"); v.Set("vk_group_id", "1") }), paykit.ErrInvalidSignature},
		{"removed vk_ parameter", mod(func(v url.Values) { v.Del("vk_ref") }), paykit.ErrInvalidSignature},
		{"other app", launchSigner.LaunchQuery(vkpaytest.Launch{AppID: 99, UserID: 42}), paykit.ErrWrongAccount},
		{"repeated user", mod(func(v url.Values) { v.Add("vk_user_id", "42") }), paykit.ErrMalformed},
		{"repeated sign", mod(func(v url.Values) { v.Add("sign", v.Get("sign")) }), paykit.ErrMalformed},
		{"no user", resign(func(v url.Values) { v.Del("vk_user_id") }), paykit.ErrMalformed},
		{"user 0", resign(func(v url.Values) { v.Set("vk_user_id", "0") }), paykit.ErrMalformed},
		{"negative user", resign(func(v url.Values) { v.Set("vk_user_id", "-1") }), paykit.ErrMalformed},
		{"no app", resign(func(v url.Values) { v.Del("vk_app_id") }), paykit.ErrMalformed},
		{"bad ts", resign(func(v url.Values) { v.Set("vk_ts", "soon") }), paykit.ErrMalformed},
		{"bad flag", resign(func(v url.Values) { v.Set("vk_is_app_user", "2") }), paykit.ErrMalformed},
		{"unsigned parameter changed", mod(func(v url.Values) { v.Set("odr_enabled", "1"); v.Set("utm", "x") }), nil},
	}
	c := newClient(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := c.VerifyLaunch(tt.q)
			if tt.want == nil {
				if err != nil || l.UserID != 42 {
					t.Fatalf("err = %v, launch %+v", err, l)
				}
				return
			}
			if !errors.Is(err, tt.want) || l != nil {
				t.Fatalf("err = %v, launch %+v; want %v", err, l, tt.want)
			}
		})
	}
}

func TestVerifyLaunchAcceptsPreviousSecrets(t *testing.T) {
	old := vkpaytest.Signer{AppID: testAppID, Secret: "old-secret"}.LaunchQuery(vkpaytest.Launch{UserID: 5})
	if _, err := newClient(t).VerifyLaunch(old); !errors.Is(err, paykit.ErrInvalidSignature) {
		t.Fatalf("without rotation: err = %v", err)
	}
	if _, err := newClient(t, "old-secret").VerifyLaunch(old); err != nil {
		t.Fatalf("with the old secret in PreviousSecrets: %v", err)
	}
}

// The documentation's text encodes a space as %20; its PHP sample uses
// http_build_query, which writes "+" (and encodes "~"). Both are accepted,
// and neither is confused with the other value.
func TestVerifyLaunchAcceptsBothDocumentedValueEncodings(t *testing.T) {
	q := url.Values{"vk_app_id": {"12345678"}, "vk_user_id": {"42"}, "vk_ref": {"a b~c,d"}}
	php := "vk_app_id=12345678&vk_ref=a+b%7Ec%2Cd&vk_user_id=42"
	text := "vk_app_id=12345678&vk_ref=a%20b~c%2Cd&vk_user_id=42"
	c := newClient(t)
	for name, canonical := range map[string]string{"php sample": php, "text": text} {
		t.Run(name, func(t *testing.T) {
			cp := cloneValues(q)
			cp.Set("sign", hmacSHA256URL(canonical, testSecret))
			if l, err := c.VerifyLaunch(cp); err != nil || l.Ref != "a b~c,d" {
				t.Fatalf("err = %v, launch %+v", err, l)
			}
		})
	}
	if vkpay.SignLaunch(q, testSecret) != hmacSHA256URL(text, testSecret) {
		t.Fatal("SignLaunch does not follow the documentation's text")
	}
	cp := cloneValues(q)
	cp.Set("vk_ref", "a+b~c,d")
	cp.Set("sign", hmacSHA256URL(php, testSecret))
	if _, err := c.VerifyLaunch(cp); !errors.Is(err, paykit.ErrInvalidSignature) {
		t.Fatalf("a literal + must not pass for a space: err = %v", err)
	}
}

func hmacSHA256URL(s, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(s))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
