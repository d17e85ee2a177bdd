package playvisiontest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/playvision/playvisiontest"
)

const (
	appID  = 42
	secret = "emu-secret"
)

// merchant records notifications and answers with the given functions.
type merchant struct {
	mu       sync.Mutex
	received []url.Values
	item     string // get_item answer
	order    func(n int) string
	srv      *httptest.Server
}

func newMerchant(t *testing.T) *merchant {
	m := &merchant{
		item:  `{"item_id":"gold_100","item_title":"100 gold","item_price":"5"}`,
		order: func(int) string { return `{"status":"1"}` },
	}
	m.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.Equal(t, http.MethodPost, r.Method)
		require.NoError(t, r.ParseForm())
		p := r.PostForm
		sig := p.Get("sig")
		assert.Equal(t, playvisiontest.Signer{Secret: secret}.Sign(p), sig)
		m.mu.Lock()
		m.received = append(m.received, p)
		n := 0
		for _, q := range m.received {
			if strings.HasPrefix(q.Get("notification_type"), "order_status_change") {
				n++
			}
		}
		m.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if strings.HasPrefix(p.Get("notification_type"), "get_item") {
			_, _ = io.WriteString(w, m.item)
			return
		}
		_, _ = io.WriteString(w, m.order(n))
	}))
	t.Cleanup(m.srv.Close)
	return m
}

func (m *merchant) last() url.Values {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.received[len(m.received)-1]
}

