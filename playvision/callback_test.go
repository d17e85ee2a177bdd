package playvision_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/playvision"
	"github.com/paykit-go/paykit/playvision/playvisiontest"
	"github.com/paykit-go/paykit/signature"
)

func postForm(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/playvision", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func TestDocumentationVectorSignature(t *testing.T) {
	v := loadVectors(t).DocsExample
	params := url.Values{}
	for k, val := range v.Params {
		params.Set(k, val)
	}
	assert.Equal(t, v.ExpectedSig, signature.SortedMD5(params, v.Secret))
	assert.Equal(t, v.ExpectedSig, playvisiontest.Signer{Secret: v.Secret}.Sign(params))
	assert.NoError(t, signature.VerifySortedMD5(params, "sig", strings.ToUpper(v.ExpectedSig), []string{v.Secret}))
}

func TestParseCallbackVerifiesGetItemTestVector(t *testing.T) {
	v := loadVectors(t).GetItemTest
	c := newClient(t, func(cfg *playvision.Config) { cfg.Secret = v.Secret })

	n, err := c.ParseCallback(postForm(v.Body))
	require.NoError(t, err)
	g, ok := n.(*playvision.GetItem)
	require.True(t, ok, "got %T", n)
	assert.Equal(t, "get_item_test", g.NotificationType)
	assert.True(t, g.Test)
	assert.Equal(t, int64(7001), g.AppID)
	assert.Equal(t, int64(131), g.UserID)
	assert.Equal(t, "gold_pack_100", g.Item)
	assert.Equal(t, v.ExpectedSig, g.Sig)

	params, err := url.ParseQuery(v.Body)
	require.NoError(t, err)
	assert.Equal(t, v.Canonical, playvisiontest.Canonical(params)+v.Secret)
	assert.Equal(t, paykit.Summary{
		Provider: paykit.Playvision, Type: "get_item_test", Kind: paykit.KindItemRequest,
		UserID: "131", Test: true,
	}, n.Summary())
}

func TestParseCallbackOrderStatusChange(t *testing.T) {
	c := newClient(t)
	at := time.Unix(1700000000, 0)
	body := signer.Body(playvisiontest.OrderStatusChange{
		UserID: 131, SID: "2", TransactionID: 555, Sum: 100, ItemID: "gold_100", Time: at,
	}.Params())

	n, err := c.ParseCallback(postForm(body))
	require.NoError(t, err)
	o := n.(*playvision.OrderStatusChange)
	assert.Equal(t, "order_status_change", o.NotificationType)
	assert.False(t, o.Test)
	assert.Equal(t, int64(131), o.UserID)
	assert.Equal(t, "2", o.SID)
	assert.Equal(t, int64(555), o.TransactionID)
	assert.Equal(t, int64(100), o.Sum)
	assert.Equal(t, "gold_100", o.ItemID)
	assert.True(t, o.Time.Equal(at))
	assert.Equal(t, time.UTC, o.Time.Location())
	assert.Empty(t, o.Extra())
	assert.Equal(t, paykit.Summary{
		Provider: paykit.Playvision, Type: "order_status_change", Kind: paykit.KindPayment,
		Status: paykit.StatusPaid, ID: "555", UserID: "131", Amount: paykit.Money{Amount: 100},
	}, n.Summary())
}

func TestParseCallbackVerifiesUTF8AndPlusValues(t *testing.T) {
	c := newClient(t)
	items := []string{"золото+100", "a+b c", "100% 金", "x=y&z", "emoji 🎮+", ""}
	for _, item := range items[:len(items)-1] {
		t.Run(item, func(t *testing.T) {
			body := signer.Body(playvisiontest.GetItem{AppID: testAppID, UserID: 5, Item: item}.Params())
			n, err := c.ParseCallback(postForm(body))
			require.NoError(t, err)
			assert.Equal(t, item, n.(*playvision.GetItem).Item)
		})
	}
	t.Run("plus sent raw means space", func(t *testing.T) {
		// A literal '+' in the body is a space after decoding; the
		// signature is over the decoded value.
		p := url.Values{"notification_type": {"get_item"}, "user_id": {"5"}, "item": {"a b"}}
		sig := signer.Sign(p)
		body := "notification_type=get_item&user_id=5&item=a+b&sig=" + sig
		n, err := c.ParseCallback(postForm(body))
		require.NoError(t, err)
		assert.Equal(t, "a b", n.(*playvision.GetItem).Item)
	})
	t.Run("signed over encoded value fails", func(t *testing.T) {
		p := url.Values{"notification_type": {"get_item"}, "user_id": {"5"}, "item": {"a%2Bb"}}
		body := "notification_type=get_item&user_id=5&item=a%2Bb&sig=" + signer.Sign(p)
		_, err := c.ParseCallback(postForm(body))
		assert.ErrorIs(t, err, paykit.ErrInvalidSignature)
	})
}

