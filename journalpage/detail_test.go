package journalpage_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/playvision/playvisiontest"
)

var (
	rowRE  = regexp.MustCompile(`<td class="at"><a href="/journal/d/([0-9a-f]+)">`)
	nextRE = regexp.MustCompile(`id="next" href="([^"]+)"`)
)

// listed returns the IDs the list page shows, in order.
func listed(body string) []string {
	var out []string
	for _, m := range rowRE.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func ids(ds []paykit.Delivery, idx []int) []string {
	var out []string
	for _, i := range idx {
		out = append(out, ds[i].ID)
	}
	return out
}

func TestDetailShowsRequestAndReplySideBySide(t *testing.T) {
	e := newEnv(t)
	d := e.deliver(7010)
	r := e.get(base + "/d/" + d.ID)
	require.Equal(t, http.StatusOK, r.Status)
	for _, want := range []string{
		`<section id="request">`, `<section id="reply">`, // side by side
		`id="verification">verified<`,
		"order_status_change", "payment / paid", "7001", // type, summary, account
		`<tr><th>Provider id</th><td><a id="same-id" href="/journal/?id=7010&amp;provider=playvision">7010</a></td></tr>`,
		"<td>transaction_id</td><td>7010", "<td>item_id</td><td>gold_100", // form fields as a table
		"<details><summary>Raw bytes", // raw one click away
		`href="/journal/d/` + d.ID + `/raw/request"`,
		"<pre>{\n  &#34;status&#34;: &#34;1&#34;", // the JSON reply indented
		`<code>` + d.Key + `</code>`,
		`id="replayed">no<`,
		`id="run-again"`,
	} {
		assert.Contains(t, r.Body, want)
	}
	assert.NotContains(t, r.Body, testSecret)

	e.deliver(7099)
	same := e.get(base + "/?id=7010&provider=playvision") // the provider id's link: every delivery of that payment
	assert.Equal(t, []string{d.ID}, listed(same.Body))
}

// The page shows what the journal holds, and a delivery never holds the
// handler's secret: neither an accepted one nor one signed with a near
// miss of it (the error names the sentinel, not the expected signature).
func TestNoSecretOnAnyPage(t *testing.T) {
	e := newEnv(t)
	ok := e.deliver(7020)
	params := playvisiontest.OrderStatusChange{AppID: testAppID, UserID: 131, TransactionID: 7021, Sum: 5, ItemID: "gold_100"}.Params()
	forged := playvisiontest.Signer{Secret: testSecret + "x"}
	e.handler.ServeHTTP(httptest.NewRecorder(), forged.NewRequest("/playvision", params))
	newest, err := e.journal.Deliveries(t.Context(), paykit.DeliveryQuery{Limit: 1})
	require.NoError(t, err)
	bad := newest.Deliveries[0]
	require.Equal(t, paykit.NotVerifiedInvalidSignature, bad.Verification)
	expected := signer.Sign(params)
	for _, target := range []string{base + "/", base + "/d/" + ok.ID, base + "/d/" + bad.ID, base + "/d/" + bad.ID + "/raw/request", base + "/d/" + bad.ID + "/raw/reply"} {
		body := e.get(target).Body
		assert.NotContains(t, body, testSecret, target)
		assert.NotContains(t, body, expected, "%s shows the signature the forged delivery should have had", target)
	}
}

func TestDetailRendersEachKindOfBody(t *testing.T) {
	e := newEnv(t)
	paysera := "data=" + "b3JkZXJpZD0xMDQyJmFtb3VudD01MDA" + "&ss1=abc" // base64url of orderid=1042&amount=500
	ds := seed(t, e.journal, time.Now(),
		paykit.Delivery{Provider: paykit.Paysera, Query: paysera, ReplyContentType: "text/plain; charset=utf-8", ReplyBody: []byte("OK")},
		paykit.Delivery{Provider: paykit.Xsolla, Header: http.Header{"Content-Type": {"application/json"}},
			Body: []byte(`{"notification_type":"payment","user":{"id":"u1"}}`), ReplyStatus: 204},
		paykit.Delivery{Provider: paykit.VKPay, Header: http.Header{"Content-Type": {"application/octet-stream"}}, Body: []byte{0xff, 0xfe, 0x00, 'a'}},
		paykit.Delivery{Provider: paykit.VKPay, Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
			Body: []byte("a=1&a=2&b=&=x&c")},
	)
	cases := []struct {
		name string
		d    paykit.Delivery
		want []string
	}{
		{"a GET's query as fields, a base64 form decoded", ds[0], []string{
			"<h2>Query</h2>", "<td>ss1</td><td>abc", "base64-decoded", "<td>orderid</td><td>1042</td>", "<td>amount</td><td>500</td>",
			"<pre>OK</pre>"}},
		{"JSON indented", ds[1], []string{"<pre>{\n  &#34;notification_type&#34;: &#34;payment&#34;,\n  &#34;user&#34;: {", "Reply: HTTP 204", "empty"}},
		{"binary as a hex dump", ds[2], []string{"not UTF-8: shown as a hex dump", "ff fe 00 61"}},
		{"a form as sent, repeats and empties kept", ds[3], []string{
			"<td>a</td><td>1", "<td>a</td><td>2", "<td>b</td><td>\n", "<td></td><td>x", "<td>c</td><td>\n"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.get(base + "/d/" + tc.d.ID)
			require.Equal(t, http.StatusOK, r.Status)
			for _, want := range tc.want {
				assert.Contains(t, r.Body, want)
			}
		})
	}
}

func TestEverythingIsEscaped(t *testing.T) {
	const evil = `<script>alert("x")</script>`
	e := newEnv(t)
	d := paykit.Delivery{
		Provider: paykit.Provider(evil), Account: evil, RunOf: evil, Path: "/cb/" + evil, Query: "q=" + evil, RemoteAddr: evil,
		Method: http.MethodPost, Header: http.Header{"Content-Type": {evil}, "X-Sig": {evil}},
		Body: []byte("f=" + evil + "&" + evil + "=1"), Verification: paykit.Verification(evil), Type: evil,
		Summary: paykit.Summary{Kind: paykit.Kind(evil), Status: paykit.Status(evil), ID: evil, OrderID: evil, UserID: evil,
			Amount: paykit.Money{Amount: 1, Currency: evil}},
		Outcome: paykit.Outcome(evil), Error: evil, ReplyContentType: "application/json",
		ReplyBody: []byte(`{"m":"` + strings.ReplaceAll(evil, `"`, `\"`) + `"}`), Key: evil,
	}
	json := d
	json.Header = http.Header{"Content-Type": {"application/json"}}
	json.Body = []byte(`{"name":"` + strings.ReplaceAll(evil, `"`, `\"`) + `"}`)
	text := d
	text.Header = nil
	text.Body = []byte(evil)
	ds := seed(t, e.journal, time.Now(), d, json, text)
	for _, target := range []string{
		base + "/", base + "/d/" + ds[0].ID, base + "/d/" + ds[1].ID, base + "/d/" + ds[2].ID,
		base + "/?account=" + evil, base + "/?since=" + evil, base + "/d/" + evil,
	} {
		r := e.get(target)
		assert.NotContains(t, r.Body, "<script", target)
		assert.NotContains(t, r.Body, "javascript:", target)
	}
	assert.Contains(t, e.get(base+"/d/"+ds[0].ID).Body, "&lt;script&gt;")
	const shown = `1 &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;` // Money.String of the evil currency, escaped
	assert.Contains(t, e.get(base+"/").Body, `<td data-label="Amount">`+shown+`</td>`)
	assert.Contains(t, e.get(base+"/d/"+ds[0].ID).Body, `<td id="amount">`+shown+` <span class="muted unit">(whole units of a virtual currency)</span>`)

	raw := e.get(base + "/d/" + ds[2].ID + "/raw/request")
	assert.Equal(t, evil, raw.Body, "the raw view gives the exact bytes")
	assert.Equal(t, "text/plain; charset=utf-8", raw.Header.Get("Content-Type"), "never as HTML")
	assert.Contains(t, raw.Header.Get("Content-Security-Policy"), "sandbox")
}

func TestRawViews(t *testing.T) {
	e := newEnv(t)
	d := e.deliver(7011)
	req := e.get(base + "/d/" + d.ID + "/raw/request")
	assert.Equal(t, http.StatusOK, req.Status)
	assert.Equal(t, string(d.Body), req.Body)
	rep := e.get(base + "/d/" + d.ID + "/raw/reply")
	assert.Equal(t, string(d.ReplyBody), rep.Body)

	ds := seed(t, e.journal, time.Now(),
		paykit.Delivery{ID: "a1", Provider: paykit.Paysera, Method: http.MethodGet, Query: "data=abc&ss1=x"},
		paykit.Delivery{ID: "a2", Provider: paykit.Paysera, Query: "shop=a"}) // a POST with an empty body
	assert.Equal(t, "data=abc&ss1=x", e.get(base+"/d/a1/raw/request").Body, "a GET's input is its query")
	assert.Empty(t, e.get(base+"/d/a2/raw/request").Body, "a POST's input is its body, even an empty one")
	assert.Len(t, ds, 2)
}

// Amounts read the way people write money — major units by the ISO 4217
// exponent, virtual units whole — in the list and on a delivery's page,
// where the exact integer the summary holds stays visible beside them.
func TestAmountsShowAsPeopleReadThem(t *testing.T) {
	for _, tc := range []struct {
		name         string
		money        paykit.Money
		list, detail string // "" for no amount shown
	}{
		{"cents", paykit.Money{Amount: 499, Currency: "EUR"},
			"4.99 EUR", `4.99 EUR <span class="muted unit">(499 minor units)</span>`},
		{"exponent 0", paykit.Money{Amount: 500, Currency: "JPY"},
			"500 JPY", `500 JPY <span class="muted unit">(500 minor units)</span>`},
		{"exponent 3", paykit.Money{Amount: 1000, Currency: "KWD"},
			"1.000 KWD", `1.000 KWD <span class="muted unit">(1000 minor units)</span>`},
		{"a refund's negative amount", paykit.Money{Amount: -5, Currency: "USD"},
			"-0.05 USD", `-0.05 USD <span class="muted unit">(-5 minor units)</span>`},
		{"zero in a currency", paykit.Money{Amount: 0, Currency: "EUR"},
			"0.00 EUR", `0.00 EUR <span class="muted unit">(0 minor units)</span>`},
		{"virtual currency code", paykit.Money{Amount: 499, Currency: "GOLD"},
			"499 GOLD", `499 GOLD <span class="muted unit">(whole units of a virtual currency)</span>`},
		{"votes or PlayGold: no currency", paykit.Money{Amount: 7},
			"7", `7 <span class="muted unit">(whole units of a virtual currency)</span>`},
		{"no amount", paykit.Money{}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ds := seed(t, e.journal, time.Now(), paykit.Delivery{Provider: paykit.Xsolla, Account: "1", Outcome: paykit.OutcomeOK,
				Summary: paykit.Summary{Kind: paykit.KindPayment, Status: paykit.StatusPaid, ID: "9", Amount: tc.money}})
			list := e.get(base + "/").Body
			assert.Contains(t, list, `<td data-label="Amount">`+tc.list+`</td>`, "the phone layout labels the cell")
			detail := e.get(base + "/d/" + ds[0].ID).Body
			if tc.detail == "" {
				assert.NotContains(t, detail, "<th>Amount</th>")
				return
			}
			assert.Contains(t, detail, `<tr><th>Amount</th><td id="amount">`+tc.detail+`</td></tr>`)
			assert.NotContains(t, detail, "minor units, or whole units", "no note that leaves the reader to guess")
		})
	}
}
