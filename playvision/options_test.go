package playvision_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/playvision"
	"github.com/paykit-go/paykit/playvision/playvisiontest"
)

func okEvent(context.Context, paykit.Notification) error { return nil }

func TestHandlerWithZeroOptionsAnswersLikeHandler(t *testing.T) {
	c := newClient(t)
	hooks := func() paykit.Hooks { return paykit.Hooks{Item: itemHook, Event: okEvent} }
	plain, with := c.Handler(hooks()), c.HandlerWith(hooks(), playvision.HandlerOptions{})
	for name, p := range map[string]url.Values{
		"get_item":                playvisiontest.GetItem{UserID: 1, Item: "gold_pack_100"}.Params(),
		"unknown item":            playvisiontest.GetItem{UserID: 1, Item: "nope"}.Params(),
		"order":                   playvisiontest.OrderStatusChange{UserID: 1, TransactionID: 5, Sum: 1}.Params(),
		"get_item of another app": playvisiontest.GetItem{AppID: 1, UserID: 1, Item: "x"}.Params(),
	} {
		a, b := serve(plain, signer.NewRequest("/", p)), serve(with, signer.NewRequest("/", p))
		assert.Equal(t, a.Code, b.Code, name)
		assert.Equal(t, a.Body.String(), b.Body.String(), name)
		assert.Equal(t, a.Header(), b.Header(), name)
	}
}

func TestHandlerWithMaxBodyBytesRefusesLargerBodies(t *testing.T) {
	var events atomic.Int32
	h := newClient(t).HandlerWith(paykit.Hooks{Event: func(context.Context, paykit.Notification) error {
		events.Add(1)
		return nil
	}}, playvision.HandlerOptions{HandlerOptions: paykit.HandlerOptions{MaxBodyBytes: 200}})
	small := playvisiontest.OrderStatusChange{UserID: 1, TransactionID: 5, Sum: 1}.Params()
	large := playvisiontest.OrderStatusChange{UserID: 1, TransactionID: 6, Sum: 1, ItemID: strings.Repeat("x", 200)}.Params()

	w := serve(h, signer.NewRequest("/", small))
	assert.Equal(t, string(playvision.SuccessReply()), w.Body.String())
	w = serve(h, signer.NewRequest("/", large))
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, playvision.FailureReply(playvision.MessageTooLarge), w.Body.Bytes())
	assert.EqualValues(t, 1, events.Load(), "the large order never reached Event")

	// The default cap (64 KiB) accepts the same large body.
	w = serve(newClient(t).Handler(paykit.Hooks{Event: okEvent}), signer.NewRequest("/", large))
	assert.Equal(t, string(playvision.SuccessReply()), w.Body.String())
}

func TestHandlerWithHookTimeoutBoundsTheHookDeadline(t *testing.T) {
	var left time.Duration
	h := newClient(t).HandlerWith(paykit.Hooks{Event: func(ctx context.Context, _ paykit.Notification) error {
		d, ok := ctx.Deadline()
		require.True(t, ok)
		left = time.Until(d)
		return nil
	}}, playvision.HandlerOptions{HandlerOptions: paykit.HandlerOptions{HookTimeout: time.Second}})
	serve(h, signer.NewRequest("/", playvisiontest.OrderStatusChange{UserID: 1, TransactionID: 5, Sum: 1}.Params()))
	assert.Positive(t, left)
	assert.LessOrEqual(t, left, time.Second)
}

