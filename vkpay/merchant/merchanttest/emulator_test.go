package merchanttest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/vkpay/merchant"
	"github.com/paykit-go/paykit/vkpay/merchant/merchanttest"
)

const (
	merchantID  = 617001
	appSecret   = "ug3CQvCkfRyI6svLVpC"
	merchantKey = "627fdbfa24232a5b62f9c295baa93f7db9752873"
)

// shop is a merchant on merchant.Client's Handler.
type shop struct {
	client *merchant.Client
	srv    *httptest.Server
	mu     sync.Mutex
	events []paykit.Summary
	fail   atomic.Int32 // Event fails temporarily this many more times
}

func (s *shop) log() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, e := range s.events {
		out = append(out, string(e.Kind)+"/"+string(e.Status)+"/"+e.OrderID)
	}
	return out
}

func setup(t *testing.T, mod ...func(*merchanttest.Options)) (*shop, *merchanttest.Server) {
	t.Helper()
	pem, err := os.ReadFile("../testdata/test_key.pem")
	require.NoError(t, err)
	signer, err := merchanttest.NewSignerWithKey(pem)
	require.NoError(t, err)
	c, err := merchant.New(merchant.Config{MerchantID: merchantID, AppID: 7000, AppSecret: appSecret,
		MerchantKey: merchantKey, PublicKeyPEM: signer.PublicKeyPEM()})
	require.NoError(t, err)
	s := &shop{client: c}
	s.srv = httptest.NewServer(c.Handler(paykit.Hooks{Event: func(_ context.Context, n paykit.Notification) error {
		if s.fail.Add(-1) >= 0 {
			return paykit.Temporary(errors.New("database busy"))
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		s.events = append(s.events, n.Summary())
		return nil
	}}))
	t.Cleanup(s.srv.Close)
	opts := merchanttest.Options{MerchantID: merchantID, AppSecret: appSecret, MerchantKey: merchantKey,
		Signer: signer, NotifyURL: s.srv.URL, RetrySchedule: []time.Duration{time.Millisecond, time.Millisecond}}
	for _, m := range mod {
		m(&opts)
	}
	emu, err := merchanttest.NewServer(opts)
	require.NoError(t, err)
	t.Cleanup(emu.Close)
	return s, emu
}

func form(t *testing.T, s *shop, order string) *merchant.PayForm {
	t.Helper()
	f, err := s.client.PayForm(merchant.PayRequest{OrderID: order, Amount: 1500, Description: "100 gems", UserID: 42})
	require.NoError(t, err)
	return f
}

func TestPayThenRefundReachTheHandlerOnce(t *testing.T) {
	s, emu := setup(t)
	ctx := context.Background()
	o, err := emu.Open(ctx, form(t, s, "A-1"))
	require.NoError(t, err)
	assert.Equal(t, merchanttest.StateOpen, o.State)
	o, err = emu.Pay(ctx, o.ID)
	require.NoError(t, err)
	assert.Equal(t, merchanttest.StatePaid, o.State)
	_, err = emu.Pay(ctx, o.ID)
	assert.ErrorIs(t, err, merchanttest.ErrState)

	first := emu.Deliveries()[0]
	d, err := emu.Resend(ctx, first.ID)
	require.NoError(t, err)
	assert.True(t, d.OK(), "the duplicate is answered from the store: %+v", d)
	assert.Equal(t, first.Request, d.Request)

	o, err = emu.Refund(ctx, o.ID)
	require.NoError(t, err)
	assert.Equal(t, merchanttest.StateRefunded, o.State)
	require.NoError(t, emu.Wait(ctx))
	assert.Equal(t, []string{"payment/paid/A-1", "refund/refunded/A-1"}, s.log())
	for _, d := range emu.Deliveries() {
		assert.True(t, d.OK(), "%+v", d)
	}
}

func TestDeclineAndCancel(t *testing.T) {
	s, emu := setup(t)
	ctx := context.Background()
	o, err := emu.Open(ctx, form(t, s, "D-1"))
	require.NoError(t, err)
	o, err = emu.Decline(ctx, o.ID)
	require.NoError(t, err)
	assert.Equal(t, merchanttest.StateDeclined, o.State)
	o2, err := emu.Open(ctx, form(t, s, "D-2"))
	require.NoError(t, err)
	o2, err = emu.Cancel(ctx, o2.ID)
	require.NoError(t, err)
	assert.Equal(t, merchanttest.StateCanceled, o2.State)
	require.NoError(t, emu.Wait(ctx))
	assert.Equal(t, []string{"payment/failed/D-1"}, s.log(), "a cancel sends nothing")
}

func TestSystemErrorIsResentUntilAcknowledged(t *testing.T) {
	s, emu := setup(t)
	s.fail.Store(1)
	ctx := context.Background()
	o, err := emu.Open(ctx, form(t, s, "R-1"))
	require.NoError(t, err)
	_, err = emu.Pay(ctx, o.ID)
	require.NoError(t, err)
	require.NoError(t, emu.Wait(ctx))
	ds := emu.Deliveries()
	require.Len(t, ds, 2)
	assert.Equal(t, "retrying", string(ds[0].Outcome), "ERR_SYSTEM is resent")
	assert.True(t, ds[1].OK())
	assert.Equal(t, []string{"payment/paid/R-1"}, s.log())
}

func TestFormsAreChecked(t *testing.T) {
	s, emu := setup(t)
	ctx := context.Background()
	for name, mod := range map[string]func(*merchant.PayForm){
		"sign, first byte":          func(f *merchant.PayForm) { f.Params.Sign = flip(f.Params.Sign, 0) },
		"sign, last byte":           func(f *merchant.PayForm) { f.Params.Sign = flip(f.Params.Sign, len(f.Params.Sign)-1) },
		"sign, truncated":           func(f *merchant.PayForm) { f.Params.Sign = f.Params.Sign[:len(f.Params.Sign)-1] },
		"sign, extended":            func(f *merchant.PayForm) { f.Params.Sign += "0" },
		"merchant_sign, first byte": func(f *merchant.PayForm) { f.Params.Data.MerchantSign = flip(f.Params.Data.MerchantSign, 0) },
		"amount changed":            func(f *merchant.PayForm) { f.Params.Amount++ },
		"another merchant":          func(f *merchant.PayForm) { f.Params.MerchantID++ },
		"another action":            func(f *merchant.PayForm) { f.Action = "pay-to-user" },
	} {
		f := form(t, s, "F-1")
		mod(f)
		_, err := emu.Open(ctx, f)
		assert.ErrorIs(t, err, merchanttest.ErrForm, name)
	}
	assert.Empty(t, emu.Orders())
}

func flip(s string, i int) string {
	b := []byte(s)
	if b[i] == '0' {
		b[i] = '1'
	} else {
		b[i] = '0'
	}
	return string(b)
}

// TestPayFormPageIsACredibleCheckout: the form the mini app opens shows the
// TEST MODE banner, the merchant, the order, the description, the amount in
// roubles and the outcomes; its buttons drive the same flow.
func TestPayFormPageIsACredibleCheckout(t *testing.T) {
	s, emu := setup(t)
	js, err := form(t, s, "P-1").Params.MarshalJSON()
	require.NoError(t, err)
	arg := `{"app_id":7000,"action":"pay-to-service","params":` + string(js) + `}`
	resp, err := http.Get(emu.URL + "/pay?form=" + url.QueryEscape(arg))
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(b))
	page := string(b)
	for _, want := range []string{"TEST MODE", `id="merchant">Merchant 617001<`, `id="reference">Order P-1<`,
		`id="item">100 gems<`, `id="amount">15.00 RUB<`, "Pay 15.00 RUB", "Decline", "Cancel", `id="back"`, `rel="icon"`} {
		assert.Contains(t, page, want)
	}
	resp, err = http.PostForm(resp.Request.URL.String()+"/pay", nil)
	require.NoError(t, err)
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(b), `id="status">paid<`)
	assert.Contains(t, string(b), "Send the callback again")

	resp, err = http.Get(emu.URL + "/pay?form=" + url.QueryEscape(strings.Replace(arg, `"sign":"`, `"sign":"0`, 1)))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "a tampered form does not open")
}

