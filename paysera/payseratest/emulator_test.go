package payseratest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/paysera"
)

const (
	projectID = 123456
	password  = "8c1f0ad7e5b44a2f9d3c6b1e0a7f4d29"
)

var fastRetries = []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 30 * time.Millisecond}

// testSigner is shared: generating an RSA key per test is slow.
var testSigner = sync.OnceValues(func() (*Signer, error) { return NewSigner(projectID, password) })

func newServer(t *testing.T, opts Options) *Server {
	t.Helper()
	opts.ProjectID, opts.Password = projectID, password
	if opts.Signer == nil {
		signer, err := testSigner()
		if err != nil {
			t.Fatal(err)
		}
		opts.Signer = signer
	}
	if opts.RetrySchedule == nil {
		opts.RetrySchedule = fastRetries
	}
	s, err := NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func flush(t *testing.T, e *Emulator) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.Wait(ctx); err != nil {
		t.Fatal(err)
	}
}

// shop is a merchant: a paysera client and its Handler on a test server.
type shop struct {
	client *paysera.Client
	srv    *httptest.Server
	events atomic.Int32
	mu     sync.Mutex
	got    []*paysera.Callback
}

func newShop(t *testing.T, cfg paysera.Config, opts paysera.HandlerOptions) *shop {
	t.Helper()
	cfg.ProjectID, cfg.Password = projectID, password
	c, err := paysera.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := &shop{client: c}
	h := c.HandlerWith(paykit.Hooks{Event: func(_ context.Context, n paykit.Notification) error {
		s.events.Add(1)
		s.mu.Lock()
		s.got = append(s.got, n.(*paysera.Callback))
		s.mu.Unlock()
		return nil
	}}, opts)
	mux := http.NewServeMux()
	mux.Handle("/paysera/callback", h)
	mux.HandleFunc("/accept", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "thanks") })
	mux.HandleFunc("/cancel", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "cancelled") })
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

func (s *shop) request(orderID string) paysera.PaymentRequest {
	return paysera.PaymentRequest{OrderID: orderID, Amount: 1250, Currency: "EUR",
		AcceptURL: s.srv.URL + "/accept", CancelURL: s.srv.URL + "/cancel",
		CallbackURL: s.srv.URL + "/paysera/callback", PayText: "Order [order_nr] at [site_name]"}
}

