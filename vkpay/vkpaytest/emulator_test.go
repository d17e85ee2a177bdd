package vkpaytest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/vkpay"
	"github.com/paykit-go/paykit/vkpay/vkpaytest"
)

const (
	appID  = 51234
	secret = "emulator-secret"
)

var fast = []time.Duration{5 * time.Millisecond, 5 * time.Millisecond, 5 * time.Millisecond}

// shop is a merchant: a catalogue and an event log behind vkpay.Handler.
type shop struct {
	mu     sync.Mutex
	events []paykit.Summary
	fail   atomic.Int32 // Event fails temporarily this many more times
}

func (s *shop) hooks() paykit.Hooks {
	return paykit.Hooks{
		Item: func(_ context.Context, req paykit.ItemRequest) (paykit.Item, error) {
			switch req.Item {
			case "gold":
				return paykit.Item{ID: "gold-100", Title: "100 gold", Price: 7, PhotoURL: "https://shop.example/gold.png"}, nil
			case "vip":
				return paykit.Item{ID: "vip-month", Title: "VIP", Price: 30, Period: 30 * 24 * time.Hour, Trial: 7 * 24 * time.Hour}, nil
			}
			return paykit.Item{}, paykit.ErrUnknownItem
		},
		Event: func(_ context.Context, n paykit.Notification) error {
			if s.fail.Load() > 0 {
				s.fail.Add(-1)
				return paykit.Temporary(errors.New("database busy"))
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			s.events = append(s.events, n.Summary())
			return nil
		},
	}
}

func (s *shop) log() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, e := range s.events {
		out = append(out, string(e.Kind)+"/"+string(e.Status)+"/"+e.ID)
	}
	return out
}

func newMerchant(t *testing.T, s *shop) *httptest.Server {
	t.Helper()
	c, err := vkpay.New(vkpay.Config{AppID: appID, Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c.Handler(s.hooks()))
	t.Cleanup(srv.Close)
	return srv
}

func newEmulator(t *testing.T, notify string, mod ...func(*vkpaytest.Options)) *vkpaytest.Server {
	t.Helper()
	opts := vkpaytest.Options{AppID: appID, Secret: secret, NotifyURL: notify, RetrySchedule: fast}
	for _, m := range mod {
		m(&opts)
	}
	e, err := vkpaytest.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e
}

// idle waits until the emulator has nothing left to send. It is bounded
// only by the test binary's own deadline (go test -timeout), not by a
// wall-clock guess that a loaded machine could miss.
func idle(t *testing.T, e *vkpaytest.Server) {
	t.Helper()
	if err := e.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// buy is what a mini app's VKWebAppShowOrderBox and the buyer's click do:
// Open, then Pay.
func buy(e *vkpaytest.Server, item string, user int64) (vkpaytest.Order, error) {
	o, err := e.Open(context.Background(), item, user)
	if err != nil {
		return o, err
	}
	return e.Pay(context.Background(), o.ID)
}

// subscribe is OpenSubscription, then PaySubscription.
func subscribe(e *vkpaytest.Server, item string, user int64) (vkpaytest.Subscription, error) {
	s, err := e.OpenSubscription(context.Background(), item, user)
	if err != nil {
		return s, err
	}
	return e.PaySubscription(context.Background(), s.ID)
}

func TestPurchaseAndRefundThroughHandler(t *testing.T) {
	s := &shop{}
	e := newEmulator(t, newMerchant(t, s).URL)
	ctx := context.Background()

	o, err := e.Open(ctx, "gold", 0)
	if err != nil {
		t.Fatal(err)
	}
	if o.Title != "100 gold" || o.Price != 7 || o.ItemID != "gold-100" || o.State != vkpaytest.StateOpen {
		t.Fatalf("%+v", o)
	}
	o, err = e.Pay(ctx, o.ID)
	if err != nil || o.State != vkpaytest.StatePaid {
		t.Fatalf("%v %+v", err, o)
	}
	if _, err := e.Pay(ctx, o.ID); !errors.Is(err, vkpaytest.ErrState) {
		t.Fatalf("second confirm: %v", err)
	}
	o, err = e.Refund(ctx, o.ID)
	if err != nil || o.State != vkpaytest.StateRefunded {
		t.Fatalf("%v %+v", err, o)
	}
	id := o.ID
	want := []string{"payment/paid/" + itoa(id), "refund/refunded/" + itoa(id)}
	if got := s.log(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("events %v, want %v", got, want)
	}
}

func TestUnknownItemIsDeclined(t *testing.T) {
	e := newEmulator(t, newMerchant(t, &shop{}).URL)
	o, err := buy(e, "nope", 0)
	if !errors.Is(err, vkpaytest.ErrDeclined) || o.State != vkpaytest.StateDeclined || !strings.Contains(o.LastError, "error 20") {
		t.Fatalf("%v %+v", err, o)
	}
}

func TestTemporaryFailureIsResentUntilAccepted(t *testing.T) {
	s := &shop{}
	s.fail.Store(2)
	e := newEmulator(t, newMerchant(t, s).URL)
	o, err := buy(e, "gold", 0)
	if err != nil || o.State != vkpaytest.StatePending {
		t.Fatalf("%v %+v", err, o)
	}
	idle(t, e)
	o, _ = e.Order(o.ID)
	if o.State != vkpaytest.StatePaid || o.Attempts != 3 || len(s.log()) != 1 {
		t.Fatalf("%+v events %v", o, s.log())
	}
	// Every resend carried the same signed parameters.
	var sent []string
	for _, d := range e.Deliveries() {
		if d.Event == "order_status_change:chargeable" {
			sent = append(sent, d.Request)
		}
	}
	if len(sent) != 3 || sent[0] != sent[1] || sent[1] != sent[2] {
		t.Fatalf("resends differ: %v", sent)
	}
}

func TestMissingAnswerIsResentAndGivenUp(t *testing.T) {
	var calls atomic.Int32
	merchant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 { // get_item
			_, _ = io.WriteString(w, `{"response":{"title":"T","price":1}}`)
			return
		}
		http.Error(w, "down", http.StatusBadGateway)
	}))
	defer merchant.Close()
	e := newEmulator(t, merchant.URL)
	o, err := buy(e, "x", 0)
	if err != nil || o.State != vkpaytest.StatePending {
		t.Fatalf("%v %+v", err, o)
	}
	idle(t, e)
	o, _ = e.Order(o.ID)
	if o.State != vkpaytest.StateFailed || o.Attempts != 1+len(fast) {
		t.Fatalf("%+v", o)
	}
}

