package journalpage_test

import (
	"context"
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
	"github.com/paykit-go/paykit/playvision"
)

func TestRunAgainFulfilsAFailedDeliveryOnce(t *testing.T) {
	e := newEnv(t)
	e.fail.Store(true)
	failed := e.deliver(9001)
	require.Equal(t, paykit.OutcomeFailed, failed.Outcome)
	require.EqualValues(t, 1, e.events.Load())

	e.fail.Store(false) // the shop is back
	first := e.ranAs(e.runAgain(failed.ID))
	assert.EqualValues(t, 2, e.events.Load(), "Event runs once more: the failure was not remembered")
	assert.Equal(t, paykit.OutcomeOK, first.Outcome)
	assert.False(t, first.Replayed)
	assert.Equal(t, failed.ID, first.RunOf, "the new delivery links to the one it ran again")
	assert.Equal(t, failed.Body, first.Body, "the recorded bytes were sent")
	assert.Equal(t, failed.RemoteAddr, first.RemoteAddr, "the provider's address, for an IP allowlist")

	second := e.ranAs(e.runAgain(failed.ID))
	assert.EqualValues(t, 2, e.events.Load(), "a second Run again is a duplicate")
	assert.True(t, second.Replayed)
	assert.Equal(t, string(first.ReplyBody), string(second.ReplyBody))
	assert.NotEqual(t, first.ID, second.ID)

	assert.Equal(t, 3, e.journal.Len(), "one record per delivery, runs included")
	detail := e.get(base + "/d/" + first.ID)
	assert.Contains(t, detail.Body, `id="run-of" href="/journal/d/`+failed.ID+`"`)
}

func TestRunAgainReplaysAFulfilledDelivery(t *testing.T) {
	e := newEnv(t)
	done := e.deliver(9002)
	require.Equal(t, paykit.OutcomeOK, done.Outcome)
	require.EqualValues(t, 1, e.events.Load())

	r := e.runAgain(done.ID)
	again := e.ranAs(r)
	assert.EqualValues(t, 1, e.events.Load(), "Event is not called for a fulfilled event")
	assert.True(t, again.Replayed)
	assert.Equal(t, paykit.OutcomeOK, again.Outcome)
	assert.Equal(t, string(done.ReplyBody), string(again.ReplyBody), "the same reply bytes")
	assert.Equal(t, done.Key, again.Key)
	assert.Contains(t, r.Body, "replayed</b> from the store")
	assert.Contains(t, r.Body, "the handler answered HTTP 200")
}