func TestEndToEndPayOnTheEmulator(t *testing.T) {
	emu := newServer(t, Options{})
	s := newShop(t, paysera.Config{BaseURL: emu.URL, PublicKeyPEM: emu.Signer().PublicKeyPEM()}, paysera.HandlerOptions{})

	link, err := s.client.BuildPaymentURL(s.request("ORDER-1"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link, emu.URL+"/pay/?data=") {
		t.Fatalf("link %s does not point at the emulator", link)
	}
	id, err := emu.Open(link)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := emu.Pay(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	flush(t, emu.Emulator)

	if n := s.events.Load(); n != 1 {
		t.Fatalf("Event ran %d times, want 1", n)
	}
	cb := s.got[0]
	if cb.OrderID != "ORDER-1" || cb.Status != paysera.StatusSuccess || cb.Amount != 1250 || cb.RequestID != id ||
		cb.VerifiedBy != "ss3" || cb.PayText != "Order ORDER-1 at emulator" {
		t.Errorf("callback %+v", cb)
	}
	ds := emu.Deliveries()
	if len(ds) != 1 || !ds[0].OK() || ds[0].Reply != "OK" || ds[0].OrderID != id || ds[0].Event != "macro:1" {
		t.Errorf("deliveries %+v", ds)
	}
	if _, err := emu.Pay(context.Background(), id); !errors.Is(err, ErrState) {
		t.Errorf("paying twice: %v", err)
	}

	// Paysera repeats a callback now and then: the shop answers OK again
	// without a second Event.
	if _, err := emu.Resend(context.Background(), ds[0].ID); err != nil {
		t.Fatal(err)
	}
	if n := s.events.Load(); n != 1 {
		t.Errorf("duplicate delivery ran Event again (%d)", n)
	}
	if d := emu.Deliveries(); len(d) != 2 || !d[1].OK() {
		t.Errorf("deliveries %+v", d)
	}
}

func TestEndToEndThroughTheHTMLPages(t *testing.T) {
	emu := newServer(t, Options{Prefix: "/emulator/paysera/"})
	// The client finds the emulator's key itself: FetchPublicKey downloads
	// download/public.key after the embedded production key fails.
	s := newShop(t, paysera.Config{BaseURL: emu.URL, FetchPublicKey: true}, paysera.HandlerOptions{})
	link, err := s.client.BuildPaymentURL(s.request("ORDER-2"))
	if err != nil {
		t.Fatal(err)
	}
	jar := &http.Client{}
	resp, err := jar.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "ORDER-2") || !strings.Contains(string(page), `value="pay"`) {
		t.Fatalf("payment page %d:\n%s", resp.StatusCode, page)
	}
	payURL := resp.Request.URL.String()
	if !strings.HasPrefix(payURL, emu.URL+"/payment/") {
		t.Fatalf("payment page at %s", payURL)
	}
	resp, err = jar.PostForm(payURL, url.Values{"action": {"pay"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "thanks" || resp.Request.URL.Path != "/accept" || resp.Request.URL.Query().Get("data") == "" {
		t.Fatalf("not redirected to accepturl with data: %s %s", resp.Request.URL, body)
	}
	flush(t, emu.Emulator)
	if s.events.Load() != 1 {
		t.Fatalf("events %d", s.events.Load())
	}

	// Cancel on another order goes to cancelurl and sends no callback.
	link, _ = s.client.BuildPaymentURL(s.request("ORDER-3"))
	resp, err = jar.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = jar.PostForm(resp.Request.URL.String(), url.Values{"action": {"cancel"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "cancelled" {
		t.Errorf("cancel went to %s", resp.Request.URL)
	}
	flush(t, emu.Emulator)
	if s.events.Load() != 1 {
		t.Errorf("events after cancel %d", s.events.Load())
	}
	// The index lists both payments.
	resp, err = jar.Get(emu.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	index, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(index), "ORDER-2") || !strings.Contains(string(index), "canceled") {
		t.Errorf("index:\n%s", index)
	}
}

func TestEmulatorRefusesABadSignWithPayseraError(t *testing.T) {
	emu := newServer(t, Options{})
	c, err := paysera.New(paysera.Config{ProjectID: projectID, Password: "wrong password", BaseURL: emu.URL})
	if err != nil {
		t.Fatal(err)
	}
	link, err := c.BuildPaymentURL(paysera.PaymentRequest{OrderID: "1", Amount: 1, Currency: "EUR",
		AcceptURL: "http://a/", CancelURL: "http://c/", CallbackURL: "http://cb/"})
	if err != nil {
		t.Fatal(err)
	}
	var pe *PageError
	if _, err := emu.Open(link); !errors.As(err, &pe) || pe.Code != "0x14" {
		t.Fatalf("got %v, want error 0x14", err)
	}
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "0x14") {
		t.Errorf("page %d: %s", resp.StatusCode, body)
	}
}

func TestEmulatorRequestErrors(t *testing.T) {
	emu := newServer(t, Options{RejectTestPayments: true})
	sign := func(q string) (string, string) {
		d := Data(q)
		p, _ := (&Signer{Password: password}).SignQuery(q, SS1)
		return d, p.Get("ss1")
	}
	cases := map[string]struct{ query, code string }{
		"no projectid":     {"orderid=1&amount=1&currency=EUR", "0x12"},
		"other project":    {"orderid=1&projectid=1", "0x6"},
		"order id 0":       {"orderid=0&projectid=123456", "0x10"},
		"no amount":        {"orderid=1&projectid=123456&currency=EUR", "0x4"},
		"test not allowed": {"orderid=1&projectid=123456&amount=1&currency=EUR&test=1", "0x7"},
		"bad accepturl":    {"orderid=1&projectid=123456&amount=1&currency=EUR&accepturl=x&cancelurl=http://c/&callbackurl=http://cb/", "0x15x0"},
		"bad time limit":   {"orderid=1&projectid=123456&amount=1&currency=EUR&accepturl=http://a/&cancelurl=http://c/&callbackurl=http://cb/&time_limit=soon", "0x15x1"},
		"unknown repeat":   {"orderid=9&projectid=123456&repeat_request=1", "0x10"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			d, s := sign(tc.query)
			var pe *PageError
			if _, err := emu.OpenForm(d, s); !errors.As(err, &pe) || pe.Code != tc.code {
				t.Fatalf("got %v, want %s", err, tc.code)
			}
		})
	}
}

func TestRepeatRequestReopensThePayment(t *testing.T) {
	emu := newServer(t, Options{})
	s := newShop(t, paysera.Config{BaseURL: emu.URL, PublicKeyPEM: emu.Signer().PublicKeyPEM()}, paysera.HandlerOptions{})
	link, _ := s.client.BuildPaymentURL(s.request("R-1"))
	id, err := emu.Open(link)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := s.client.BuildRepeatURL("R-1")
	id2, err := emu.Open(again)
	if err != nil || id2 != id {
		t.Fatalf("repeat opened %s, %v; want %s", id2, err, id)
	}
}

func TestCallbacksAreRetriedUntilOK(t *testing.T) {
	emu := newServer(t, Options{})
	var calls atomic.Int32
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) < 3 {
			http.Error(w, "busy", http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, "OK")
	}))
	defer flaky.Close()
	c, _ := paysera.New(paysera.Config{ProjectID: projectID, Password: password, BaseURL: emu.URL})
	link, _ := c.BuildPaymentURL(paysera.PaymentRequest{OrderID: "F-1", Amount: 100, Currency: "EUR",
		AcceptURL: "http://a/", CancelURL: "http://c/", CallbackURL: flaky.URL + "/cb"})
	id, err := emu.Open(link)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := emu.Pay(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	flush(t, emu.Emulator)
	ds := emu.Deliveries()
	if len(ds) != 3 || ds[0].Outcome != "retrying" || ds[1].Outcome != "retrying" || !ds[2].OK() || ds[2].Attempt != 3 {
		t.Fatalf("deliveries %+v", ds)
	}
	if ds[0].URL != ds[2].URL {
		t.Error("a retry is not the same signed callback")
	}
}

func TestRetriesStopAfterTheSchedule(t *testing.T) {
	emu := newServer(t, Options{})
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "NOPE")
	}))
	defer down.Close()
	if _, err := emu.SendSMS(context.Background(), down.URL, Micro{ID: "5", To: "1", From: "2", Text: "X", Amount: 1, Currency: "EUR"}); err != nil {
		t.Fatal(err)
	}
	flush(t, emu.Emulator)
	if d := emu.Deliveries(); len(d) != 1+len(fastRetries) {
		t.Errorf("%d attempts, want %d", len(d), 1+len(fastRetries))
	}
}