func TestSubscriptionLifecycle(t *testing.T) {
	s := &shop{}
	e := newEmulator(t, newMerchant(t, s).URL, func(o *vkpaytest.Options) { o.Test = true })
	ctx := context.Background()
	sub, err := subscribe(e, "vip", 9)
	if err != nil || sub.State != vkpaytest.SubscriptionActive || sub.Period != 30 || sub.TrialDuration != 7 || sub.ItemID != "vip-month" {
		t.Fatalf("%v %+v", err, sub)
	}
	if sub, err = e.CancelSubscription(ctx, sub.ID, ""); err != nil || sub.State != vkpaytest.SubscriptionCancelled || !sub.PendingCancel {
		t.Fatalf("%v %+v", err, sub)
	}
	if sub, err = e.ResumeSubscription(ctx, sub.ID); err != nil || sub.State != vkpaytest.SubscriptionActive {
		t.Fatalf("%v %+v", err, sub)
	}
	if sub, err = e.CancelSubscription(ctx, sub.ID, vkpay.CancelAppDecision); err != nil || sub.State != vkpaytest.SubscriptionCancelled {
		t.Fatalf("%v %+v", err, sub)
	}
	id := itoa(sub.ID)
	want := []string{"subscription/paid/" + id, "subscription/canceled/" + id, "subscription/paid/" + id, "subscription/canceled/" + id}
	if got := s.log(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("events %v, want %v", got, want)
	}
	for _, d := range e.Deliveries() {
		if typ, _, _ := strings.Cut(d.Event, ":"); !strings.HasSuffix(typ, "_test") {
			t.Fatalf("test mode sent %s", d.Event)
		}
	}
}

func TestSignerRequestsVerify(t *testing.T) {
	c, _ := vkpay.New(vkpay.Config{AppID: appID, Secret: secret})
	s := vkpaytest.Signer{AppID: appID, Secret: secret, Version: "5.132", Test: true}
	for _, p := range []url.Values{
		s.GetItem("gold", 1, 2, "ru_RU"),
		s.GetSubscription("vip", 1, 2, ""),
		s.OrderStatusChange(vkpaytest.OrderParams{ID: 5, UserID: 1, Item: "gold", Title: "Золото", Price: 7, Date: time.Unix(1, 0)}, vkpay.OrderRefunded),
		s.SubscriptionStatusChange(vkpaytest.SubscriptionParams{SubscriptionID: "8", UserID: 1, Status: vkpay.SubscriptionActive, Price: 30}),
	} {
		n, err := c.ParseCallback(s.NewRequest("/", p))
		if err != nil || !n.Summary().Test {
			t.Fatalf("%s: %v", p.Get("notification_type"), err)
		}
	}
}