func TestParseCallbackKeepsAndSignsUnknownFields(t *testing.T) {
	c := newClient(t)
	params := playvisiontest.OrderStatusChange{
		UserID: 1, TransactionID: 2, Sum: 3, ItemID: "i", Extra: url.Values{"bonus": {"10"}},
	}.Params()
	body := signer.Body(params)

	n, err := c.ParseCallback(postForm(body))
	require.NoError(t, err)
	o := n.(*playvision.OrderStatusChange)
	assert.Equal(t, url.Values{"bonus": {"10"}}, o.Extra())
	assert.Equal(t, "10", o.Params.Get("bonus"))

	t.Run("an unsigned extra field breaks the signature", func(t *testing.T) {
		_, err := c.ParseCallback(postForm(body + "&bonus2=1"))
		assert.ErrorIs(t, err, paykit.ErrInvalidSignature)
	})
	t.Run("a changed extra field breaks the signature", func(t *testing.T) {
		_, err := c.ParseCallback(postForm(strings.Replace(body, "bonus=10", "bonus=11", 1)))
		assert.ErrorIs(t, err, paykit.ErrInvalidSignature)
	})
}

func TestParseCallbackSignatureRotation(t *testing.T) {
	old := playvisiontest.Signer{Secret: "old-secret"}
	body := old.Body(playvisiontest.GetItem{UserID: 1, Item: "x"}.Params())

	_, err := newClient(t).ParseCallback(postForm(body))
	assert.ErrorIs(t, err, paykit.ErrInvalidSignature)

	rotating := newClient(t, func(cfg *playvision.Config) { cfg.PreviousSecrets = []string{"old-secret"} })
	_, err = rotating.ParseCallback(postForm(body))
	assert.NoError(t, err)
	_, err = rotating.ParseCallback(postForm(signer.Body(playvisiontest.GetItem{UserID: 1, Item: "x"}.Params())))
	assert.NoError(t, err)
}

func TestParseCallbackAcceptsUpperCaseSig(t *testing.T) {
	p := signer.Form(playvisiontest.GetItem{UserID: 1, Item: "x"}.Params())
	p.Set("sig", strings.ToUpper(p.Get("sig")))
	_, err := newClient(t).ParseCallback(postForm(p.Encode()))
	assert.NoError(t, err)
}