func TestCloseStopsPendingRetries(t *testing.T) {
	signer, err := testSigner()
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{ProjectID: projectID, Password: password, RetrySchedule: []time.Duration{time.Hour}, Signer: signer}
	emu, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer down.Close()
	// The first attempt fails in SendSMS itself; its retry, an hour away,
	// is pending when SendSMS returns.
	d, err := emu.SendSMS(context.Background(), down.URL, Micro{ID: "5", To: "1", From: "2", Text: "X"})
	if err != nil || d.Outcome != "retrying" {
		t.Fatalf("%+v %v", d, err)
	}
	emu.Close() // a Close that never returns hangs until go test's timeout
	if err := emu.Wait(context.Background()); err != nil {
		t.Errorf("pending after Close: %v", err)
	}
	if _, err := emu.SendSMS(context.Background(), down.URL, Micro{ID: "6"}); !errors.Is(err, ErrClosed) {
		t.Error("SendSMS after Close succeeded")
	}
}

func TestSMSPaymentWithReplyAndDeferredAnswer(t *testing.T) {
	emu := newServer(t, Options{Encrypt: true})
	s := newShop(t, paysera.Config{BaseURL: emu.URL, PublicKeyPEM: emu.Signer().PublicKeyPEM()}, paysera.HandlerOptions{
		SMSReply: func(_ context.Context, cb *paysera.Callback) (string, error) { return "Code for " + cb.Text, nil },
	})
	m := Micro{ID: "555000111", To: "1398", From: "37060000000", Text: "PAY 77", Key: "PAY", Operator: "omnitel", Amount: 100, Currency: "EUR", Country: "lt"}
	if _, err := emu.SendSMS(context.Background(), s.srv.URL+"/paysera/callback", m); err != nil {
		t.Fatal(err)
	}
	flush(t, emu.Emulator)
	d := emu.Deliveries()
	if len(d) != 1 || d[0].Reply != "OK Code for PAY 77" {
		t.Fatalf("deliveries %+v", d)
	}
	if s.got[0].VerifiedBy != "aes-gcm" || s.got[0].Type != paysera.TypeMicro {
		t.Errorf("callback %+v", s.got[0])
	}
	if err := s.client.SendSMSAnswer(context.Background(), "555000111", "Later, thanks"); err != nil {
		t.Fatal(err)
	}
	if a := emu.SMSAnswers(); len(a) != 1 || a[0] != (SMSAnswer{"555000111", "Later, thanks"}) {
		t.Errorf("answers %+v", a)
	}
	bad, _ := paysera.New(paysera.Config{ProjectID: projectID, Password: "other", BaseURL: emu.URL})
	if err := bad.SendSMSAnswer(context.Background(), "1", "x"); !errors.Is(err, paysera.ErrSMSAnswer) {
		t.Errorf("wrong password: %v", err)
	}
}