func TestSignerNewRequestVerifiesAndSendReachesAServer(t *testing.T) {
	s, emu := setup(t)
	n := merchanttest.Notification{MerchantID: merchantID, IssuerID: "S-1", Amount: 100}
	got, err := s.client.ParseCallback(emu.Signer().NewRequest("/notify", n))
	require.NoError(t, err)
	assert.Equal(t, "S-1", got.Summary().OrderID)
	assert.Equal(t, int64(100), got.Summary().Amount.Amount)

	resp, err := emu.Signer().Send(context.Background(), s.srv.URL, n)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, []string{"payment/paid/S-1"}, s.log())

	other := merchanttest.Notification{MerchantID: merchantID + 1, IssuerID: "S-2"}
	_, err = s.client.ParseCallback(emu.Signer().NewRequest("/notify", other))
	assert.ErrorIs(t, err, paykit.ErrWrongAccount)
}

func TestDropCallbacksAndMaxOrders(t *testing.T) {
	s, emu := setup(t, func(o *merchanttest.Options) { o.DropCallbacks, o.MaxOrders = true, 1 })
	ctx := context.Background()
	a, err := emu.Open(ctx, form(t, s, "M-1"))
	require.NoError(t, err)
	b, err := emu.Open(ctx, form(t, s, "M-2"))
	require.NoError(t, err)
	_, err = emu.Pay(ctx, a.ID)
	assert.ErrorIs(t, err, merchanttest.ErrNotFound, "the oldest order is forgotten")
	_, err = emu.Pay(ctx, b.ID)
	require.NoError(t, err)
	assert.Equal(t, "dropped", string(emu.Deliveries()[0].Outcome))
	assert.Empty(t, s.log())
}