func TestHandlerWithErrorLogIsToldWhyWithoutSecrets(t *testing.T) {
	var logged []error
	h := newClient(t).HandlerWith(paykit.Hooks{Event: func(context.Context, paykit.Notification) error {
		return errors.New("db down")
	}}, playvision.HandlerOptions{HandlerOptions: paykit.HandlerOptions{
		ErrorLog: func(_ *http.Request, err error) { logged = append(logged, err) },
	}})
	order := playvisiontest.OrderStatusChange{UserID: 1, TransactionID: 5, Sum: 1}.Params()
	expected := signer.Sign(order)
	forged := playvisiontest.Signer{Secret: testSecret + "x"}.Body(order) // near miss of the secret

	serve(h, postForm(forged))
	serve(h, signer.NewRequest("/", order))
	serve(h, signer.NewRequest("/", playvisiontest.GetItem{UserID: 1, Item: "x"}.Params())) // nil Item hook
	require.Len(t, logged, 3)
	assert.ErrorIs(t, logged[0], paykit.ErrInvalidSignature)
	assert.EqualError(t, logged[1], "db down")
	assert.ErrorIs(t, logged[2], paykit.ErrUnknownItem)
	for _, err := range logged {
		assert.NotContains(t, err.Error(), testSecret)
		assert.NotContains(t, err.Error(), expected)
	}
}

func TestHandlerWithFailureMessageChoosesTheLoggedText(t *testing.T) {
	type call struct {
		n   paykit.Notification
		msg string
	}
	var calls []call
	h := newClient(t).HandlerWith(paykit.Hooks{Item: itemHook, Event: okEvent}, playvision.HandlerOptions{
		FailureMessage: func(n paykit.Notification, msg string) string {
			calls = append(calls, call{n, msg})
			if msg == playvision.MessageUnknownItem {
				return "Этого товара нет"
			}
			return "" // keep the default
		},
	})
	w := serve(h, signer.NewRequest("/", playvisiontest.GetItem{UserID: 1, Item: "nope"}.Params()))
	assert.Equal(t, http.StatusOK, w.Code)
	assert.JSONEq(t, `{"status":"-1","message":"Этого товара нет"}`, w.Body.String())

	w = serve(h, postForm("notification_type=get_item&sig=00"))
	assert.Equal(t, playvision.FailureReply(playvision.MessageInvalidSignature), w.Body.Bytes())

	w = serve(h, signer.NewRequest("/", playvisiontest.OrderStatusChange{UserID: 1, TransactionID: 5, Sum: 1}.Params()))
	assert.Equal(t, playvision.SuccessReply(), w.Body.Bytes(), "successes are not touched")

	require.Len(t, calls, 2)
	assert.IsType(t, &playvision.GetItem{}, calls[0].n, "a verified delivery's notification is passed")
	assert.Nil(t, calls[1].n, "an unverified delivery has none")
	assert.Equal(t, playvision.MessageInvalidSignature, calls[1].msg)
}

func TestHandlerAnswersGetItemAfreshWithoutTheStore(t *testing.T) {
	store := paykit.NewMemoryStore(paykit.MemoryStoreOptions{})
	var asked atomic.Int32
	h := newClient(t).Handler(paykit.Hooks{Store: store, Item: func(ctx context.Context, req paykit.ItemRequest) (paykit.Item, error) {
		asked.Add(1)
		return itemHook(ctx, req)
	}})
	p := playvisiontest.GetItem{UserID: 1, Item: "gold_pack_100"}.Params()
	for range 3 {
		w := serve(h, signer.NewRequest("/", p))
		assert.Contains(t, w.Body.String(), `"item_price":"5"`)
	}
	assert.EqualValues(t, 3, asked.Load(), "a price change shows at the next request")
	assert.Zero(t, store.Len())
}

func TestParseBodyVerifiesRawBytesAndIgnoresHeader(t *testing.T) {
	c := newClient(t)
	body := []byte(signer.Body(playvisiontest.OrderStatusChange{UserID: 1, TransactionID: 5, Sum: 7}.Params()))
	n, err := c.ParseBody(body, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(7), n.(*playvision.OrderStatusChange).Sum)
	m, err := c.ParseBody(body, http.Header{"Sig": {"ignored"}, "Content-Type": {"text/plain"}})
	require.NoError(t, err)
	assert.Equal(t, n, m)

	tests := []struct {
		name string
		body []byte
		want error
	}{
		{"over 64 KiB", append(append([]byte{}, body...), "&pad="+strings.Repeat("a", 64<<10)...), paykit.ErrBodyTooLarge},
		{"one byte changed", []byte(strings.Replace(string(body), "sum=7", "sum=8", 1)), paykit.ErrInvalidSignature},
		{"empty", nil, paykit.ErrMissingSignature},
		{"repeated key", append(append([]byte{}, body...), "&sum=7"...), paykit.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.ParseBody(tt.body, nil)
			assert.ErrorIs(t, err, tt.want)
		})
	}
}