func TestEmulatorServesKeyAndMethods(t *testing.T) {
	emu := newServer(t, Options{})
	c, err := paysera.New(paysera.Config{ProjectID: projectID, Password: password, BaseURL: emu.URL, FetchPublicKey: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.RefreshPublicKey(context.Background()); err != nil {
		t.Fatal(err)
	}
	list, err := c.PaymentMethods(context.Background(), "EUR", 100)
	if err != nil {
		t.Fatal(err)
	}
	lt, ok := list.Country("lt")
	if !ok || len(lt.Groups) != 2 || lt.Groups[0].Methods[0].Key != "hanza" {
		t.Fatalf("methods %+v", list)
	}
	// card's minimum (50) is met, hanza's maximum too.
	small, err := c.PaymentMethods(context.Background(), "EUR", 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range small.Countries[0].Groups {
		for _, m := range g.Methods {
			if m.Key == "card" {
				t.Error("card offered under its minimum")
			}
		}
	}
	if _, err := c.PaymentMethods(context.Background(), "EURO", 0); err == nil {
		t.Error("bad currency accepted")
	}
}

func TestEmulatorMountsUnderAPrefixInAnotherMux(t *testing.T) {
	signer, err := testSigner()
	if err != nil {
		t.Fatal(err)
	}
	emu, err := New(Options{ProjectID: projectID, Password: password, Prefix: "/emulator/paysera/", Signer: signer,
		BaseURL: "http://shop.test/emulator/paysera/", RetrySchedule: fastRetries})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	mux := http.NewServeMux()
	mux.Handle("/emulator/paysera/", emu)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "shop") })
	for path, want := range map[string]int{
		"/emulator/paysera/":                                    http.StatusOK,
		"/emulator/paysera/download/public.key":                 http.StatusOK,
		"/emulator/paysera/payment-methods/123456/currency:EUR": http.StatusOK,
		"/emulator/paysera/payment-methods/999/currency:EUR":    http.StatusNotFound,
		"/emulator/paysera/nothing":                             http.StatusNotFound,
	} {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		if w.Code != want {
			t.Errorf("%s: %d, want %d", path, w.Code, want)
		}
	}
	if emu.URL() != "http://shop.test/emulator/paysera" {
		t.Errorf("URL %s", emu.URL())
	}
}

func TestResendDeliversTheLastCallbackAgainByteForByte(t *testing.T) {
	emu := newServer(t, Options{})
	var mu sync.Mutex
	var queries []string
	merchant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		queries = append(queries, r.URL.RawQuery)
		mu.Unlock()
		_, _ = io.WriteString(w, "OK")
	}))
	defer merchant.Close()
	c, _ := paysera.New(paysera.Config{ProjectID: projectID, Password: password, BaseURL: emu.URL})
	link, _ := c.BuildPaymentURL(paysera.PaymentRequest{OrderID: "R-1", Amount: 100, Currency: "EUR",
		AcceptURL: "http://a/", CancelURL: "http://c/", CallbackURL: merchant.URL + "/cb"})
	id, err := emu.Open(link)
	if err != nil {
		t.Fatal(err)
	}
	first, err := emu.Pay(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	flush(t, emu.Emulator)
	last := emu.Deliveries()[0]
	d, err := emu.Resend(context.Background(), last.ID)
	if err != nil || !d.OK() || d.Attempt != 2 || d.Event != "macro:1" || !d.Resent || first.Status != paysera.StatusSuccess {
		t.Fatalf("Resend: %+v, %v", d, err)
	}
	mu.Lock()
	if len(queries) != 2 || queries[0] != queries[1] {
		t.Errorf("resent query differs or is missing: %q", queries)
	}
	mu.Unlock()
	if p, _ := emu.Order(id); len(emu.Deliveries()) != 2 || p.State != StatePaid {
		t.Errorf("payment after Resend %+v", p)
	}
	if _, err := emu.Resend(context.Background(), "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown delivery: %v", err)
	}
}

