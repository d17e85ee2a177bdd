package journalpage_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/journalpage"
)

func TestEveryRequestIsRefusedWithoutAuthorize(t *testing.T) {
	allowNone := func(*http.Request) bool { return false }
	for name, authorize := range map[string]func(*http.Request) bool{"nil": nil, "says no": allowNone} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			d := e.deliver(7001)
			token := e.token(d.ID)
			e.page = journalpage.New(e.journal, journalpage.Options{BasePath: base, Authorize: authorize,
				Handler: func(paykit.Delivery) http.Handler { return e.handler }})
			for _, r := range []response{
				e.get(base + "/"),
				e.get(base),
				e.get(base + "/?provider=playvision"),
				e.get(base + "/d/" + d.ID),
				e.get(base + "/d/" + d.ID + "/raw/request"),
				e.get(base + "/d/" + d.ID + "/raw/reply"),
				e.get(base + "/d/nothing"),
				e.get("/elsewhere"),
				e.post(base+"/d/"+d.ID+"/run", url.Values{"token": {token}}),
			} {
				assert.Equal(t, http.StatusForbidden, r.Status)
				assert.NotContains(t, r.Body, d.ID)
				assert.NotContains(t, r.Body, "gold_100")
			}
			assert.EqualValues(t, 1, e.events.Load(), "nothing ran again")
		})
	}
}

func TestAuthorizeSeesTheRequest(t *testing.T) {
	e := newEnv(t, func(o *journalpage.Options) {
		o.Authorize = func(r *http.Request) bool { return r.Header.Get("X-Admin") == "yes" }
	})
	req := httptest.NewRequest(http.MethodGet, base+"/", nil)
	assert.Equal(t, http.StatusForbidden, e.do(req).Status)
	req.Header.Set("X-Admin", "yes")
	assert.Equal(t, http.StatusOK, e.do(req).Status)
}

// seed records deliveries with known fields, one minute apart, the last
// one newest; ID and Method default to a counter and POST.
func seed(t *testing.T, j paykit.Journal, at time.Time, ds ...paykit.Delivery) []paykit.Delivery {
	t.Helper()
	for i := range ds {
		if ds[i].ID == "" {
			ds[i].ID = fmt.Sprintf("%032x", i+1)
		}
		ds[i].ReceivedAt = at.Add(time.Duration(i) * time.Minute)
		if ds[i].Method == "" {
			ds[i].Method = http.MethodPost
		}
		j.Observe(t.Context(), ds[i])
	}
	return ds
}

func TestListFilters(t *testing.T) {
	e := newEnv(t)
	at := time.Now().UTC().Truncate(time.Minute).Add(-time.Hour) // within the journal's retention
	local := func(m int) string { return at.Add(time.Duration(m) * time.Minute).Format("2006-01-02T15:04") }
	rfc := func(m int) string { return at.Add(time.Duration(m) * time.Minute).Format(time.RFC3339) }
	ds := seed(t, e.journal, at,
		paykit.Delivery{Provider: paykit.Paysera, Account: "123", Summary: paykit.Summary{OrderID: "1042", ID: "req-1"}, Outcome: paykit.OutcomeRetry},
		paykit.Delivery{Provider: paykit.Xsolla, Account: "18404", Summary: paykit.Summary{OrderID: "1043", ID: "tx-9"}, Outcome: paykit.OutcomeOK},
		paykit.Delivery{Provider: paykit.Paysera, Account: "123", Summary: paykit.Summary{OrderID: "1042", ID: "req-1"}, Outcome: paykit.OutcomeOK},
		paykit.Delivery{Provider: paykit.VKPay, Account: "51", Verification: paykit.NotVerifiedInvalidSignature, Outcome: paykit.OutcomeRejected},
	)
	cases := []struct {
		name  string
		query string
		want  []int // indexes into ds, newest first
	}{
		{"everything", "", []int{3, 2, 1, 0}},
		{"provider", "provider=paysera", []int{2, 0}},
		{"account", "account=18404", []int{1}},
		{"order id", "order=1042", []int{2, 0}},
		{"provider id", "id=tx-9", []int{1}},
		{"outcome", "outcome=rejected", []int{3}},
		{"since", "since=" + local(2), []int{3, 2}},
		{"until", "until=" + local(1), []int{0}},
		{"time range RFC 3339", "since=" + rfc(1) + "&until=" + rfc(3), []int{2, 1}},
		{"combined", "provider=paysera&outcome=ok", []int{2}},
		{"nothing matches", "order=9999", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.get(base + "/?" + tc.query)
			require.Equal(t, http.StatusOK, r.Status, r.Body)
			assert.Equal(t, ids(ds, tc.want), listed(r.Body))
			if tc.want == nil {
				assert.Contains(t, r.Body, "No delivery matches.")
			}
		})
	}
}

