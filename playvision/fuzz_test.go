package playvision_test

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/playvision"
	"github.com/paykit-go/paykit/playvision/playvisiontest"
)

var parseSentinels = []error{
	paykit.ErrMissingSignature, paykit.ErrInvalidSignature, paykit.ErrMalformed,
	paykit.ErrUnknownType, paykit.ErrWrongAccount, paykit.ErrBodyTooLarge,
}

func matchesSentinel(err error) bool {
	for _, s := range parseSentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// FuzzParseBody feeds arbitrary bodies to the parser: it must never panic,
// every error must match a sentinel and never echo the secret, and what
// verifies must be one of the two notification types.
func FuzzParseBody(f *testing.F) {
	v := loadVectors(f)
	f.Add(v.GetItemTest.Body)
	f.Add(signer.Body(playvisiontest.OrderStatusChange{UserID: 1, TransactionID: 2, Sum: 3, ItemID: "x", Extra: url.Values{"bonus": {"1"}}}.Params()))
	f.Add(signer.Body(playvisiontest.GetItem{UserID: 1, Item: "золото+1"}.Params()))
	f.Add("sig=&sig=")
	f.Add("a=%zz;b")
	c := newClient(f, func(cfg *playvision.Config) { cfg.Secret = v.GetItemTest.Secret })
	f.Fuzz(func(t *testing.T, body string) {
		n, err := c.ParseBody([]byte(body), nil)
		if err != nil {
			if n != nil {
				t.Fatal("notification with error")
			}
			if !matchesSentinel(err) {
				t.Fatalf("error matches no sentinel: %v", err)
			}
			if strings.Contains(err.Error(), v.GetItemTest.Secret) {
				t.Fatal("error echoes the secret")
			}
			return
		}
		switch n := n.(type) {
		case *playvision.GetItem:
			if n.UserID <= 0 || n.Item == "" {
				t.Fatalf("accepted incomplete get_item %+v", n)
			}
		case *playvision.OrderStatusChange:
			if n.TransactionID <= 0 || n.Sum < 0 || n.Summary().ID == "" {
				t.Fatalf("accepted incomplete order %+v", n)
			}
		default:
			t.Fatalf("unexpected type %T", n)
		}
	})
}

// FuzzSignedParams signs arbitrary values with the test kit: whatever they
// are, the signed form must verify and give the values back.
func FuzzSignedParams(f *testing.F) {
	f.Add("gold_pack_100", "bonus", "10")
	f.Add("a+b c%20", "x y", "+")
	f.Add("золото 金 🎮", "", "")
	c := newClient(f)
	f.Fuzz(func(t *testing.T, item, extraKey, extraVal string) {
		p := playvisiontest.GetItem{AppID: testAppID, UserID: 9, Item: item}.Params()
		if extraKey != "" && p[extraKey] == nil && extraKey != "sig" {
			p.Set(extraKey, extraVal)
		}
		n, err := c.ParseBody([]byte(signer.Body(p)), nil)
		if item == "" {
			if err == nil {
				t.Fatal("empty item accepted")
			}
			return
		}
		if err != nil {
			if !matchesSentinel(err) {
				t.Fatalf("error matches no sentinel: %v", err)
			}
			t.Fatalf("signed params rejected: %v", err)
		}
		if got := n.(*playvision.GetItem).Item; got != item {
			t.Fatalf("item %q came back as %q", item, got)
		}
	})
}

// FuzzVerifyLaunch feeds arbitrary launch queries to VerifyLaunch.
func FuzzVerifyLaunch(f *testing.F) {
	f.Add(signer.LaunchQuery(playvisiontest.Launch{AppID: testAppID, ViewerID: 131, Token: "t"}).Encode())
	f.Add("api_id=7001&viewer_id=1&auth_key=00")
	f.Add("api_id=x&api_id=y")
	c := newClient(f)
	f.Fuzz(func(t *testing.T, query string) {
		q, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		l, err := c.VerifyLaunch(q)
		if err != nil {
			if l != nil || !matchesSentinel(err) {
				t.Fatalf("bad error %v", err)
			}
			return
		}
		if l.APIID != testAppID || l.ViewerID <= 0 {
			t.Fatalf("accepted %+v", l)
		}
	})
}

// FuzzParseValuesAgreesWithParseBody feeds arbitrary bodies to both entry
// points: where the standard library parses a body, ParseValues of its
// values and ParseBody of its bytes accept and refuse alike, and agree on
// what they accept.
func FuzzParseValuesAgreesWithParseBody(f *testing.F) {
	f.Add(signer.Body(playvisiontest.OrderStatusChange{UserID: 1, TransactionID: 2, Sum: 3, ItemID: "i"}.Params()))
	f.Add(signer.Body(playvisiontest.GetItem{AppID: testAppID, UserID: 9, Item: "a+b%20c"}.Params()))
	f.Add("notification_type=get_item&sig=00&sig=00")
	f.Add("a=1&&b&c=%zz")
	c := newClient(f)
	f.Fuzz(func(t *testing.T, body string) {
		values, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		fromValues, errValues := c.ParseValues(values)
		fromBody, errBody := c.ParseBody([]byte(body), nil)
		if (errValues == nil) != (errBody == nil) {
			t.Fatalf("ParseValues: %v; ParseBody: %v", errValues, errBody)
		}
		if errValues != nil {
			if !matchesSentinel(errValues) {
				t.Fatalf("error matches no sentinel: %v", errValues)
			}
			return
		}
		if !reflect.DeepEqual(fromValues.Summary(), fromBody.Summary()) {
			t.Fatalf("summaries differ: %+v and %+v", fromValues.Summary(), fromBody.Summary())
		}
	})
}