func TestParseCallbackRejects(t *testing.T) {
	c := newClient(t)
	good := playvisiontest.OrderStatusChange{UserID: 1, TransactionID: 2, Sum: 3, ItemID: "i"}.Params()
	signed := func(mod func(url.Values)) string {
		p := url.Values{}
		for k, v := range good {
			p[k] = v
		}
		mod(p)
		return signer.Body(p)
	}
	tests := []struct {
		name string
		req  *http.Request
		want error
	}{
		{"GET", httptest.NewRequest(http.MethodGet, "/?"+signer.Body(good), nil), paykit.ErrMalformed},
		{"empty body", postForm(""), paykit.ErrMissingSignature},
		{"no sig", postForm(good.Encode()), paykit.ErrMissingSignature},
		{"empty sig", postForm(good.Encode() + "&sig="), paykit.ErrMissingSignature},
		{"wrong sig", postForm(good.Encode() + "&sig=00000000000000000000000000000000"), paykit.ErrInvalidSignature},
		{"short sig", postForm(good.Encode() + "&sig=abc"), paykit.ErrInvalidSignature},
		{"duplicate key", postForm(signer.Body(good) + "&sum=3"), paykit.ErrMalformed},
		{"duplicate sig", postForm(signer.Body(good) + "&sig=" + signer.Sign(good)), paykit.ErrMalformed},
		{"bad escape", postForm(signer.Body(good) + "&x=%zz"), paykit.ErrMalformed},
		{"too large", postForm(signer.Body(good) + "&pad=" + strings.Repeat("a", 64<<10)), paykit.ErrBodyTooLarge},
		{"unknown type", postForm(signed(func(p url.Values) { p.Set("notification_type", "refund") })), paykit.ErrUnknownType},
		{"no type", postForm(signed(func(p url.Values) { p.Del("notification_type") })), paykit.ErrMalformed},
		{"wrong app", postForm(signed(func(p url.Values) { p.Set("app_id", "7002") })), paykit.ErrWrongAccount},
		{"bad app", postForm(signed(func(p url.Values) { p.Set("app_id", "x") })), paykit.ErrMalformed},
		{"no transaction", postForm(signed(func(p url.Values) { p.Del("transaction_id") })), paykit.ErrMalformed},
		{"zero transaction", postForm(signed(func(p url.Values) { p.Set("transaction_id", "0") })), paykit.ErrMalformed},
		{"signed transaction", postForm(signed(func(p url.Values) { p.Set("transaction_id", "+2") })), paykit.ErrMalformed},
		{"negative sum", postForm(signed(func(p url.Values) { p.Set("sum", "-3") })), paykit.ErrMalformed},
		{"decimal sum", postForm(signed(func(p url.Values) { p.Set("sum", "3.5") })), paykit.ErrMalformed},
		{"huge sum", postForm(signed(func(p url.Values) { p.Set("sum", "99999999999999999999") })), paykit.ErrMalformed},
		{"no user", postForm(signed(func(p url.Values) { p.Del("user_id") })), paykit.ErrMalformed},
		{"bad time", postForm(signed(func(p url.Values) { p.Set("time", "yesterday") })), paykit.ErrMalformed},
		{"get_item without item", postForm(signer.Body(url.Values{"notification_type": {"get_item"}, "user_id": {"1"}})), paykit.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := c.ParseCallback(tt.req)
			assert.Nil(t, n)
			require.ErrorIs(t, err, tt.want)
			assert.NotContains(t, err.Error(), testSecret)
			assert.NotContains(t, err.Error(), signer.Sign(good))
		})
	}
}

func TestParseCallbackOptionalOrderFields(t *testing.T) {
	p := url.Values{"notification_type": {"order_status_change_test"}, "user_id": {"1"}, "transaction_id": {"9"}, "sum": {"0"}, "sid": {""}}
	n, err := newClient(t).ParseCallback(postForm(signer.Body(p)))
	require.NoError(t, err)
	o := n.(*playvision.OrderStatusChange)
	assert.True(t, o.Test)
	assert.Equal(t, "", o.SID)
	assert.True(t, o.Time.IsZero())
	assert.Equal(t, "", o.ItemID)
}

func TestParseCallbackKeepsTextualSID(t *testing.T) {
	p := playvisiontest.OrderStatusChange{UserID: 1, TransactionID: 9, Sum: 1, SID: "eu-1"}.Params()
	n, err := newClient(t).ParseCallback(postForm(signer.Body(p)))
	require.NoError(t, err)
	assert.Equal(t, "eu-1", n.(*playvision.OrderStatusChange).SID)
}

func TestParseValuesRejectsMultipleValues(t *testing.T) {
	p := signer.Form(playvisiontest.GetItem{UserID: 1, Item: "x"}.Params())
	p["item"] = append(p["item"], "y")
	_, err := newClient(t).ParseValues(p)
	assert.ErrorIs(t, err, paykit.ErrMalformed)
}

func TestParseCallbackAppIDMatchesAccount(t *testing.T) {
	body := signer.Body(playvisiontest.GetItem{AppID: testAppID + 1, UserID: 1, Item: "x"}.Params())
	_, err := newClient(t).ParseCallback(postForm(body))
	require.True(t, errors.Is(err, paykit.ErrWrongAccount))
}
