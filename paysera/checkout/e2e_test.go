package checkout_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/emulator"
	"github.com/paykit-go/paykit/paysera/checkout"
	"github.com/paykit-go/paykit/paysera/checkout/checkouttest"
)

// shop is a merchant backend on the emulator: the client, the webhook
// handler on its own server, and what the Event hook saw.
type shop struct {
	emu    *checkouttest.Server
	client *checkout.Client
	hook   *httptest.Server

	mu     sync.Mutex
	events []paykit.Summary
}

func (s *shop) seen() []paykit.Summary {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]paykit.Summary(nil), s.events...)
}

func newShop(t *testing.T, opts checkouttest.Options, cfg checkout.Config) *shop {
	t.Helper()
	opts.ClientID, opts.ClientSecret = "client-42", "secret-42"
	if opts.RetrySchedule == nil {
		opts.RetrySchedule = []time.Duration{time.Millisecond, time.Millisecond}
	}
	emu, err := checkouttest.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ClientID, cfg.ClientSecret, cfg.BaseURL = "client-42", "secret-42", emu.URL
	if cfg.RetryBaseDelay == 0 {
		cfg.RetryBaseDelay = time.Millisecond
	}
	c, err := checkout.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := &shop{emu: emu, client: c}
	s.hook = httptest.NewServer(c.Handler(paykit.Hooks{Event: func(ctx context.Context, n paykit.Notification) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.events = append(s.events, n.Summary())
		return nil
	}}))
	t.Cleanup(func() { emu.Close(); s.hook.Close() })
	return s
}

func (s *shop) order(ref string, amount int64) checkout.PaymentRequest {
	return checkout.PaymentRequest{Order: checkout.OrderRequest{
		Reference: ref, Amount: paykit.Money{Amount: amount, Currency: "EUR"},
		SuccessURL: "https://shop.example/ok", FailureURL: "https://shop.example/fail",
		CallbackURL: s.hook.URL + "/paysera-checkout",
	}}
}

func TestEmulator_PayResendRefundThroughClientAndHandler(t *testing.T) {
	s := newShop(t, checkouttest.Options{}, checkout.Config{})
	ctx := context.Background()
	payURL, err := s.client.BuildPaymentURL(ctx, s.order("ORDER-1001", 2500))
	if err != nil {
		t.Fatal(err)
	}
	o := s.emu.Orders()[0]
	if o.Amount != 2500 || o.Reference != "ORDER-1001" || !strings.HasSuffix(payURL, "/pay/"+o.Links[0]) {
		t.Fatalf("order %+v, url %s", o, payURL)
	}
	p, err := s.emu.Pay(ctx, o.Links[0], "seb")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.emu.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if o, _ = s.emu.Order(o.ID); o.Status != "paid" || o.State != checkouttest.StatePaid || o.AmountPaid != 2500 {
		t.Fatalf("order after pay %+v", o)
	}
	got := s.seen()
	if len(got) != 2 || got[0].Kind != paykit.KindInfo || got[1].Kind != paykit.KindPayment ||
		got[1].Status != paykit.StatusPaid || got[1].OrderID != "ORDER-1001" || got[1].ID != o.ID ||
		got[1].Amount != (paykit.Money{Amount: 2500, Currency: "EUR"}) {
		t.Fatalf("events %+v", got)
	}
	sent := s.emu.Deliveries()
	w, err := s.emu.Resend(ctx, sent[len(sent)-1].ID)
	if err != nil || !w.OK() || !w.Resent || w.Status != http.StatusOK || w.Request != sent[len(sent)-1].Request {
		t.Fatalf("resend %+v %v", w, err)
	}
	if n := len(s.seen()); n != 2 {
		t.Fatalf("a resent webhook ran Event again (%d events)", n)
	}
	r, err := s.client.Refund(ctx, p.ID, checkout.RefundRequest{Amount: 1000})
	if err != nil || r.Amount != 1000 || r.State() != paykit.StatusPending {
		t.Fatalf("refund %+v %v", r, err)
	}
	full, err := s.client.Refund(ctx, p.ID, checkout.RefundRequest{})
	if err != nil || full.Amount != 1500 {
		t.Fatalf("full refund %+v %v", full, err)
	}
	if _, err := s.client.Refund(ctx, p.ID, checkout.RefundRequest{}); !errors.Is(err, paykit.ErrInvalidRequest) {
		t.Fatalf("refund of a refunded payment: %v", err)
	}
	if err := s.emu.Wait(ctx); err != nil { // the refund webhooks follow the API replies
		t.Fatal(err)
	}
	refunds := 0
	for _, e := range s.seen() {
		if e.Kind == paykit.KindRefund && e.Status == paykit.StatusRefunded && e.OrderID == "ORDER-1001" {
			refunds++
		}
	}
	if refunds != 2 {
		t.Fatalf("refund events %+v", s.seen())
	}
}