func TestPaymentPageButtonSendsTheCallbackAgain(t *testing.T) {
	emu := newServer(t, Options{})
	s := newShop(t, paysera.Config{BaseURL: emu.URL, PublicKeyPEM: emu.Signer().PublicKeyPEM()}, paysera.HandlerOptions{})
	link, _ := s.client.BuildPaymentURL(s.request("B-1"))
	id, err := emu.Open(link)
	if err != nil {
		t.Fatal(err)
	}
	page := func() string {
		resp, err := http.Get(emu.URL + "/payment/" + id)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if strings.Contains(page(), "Send the callback again") {
		t.Error("button shown before any callback")
	}
	if _, err := emu.Pay(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	flush(t, emu.Emulator)
	if !strings.Contains(page(), "Send the callback again") {
		t.Fatal("no resend button after the callback")
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.PostForm(emu.URL+"/payment/"+id, url.Values{"action": {"resend"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(resp.Header.Get("Location"), "/payment/"+id) {
		t.Errorf("resend answered %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if ds := emu.Deliveries(); len(ds) != 2 || !ds[1].OK() || !ds[1].Resent {
		t.Errorf("deliveries %+v", ds)
	}
	if n := s.events.Load(); n != 1 {
		t.Errorf("the duplicate ran Event again (%d)", n)
	}
}

func TestInvalidOptionsAreErrors(t *testing.T) {
	signer, err := testSigner()
	if err != nil {
		t.Fatal(err)
	}
	for name, opts := range map[string]Options{
		"no project":     {Password: password, Signer: signer},
		"no password":    {ProjectID: projectID, Signer: signer},
		"signer, no key": {ProjectID: projectID, Password: password, Signer: &Signer{}},
		"negative delay": {ProjectID: projectID, Password: password, Signer: signer, RetrySchedule: []time.Duration{-1}},
		"relative base":  {ProjectID: projectID, Password: password, Signer: signer, BaseURL: "/emulator"},
	} {
		if _, err := New(opts); err == nil {
			t.Errorf("%s: New accepted %+v", name, opts)
		}
		if name == "relative base" {
			continue // NewServer sets BaseURL itself, as every kit's does
		}
		if _, err := NewServer(opts); err == nil {
			t.Errorf("%s: NewServer accepted", name)
		}
	}
}

// TestPaymentPageIsACredibleCheckout: the payment page has the TEST MODE
// banner, the project, the shop's order, what is paid for, the amount in
// major units, the outcomes to simulate and a way back to the shop; a paid
// payment offers a refund, which sends the status 5 callback.
func TestPaymentPageIsACredibleCheckout(t *testing.T) {
	emu := newServer(t, Options{})
	s := newShop(t, paysera.Config{BaseURL: emu.URL, PublicKeyPEM: emu.Signer().PublicKeyPEM()}, paysera.HandlerOptions{})
	link, _ := s.client.BuildPaymentURL(s.request("C-1"))
	id, err := emu.Open(link)
	if err != nil {
		t.Fatal(err)
	}
	get := func() string {
		resp, err := http.Get(emu.URL + "/payment/" + id)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	page := get()
	for _, want := range []string{"TEST MODE", `id="merchant">Project 123456<`, `id="reference">Order C-1 · payment ` + id + `<`,
		`id="item">Order C-1 at emulator<`, `id="amount">12.50 EUR<`, `value="pay"`, `value="pending"`, `value="decline"`,
		`value="cancel"`, `id="back" href="` + s.srv.URL + `/cancel"`, `rel="icon"`} {
		if !strings.Contains(page, want) {
			t.Errorf("missing %q", want)
		}
	}
	if strings.Contains(page, "1250") {
		t.Error("the page shows minor units")
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, action := range []string{"pay", "refund"} {
		resp, err := noFollow.PostForm(emu.URL+"/payment/"+id, url.Values{"action": {action}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d", action, resp.StatusCode)
		}
		if action == "pay" && !strings.Contains(get(), `value="refund"`) {
			t.Fatal("no refund button on a paid payment")
		}
	}
	flush(t, emu.Emulator)
	if len(s.got) != 2 || s.got[1].Status != paysera.StatusRefunded || s.got[1].Refund == nil || s.got[1].Refund.Amount != 1250 {
		t.Fatalf("callbacks %+v", s.got)
	}
	if p, _ := emu.Order(id); p.State != StateRefunded {
		t.Errorf("state %s", p.State)
	}
	if _, err := emu.Refund(context.Background(), id); !errors.Is(err, ErrState) {
		t.Errorf("a second refund: %v", err)
	}
}

func TestDeclineSendsStatusZeroAndCancelSendsNothing(t *testing.T) {
	emu := newServer(t, Options{})
	s := newShop(t, paysera.Config{BaseURL: emu.URL, PublicKeyPEM: emu.Signer().PublicKeyPEM()}, paysera.HandlerOptions{})
	link, _ := s.client.BuildPaymentURL(s.request("D-1"))
	id, _ := emu.Open(link)
	p, err := emu.Decline(context.Background(), id)
	if err != nil || p.State != StateDeclined || p.Status != paysera.StatusNotExecuted {
		t.Fatalf("%+v %v", p, err)
	}
	link, _ = s.client.BuildPaymentURL(s.request("D-2"))
	id2, _ := emu.Open(link)
	if p, err = emu.Cancel(context.Background(), id2); err != nil || p.State != StateCanceled {
		t.Fatalf("%+v %v", p, err)
	}
	if _, err := emu.Pay(context.Background(), id2); !errors.Is(err, ErrState) {
		t.Errorf("paying a canceled payment: %v", err)
	}
	flush(t, emu.Emulator)
	if ds := emu.Deliveries(); len(ds) != 1 || ds[0].Event != "macro:0" {
		t.Errorf("deliveries %+v", ds)
	}
}

func TestPaymentsAreBoundedAndCallbacksCanBeDropped(t *testing.T) {
	emu := newServer(t, Options{MaxOrders: 2, DropCallbacks: true})
	s := newShop(t, paysera.Config{BaseURL: emu.URL, PublicKeyPEM: emu.Signer().PublicKeyPEM()}, paysera.HandlerOptions{})
	var ids []string
	for _, order := range []string{"M-1", "M-2", "M-3"} {
		link, _ := s.client.BuildPaymentURL(s.request(order))
		id, err := emu.Open(link)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if got := emu.Orders(); len(got) != 2 || got[0].RequestID != ids[1] {
		t.Fatalf("orders %+v", got)
	}
	if _, err := emu.Pay(context.Background(), ids[0]); !errors.Is(err, ErrNotFound) {
		t.Errorf("a forgotten payment: %v", err)
	}
	p, err := emu.Pay(context.Background(), ids[2])
	if err != nil || p.State != StatePaid {
		t.Fatalf("%+v %v", p, err)
	}
	flush(t, emu.Emulator)
	if s.events.Load() != 0 || emu.Deliveries()[0].Outcome != "dropped" {
		t.Errorf("events %d, deliveries %+v", s.events.Load(), emu.Deliveries())
	}
}

func TestSignerSendDeliversToARunningShop(t *testing.T) {
	emu := newServer(t, Options{})
	s := newShop(t, paysera.Config{BaseURL: emu.URL, PublicKeyPEM: emu.Signer().PublicKeyPEM()}, paysera.HandlerOptions{})
	fields := Macro{OrderID: "S-1", Amount: 1250, Currency: "EUR", Status: paysera.StatusSuccess, RequestID: "77"}.Fields(projectID)
	resp, err := emu.Signer().Send(context.Background(), s.srv.URL+"/paysera/callback", fields)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "OK" || s.events.Load() != 1 {
		t.Fatalf("answer %q, events %d", b, s.events.Load())
	}
}
