package journalpage

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/paykit-go/paykit"
)

// FuzzParseFilter: the list's query parameters come from the browser; any
// of them is either a valid query or an error, never a panic.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{
		"", "provider=paysera&outcome=ok", "since=2026-03-01T10:02&until=2026-03-01T11:00:00Z",
		"limit=500", "limit=-1", "limit=99999999999999999999", "after=abc&order=1042&id=tx",
		"since=2026-02-30T25:61", "provider=%ZZ", "outcome=ok&outcome=failed",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		_, q, err := parseFilter(v, time.UTC)
		if err != nil {
			return
		}
		if q.Provider != "" && !oneOf(q.Provider, providers) {
			t.Fatalf("provider %q accepted", q.Provider)
		}
		if q.Outcome != "" && !oneOf(q.Outcome, outcomes) {
			t.Fatalf("outcome %q accepted", q.Outcome)
		}
		if q.Limit < 0 || q.Limit > paykit.MaxDeliveryPage {
			t.Fatalf("limit %d accepted", q.Limit)
		}
	})
}

// FuzzViewBody: bodies are whatever the network sent; each is shown
// without a panic, its raw view holding every byte.
func FuzzViewBody(f *testing.F) {
	for _, s := range []struct {
		ct, body string
	}{
		{"application/json", `{"a":[1,2,{"b":null}]}`},
		{"application/x-www-form-urlencoded", "a=1&a=2&b=&=x&c&%zz=%"},
		{"", "data=b3JkZXJpZD0xMDQyJmFtb3VudD01MDA&ss1=abc"},
		{"text/plain", "[1,"},
		{"application/octet-stream", "\xff\xfe\x00a"},
		{";;;", "{}"},
	} {
		f.Add(s.ct, []byte(s.body), false)
	}
	f.Fuzz(func(t *testing.T, ct string, body []byte, form bool) {
		v := viewBody(ct, body, form)
		if v.Size != len(body) {
			t.Fatalf("size %d for %d bytes", v.Size, len(body))
		}
		if len(body) > 0 && utf8.Valid(body) && v.Raw != string(body) {
			t.Fatal("the raw view lost bytes")
		}
	})
}

// FuzzPage: any path and query an authorised browser sends is answered
// without a panic or a server error, and nothing it sends comes back as
// markup.
func FuzzPage(f *testing.F) {
	j := paykit.NewMemoryJournal(paykit.MemoryJournalOptions{})
	j.Observe(f.Context(), paykit.Delivery{ID: "0123456789abcdef0123456789abcdef", ReceivedAt: time.Now(),
		Provider: paykit.Paysera, Method: http.MethodGet, Query: "data=abc", Outcome: paykit.OutcomeOK})
	h := New(j, Options{BasePath: "/j", Authorize: func(*http.Request) bool { return true }})
	for _, s := range []string{"/j/", "/j/?provider=<b>", "/j/d/0123456789abcdef0123456789abcdef", "/j/d/x/raw/request",
		"/j/d/0123456789abcdef0123456789abcdef/raw/reply", "/j/?after=<i>&limit=1", "/j/d/%3Cb%3E"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, target string) {
		u, err := url.ParseRequestURI(target)
		if err != nil || !strings.HasPrefix(target, "/") {
			return
		}
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL = u
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s: %d", target, rec.Code)
		}
		if strings.Contains(rec.Header().Get("Content-Type"), "html") && strings.Contains(rec.Body.String(), "<b>") {
			t.Fatalf("%s: markup echoed", target)
		}
	})
}