func TestEmulator_PendingThenPaid(t *testing.T) {
	s := newShop(t, checkouttest.Options{}, checkout.Config{})
	ctx := context.Background()
	if _, err := s.client.BuildPaymentURL(ctx, s.order("ORDER-2", 700)); err != nil {
		t.Fatal(err)
	}
	o := s.emu.Orders()[0]
	pending, err := s.emu.Pend(ctx, o.Links[0], "")
	if err != nil {
		t.Fatal(err)
	}
	paid, err := s.emu.Pay(ctx, o.Links[0], "")
	if err != nil || paid.ID != pending.ID || paid.Status != "settled" {
		t.Fatalf("pay %+v %v", paid, err)
	}
	var statuses []paykit.Status
	for _, e := range s.seen() {
		statuses = append(statuses, e.Status)
	}
	want := []paykit.Status{paykit.StatusPending, paykit.StatusPaid, paykit.StatusPaid}
	if len(statuses) != 3 || statuses[0] != want[0] || statuses[1] != want[1] || statuses[2] != want[2] {
		t.Fatalf("statuses %v", statuses)
	}
}

func TestEmulator_DeclineAndCancel(t *testing.T) {
	s := newShop(t, checkouttest.Options{}, checkout.Config{})
	ctx := context.Background()
	if _, err := s.client.BuildPaymentURL(ctx, s.order("ORDER-3", 700)); err != nil {
		t.Fatal(err)
	}
	o := s.emu.Orders()[0]
	if p, err := s.emu.Decline(ctx, o.Links[0], "seb"); err != nil || p.Status != "rejected" {
		t.Fatalf("decline %+v %v", p, err)
	}
	if p, err := s.emu.Cancel(ctx, o.Links[0]); err != nil || p.Status != "canceled" {
		t.Fatalf("cancel %+v %v", p, err)
	}
	if _, err := s.emu.Pay(ctx, o.Links[0], ""); !errors.Is(err, checkouttest.ErrState) {
		t.Fatalf("paid a canceled link: %v", err)
	}
	for _, e := range s.seen() {
		if e.Status != paykit.StatusFailed || e.Kind != paykit.KindInfo {
			t.Fatalf("event %+v", e)
		}
	}
	if l, _ := s.client.GetPaymentLink(ctx, o.Links[0]); l.Status != "canceled" {
		t.Fatalf("link %+v", l)
	}
}

func TestEmulator_LinksOrdersAndMethodsThroughClient(t *testing.T) {
	s := newShop(t, checkouttest.Options{Test: true}, checkout.Config{})
	ctx := context.Background()
	o, err := s.client.CreateOrder(ctx, s.order("ORDER-4", 1234).Order)
	if err != nil {
		t.Fatal(err)
	}
	if o.Amount != 1234 || o.Reference != "ORDER-4" || !o.Test || o.Status != "pending_payment" {
		t.Fatalf("order %+v", o)
	}
	got, err := s.client.GetOrder(ctx, o.ID)
	if err != nil || got.ID != o.ID || got.Amount != 1234 {
		t.Fatalf("get order %+v %v", got, err)
	}
	l, err := s.client.CreatePaymentLink(ctx, checkout.LinkRequest{OrderID: o.ID, Name: "Order 4", Amount: 1234,
		Language: "lt", Lifetime: time.Hour, PayerEmail: "buyer@example.com"})
	if err != nil || l.Amount != 1234 || l.Language != "lt" || l.ExpiresAt.Sub(l.CreatedAt) != time.Hour {
		t.Fatalf("link %+v %v", l, err)
	}
	c, err := s.client.CancelPaymentLink(ctx, l.ID)
	if err != nil || c.Status != "canceled" {
		t.Fatalf("cancel %+v %v", c, err)
	}
	methods, err := s.client.PaymentMethods(ctx, checkout.MethodsQuery{Amount: 1234, Currency: "EUR"})
	if err != nil || len(methods) != 3 || methods[0].Key != "swedbank" || methods[0].Currencies[0] != "EUR" {
		t.Fatalf("methods %+v %v", methods, err)
	}
	var ae *paykit.APIError
	if _, err := s.client.GetOrder(ctx, "no-such-order"); !errors.As(err, &ae) || ae.StatusCode != 404 {
		t.Fatalf("missing order: %v", err)
	}
}

// The emulator refuses the create-order amount as a JSON number, as the
// docs type it as a string: a client that sent a number would show.
func TestEmulator_OrderAmountEncodingIsChecked(t *testing.T) {
	s := newShop(t, checkouttest.Options{}, checkout.Config{OrderAmountAsNumber: true})
	var ae *paykit.APIError
	_, err := s.client.CreateOrder(context.Background(), s.order("ORDER-5", 100).Order)
	if !errors.As(err, &ae) || ae.StatusCode != 400 || !strings.Contains(ae.Message, "purchase.amount") {
		t.Fatalf("numeric amount: %v", err)
	}
	lenient := newShop(t, checkouttest.Options{AcceptNumericOrderAmount: true}, checkout.Config{OrderAmountAsNumber: true})
	if _, err := lenient.client.CreateOrder(context.Background(), lenient.order("ORDER-5", 100).Order); err != nil {
		t.Fatal(err)
	}
}

// clock is a settable clock shared by the client and the emulator.
type clock struct{ ns atomic.Int64 }

