package vkpaytest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/vkpay"
	"github.com/paykit-go/paykit/vkpay/vkpaytest"
)

const apiToken = "emulator-service-token"

// apiSetup starts a merchant and an emulator serving the payments API, and
// returns a vkpay client calling that API.
func apiSetup(t *testing.T, s *shop, opts vkpaytest.Options) (*vkpaytest.Server, *vkpay.Client) {
	t.Helper()
	merchant := newMerchant(t, s)
	opts.AppID, opts.Secret, opts.NotifyURL, opts.AccessToken = appID, secret, merchant.URL, apiToken
	if opts.RetrySchedule == nil {
		opts.RetrySchedule = fast
	}
	e, err := vkpaytest.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	c, err := vkpay.New(vkpay.Config{AppID: appID, Secret: secret, AccessToken: apiToken, APIBaseURL: e.URL, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return e, c
}

func TestEmulatedAPIReportsAndRefundsOrders(t *testing.T) {
	s := &shop{}
	e, c := apiSetup(t, s, vkpaytest.Options{})
	ctx := context.Background()
	o, err := buy(e, "gold", 5)
	if err != nil || o.State != vkpaytest.StatePaid {
		t.Fatalf("%+v %v", o, err)
	}
	orders, err := c.GetOrdersByID(ctx, vkpay.OrdersByIDRequest{OrderIDs: []int64{o.ID, 999999}})
	if err != nil {
		t.Fatal(err)
	}
	want := vkpay.Order{ID: o.ID, Status: vkpay.OrderStateCharged, UserID: 5, ReceiverID: 5, Item: "gold", Amount: 7,
		Date: o.Created.Truncate(time.Second).UTC(), AppID: appID}
	if len(orders) != 1 || orders[0].TransactionID == "" {
		t.Fatalf("%+v", orders)
	}
	got := orders[0]
	got.TransactionID = ""
	if got != want {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}

	// Reconciliation: the order is the notification the shop was sent.
	n, err := orders[0].StatusChange()
	if err != nil {
		t.Fatal(err)
	}
	if sum := n.Summary(); s.log()[0] != string(sum.Kind)+"/"+string(sum.Status)+"/"+sum.ID {
		t.Fatalf("order %+v, shop saw %v", sum, s.log())
	}

	state, err := c.ChangeOrderState(ctx, vkpay.ChangeOrderStateRequest{OrderID: o.ID, Action: vkpay.OrderRefund})
	if err != nil || state != vkpay.OrderStateRefunded {
		t.Fatalf("%q %v", state, err)
	}
	if got, _ := e.Order(o.ID); got.State != vkpaytest.StateRefunded {
		t.Fatalf("emulator order %+v", got)
	}
	_, err = c.ChangeOrderState(ctx, vkpay.ChangeOrderStateRequest{OrderID: o.ID, Action: vkpay.OrderRefund})
	if vkpay.APIErrorCode(err) != vkpay.APIErrActionFailed {
		t.Fatalf("second refund: err = %v, want error 106", err)
	}
	list, err := c.GetOrders(ctx, vkpay.OrdersRequest{})
	if err != nil || len(list) != 1 || list[0].Status != vkpay.OrderStateRefunded || list[0].CancelTransactionID == "" {
		t.Fatalf("%+v %v", list, err)
	}
}

func TestEmulatedAPIChargesAnOrderWhoseNotificationFailed(t *testing.T) {
	s := &shop{}
	s.fail.Store(100) // the shop never accepts
	e, c := apiSetup(t, s, vkpaytest.Options{RetrySchedule: []time.Duration{}})
	ctx := context.Background()
	o, err := buy(e, "gold", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if o, _ = e.Order(o.ID); o.State != vkpaytest.StateFailed {
		t.Fatalf("%+v", o)
	}
	orders, err := c.GetOrdersByID(ctx, vkpay.OrdersByIDRequest{OrderIDs: []int64{o.ID}})
	if err != nil || len(orders) != 1 || orders[0].Status != vkpay.OrderStateChargeable {
		t.Fatalf("%+v %v", orders, err)
	}
	state, err := c.ChangeOrderState(ctx, vkpay.ChangeOrderStateRequest{OrderID: o.ID, Action: vkpay.OrderCharge, AppOrderID: 42})
	if err != nil || state != vkpay.OrderStateCharged {
		t.Fatalf("%q %v", state, err)
	}
	if o, _ = e.Order(o.ID); o.State != vkpaytest.StatePaid || o.AppOrderID != 42 {
		t.Fatalf("%+v", o)
	}
	_, err = c.ChangeOrderState(ctx, vkpay.ChangeOrderStateRequest{OrderID: o.ID, Action: vkpay.OrderCancel})
	if vkpay.APIErrorCode(err) != vkpay.APIErrActionFailed {
		t.Fatalf("cancel of a charged order: err = %v, want 106", err)
	}
}

func TestEmulatedAPIKeepsTestAndProductionOrdersApart(t *testing.T) {
	e, c := apiSetup(t, &shop{}, vkpaytest.Options{Test: true})
	ctx := context.Background()
	o, err := buy(e, "gold", 0)
	if err != nil {
		t.Fatal(err)
	}
	prod, err := c.GetOrdersByID(ctx, vkpay.OrdersByIDRequest{OrderIDs: []int64{o.ID}})
	if err != nil || len(prod) != 0 {
		t.Fatalf("production sees the test order: %+v %v", prod, err)
	}
	test, err := c.GetOrdersByID(ctx, vkpay.OrdersByIDRequest{OrderIDs: []int64{o.ID}, TestMode: true})
	if err != nil || len(test) != 1 || !test[0].Test {
		t.Fatalf("%+v %v", test, err)
	}
	if n, _ := test[0].StatusChange(); n.NotificationType != "order_status_change_test" {
		t.Fatalf("%+v", n)
	}
}

func TestEmulatedAPIServesUserSubscriptions(t *testing.T) {
	s := &shop{}
	e, c := apiSetup(t, s, vkpaytest.Options{})
	ctx := context.Background()
	sub, err := subscribe(e, "vip", 5)
	if err != nil {
		t.Fatal(err)
	}
	req := vkpay.UserSubscriptionRequest{UserID: 5, SubscriptionID: sub.ID}
	got, err := c.GetUserSubscriptionByID(ctx, req)
	if err != nil || got.ID != sub.ID || got.Status != vkpay.SubscriptionActive || got.ItemID != "vip-month" ||
		got.Price != 30 || got.Period != 30 || got.NextBillTime.IsZero() || got.AppID != appID {
		t.Fatalf("%+v %v", got, err)
	}
	if _, err := c.GetUserSubscriptionByID(ctx, vkpay.UserSubscriptionRequest{UserID: 6, SubscriptionID: sub.ID}); vkpay.APIErrorCode(err) != vkpay.APIErrSubscriptionNotFound {
		t.Fatalf("another user's subscription: err = %v, want 1256", err)
	}
	if err := c.UpdateSubscription(ctx, vkpay.UpdateSubscriptionRequest{UserID: 5, SubscriptionID: sub.ID, Price: 40}); err != nil {
		t.Fatal(err)
	}
	list, err := c.GetUserSubscriptions(ctx, vkpay.UserSubscriptionsRequest{UserID: 5})
	if err != nil || len(list) != 1 || list[0].Price != 40 {
		t.Fatalf("%+v %v", list, err)
	}
	if err := c.CancelSubscription(ctx, vkpay.CancelSubscriptionRequest{UserID: 5, SubscriptionID: sub.ID, PendingCancel: true}); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.Subscription(sub.ID); got.State != vkpaytest.SubscriptionCancelled || got.CancelReason != vkpay.CancelAppDecision {
		t.Fatalf("%+v", got)
	}
	if log := s.log(); len(log) != 2 || !strings.HasPrefix(log[1], "subscription/canceled/") {
		t.Fatalf("the shop saw %v, want the cancellation notified", log)
	}
	err = c.CancelSubscription(ctx, vkpay.CancelSubscriptionRequest{UserID: 5, SubscriptionID: sub.ID})
	if vkpay.APIErrorCode(err) != vkpay.APIErrSubscriptionInvalidStatus {
		t.Fatalf("second cancel: err = %v, want 1257", err)
	}
	if list, err := c.GetUserSubscriptions(ctx, vkpay.UserSubscriptionsRequest{UserID: 5}); err != nil || len(list) != 0 {
		t.Fatalf("active after cancel: %+v %v", list, err)
	}
}

// rawCall posts form to the emulator's API as a client that may get it
// wrong would, and returns VK's error code (0 for a response).
func rawCall(t *testing.T, e *vkpaytest.Server, method, bearer string, form url.Values) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/method/"+method, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var env struct {
		Error struct {
			Code int `json:"error_code"`
		} `json:"error"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &env) != nil {
		t.Fatalf("HTTP %d %s", resp.StatusCode, body)
	}
	return env.Error.Code, string(body)
}

func TestEmulatedAPIIsStrictAboutTokenVersionAndParameters(t *testing.T) {
	e, _ := apiSetup(t, &shop{}, vkpaytest.Options{})
	ok := url.Values{"v": {vkpay.APIVersion}, "order_ids": {"1"}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for key, vs := range ok {
			f[key] = vs
		}
		if v == "" {
			f.Del(k)
		} else {
			f.Set(k, v)
		}
		return f
	}
	tests := []struct {
		name, method, bearer string
		form                 url.Values
		code                 int
	}{
		{"valid", "orders.getById", apiToken, ok, 0},
		{"token as a parameter", "orders.getById", "", with("access_token", apiToken), 0},
		{"no token", "orders.getById", "", ok, vkpay.APIErrAuth},
		{"wrong token", "orders.getById", apiToken + "x", ok, vkpay.APIErrAuth},
		{"no version", "orders.getById", apiToken, with("v", ""), vkpay.APIErrInvalidRequest},
		{"other version", "orders.getById", apiToken, with("v", "5.131"), vkpay.APIErrInvalidRequest},
		{"unknown method", "orders.getAll", apiToken, ok, 3},
		{"unknown parameter", "orders.getById", apiToken, with("order_idz", "1"), vkpay.APIErrParam},
		{"bad id", "orders.getById", apiToken, with("order_ids", "1,x"), vkpay.APIErrParam},
		{"missing required", "orders.changeState", apiToken, url.Values{"v": {vkpay.APIVersion}, "order_id": {"1"}}, vkpay.APIErrParam},
		{"bad action", "orders.changeState", apiToken, url.Values{"v": {vkpay.APIVersion}, "order_id": {"1"}, "action": {"charged"}}, vkpay.APIErrParam},
		{"bad test_mode", "orders.get", apiToken, url.Values{"v": {vkpay.APIVersion}, "test_mode": {"yes"}}, vkpay.APIErrParam},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := rawCall(t, e, tt.method, tt.bearer, tt.form)
			if code != tt.code {
				t.Fatalf("error %d (%s), want %d", code, body, tt.code)
			}
			if strings.Contains(body, apiToken) {
				t.Fatalf("the reply echoes the token: %s", body)
			}
		})
	}
}

func TestEmulatedAPIWithoutATokenConfiguredRefusesEveryCall(t *testing.T) {
	e, err := vkpaytest.NewServer(vkpaytest.Options{AppID: appID, Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	c, _ := vkpay.New(vkpay.Config{AppID: appID, Secret: secret, AccessToken: "any", APIBaseURL: e.URL, MaxRetries: -1})
	_, err = c.GetOrders(context.Background(), vkpay.OrdersRequest{})
	if vkpay.APIErrorCode(err) != vkpay.APIErrAuth || !errors.Is(err, paykit.ErrAPI) {
		t.Fatalf("err = %v, want error 5", err)
	}
}