func newEmu(t *testing.T, m *merchant, mod ...func(*playvisiontest.Options)) *playvisiontest.Server {
	opts := playvisiontest.Options{AppID: appID, Secret: secret, CallbackURL: m.srv.URL, RetrySchedule: []time.Duration{time.Millisecond, time.Millisecond}}
	for _, f := range mod {
		f(&opts)
	}
	s, err := playvisiontest.NewServer(opts)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

func TestSignerMatchesDocumentationVector(t *testing.T) {
	p := url.Values{"level": {"16"}, "project_id": {"1"}, "time": {"1409581492"}, "user_id": {"131"}}
	assert.Equal(t, "81555196e23f9950c0d2780ce2274fc7", playvisiontest.Signer{Secret: "api_secret"}.Sign(p))
	p.Set("sig", "ignored")
	assert.Equal(t, "81555196e23f9950c0d2780ce2274fc7", playvisiontest.Signer{Secret: "api_secret"}.Sign(p))
}

func TestSignerSortsItemBeforeItemID(t *testing.T) {
	p := url.Values{"item_id": {"2"}, "item": {"1"}}
	assert.Equal(t, "item=1item_id=2", playvisiontest.Canonical(p))
}

func TestEmulatorOpenConfirmDeliver(t *testing.T) {
	m := newMerchant(t)
	e := newEmu(t, m, func(o *playvisiontest.Options) { o.SID = "eu-3" })
	ctx := context.Background()

	o, err := e.Open(ctx, 131, "gold_pack_100", e.Token(131))
	require.NoError(t, err)
	assert.Equal(t, url.Values{
		"notification_type": {"get_item"}, "app_id": {"42"}, "user_id": {"131"}, "item": {"gold_pack_100"},
		"sig": {m.last().Get("sig")},
	}, m.last())
	assert.Equal(t, playvisiontest.StateOpen, o.State)
	assert.Equal(t, int64(5), o.Price)
	assert.Equal(t, int64(1001), o.TransactionID)

	o, err = e.Pay(ctx, o.TransactionID)
	require.NoError(t, err)
	assert.Equal(t, playvisiontest.StatePaid, o.State)
	n := m.last()
	assert.Equal(t, "order_status_change", n.Get("notification_type"))
	assert.Equal(t, "1001", n.Get("transaction_id"))
	assert.Equal(t, "5", n.Get("sum"))
	assert.Equal(t, "gold_100", n.Get("item_id"))
	assert.Equal(t, "eu-3", n.Get("sid"))
	assert.NotEmpty(t, n.Get("time"))

	_, err = e.Pay(ctx, o.TransactionID)
	assert.ErrorIs(t, err, playvisiontest.ErrState)
	_, err = e.Pay(ctx, 999)
	assert.ErrorIs(t, err, playvisiontest.ErrNotFound)
}

func TestEmulatorRefusesBadToken(t *testing.T) {
	e := newEmu(t, newMerchant(t))
	_, err := e.Open(context.Background(), 131, "x", e.Token(132))
	assert.ErrorIs(t, err, playvisiontest.ErrToken)
}

func TestEmulatorReportsBadItemAnswers(t *testing.T) {
	for name, answer := range map[string]string{
		"refusal":       `{"status":"-1","message":"Unknown item"}`,
		"not json":      `OK`,
		"no price":      `{"item_id":"a","item_title":"b"}`,
		"zero price":    `{"item_id":"a","item_title":"b","item_price":"0"}`,
		"decimal price": `{"item_id":"a","item_title":"b","item_price":"1.5"}`,
	} {
		t.Run(name, func(t *testing.T) {
			m := newMerchant(t)
			m.item = answer
			e := newEmu(t, m)
			_, err := e.Open(context.Background(), 1, "x", e.Token(1))
			assert.Error(t, err)
			assert.Empty(t, e.Orders())
		})
	}
	t.Run("numbers are accepted", func(t *testing.T) {
		m := newMerchant(t)
		m.item = `{"item_id":12,"item_title":"b","item_price":7}`
		e := newEmu(t, m)
		o, err := e.Open(context.Background(), 1, "x", e.Token(1))
		require.NoError(t, err)
		assert.Equal(t, "12", o.ItemID)
		assert.Equal(t, int64(7), o.Price)
	})
}

func TestEmulatorResendsUntilStatusOneThenFails(t *testing.T) {
	m := newMerchant(t)
	m.order = func(n int) string {
		if n < 3 {
			return `{"status":"-1","message":"try later"}`
		}
		return `{"status":1}`
	}
	e := newEmu(t, m, func(o *playvisiontest.Options) { o.Test = true })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	o, err := e.Open(ctx, 1, "x", e.Token(1))
	require.NoError(t, err)
	o, err = e.Pay(ctx, o.TransactionID)
	require.NoError(t, err)
	assert.Equal(t, playvisiontest.StatePending, o.State)
	assert.Contains(t, o.LastError, "try later")
	require.NoError(t, e.Wait(ctx))
	o, _ = e.Order(o.TransactionID)
	assert.Equal(t, playvisiontest.StatePaid, o.State)
	assert.Equal(t, 3, o.Attempts)
	assert.Equal(t, "order_status_change_test", m.last().Get("notification_type"))

	t.Run("schedule exhausted", func(t *testing.T) {
		m := newMerchant(t)
		m.order = func(int) string { return `{"status":"0"}` }
		e := newEmu(t, m)
		o, err := e.Open(ctx, 1, "x", e.Token(1))
		require.NoError(t, err)
		_, err = e.Pay(ctx, o.TransactionID)
		require.NoError(t, err)
		require.NoError(t, e.Wait(ctx))
		o, _ = e.Order(o.TransactionID)
		assert.Equal(t, playvisiontest.StateFailed, o.State)
		assert.Equal(t, 3, o.Attempts)

		// A manual resend sends the same bytes once more and changes no
		// order.
		m.order = func(int) string { return `{"status":"1"}` }
		ds := e.Deliveries()
		d, err := e.Resend(ctx, ds[len(ds)-1].ID)
		require.NoError(t, err)
		assert.True(t, d.OK())
		assert.Equal(t, ds[len(ds)-1].Request, d.Request)
		o, _ = e.Order(o.TransactionID)
		assert.Equal(t, playvisiontest.StateFailed, o.State)
	})
}

func TestEmulatorCloseStopsResends(t *testing.T) {
	m := newMerchant(t)
	m.order = func(int) string { return `{"status":"-1"}` }
	e := newEmu(t, m, func(o *playvisiontest.Options) { o.RetrySchedule = []time.Duration{time.Hour} })
	ctx := context.Background()
	o, err := e.Open(ctx, 1, "x", e.Token(1))
	require.NoError(t, err)
	_, err = e.Pay(ctx, o.TransactionID)
	require.NoError(t, err)
	e.Close() // a Close that never returns hangs until go test's timeout
	o, _ = e.Order(o.TransactionID)
	assert.Equal(t, playvisiontest.StatePending, o.State)
}

func TestEmulatorKeepsTheNewestOrders(t *testing.T) {
	m := newMerchant(t)
	e := newEmu(t, m, func(o *playvisiontest.Options) { o.MaxOrders = 2 })
	ctx := context.Background()
	for range 3 {
		_, err := e.Open(ctx, 1, "x", e.Token(1))
		require.NoError(t, err)
	}
	orders := e.Orders()
	require.Len(t, orders, 2)
	assert.Equal(t, int64(1002), orders[0].TransactionID)
	_, err := e.Pay(ctx, 1001)
	assert.ErrorIs(t, err, playvisiontest.ErrNotFound)
}

// TestSandboxAcceptsAnyUsersToken: the emulator issues a token to any user
// (launch parameters, or the index's dialog form) and payment.window
// accepts it; another user's token is refused.
func TestSandboxAcceptsAnyUsersToken(t *testing.T) {
	e := newEmu(t, newMerchant(t))
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	launch := fetch(t, client, http.MethodGet, e.URL+"/launch?user_id=4242", http.StatusOK)
	m := regexp.MustCompile(`id="launch-token">([0-9a-f]+)<`).FindStringSubmatch(launch)
	require.NotNil(t, m, launch)
	q := url.Values{"user_id": {"4242"}, "project_id": {"42"}, "item": {"gold"}, "token": {m[1]}}
	dialog := fetch(t, client, http.MethodGet, e.URL+"/v1/payment.window?"+q.Encode(), http.StatusOK)
	assert.Contains(t, dialog, "Buyer: user 4242")

	q.Set("user_id", "4243")
	fetch(t, client, http.MethodGet, e.URL+"/v1/payment.window?"+q.Encode(), http.StatusBadRequest)

	resp, err := client.Get(e.URL + "/open?user_id=77&item=gold")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusFound, resp.StatusCode)
	fetch(t, client, http.MethodGet, e.URL+resp.Header.Get("Location"), http.StatusOK)
	assert.Equal(t, int64(77), e.Orders()[1].UserID)
}