func (c *clock) now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *clock) add(d time.Duration) { c.ns.Add(int64(d)) }
func newClock() *clock               { c := &clock{}; c.ns.Store(time.Unix(1736433570, 0).UnixNano()); return c }

func TestEmulator_TokenIsCachedRenewedBeforeExpiryAndAfter401(t *testing.T) {
	clk := newClock()
	s := newShop(t, checkouttest.Options{Now: clk.now}, checkout.Config{Now: clk.now})
	ctx := context.Background()
	methods := func() {
		t.Helper()
		if _, err := s.client.PaymentMethods(ctx, checkout.MethodsQuery{}); err != nil {
			t.Fatal(err)
		}
	}
	methods()
	methods()
	if n := s.emu.TokenRequests(); n != 1 {
		t.Fatalf("%d token requests for two calls, want 1 (cached)", n)
	}
	clk.add(54 * time.Minute)
	methods()
	if n := s.emu.TokenRequests(); n != 1 {
		t.Fatalf("renewed %d times 6 minutes before expiry", n-1)
	}
	clk.add(2 * time.Minute) // 4 minutes left: inside TokenRenewBefore
	methods()
	if n := s.emu.TokenRequests(); n != 2 {
		t.Fatalf("%d token requests, want a renewal 5 minutes before expiry", n)
	}
	s.emu.ExpireTokens()
	methods()
	if n := s.emu.TokenRequests(); n != 3 {
		t.Fatalf("%d token requests, want one renewal after 401", n)
	}
}

func TestEmulator_ConcurrentCallsShareOneTokenRequest(t *testing.T) {
	s := newShop(t, checkouttest.Options{}, checkout.Config{})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.client.PaymentMethods(context.Background(), checkout.MethodsQuery{})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := s.emu.TokenRequests(); n != 1 {
		t.Fatalf("%d token requests for 8 concurrent calls", n)
	}
}

func TestEmulator_ThrottledCallsAreRetried(t *testing.T) {
	s := newShop(t, checkouttest.Options{}, checkout.Config{})
	s.emu.Throttle(0, 0) // the token request, then the call
	if _, err := s.client.PaymentMethods(context.Background(), checkout.MethodsQuery{}); err != nil {
		t.Fatalf("not retried after 429: %v", err)
	}
	s.emu.Throttle(0, 0, 0, 0)
	var ae *paykit.APIError
	_, err := s.client.PaymentMethods(context.Background(), checkout.MethodsQuery{})
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusTooManyRequests || !paykit.IsTemporary(err) {
		t.Fatalf("after retries ran out: %v", err)
	}
}

func TestEmulator_WrongSecretIsRefusedWithoutLeaking(t *testing.T) {
	emu, err := checkouttest.NewServer(checkouttest.Options{ClientID: "id", ClientSecret: "right-secret"})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	c, _ := checkout.New(checkout.Config{ClientID: "id", ClientSecret: "wrong-secret-value", BaseURL: emu.URL})
	_, err = c.PaymentMethods(context.Background(), checkout.MethodsQuery{})
	var ae *paykit.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 401 || ae.Code != "invalid_client" {
		t.Fatalf("got %v", err)
	}
	if strings.Contains(err.Error(), "wrong-secret-value") || strings.Contains(string(ae.Body), "wrong-secret-value") {
		t.Fatal("secret in error")
	}
}

func TestEmulator_WebhookRetriedUntilAnsweredAnd401StopsRetries(t *testing.T) {
	var mu sync.Mutex
	answers := []int{500, 503, 200}
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.WriteHeader(answers[min(hits, len(answers)-1)])
		hits++
	}))
	defer srv.Close()
	emu, err := checkouttest.NewServer(checkouttest.Options{ClientID: "id", ClientSecret: "s",
		RetrySchedule: []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	c, _ := checkout.New(checkout.Config{ClientID: "id", ClientSecret: "s", BaseURL: emu.URL})
	ctx := context.Background()
	url, err := c.BuildPaymentURL(ctx, checkout.PaymentRequest{Order: checkout.OrderRequest{Reference: "R-1",
		Amount: paykit.Money{Amount: 100, Currency: "EUR"}, CallbackURL: srv.URL}})
	if err != nil || url == "" {
		t.Fatal(err)
	}
	o := emu.Orders()[0]
	if _, err := emu.Decline(ctx, o.Links[0], ""); err != nil {
		t.Fatal(err)
	}
	if err := emu.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	ds := emu.Deliveries()
	if len(ds) != 3 || ds[0].Outcome != emulator.Retrying || ds[1].Outcome != emulator.Retrying ||
		ds[2].Outcome != emulator.Delivered || ds[2].Attempt != 3 {
		t.Fatalf("deliveries %+v", ds)
	}
	mu.Lock()
	answers, hits = []int{401}, 0
	mu.Unlock()
	if _, err := emu.Decline(ctx, o.Links[0], ""); err != nil {
		t.Fatal(err)
	}
	if err := emu.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	ds = emu.Deliveries()[3:]
	if len(ds) != 1 || ds[0].Outcome != emulator.Refused || ds[0].Status != http.StatusUnauthorized {
		t.Fatalf("after 401: %+v", ds)
	}
}