func TestRunAgainRefusals(t *testing.T) {
	e := newEnv(t)
	d := e.deliver(9003)
	other := e.deliver(9004)
	token := e.token(d.ID)
	run := base + "/d/" + d.ID + "/run"
	near := func(f func(string) string) string { return f(token) }
	cases := []struct {
		name   string
		req    func() *http.Request
		status int
	}{
		{"GET", func() *http.Request { return httptest.NewRequest(http.MethodGet, run, nil) }, http.StatusMethodNotAllowed},
		{"no token", func() *http.Request { return form(run, url.Values{}, "same-origin") }, http.StatusForbidden},
		{"empty token", func() *http.Request { return form(run, url.Values{"token": {""}}, "same-origin") }, http.StatusForbidden},
		{"first byte", func() *http.Request {
			return form(run, url.Values{"token": {near(func(s string) string { return flip(s, 0) })}}, "same-origin")
		}, http.StatusForbidden},
		{"last byte", func() *http.Request {
			return form(run, url.Values{"token": {near(func(s string) string { return flip(s, len(s)-1) })}}, "same-origin")
		}, http.StatusForbidden},
		{"case", func() *http.Request {
			return form(run, url.Values{"token": {near(swapCase)}}, "same-origin")
		}, http.StatusForbidden},
		{"truncated", func() *http.Request {
			return form(run, url.Values{"token": {token[:len(token)-1]}}, "same-origin")
		}, http.StatusForbidden},
		{"extended", func() *http.Request { return form(run, url.Values{"token": {token + "A"}}, "same-origin") }, http.StatusForbidden},
		{"another delivery's token", func() *http.Request {
			return form(run, url.Values{"token": {e.token(other.ID)}}, "same-origin")
		}, http.StatusForbidden},
		{"in the query", func() *http.Request { return form(run+"?token="+url.QueryEscape(token), url.Values{}, "same-origin") }, http.StatusForbidden},
		{"cross-site", func() *http.Request { return form(run, url.Values{"token": {token}}, "cross-site") }, http.StatusForbidden},
		{"same-site other origin", func() *http.Request { return form(run, url.Values{"token": {token}}, "same-site") }, http.StatusForbidden},
		{"other Origin", func() *http.Request {
			r := form(run, url.Values{"token": {token}}, "")
			r.Header.Set("Origin", "https://evil.example")
			return r
		}, http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(tc.req())
			assert.Equal(t, tc.status, r.Status, r.Body)
			assert.NotContains(t, r.Body, "Ran again")
		})
	}
	assert.EqualValues(t, 2, e.events.Load(), "nothing ran again")
	assert.Equal(t, 2, e.journal.Len())

	// The same token from the page, posted same-origin, runs.
	assert.Equal(t, d.ID, e.ranAs(e.do(form(run, url.Values{"token": {token}}, "same-origin"))).RunOf)
}

func form(target string, v url.Values, fetchSite string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(v.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if fetchSite != "" {
		r.Header.Set("Sec-Fetch-Site", fetchSite)
	}
	return r
}

func flip(s string, i int) string {
	b := []byte(s)
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

func swapCase(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z':
			return r - 'A' + 'a'
		}
		return r
	}, s)
}

func TestDeliveryPastRetentionIsNotFound(t *testing.T) {
	now := time.Now()
	e := newEnv(t)
	e.journal = paykit.NewMemoryJournal(paykit.MemoryJournalOptions{Retention: time.Hour, Now: func() time.Time { return now }})
	e.page = journalpage.New(e.journal, journalpage.Options{BasePath: base, Authorize: func(*http.Request) bool { return true },
		Handler: func(paykit.Delivery) http.Handler { return e.handler }})
	d := paykit.Delivery{ID: "0123456789abcdef0123456789abcdef", Provider: paykit.Playvision, ReceivedAt: now,
		Method: http.MethodPost, Path: "/playvision", Body: []byte("a=b"), Verification: paykit.Verified, Outcome: paykit.OutcomeFailed}
	e.journal.Observe(t.Context(), d)
	token := e.token(d.ID)

	now = now.Add(time.Hour + time.Second)
	for _, r := range []response{
		e.get(base + "/d/" + d.ID),
		e.get(base + "/d/" + d.ID + "/raw/request"),
		e.post(base+"/d/"+d.ID+"/run", url.Values{"token": {token}}),
	} {
		assert.Equal(t, http.StatusNotFound, r.Status)
		assert.Contains(t, r.Body, "past the journal")
		assert.NotContains(t, r.Body, "a=b")
	}
	assert.Zero(t, e.events.Load())
}