// TestDialogIsACredibleCheckout: the dialog has the TEST MODE banner, the
// app, the transaction, the item, the price in PlayGold, the outcomes to
// simulate, and a way back.
func TestDialogIsACredibleCheckout(t *testing.T) {
	e := newEmu(t, newMerchant(t), func(o *playvisiontest.Options) { o.ReturnURL = "https://game.example/back" })
	q := url.Values{"user_id": {"5"}, "project_id": {"42"}, "item": {"gold"}, "token": {e.Token(5)}}
	dialog := fetch(t, http.DefaultClient, http.MethodGet, e.URL+"/v1/payment.window?"+q.Encode(), http.StatusOK)
	for _, want := range []string{"TEST MODE", `id="merchant">App 42<`, `id="reference">Transaction 1001<`,
		`id="item">100 gold<`, `id="amount">5 PlayGold<`, "Pay 5 PlayGold", "Cancel", `id="back"`, `rel="icon"`} {
		assert.Contains(t, dialog, want)
	}
	_, err := e.Pay(context.Background(), 1001)
	require.NoError(t, err)
	page := fetch(t, http.DefaultClient, http.MethodGet, e.URL+"/orders/1001", http.StatusOK)
	assert.Contains(t, page, `id="back" href="https://game.example/back?status=done"`)
}

func TestDropCallbacksRecordsWithoutSending(t *testing.T) {
	m := newMerchant(t)
	e := newEmu(t, m, func(o *playvisiontest.Options) { o.DropCallbacks = true })
	ctx := context.Background()
	o, err := e.Open(ctx, 1, "x", e.Token(1))
	require.NoError(t, err)
	o, err = e.Pay(ctx, o.TransactionID)
	require.NoError(t, err)
	assert.Equal(t, playvisiontest.StatePaid, o.State)
	assert.Equal(t, "get_item", m.last().Get("notification_type"), "the app never heard of the payment")
	ds := e.Deliveries()
	assert.Equal(t, "dropped", string(ds[len(ds)-1].Outcome))
}