func TestCloseStopsResends(t *testing.T) {
	merchant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.FormValue("notification_type") == "get_item" {
			_, _ = io.WriteString(w, `{"response":{"title":"T","price":1}}`)
			return
		}
		_, _ = io.WriteString(w, `{"error":{"error_code":2,"error_msg":"busy","critical":false}}`)
	}))
	defer merchant.Close()
	e, err := vkpaytest.NewServer(vkpaytest.Options{AppID: appID, Secret: secret, NotifyURL: merchant.URL, RetrySchedule: []time.Duration{time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	if o, err := e.Open(context.Background(), "x", 0); err != nil {
		t.Fatal(err)
	} else if o, err = e.Pay(context.Background(), o.ID); err != nil || o.State != vkpaytest.StatePending {
		t.Fatalf("%v %+v", err, o)
	}
	// A resend is pending an hour from now: Close must stop it rather
	// than wait for it. A Close that waited would hang until go test's
	// own -timeout, which is the failure; no wall-clock guess here.
	e.Close()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestResendDeliversTheLastStatusChangeAgain(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	s := &shop{}
	c, _ := vkpay.New(vkpay.Config{AppID: appID, Secret: secret})
	h := c.Handler(s.hooks())
	merchant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if strings.Contains(string(b), "order_status_change") {
			mu.Lock()
			bodies = append(bodies, string(b))
			mu.Unlock()
		}
		r.Body = io.NopCloser(strings.NewReader(string(b)))
		h.ServeHTTP(w, r)
	}))
	defer merchant.Close()
	e := newEmulator(t, merchant.URL)
	ctx := context.Background()
	o, err := e.Open(ctx, "gold", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Pay(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	ds := e.Deliveries()
	last := ds[len(ds)-1]
	if last.Event != "order_status_change:chargeable" || last.OrderID != itoa(o.ID) {
		t.Fatalf("last delivery %+v", last)
	}
	d, err := e.Resend(ctx, last.ID)
	if err != nil || d.Status != http.StatusOK || !strings.Contains(d.Reply, `"response"`) || !d.Resent || d.Request != last.Request {
		t.Fatalf("Resend: %+v, %v", d, err)
	}
	mu.Lock()
	if len(bodies) != 2 || bodies[0] != bodies[1] {
		t.Errorf("resent body differs or is missing: %q", bodies)
	}
	mu.Unlock()
	if got, _ := e.Order(o.ID); got.State != vkpaytest.StatePaid {
		t.Errorf("state after Resend %s", got.State)
	}
	if n := len(s.log()); n != 1 {
		t.Errorf("the duplicate reached Event: %v", s.log())
	}
	if _, err := e.Resend(ctx, "424242"); !errors.Is(err, vkpaytest.ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
}

func TestInvalidOptionsAreErrors(t *testing.T) {
	for name, opts := range map[string]vkpaytest.Options{
		"no app id":      {Secret: secret},
		"no secret":      {AppID: appID},
		"bad notify":     {AppID: appID, Secret: secret, NotifyURL: "ftp://x"},
		"relative base":  {AppID: appID, Secret: secret, BaseURL: "/emulator"},
		"negative delay": {AppID: appID, Secret: secret, RetrySchedule: []time.Duration{-time.Second}},
	} {
		if _, err := vkpaytest.New(opts); err == nil {
			t.Errorf("%s: New accepted", name)
		}
		if name != "relative base" { // NewServer sets BaseURL itself
			if _, err := vkpaytest.NewServer(opts); err == nil {
				t.Errorf("%s: NewServer accepted", name)
			}
		}
	}
}

func TestServerURLHasThePrefixAndNoTrailingSlash(t *testing.T) {
	e := newEmulator(t, "", func(o *vkpaytest.Options) { o.Prefix = "/emulator/vkpay/" })
	if strings.HasSuffix(e.URL, "/") || !strings.HasSuffix(e.URL, "/emulator/vkpay") || e.Emulator.URL() != e.URL {
		t.Fatalf("URL %q, Emulator.URL %q", e.URL, e.Emulator.URL())
	}
	resp, err := http.Get(e.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("index: %d", resp.StatusCode)
	}
}

func TestDropCallbacksRecordsWithoutSending(t *testing.T) {
	s := &shop{}
	e := newEmulator(t, newMerchant(t, s).URL, func(o *vkpaytest.Options) { o.DropCallbacks = true })
	o, err := buy(e, "gold", 0)
	if err != nil || o.State != vkpaytest.StatePaid {
		t.Fatalf("%v %+v", err, o)
	}
	idle(t, e)
	if len(s.log()) != 0 {
		t.Fatalf("the merchant heard: %v", s.log())
	}
	ds := e.Deliveries()
	last := ds[len(ds)-1]
	if last.Outcome != "dropped" {
		t.Fatalf("%+v", last)
	}
	if d, err := e.Resend(context.Background(), last.ID); err != nil || !d.OK() || len(s.log()) != 1 {
		t.Fatalf("Resend of a dropped callback: %+v %v, events %v", d, err, s.log())
	}
}

func TestSignerSendPostsToARunningServer(t *testing.T) {
	s := &shop{}
	merchant := newMerchant(t, s)
	signer := vkpaytest.Signer{AppID: appID, Secret: secret}
	resp, err := signer.Send(context.Background(), merchant.URL,
		signer.OrderStatusChange(vkpaytest.OrderParams{ID: 9, UserID: 1, Item: "gold", Price: 7}, vkpay.OrderChargeable))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"order_id":9`) || len(s.log()) != 1 {
		t.Fatalf("%s, events %v", b, s.log())
	}
}
