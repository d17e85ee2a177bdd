package checkouttest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/emulator"
	"github.com/paykit-go/paykit/paysera/checkout"
	"github.com/paykit-go/paykit/paysera/checkout/checkouttest"
)

// merchant counts the webhooks it is sent and answers each with the next
// of its statuses (200 once they run out).
type merchant struct {
	mu       sync.Mutex
	statuses []int
	bodies   []string
}

func (m *merchant) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	m.mu.Lock()
	m.bodies = append(m.bodies, string(b))
	status := http.StatusOK
	if len(m.statuses) > 0 {
		status, m.statuses = m.statuses[0], m.statuses[1:]
	}
	m.mu.Unlock()
	w.WriteHeader(status)
}

func (m *merchant) hits() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.bodies)
}

// kit is an emulator with a merchant behind it and a client in front.
type kit struct {
	emu    *checkouttest.Server
	client *checkout.Client
	shop   *merchant
	hook   string
}

func newKit(t *testing.T, opts checkouttest.Options, statuses ...int) *kit {
	t.Helper()
	m := &merchant{statuses: statuses}
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)
	opts.ClientID, opts.ClientSecret = "id", "s"
	emu, err := checkouttest.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emu.Close)
	c, err := checkout.New(checkout.Config{ClientID: "id", ClientSecret: "s", BaseURL: emu.URL})
	if err != nil {
		t.Fatal(err)
	}
	return &kit{emu: emu, client: c, shop: m, hook: srv.URL}
}

// order creates an order with one link through the client and returns it.
func (k *kit) order(t *testing.T, ref string, amount int64) checkouttest.Order {
	t.Helper()
	u, err := k.client.BuildPaymentURL(context.Background(), checkout.PaymentRequest{Order: checkout.OrderRequest{
		Reference: ref, Amount: paykit.Money{Amount: amount, Currency: "EUR"}, CallbackURL: k.hook,
		SuccessURL: "https://shop.example/ok", CancelURL: "https://shop.example/cancel"}})
	if err != nil {
		t.Fatal(err)
	}
	id := u[strings.LastIndex(u, "/")+1:]
	l, ok := k.emu.Link(id)
	if !ok {
		t.Fatalf("link %s of %s not kept", id, u)
	}
	o, _ := k.emu.Order(l.OrderID)
	return o
}

// paid creates an order with one link and pays it.
func (k *kit) paid(t *testing.T, ref string, amount int64) (checkouttest.Order, checkouttest.Payment) {
	t.Helper()
	o := k.order(t, ref, amount)
	p, err := k.emu.Pay(context.Background(), o.Links[0], "")
	if err != nil {
		t.Fatal(err)
	}
	o, _ = k.emu.Order(o.ID)
	return o, p
}

func TestEmulator_MaxOrdersForgetsTheOldestWithItsLinksAndPayments(t *testing.T) {
	k := newKit(t, checkouttest.Options{MaxOrders: 2})
	ctx := context.Background()
	first := k.order(t, "R-1", 100)
	p, err := k.emu.Pay(ctx, first.Links[0], "")
	if err != nil {
		t.Fatal(err)
	}
	second, third := k.order(t, "R-2", 200), k.order(t, "R-3", 300)
	var refs []string
	for _, o := range k.emu.Orders() {
		refs = append(refs, o.Reference)
	}
	if fmt.Sprint(refs) != "[R-2 R-3]" {
		t.Fatalf("orders kept %v, want the two newest", refs)
	}
	if _, ok := k.emu.Order(first.ID); ok {
		t.Error("the oldest order is still kept")
	}
	if _, ok := k.emu.Link(first.Links[0]); ok {
		t.Error("the oldest order's link is still kept")
	}
	if _, ok := k.emu.Payment(p.ID); ok {
		t.Error("the oldest order's payment is still kept")
	}
	if _, err := k.emu.Pay(ctx, first.Links[0], ""); !errors.Is(err, checkouttest.ErrNotFound) {
		t.Errorf("paying a forgotten link: %v, want ErrNotFound", err)
	}
	if _, err := k.emu.Refund(ctx, p.ID, 0); !errors.Is(err, checkouttest.ErrNotFound) {
		t.Errorf("refunding a forgotten payment: %v, want ErrNotFound", err)
	}
	if _, err := k.client.GetOrder(ctx, first.ID); err == nil {
		t.Errorf("the API still has the forgotten order: %v", err)
	}
	for _, o := range []checkouttest.Order{second, third} {
		if _, err := k.emu.Pay(ctx, o.Links[0], ""); err != nil {
			t.Errorf("order %s: %v", o.Reference, err)
		}
	}
}

