package playvision_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/playvision"
	"github.com/paykit-go/paykit/playvision/playvisiontest"
)

func TestPurchaseEndToEnd(t *testing.T) {
	var events atomic.Int32
	var delivered atomic.Pointer[playvision.OrderStatusChange]
	hooks := paykit.Hooks{
		Item: itemHook,
		Event: func(_ context.Context, n paykit.Notification) error {
			events.Add(1)
			delivered.Store(n.(*playvision.OrderStatusChange))
			return nil
		},
	}
	var handler lateHandler
	merchant := httptest.NewServer(&handler)
	defer merchant.Close()

	emu, err := playvisiontest.NewServer(playvisiontest.Options{
		AppID: testAppID, Secret: testSecret, CallbackURL: merchant.URL + "/playvision",
		Extra: url.Values{"bonus": {"0"}},
	})
	require.NoError(t, err)
	defer emu.Close()

	client := newClient(t, func(cfg *playvision.Config) { cfg.BaseURL = emu.URL })
	handler.set(client.Handler(hooks))

	// The app is launched in the iframe; the launch params carry the token.
	launch, err := client.VerifyLaunch(emu.LaunchQuery(131))
	require.NoError(t, err)

	// The game opens the purchase dialog; a browser loads it.
	payURL, err := client.BuildPaymentURL(playvision.PaymentWindow{UserID: launch.ViewerID, Item: "gold_pack_100", Token: launch.Token})
	require.NoError(t, err)
	page := get(t, payURL)
	assert.Contains(t, page, "100 gold")
	assert.Contains(t, page, "5 PlayGold")

	orders := emu.Orders()
	require.Len(t, orders, 1)
	id := orders[0].TransactionID
	assert.Equal(t, "gold_100", orders[0].ItemID)

	// The buyer presses Pay on the page.
	resp, err := http.PostForm(emu.URL+"/orders/"+strconv.FormatInt(id, 10)+"/pay", nil)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(body), `id="status">paid<`)

	o, ok := emu.Order(id)
	require.True(t, ok)
	assert.Equal(t, playvisiontest.StatePaid, o.State)
	assert.JSONEq(t, `{"status":"1","message":"success"}`, o.LastReply)

	// The platform delivers the same notification again.
	ds := emu.Deliveries()
	d, err := emu.Resend(context.Background(), ds[len(ds)-1].ID)
	require.NoError(t, err)
	assert.True(t, d.OK())
	assert.Equal(t, o.LastReply, d.Reply)
	assert.EqualValues(t, 1, events.Load(), "one Event for two deliveries")

	n := delivered.Load()
	assert.Equal(t, id, n.TransactionID)
	assert.Equal(t, int64(131), n.UserID)
	assert.Equal(t, int64(5), n.Sum)
	assert.Equal(t, "gold_100", n.ItemID)
	assert.Equal(t, url.Values{"bonus": {"0"}}, n.Extra())

	// The server API reaches the emulator too.
	require.NoError(t, client.SetUserLevel(context.Background(), playvision.SetUserLevel{UserID: 131, Level: 16}))
	level, _ := emu.UserLevel(131)
	assert.Equal(t, int64(16), level)
	require.NoError(t, client.SetUserInfo(context.Background(), playvision.SetUserInfo{UserID: 131, Attribute: "name", Value: "Вася+1"}))
	name, _ := emu.UserInfo(131, "name")
	assert.Equal(t, "Вася+1", name)
}

func TestPurchaseResentUntilStatusOne(t *testing.T) {
	var calls atomic.Int32
	var handler lateHandler
	merchant := httptest.NewServer(&handler)
	defer merchant.Close()
	emu, err := playvisiontest.NewServer(playvisiontest.Options{
		AppID: testAppID, Secret: testSecret, CallbackURL: merchant.URL, Test: true,
		RetrySchedule: []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond},
	})
	require.NoError(t, err)
	defer emu.Close()
	client := newClient(t, func(cfg *playvision.Config) { cfg.BaseURL = emu.URL })
	handler.set(client.Handler(paykit.Hooks{
		Item: itemHook,
		Event: func(_ context.Context, n paykit.Notification) error {
			assert.True(t, n.Summary().Test)
			if calls.Add(1) <= 2 {
				return paykit.Temporary(errors.New("database restarting"))
			}
			return nil
		},
	}))

	ctx := context.Background()
	o, err := emu.Open(ctx, 131, "gold_pack_100", emu.Token(131))
	require.NoError(t, err)
	o, err = emu.Pay(ctx, o.TransactionID)
	require.NoError(t, err)
	assert.Equal(t, playvisiontest.StatePending, o.State)

	require.NoError(t, emu.Wait(t.Context()))
	o, _ = emu.Order(o.TransactionID)
	assert.Equal(t, playvisiontest.StatePaid, o.State)
	assert.Equal(t, 3, o.Attempts)
	assert.EqualValues(t, 3, calls.Load())
}

func get(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(b))
	return string(b)
}

// lateHandler lets a test server start before its handler exists (the
// merchant's client needs the emulator's URL, the emulator the merchant's).
type lateHandler struct{ h atomic.Pointer[http.Handler] }

func (l *lateHandler) set(h http.Handler) { l.h.Store(&h) }

func (l *lateHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	(*l.h.Load()).ServeHTTP(w, r)
}