func TestEmulatorMountedUnderPrefix(t *testing.T) {
	m := newMerchant(t)
	mux := http.NewServeMux()
	shop := httptest.NewServer(mux)
	defer shop.Close()
	e, err := playvisiontest.New(playvisiontest.Options{
		AppID: appID, Secret: secret, CallbackURL: m.srv.URL,
		Prefix: "/emulator/playvision/", BaseURL: shop.URL + "/emulator/playvision",
		AppURL: "https://game.example/app",
	})
	require.NoError(t, err)
	defer e.Close()
	mux.Handle("/emulator/playvision/", e)
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "shop") })
	assert.Equal(t, shop.URL+"/emulator/playvision", e.URL())

	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	index := fetch(t, client, http.MethodGet, shop.URL+"/emulator/playvision/", http.StatusOK)
	assert.Contains(t, index, `action="/emulator/playvision/open"`)
	assert.Contains(t, index, `action="/emulator/playvision/launch"`)
	resp, err := client.Get(shop.URL + "/emulator/playvision/launch?user_id=9")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Location"), "https://game.example/app?")
	assert.Contains(t, resp.Header.Get("Location"), "auth_key=")

	q := url.Values{"user_id": {"1"}, "project_id": {"42"}, "item": {"gold"}, "token": {e.Token(1)}}
	dialog := fetch(t, client, http.MethodGet, shop.URL+"/emulator/playvision/v1/payment.window?"+q.Encode(), http.StatusOK)
	assert.Contains(t, dialog, "100 gold")
	assert.Contains(t, dialog, `action="/emulator/playvision/orders/1001/pay"`)

	resp, err = client.Post(shop.URL+"/emulator/playvision/orders/1001/pay", "", nil)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "/emulator/playvision/orders/1001", resp.Header.Get("Location"))
	page := fetch(t, client, http.MethodGet, shop.URL+"/emulator/playvision/orders/1001", http.StatusOK)
	assert.Contains(t, page, `id="status">paid<`)
	assert.Contains(t, page, "resend")

	fetch(t, client, http.MethodPost, shop.URL+"/emulator/playvision/orders/1001/cancel", http.StatusConflict)
	fetch(t, client, http.MethodPost, shop.URL+"/emulator/playvision/orders/1001/resend", http.StatusSeeOther)
	fetch(t, client, http.MethodGet, shop.URL+"/emulator/playvision/orders/9", http.StatusNotFound)
	fetch(t, client, http.MethodGet, shop.URL+"/emulator/playvision/nope", http.StatusNotFound)
	q.Set("project_id", "43")
	fetch(t, client, http.MethodGet, shop.URL+"/emulator/playvision/v1/payment.window?"+q.Encode(), http.StatusBadRequest)
	assert.Equal(t, "shop", fetch(t, client, http.MethodGet, shop.URL+"/", http.StatusOK))
}