func TestEmulator_OrderStateFollowsTheSharedStateMachine(t *testing.T) {
	k := newKit(t, checkouttest.Options{})
	ctx := context.Background()
	o := k.order(t, "R-1", 500)
	state := func() checkouttest.State { got, _ := k.emu.Order(o.ID); return got.State }
	if state() != checkouttest.StateOpen {
		t.Fatalf("new order %s", state())
	}
	if _, err := k.emu.Pend(ctx, o.Links[0], ""); err != nil || state() != checkouttest.StatePending {
		t.Fatalf("pend: %v, %s", err, state())
	}
	if _, err := k.emu.Decline(ctx, o.Links[0], ""); err != nil || state() != checkouttest.StateOpen {
		t.Fatalf("decline of the pending payment: %v, %s (the payer may try again)", err, state())
	}
	p, err := k.emu.Pay(ctx, o.Links[0], "")
	if err != nil || state() != checkouttest.StatePaid {
		t.Fatalf("pay: %v, %s", err, state())
	}
	if _, err := k.emu.Refund(ctx, p.ID, 100); err != nil || state() != checkouttest.StatePaid {
		t.Fatalf("partial refund: %v, %s", err, state())
	}
	if _, err := k.emu.Refund(ctx, p.ID, 0); err != nil || state() != checkouttest.StateRefunded {
		t.Fatalf("refund of the rest: %v, %s", err, state())
	}
	if _, err := k.emu.Refund(ctx, p.ID, 0); !errors.Is(err, checkouttest.ErrState) {
		t.Fatalf("refund of a refunded payment: %v, want ErrState", err)
	}
}

func TestEmulator_PayingAPaidOrderIsErrState(t *testing.T) {
	k := newKit(t, checkouttest.Options{})
	ctx := context.Background()
	o, _ := k.paid(t, "R-1", 500)
	if _, err := k.emu.Pay(ctx, o.Links[0], ""); !errors.Is(err, checkouttest.ErrState) {
		t.Fatalf("paying a completed link: %v, want ErrState", err)
	}
}

func TestEmulator_DropCallbacksRecordsWithoutSending(t *testing.T) {
	k := newKit(t, checkouttest.Options{DropCallbacks: true})
	ctx := context.Background()
	o, _ := k.paid(t, "R-1", 500)
	if err := k.emu.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := k.emu.Order(o.ID); got.State != checkouttest.StatePaid {
		t.Fatalf("the order is %s at Paysera, want paid", got.State)
	}
	ds := k.emu.Deliveries()
	if len(ds) != 2 || ds[0].Outcome != emulator.Dropped || ds[1].Outcome != emulator.Dropped {
		t.Fatalf("deliveries %+v, want two dropped", ds)
	}
	if n := k.shop.hits(); n != 0 {
		t.Fatalf("the merchant heard %d webhooks", n)
	}
	d, err := k.emu.Resend(ctx, ds[1].ID)
	if err != nil || !d.OK() || k.shop.hits() != 1 {
		t.Fatalf("a resend still sends: %+v %v, %d hits", d, err, k.shop.hits())
	}
}

func TestEmulator_ResendByDeliveryIDSendsTheSameBytes(t *testing.T) {
	k := newKit(t, checkouttest.Options{})
	ctx := context.Background()
	o, _ := k.paid(t, "R-1", 500)
	ds := k.emu.Deliveries()
	if len(ds) != 2 || ds[0].Event != "payment/status_updated" || ds[1].Event != "order/amount_paid_updated" {
		t.Fatalf("deliveries %+v", ds)
	}
	d, err := k.emu.Resend(ctx, ds[0].ID) // not the last one: any recorded delivery
	if err != nil {
		t.Fatal(err)
	}
	if !d.Resent || !d.OK() || d.Attempt != 2 || d.OrderID != o.ID || d.Request != ds[0].Request {
		t.Fatalf("resend %+v", d)
	}
	k.shop.mu.Lock()
	last := k.shop.bodies[len(k.shop.bodies)-1]
	k.shop.mu.Unlock()
	if last != ds[0].Request {
		t.Fatal("the merchant got other bytes than the first delivery's")
	}
	if _, err := k.emu.Resend(ctx, "999"); !errors.Is(err, checkouttest.ErrNotFound) {
		t.Fatalf("unknown delivery: %v, want ErrNotFound", err)
	}
}