func TestListPages(t *testing.T) {
	e := newEnv(t)
	ds := seed(t, e.journal, time.Now().Add(-time.Hour), make([]paykit.Delivery, 5)...)
	var got []string
	next := base + "/?limit=2"
	pages := 0
	for next != "" {
		r := e.get(next)
		require.Equal(t, http.StatusOK, r.Status)
		got = append(got, listed(r.Body)...)
		pages++
		next = ""
		if m := nextRE.FindStringSubmatch(r.Body); m != nil {
			next = strings.ReplaceAll(m[1], "&amp;", "&")
			assert.Contains(t, next, "limit=2", "the next page keeps the filter")
		}
	}
	assert.Equal(t, 3, pages)
	assert.Equal(t, ids(ds, []int{4, 3, 2, 1, 0}), got, "every delivery once, newest first")
}

func TestListRefusesBadFilters(t *testing.T) {
	e := newEnv(t)
	for query, want := range map[string]string{
		"provider=stripe":         "provider must be one of",
		"outcome=maybe":           "outcome must be one of",
		"since=yesterday":         "since: write it as",
		"until=2026-13-01T00:00":  "until: write it as",
		"limit=0":                 "limit must be a number from 1 to 500",
		"limit=501":               "limit must be a number from 1 to 500",
		"limit=ten":               "limit must be a number",
		"order=" + long(201):      "order is too long",
		"after=" + long(201):      "after is too long",
		"provider=%3Cscript%3E1":  "provider must be one of",
		"account=" + long(20_000): "account is too long",
	} {
		r := e.get(base + "/?" + query)
		assert.Equal(t, http.StatusBadRequest, r.Status, query)
		assert.Contains(t, r.Body, want, query)
		assert.NotContains(t, r.Body, "<script>", query)
	}
}

// Every provider paykit has a handler for can be filtered on, Paysera
// Checkout (New) included.
func TestListFiltersEveryProvider(t *testing.T) {
	e := newEnv(t)
	for _, p := range []paykit.Provider{paykit.Paysera, paykit.PayseraCheckout, paykit.VKPay, paykit.Xsolla, paykit.Playvision} {
		r := e.get(base + "/?provider=" + string(p))
		assert.Equal(t, http.StatusOK, r.Status, p)
		assert.Contains(t, r.Body, `<option value="`+string(p)+`" selected>`, p)
	}
}

func long(n int) string { return strings.Repeat("x", n) }

func TestPathsAndHeaders(t *testing.T) {
	e := newEnv(t)
	d := e.deliver(7002)
	r := e.get(base)
	assert.Equal(t, http.StatusSeeOther, r.Status, "the base path without its slash goes to the list")
	assert.Equal(t, base+"/", r.Header.Get("Location"))
	for _, target := range []string{"/journalx/", "/other", base + "/d/" + d.ID + "/raw/secret", base + "/d/" + long(129), base + "/nothing"} {
		assert.Equal(t, http.StatusNotFound, e.get(target).Status, target)
	}
	for _, target := range []string{base + "/", base + "/d/" + d.ID, base + "/d/" + d.ID + "/raw/request", base + "/d/none"} {
		h := e.get(target).Header
		assert.Equal(t, "no-store", h.Get("Cache-Control"), target)
		assert.Contains(t, h.Get("Content-Security-Policy"), "default-src 'none'", target)
		assert.Contains(t, h.Get("Content-Security-Policy"), "frame-ancestors 'none'", target)
		assert.Equal(t, "DENY", h.Get("X-Frame-Options"), target)
		assert.Equal(t, "nosniff", h.Get("X-Content-Type-Options"), target)
	}
	// Mounted at the root.
	root := journalpage.New(e.journal, journalpage.Options{Authorize: func(*http.Request) bool { return true }})
	rec := httptest.NewRecorder()
	root.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/d/"+d.ID, nil))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Body.String(), `href="/d/`+d.ID+`/raw/request"`)
}

func TestPhoneReady(t *testing.T) {
	e := newEnv(t)
	d := e.deliver(7003)
	for _, target := range []string{base + "/", base + "/d/" + d.ID} {
		body := e.get(target).Body
		assert.Contains(t, body, `<meta name="viewport" content="width=device-width, initial-scale=1">`)
		assert.Contains(t, body, "@media (max-width:48em)", "request and reply stack on a narrow screen")
		assert.NotContains(t, body, "<script")
	}
	// On a phone each list row is a card whose cells carry their label;
	// the amount (Playvision's 5 PlayGold, which names no currency) is one.
	assert.Contains(t, e.get(base+"/").Body, `<td data-label="Amount">5</td>`)
	assert.Contains(t, e.get(base+"/d/"+d.ID).Body, `<td id="amount">5 <span class="muted unit">(whole units of a virtual currency)</span></td>`)
}

// refusingJournal refuses every cursor, as sqlstore's Journal refuses a
// forged one.
type refusingJournal struct{ paykit.Journal }

func (refusingJournal) Deliveries(context.Context, paykit.DeliveryQuery) (paykit.DeliveryPage, error) {
	return paykit.DeliveryPage{}, fmt.Errorf("%w: bad cursor", paykit.ErrInvalidRequest)
}

func TestForgedCursorIsABadRequestNotAnError(t *testing.T) {
	j := refusingJournal{paykit.NewMemoryJournal(paykit.MemoryJournalOptions{})}
	h := journalpage.New(j, journalpage.Options{Authorize: func(*http.Request) bool { return true }})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/?after=forged", nil))
	if w.Code != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", w.Code)
	}
}