func TestEmulatorSecureAPI(t *testing.T) {
	e := newEmu(t, newMerchant(t))
	s := playvisiontest.Signer{Secret: secret}
	call := func(method string, p url.Values) (int, string) {
		resp, err := http.PostForm(e.URL+"/v1/"+method, p)
		require.NoError(t, err)
		defer resp.Body.Close()
		var r struct {
			Status  int    `json:"status"`
			Message string `json:"message"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&r))
		return r.Status, r.Message
	}
	good := url.Values{"project_id": {"42"}, "user_id": {"7"}, "level": {"3"}, "time": {"1"}}
	st, _ := call("secure.setUserLevel", s.Form(good))
	assert.Equal(t, 1, st)
	level, ok := e.UserLevel(7)
	assert.True(t, ok)
	assert.Equal(t, int64(3), level)

	bad := s.Form(good)
	bad.Set("level", "4")
	st, msg := call("secure.setUserLevel", bad)
	assert.Equal(t, 0, st)
	assert.Equal(t, "Invalid signature", msg)

	st, _ = call("secure.setUserLevel", good)
	assert.Equal(t, 0, st)
	other := url.Values{"project_id": {"43"}, "user_id": {"7"}, "level": {"3"}, "time": {"1"}}
	st, _ = call("secure.setUserLevel", s.Form(other))
	assert.Equal(t, 0, st)
	st, _ = call("secure.setUserInfo", s.Form(url.Values{"project_id": {"42"}, "user_id": {"7"}, "attribute": {"age"}, "value": {"3"}, "time": {"1"}}))
	assert.Equal(t, 0, st)
}

func TestNewValidatesOptions(t *testing.T) {
	for name, o := range map[string]playvisiontest.Options{
		"no app":         {Secret: "s", CallbackURL: "http://127.0.0.1/"},
		"no secret":      {AppID: 1, CallbackURL: "http://127.0.0.1/"},
		"no callback":    {AppID: 1, Secret: "s"},
		"ftp callback":   {AppID: 1, Secret: "s", CallbackURL: "ftp://127.0.0.1/"},
		"ftp return":     {AppID: 1, Secret: "s", CallbackURL: "http://127.0.0.1/", ReturnURL: "ftp://x/"},
		"relative base":  {AppID: 1, Secret: "s", CallbackURL: "http://127.0.0.1/", BaseURL: "/emu"},
		"negative delay": {AppID: 1, Secret: "s", CallbackURL: "http://127.0.0.1/", RetrySchedule: []time.Duration{-1}},
	} {
		_, err := playvisiontest.New(o)
		assert.Error(t, err, name)
		if name != "relative base" { // NewServer sets BaseURL itself
			_, err = playvisiontest.NewServer(o)
			assert.Error(t, err, name)
		}
	}
}

func TestNewServerHonoursThePrefix(t *testing.T) {
	e := newEmu(t, newMerchant(t), func(o *playvisiontest.Options) { o.Prefix = "emulator/playvision" })
	assert.True(t, strings.HasSuffix(e.URL, "/emulator/playvision"), e.URL)
	assert.Equal(t, e.URL, e.Emulator.URL())
	fetch(t, http.DefaultClient, http.MethodGet, e.URL+"/", http.StatusOK)
}

func TestDialogReturnsToTheAppAfterPayOrCancel(t *testing.T) {
	m := newMerchant(t)
	e := newEmu(t, m, func(o *playvisiontest.Options) { o.ReturnURL = "http://app.example/back?order=5" })
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	window := func(extra url.Values) string {
		q := url.Values{"user_id": {"1"}, "project_id": {"42"}, "item": {"gold"}, "token": {e.Token(1)}}
		for k, v := range extra {
			q[k] = v
		}
		return e.URL + "/v1/payment.window?" + q.Encode()
	}

	// Options.ReturnURL: after Pay the order page links back with status=done.
	dialog := fetch(t, client, http.MethodGet, window(nil), http.StatusOK)
	assert.NotContains(t, dialog, "Back to the app", "no way back to the app while the dialog is open")
	id := e.Orders()[0].TransactionID
	fetch(t, client, http.MethodPost, e.URL+"/orders/"+strconv.FormatInt(id, 10)+"/pay", http.StatusSeeOther)
	page := fetch(t, client, http.MethodGet, e.URL+"/orders/"+strconv.FormatInt(id, 10), http.StatusOK)
	assert.Contains(t, page, `id="back" href="http://app.example/back?order=5&amp;status=done">← Back to the app</a>`)

	// return_url on payment.window overrides it; Cancel adds status=canceled.
	fetch(t, client, http.MethodGet, window(url.Values{"return_url": {"https://shop.example/orders/7"}}), http.StatusOK)
	o := e.Orders()[1]
	assert.Equal(t, "https://shop.example/orders/7", o.ReturnURL)
	fetch(t, client, http.MethodPost, e.URL+"/orders/"+strconv.FormatInt(o.TransactionID, 10)+"/cancel", http.StatusSeeOther)
	page = fetch(t, client, http.MethodGet, e.URL+"/orders/"+strconv.FormatInt(o.TransactionID, 10), http.StatusOK)
	assert.Contains(t, page, `href="https://shop.example/orders/7?status=canceled"`)

	// Only http(s) return URLs are accepted.
	for _, bad := range []string{"javascript:alert(1)", "/relative", "ftp://x/"} {
		fetch(t, client, http.MethodGet, window(url.Values{"return_url": {bad}}), http.StatusBadRequest)
	}
	assert.Len(t, e.Orders(), 2)
}

func TestEmulatorConcurrentUse(t *testing.T) {
	var n atomic.Int32
	m := newMerchant(t)
	e := newEmu(t, m)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o, err := e.Open(context.Background(), 1, "x", e.Token(1))
			if assert.NoError(t, err) {
				_, err = e.Pay(context.Background(), o.TransactionID)
				assert.NoError(t, err)
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	assert.Len(t, e.Orders(), int(n.Load()))
}

func fetch(t *testing.T, c *http.Client, method, u string, want int) string {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	require.NoError(t, err)
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	require.Equal(t, want, resp.StatusCode, string(b))
	return string(b)
}

func TestSignerSendAndNewRequest(t *testing.T) {
	m := newMerchant(t)
	s := playvisiontest.Signer{Secret: secret}
	p := playvisiontest.OrderStatusChange{UserID: 1, TransactionID: 9, Sum: 5, ItemID: "gold_100"}.Params()
	resp, err := s.Send(context.Background(), m.srv.URL, p)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.JSONEq(t, `{"status":"1"}`, string(b))
	assert.Equal(t, "9", m.last().Get("transaction_id"))

	r := s.NewRequest("/callback", p)
	assert.Equal(t, "/callback", r.RequestURI, "a server-side request, as httptest.NewRequest builds")
	require.NoError(t, r.ParseForm())
	assert.Equal(t, s.Sign(r.PostForm), r.PostForm.Get("sig"))
}