func TestEmulator_WaitReturnsOnceRetriesAreOver(t *testing.T) {
	k := newKit(t, checkouttest.Options{RetrySchedule: []time.Duration{time.Millisecond, time.Millisecond}},
		http.StatusServiceUnavailable, http.StatusServiceUnavailable, http.StatusServiceUnavailable)
	ctx := context.Background()
	o := k.order(t, "R-1", 500)
	if _, err := k.emu.Decline(ctx, o.Links[0], ""); err != nil {
		t.Fatal(err)
	}
	if err := k.emu.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	var outcomes []emulator.Outcome
	for _, d := range k.emu.Deliveries() {
		outcomes = append(outcomes, d.Outcome)
	}
	if fmt.Sprint(outcomes) != "[retrying retrying gave_up]" {
		t.Fatalf("outcomes %v", outcomes)
	}
}

func TestEmulator_WaitCoversTheRefundWebhookAfterTheAPIReply(t *testing.T) {
	k := newKit(t, checkouttest.Options{})
	ctx := context.Background()
	_, p := k.paid(t, "R-1", 500)
	if _, err := k.client.Refund(ctx, p.ID, checkout.RefundRequest{}); err != nil {
		t.Fatal(err)
	}
	if err := k.emu.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	ds := k.emu.Deliveries()
	if len(ds) != 3 || ds[2].Event != "refund/status_updated" || !ds[2].OK() {
		t.Fatalf("deliveries %+v", ds)
	}
}

func TestEmulator_WaitEndsWithItsContext(t *testing.T) {
	k := newKit(t, checkouttest.Options{RetrySchedule: []time.Duration{time.Hour}}, http.StatusInternalServerError)
	o := k.order(t, "R-1", 500)
	if _, err := k.emu.Decline(context.Background(), o.Links[0], ""); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := k.emu.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait with a retry an hour away: %v, want context.Canceled", err)
	}
}

func TestEmulator_VerbsAfterCloseAreErrClosed(t *testing.T) {
	k := newKit(t, checkouttest.Options{})
	ctx := context.Background()
	o, p := k.paid(t, "R-1", 500)
	k.emu.Close()
	verbs := map[string]func() error{
		"pay":     func() error { _, err := k.emu.Pay(ctx, o.Links[0], ""); return err },
		"pend":    func() error { _, err := k.emu.Pend(ctx, o.Links[0], ""); return err },
		"decline": func() error { _, err := k.emu.Decline(ctx, o.Links[0], ""); return err },
		"cancel":  func() error { _, err := k.emu.Cancel(ctx, o.Links[0]); return err },
		"refund":  func() error { _, err := k.emu.Refund(ctx, p.ID, 0); return err },
		"resend":  func() error { _, err := k.emu.Resend(ctx, k.emu.Deliveries()[0].ID); return err },
	}
	for name, verb := range verbs {
		if err := verb(); !errors.Is(err, checkouttest.ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", name, err)
		}
	}
	if got, _ := k.emu.Payment(p.ID); got.Refunded != 0 {
		t.Error("a refund after Close changed the payment")
	}
}

func TestLinkPageIsACredibleCheckout(t *testing.T) {
	k := newKit(t, checkouttest.Options{Prefix: "/emu/"})
	o := k.order(t, "ORDER-77", 123456)
	page := get(t, k.emu.URL+"/pay/"+o.Links[0])
	for _, want := range []string{"TEST MODE", `id="merchant">Project 01990618-2c90-7103-9169-752bdaac7a52<`,
		`id="reference">ORDER-77<`, `id="amount">1,234.56 EUR<`, ">Pay</button>", ">Leave pending</button>",
		">Decline</button>", ">Cancel</button>", `id="back" href="https://shop.example/cancel"`,
		`rel="icon"`, `name="viewport"`} {
		if !strings.Contains(page, want) {
			t.Errorf("missing %q", want)
		}
	}
	if _, err := k.emu.Pay(context.Background(), o.Links[0], ""); err != nil {
		t.Fatal(err)
	}
	page = get(t, k.emu.URL+"/pay/"+o.Links[0])
	for _, want := range []string{"link completed, order paid", ">Refund</button>", ">Send the webhook again</button>",
		`id="back" href="https://shop.example/ok"`, "order/amount_paid_updated"} {
		if !strings.Contains(page, want) {
			t.Errorf("after paying: missing %q", want)
		}
	}
	if strings.Contains(page, ">Pay</button>") {
		t.Error("a completed link still offers Pay")
	}
}

func TestLinkPageOfAnUnknownLinkIs404(t *testing.T) {
	k := newKit(t, checkouttest.Options{})
	resp, err := http.Get(k.emu.URL + "/pay/019ed06c-0000-7000-8999-000000000002")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("status %d", resp.StatusCode)
	}
}
