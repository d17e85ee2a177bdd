package journalpage_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/journalpage"
	"github.com/paykit-go/paykit/playvision"
	"github.com/paykit-go/paykit/playvision/playvisiontest"
)

const (
	testAppID  = 7001
	testSecret = "pv-secret-CANARY-7f3a"
	base       = "/journal"
)

var signer = playvisiontest.Signer{Secret: testSecret}

// env is a Playvision handler recording into a MemoryJournal, and the
// journal page over it with Run again wired to that handler.
type env struct {
	t       *testing.T
	journal *paykit.MemoryJournal
	handler http.Handler
	page    http.Handler
	// events counts Event calls; fail makes the next ones fail.
	events atomic.Int32
	fail   atomic.Bool
}

func newEnv(t *testing.T, mod ...func(*journalpage.Options)) *env {
	t.Helper()
	e := &env{t: t, journal: paykit.NewMemoryJournal(paykit.MemoryJournalOptions{})}
	client, err := playvision.New(playvision.Config{AppID: testAppID, Secret: testSecret})
	require.NoError(t, err)
	e.handler = client.Handler(paykit.Hooks{
		Event: func(context.Context, paykit.Notification) error {
			e.events.Add(1)
			if e.fail.Load() {
				return errors.New("the shop's database is down")
			}
			return nil
		},
		Observer: e.journal,
	})
	opts := journalpage.Options{
		BasePath:  base,
		Authorize: func(*http.Request) bool { return true },
		Handler:   func(paykit.Delivery) http.Handler { return e.handler },
	}
	for _, m := range mod {
		m(&opts)
	}
	e.page = journalpage.New(e.journal, opts)
	return e
}

// deliver sends a signed order_status_change for transaction id to the
// handler, as Playvision would, and returns the journal's record of it.
func (e *env) deliver(id int64) paykit.Delivery {
	e.t.Helper()
	params := playvisiontest.OrderStatusChange{AppID: testAppID, UserID: 131, TransactionID: id, Sum: 5, ItemID: "gold_100"}.Params()
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, signer.NewRequest("/playvision", params))
	page, err := e.journal.Deliveries(context.Background(), paykit.DeliveryQuery{Limit: 1})
	require.NoError(e.t, err)
	require.Len(e.t, page.Deliveries, 1)
	return page.Deliveries[0]
}

// response is an answer of the page.
type response struct {
	Status int
	Header http.Header
	Body   string
}

func (e *env) do(req *http.Request) response {
	e.t.Helper()
	rec := httptest.NewRecorder()
	e.page.ServeHTTP(rec, req)
	b, err := io.ReadAll(rec.Result().Body)
	require.NoError(e.t, err)
	return response{Status: rec.Code, Header: rec.Header(), Body: string(b)}
}

func (e *env) get(target string) response {
	e.t.Helper()
	return e.do(httptest.NewRequest(http.MethodGet, target, nil))
}

// post submits a form as a same-origin browser does.
func (e *env) post(target string, form url.Values) response {
	e.t.Helper()
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", "http://example.com")
	return e.do(req)
}

var tokenRE = regexp.MustCompile(`name="token" value="([^"]+)"`)

// token reads the Run again form's token from a delivery's page.
func (e *env) token(id string) string {
	e.t.Helper()
	r := e.get(base + "/d/" + id)
	require.Equal(e.t, http.StatusOK, r.Status, r.Body)
	m := tokenRE.FindStringSubmatch(r.Body)
	require.NotNil(e.t, m, "no Run again form on the page")
	return m[1]
}

// runAgain presses Run again on a delivery's page.
func (e *env) runAgain(id string) response {
	e.t.Helper()
	return e.post(base+"/d/"+id+"/run", url.Values{"token": {e.token(id)}})
}

var newDeliveryRE = regexp.MustCompile(`id="new-delivery" href="/journal/d/([0-9a-f]+)"`)

// ranAs reads the new delivery's ID from the page shown after Run again.
func (e *env) ranAs(r response) paykit.Delivery {
	e.t.Helper()
	require.Equal(e.t, http.StatusOK, r.Status, r.Body)
	m := newDeliveryRE.FindStringSubmatch(r.Body)
	require.NotNil(e.t, m, "no link to the new delivery: %s", r.Body)
	d, err := e.journal.Delivery(context.Background(), m[1])
	require.NoError(e.t, err)
	return d
}