func TestDeliveriesThatCannotRunAgain(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name string
		d    paykit.Delivery
		why  string
	}{
		{"over the cap", paykit.Delivery{Method: http.MethodPost, Verification: paykit.NotVerifiedTooLarge}, "over the size cap"},
		{"method refused", paykit.Delivery{Method: http.MethodPut, Verification: paykit.NotVerifiedMethod}, "refused before anything was read"},
		{"no handler", paykit.Delivery{Provider: paykit.Xsolla, Method: http.MethodPost, Verification: paykit.Verified}, "No handler serves xsolla"},
	}
	e.page = journalpage.New(e.journal, journalpage.Options{BasePath: base, Authorize: func(*http.Request) bool { return true },
		Handler: func(d paykit.Delivery) http.Handler {
			if d.Provider != paykit.Playvision {
				return nil
			}
			return e.handler
		}})
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.d.ID = strings.Repeat(string(rune('a'+i)), 32)
			tc.d.ReceivedAt = time.Now()
			if tc.d.Provider == "" {
				tc.d.Provider = paykit.Playvision
			}
			e.journal.Observe(t.Context(), tc.d)
			page := e.get(base + "/d/" + tc.d.ID)
			assert.Equal(t, http.StatusOK, page.Status)
			assert.Contains(t, page.Body, tc.why)
			assert.NotContains(t, page.Body, `id="run-again"`)
			r := e.post(base+"/d/"+tc.d.ID+"/run", url.Values{})
			assert.Equal(t, http.StatusForbidden, r.Status, "no token was ever shown")
		})
	}

	// Without Options.Handler nothing runs again.
	d := e.deliver(9005)
	noRun := journalpage.New(e.journal, journalpage.Options{BasePath: base, Authorize: func(*http.Request) bool { return true }})
	rec := httptest.NewRecorder()
	noRun.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, base+"/d/"+d.ID, nil))
	assert.Contains(t, rec.Body.String(), "Run again is not set up")
	assert.NotContains(t, rec.Body.String(), `id="run-again"`)
}

func TestRunAgainTokensDependOnTheSecret(t *testing.T) {
	secret := []byte("one secret of at least 32 bytes!!")
	e := newEnv(t, func(o *journalpage.Options) { o.Secret = secret })
	d := e.deliver(9006)
	token := e.token(d.ID)

	e.page = journalpage.New(e.journal, journalpage.Options{BasePath: base, Secret: secret,
		Authorize: func(*http.Request) bool { return true }, Handler: func(paykit.Delivery) http.Handler { return e.handler }})
	assert.Equal(t, token, e.token(d.ID), "replicas sharing a Secret accept each other's forms")

	e.page = journalpage.New(e.journal, journalpage.Options{BasePath: base, // a random secret
		Authorize: func(*http.Request) bool { return true }, Handler: func(paykit.Delivery) http.Handler { return e.handler }})
	r := e.post(base+"/d/"+d.ID+"/run", url.Values{"token": {token}})
	assert.Equal(t, http.StatusForbidden, r.Status, "a form shown under another secret does not run")
	assert.EqualValues(t, 1, e.events.Load())
}

// A journal that redacts bodies keeps bytes the provider never signed:
// running one again is refused by the handler, never fulfilled from
// altered data.
func TestRunAgainOfARedactedBodyDoesNotVerify(t *testing.T) {
	e := newEnv(t)
	e.journal = paykit.NewMemoryJournal(paykit.MemoryJournalOptions{Redact: func(d *paykit.Delivery) {
		d.Body = []byte(strings.Replace(string(d.Body), "user_id=131", "user_id=0", 1))
	}})
	client, err := playvision.New(playvision.Config{AppID: testAppID, Secret: testSecret})
	require.NoError(t, err)
	e.handler = client.Handler(paykit.Hooks{Event: func(context.Context, paykit.Notification) error {
		e.events.Add(1)
		return nil
	}, Observer: e.journal})
	e.page = journalpage.New(e.journal, journalpage.Options{BasePath: base, Authorize: func(*http.Request) bool { return true },
		Handler: func(paykit.Delivery) http.Handler { return e.handler }})
	d := e.deliver(9010)
	require.Contains(t, string(d.Body), "user_id=0")

	again := e.ranAs(e.runAgain(d.ID))
	assert.Equal(t, paykit.NotVerifiedInvalidSignature, again.Verification)
	assert.Equal(t, paykit.OutcomeRejected, again.Outcome)
	assert.EqualValues(t, 1, e.events.Load(), "Event ran for the original only")
}
