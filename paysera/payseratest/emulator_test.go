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
	if err := e.Flush(ctx); err != nil {
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
	if err := emu.Pay(id); err != nil {
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
	p, _ := emu.Payment(id)
	if len(p.Deliveries) != 1 || !p.Deliveries[0].OK || p.Deliveries[0].Body != "OK" {
		t.Errorf("deliveries %+v", p.Deliveries)
	}

	// Paysera repeats a callback now and then: the shop answers OK again
	// without a second Event.
	if err := emu.Pay(id); err != nil {
		t.Fatal(err)
	}
	flush(t, emu.Emulator)
	if n := s.events.Load(); n != 1 {
		t.Errorf("duplicate delivery ran Event again (%d)", n)
	}
	if d := emu.Deliveries(); len(d) != 2 || !d[1].OK {
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
	if !strings.Contains(string(index), "ORDER-2") || !strings.Contains(string(index), "cancelled") {
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
	// The dispatcher reports each retry it schedules (set before the
	// first callback is queued; it reads the hook only after that).
	type retry struct {
		failed int
		delay  time.Duration
	}
	var mu sync.Mutex
	var retries []retry
	emu.rescheduled = func(failed int, delay time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		retries = append(retries, retry{failed, delay})
	}
	if err := emu.Pay(id); err != nil {
		t.Fatal(err)
	}
	flush(t, emu.Emulator)
	p, _ := emu.Payment(id)
	if len(p.Deliveries) != 3 || p.Deliveries[0].OK || p.Deliveries[1].OK || !p.Deliveries[2].OK ||
		p.Deliveries[2].Attempt != 3 {
		t.Fatalf("deliveries %+v", p.Deliveries)
	}
	// Attempt n failed, so the next waits the schedule's n-th delay.
	mu.Lock()
	defer mu.Unlock()
	want := []retry{{1, fastRetries[0]}, {2, fastRetries[1]}}
	if len(retries) != len(want) || retries[0] != want[0] || retries[1] != want[1] {
		t.Errorf("retries %+v, want %+v", retries, want)
	}
}

func TestRetriesStopAfterTheSchedule(t *testing.T) {
	emu := newServer(t, Options{})
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "NOPE")
	}))
	defer down.Close()
	if err := emu.SendSMS(down.URL, Micro{ID: "5", To: "1", From: "2", Text: "X", Amount: 1, Currency: "EUR"}); err != nil {
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
	// Set before the first callback is queued: the dispatcher reads it
	// only after receiving that callback.
	retryPending := make(chan struct{}, 1)
	emu.rescheduled = func(int, time.Duration) {
		select {
		case retryPending <- struct{}{}:
		default:
		}
	}
	if err := emu.SendSMS(down.URL, Micro{ID: "5", To: "1", From: "2", Text: "X"}); err != nil {
		t.Fatal(err)
	}
	// The first attempt failed and its retry, an hour away, is pending.
	<-retryPending
	if d := emu.Deliveries(); len(d) != 1 || d[0].OK {
		t.Fatalf("deliveries before Close %+v", d)
	}
	emu.Close() // a Close that never returns hangs until go test's timeout
	if err := emu.Flush(context.Background()); err != nil {
		t.Errorf("pending after Close: %v", err)
	}
	if err := emu.SendSMS(down.URL, Micro{ID: "6"}); err == nil {
		t.Error("SendSMS after Close succeeded")
	}
}

func TestSMSPaymentWithReplyAndDeferredAnswer(t *testing.T) {
	emu := newServer(t, Options{Encrypt: true})
	s := newShop(t, paysera.Config{BaseURL: emu.URL, PublicKeyPEM: emu.Signer().PublicKeyPEM()}, paysera.HandlerOptions{
		SMSReply: func(_ context.Context, cb *paysera.Callback) (string, error) { return "Code for " + cb.Text, nil },
	})
	m := Micro{ID: "555000111", To: "1398", From: "37060000000", Text: "PAY 77", Key: "PAY", Operator: "omnitel", Amount: 100, Currency: "EUR", Country: "lt"}
	if err := emu.SendSMS(s.srv.URL+"/paysera/callback", m); err != nil {
		t.Fatal(err)
	}
	flush(t, emu.Emulator)
	d := emu.Deliveries()
	if len(d) != 1 || d[0].Body != "OK Code for PAY 77" {
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
	if _, err := emu.Resend(context.Background(), id); !errors.Is(err, ErrNoCallback) {
		t.Fatalf("Resend before any callback: %v", err)
	}
	if err := emu.Pay(id); err != nil {
		t.Fatal(err)
	}
	flush(t, emu.Emulator)
	d, err := emu.Resend(context.Background(), id)
	if err != nil || !d.OK || d.Attempt != 2 || d.Status != paysera.StatusSuccess {
		t.Fatalf("Resend: %+v, %v", d, err)
	}
	mu.Lock()
	if len(queries) != 2 || queries[0] != queries[1] {
		t.Errorf("resent query differs or is missing: %q", queries)
	}
	mu.Unlock()
	if p, _ := emu.Payment(id); len(p.Deliveries) != 2 || p.Status != paysera.StatusSuccess {
		t.Errorf("payment after Resend %+v", p)
	}
	if _, err := emu.Resend(context.Background(), "nope"); !errors.Is(err, ErrUnknownPayment) {
		t.Errorf("unknown payment: %v", err)
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
	if err := emu.Pay(id); err != nil {
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
	if p, _ := emu.Payment(id); len(p.Deliveries) != 2 || !p.Deliveries[1].OK {
		t.Errorf("deliveries %+v", p.Deliveries)
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
		if _, err := NewServer(opts); err == nil {
			t.Errorf("%s: NewServer accepted", name)
		}
	}
}