func TestAccountIsTheAppIDInKeys(t *testing.T) {
	c := newClient(t)
	assert.Equal(t, "7001", c.Account())
	n := parsed(t, c, playvisiontest.OrderStatusChange{UserID: 1, TransactionID: 5, Sum: 1}.Params())
	assert.Contains(t, c.IdempotencyKey(n), "|4:7001|")
}

func TestIdempotencyKeyIsEmptyForWhatCannotBeKeyed(t *testing.T) {
	c := newClient(t)
	for name, n := range map[string]paykit.Notification{
		"nil order":          (*playvision.OrderStatusChange)(nil),
		"nil get_item":       (*playvision.GetItem)(nil),
		"order without id":   &playvision.OrderStatusChange{NotificationType: playvision.TypeOrderStatusChange},
		"another provider's": foreign{},
		"nil interface":      nil,
	} {
		assert.Empty(t, c.IdempotencyKey(n), name)
	}
}

type foreign struct{}

func (foreign) Summary() paykit.Summary {
	return paykit.Summary{Provider: paykit.VKPay, Kind: paykit.KindPayment, ID: "5"}
}

func TestParseBodyAcceptsExactly64KiB(t *testing.T) {
	c := newClient(t)
	p := playvisiontest.OrderStatusChange{UserID: 1, TransactionID: 5, Sum: 7}.Params()
	p.Set("pad", "")
	base := len(signer.Body(p))
	p.Set("pad", strings.Repeat("a", 64<<10-base))
	body := []byte(signer.Body(p))
	require.Len(t, body, 64<<10)
	_, err := c.ParseBody(body, nil)
	assert.NoError(t, err, "a body of exactly the cap is accepted")

	p.Set("pad", strings.Repeat("a", 64<<10-base+1))
	_, err = c.ParseBody([]byte(signer.Body(p)), nil)
	assert.ErrorIs(t, err, paykit.ErrBodyTooLarge, "one byte over is refused")
}

func TestParseCallbackNamesTheRefusedMethod(t *testing.T) {
	c := newClient(t)
	for method, want := range map[string]string{http.MethodPut: "method PUT", "": "method GET", http.MethodGet: "method GET"} {
		r := signer.NewRequest("/", playvisiontest.OrderStatusChange{UserID: 1, TransactionID: 5, Sum: 1}.Params())
		r.Method = method
		_, err := c.ParseCallback(r)
		assert.ErrorIs(t, err, paykit.ErrMalformed, method)
		assert.ErrorContains(t, err, want)
	}
}

func TestIdempotencyKeyOfHandBuiltItemRequestsFollowsTheirParams(t *testing.T) {
	c := newClient(t)
	a := &playvision.GetItem{NotificationType: playvision.TypeGetItem, UserID: 1, Item: "a",
		Params: url.Values{"notification_type": {"get_item"}, "user_id": {"1"}, "item": {"a"}}}
	b := &playvision.GetItem{NotificationType: playvision.TypeGetItem, UserID: 1, Item: "b",
		Params: url.Values{"notification_type": {"get_item"}, "user_id": {"1"}, "item": {"b"}}}
	ka, kb := c.IdempotencyKey(a), c.IdempotencyKey(b)
	assert.NotEmpty(t, ka)
	assert.NotEqual(t, ka, kb, "two different requests without a sig never share a key")
	assert.Equal(t, ka, c.IdempotencyKey(&playvision.GetItem{NotificationType: playvision.TypeGetItem, Params: a.Params}))
}
