package vkpay_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/vkpay"
)

const (
	testToken = "vk1.a.service-token-for-tests"
	apiBase   = "https://api.test"
)

// apiClient returns a client whose API calls go to a mock transport.
func apiClient(t *testing.T, cfg ...func(*vkpay.Config)) (*vkpay.Client, *httpmock.MockTransport) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	c := vkpay.Config{AppID: testAppID, Secret: testSecret, AccessToken: testToken, APIBaseURL: apiBase,
		HTTPClient: &http.Client{Transport: mt}, RetryBaseDelay: time.Nanosecond}
	for _, f := range cfg {
		f(&c)
	}
	client, err := vkpay.New(c)
	if err != nil {
		t.Fatal(err)
	}
	return client, mt
}

// checkedCall checks that a request is VK's: a POST form to
// /method/{method} with v, the token in the Authorization header and
// nowhere else, and want's parameters exactly.
func checkedCall(t *testing.T, method string, want url.Values, reply string) httpmock.Responder {
	return func(r *http.Request) (*http.Response, error) {
		body, _ := io.ReadAll(r.Body)
		form, err := url.ParseQuery(string(body))
		switch {
		case err != nil:
			t.Errorf("body %q: %v", body, err)
		case r.Method != http.MethodPost || r.URL.Path != "/method/"+method:
			t.Errorf("%s %s, want POST /method/%s", r.Method, r.URL.Path, method)
		case r.Header.Get("Authorization") != "Bearer "+testToken:
			t.Errorf("Authorization %q", r.Header.Get("Authorization"))
		case r.Header.Get("Content-Type") != "application/x-www-form-urlencoded":
			t.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
		case strings.Contains(string(body), testToken) || strings.Contains(r.URL.String(), testToken):
			t.Errorf("the token is in the body or URL")
		case form.Get("v") != vkpay.APIVersion:
			t.Errorf("v = %q", form.Get("v"))
		}
		form.Del("v")
		if form.Encode() != want.Encode() {
			t.Errorf("parameters %s, want %s", form.Encode(), want.Encode())
		}
		return httpmock.NewStringResponse(http.StatusOK, reply), nil
	}
}

func TestGetOrdersByIDSendsTheDocumentedCallAndDecodesBothSpellings(t *testing.T) {
	c, mt := apiClient(t)
	mt.RegisterResponder("POST", apiBase+"/method/orders.getById",
		checkedCall(t, "orders.getById", url.Values{"order_ids": {"2044861,7"}, "test_mode": {"1"}},
			`{"response":[{"id":"2044861","app_order_id":"0","status":"charged","user_id":"1","receiver_id":"1",`+
				`"item":"sale_item_1","amount":"24","date":"1656358147","transaction_id":"77"},`+
				`{"id":7,"app_order_id":9007,"status":"refunded","user_id":2,"receiver_id":3,"item":"x",`+
				`"amount":5,"date":1656358000,"transaction_id":78,"cancel_transaction_id":"79"}]}`))
	orders, err := c.GetOrdersByID(context.Background(), vkpay.OrdersByIDRequest{OrderIDs: []int64{2044861, 7}, TestMode: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []vkpay.Order{
		{ID: 2044861, Status: vkpay.OrderStateCharged, UserID: 1, ReceiverID: 1, Item: "sale_item_1", Amount: 24,
			Date: time.Unix(1656358147, 0).UTC(), TransactionID: "77", AppID: testAppID, Test: true},
		{ID: 7, AppOrderID: 9007, Status: vkpay.OrderStateRefunded, UserID: 2, ReceiverID: 3, Item: "x", Amount: 5,
			Date: time.Unix(1656358000, 0).UTC(), TransactionID: "78", CancelTransactionID: "79", AppID: testAppID, Test: true},
	}
	if len(orders) != 2 || orders[0] != want[0] || orders[1] != want[1] {
		t.Fatalf("got  %+v\nwant %+v", orders, want)
	}
}

func TestGetOrdersSendsPaging(t *testing.T) {
	c, mt := apiClient(t)
	mt.RegisterResponder("POST", apiBase+"/method/orders.get",
		checkedCall(t, "orders.get", url.Values{"offset": {"100"}, "count": {"50"}}, `{"response":[]}`))
	orders, err := c.GetOrders(context.Background(), vkpay.OrdersRequest{Offset: 100, Count: 50})
	if err != nil || len(orders) != 0 {
		t.Fatalf("%v %v", orders, err)
	}
}

func TestChangeOrderStateRefundsAndReturnsTheNewState(t *testing.T) {
	c, mt := apiClient(t)
	mt.RegisterResponder("POST", apiBase+"/method/orders.changeState",
		checkedCall(t, "orders.changeState", url.Values{"order_id": {"7"}, "action": {"refund"}, "app_order_id": {"9007"}},
			`{"response":"refunded"}`))
	state, err := c.ChangeOrderState(context.Background(),
		vkpay.ChangeOrderStateRequest{OrderID: 7, Action: vkpay.OrderRefund, AppOrderID: 9007})
	if err != nil || state != vkpay.OrderStateRefunded {
		t.Fatalf("%q %v", state, err)
	}
}

func TestSubscriptionMethodsSendTheDocumentedCalls(t *testing.T) {
	c, mt := apiClient(t)
	sub := `{"id":77,"item_id":"vip","status":"active","price":30,"period":30,"create_time":1700000000,` +
		`"update_time":1700000100,"period_start_time":1700000000,"next_bill_time":1702592000,"pending_cancel":false,` +
		`"test_mode":true,"app_id":12345678,"title":"VIP"}`
	mt.RegisterResponder("POST", apiBase+"/method/orders.getUserSubscriptionById",
		checkedCall(t, "orders.getUserSubscriptionById", url.Values{"user_id": {"5"}, "subscription_id": {"77"}}, `{"response":`+sub+`}`))
	mt.RegisterResponder("POST", apiBase+"/method/orders.getUserSubscriptions",
		checkedCall(t, "orders.getUserSubscriptions", url.Values{"user_id": {"5"}}, `{"response":{"count":1,"items":[`+sub+`]}}`))
	mt.RegisterResponder("POST", apiBase+"/method/orders.cancelSubscription",
		checkedCall(t, "orders.cancelSubscription", url.Values{"user_id": {"5"}, "subscription_id": {"77"}, "pending_cancel": {"1"}}, `{"response":1}`))
	mt.RegisterResponder("POST", apiBase+"/method/orders.updateSubscription",
		checkedCall(t, "orders.updateSubscription", url.Values{"user_id": {"5"}, "subscription_id": {"77"}, "price": {"40"}}, `{"response":1}`))
	ctx := context.Background()
	want := vkpay.UserSubscription{ID: 77, ItemID: "vip", Status: vkpay.SubscriptionActive, Price: 30, Period: 30,
		CreateTime: time.Unix(1700000000, 0).UTC(), UpdateTime: time.Unix(1700000100, 0).UTC(),
		PeriodStartTime: time.Unix(1700000000, 0).UTC(), NextBillTime: time.Unix(1702592000, 0).UTC(),
		Title: "VIP", AppID: testAppID, Test: true}
	s, err := c.GetUserSubscriptionByID(ctx, vkpay.UserSubscriptionRequest{UserID: 5, SubscriptionID: 77})
	if err != nil || *s != want {
		t.Fatalf("got %+v %v\nwant %+v", s, err, want)
	}
	list, err := c.GetUserSubscriptions(ctx, vkpay.UserSubscriptionsRequest{UserID: 5})
	if err != nil || len(list) != 1 || list[0] != want {
		t.Fatalf("%+v %v", list, err)
	}
	if err := c.CancelSubscription(ctx, vkpay.CancelSubscriptionRequest{UserID: 5, SubscriptionID: 77, PendingCancel: true}); err != nil {
		t.Fatal(err)
	}
	if err := c.UpdateSubscription(ctx, vkpay.UpdateSubscriptionRequest{UserID: 5, SubscriptionID: 77, Price: 40}); err != nil {
		t.Fatal(err)
	}
}

func TestAPIErrorsAreTypedWithVKsCode(t *testing.T) {
	tests := []struct {
		name      string
		reply     string
		code      int
		temporary bool
	}{
		{"subscription not found", `{"error":{"error_code":1256,"error_msg":"Subscription not found","request_params":[]}}`, vkpay.APIErrSubscriptionNotFound, false},
		{"invalid status", `{"error":{"error_code":1257,"error_msg":"Subscription is in invalid status"}}`, vkpay.APIErrSubscriptionInvalidStatus, false},
		{"action failed", `{"error":{"error_code":106,"error_msg":"Unable to process action"}}`, vkpay.APIErrActionFailed, false},
		{"auth", `{"error":{"error_code":5,"error_msg":"User authorization failed: invalid access_token"}}`, vkpay.APIErrAuth, false},
		{"too many requests", `{"error":{"error_code":6,"error_msg":"Too many requests per second"}}`, vkpay.APIErrTooManyRequests, true},
		{"server error", `{"error":{"error_code":"10","error_msg":"Internal server error"}}`, vkpay.APIErrServer, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mt := apiClient(t, func(cfg *vkpay.Config) { cfg.MaxRetries = -1 })
			mt.RegisterResponder("POST", apiBase+"/method/orders.cancelSubscription", httpmock.NewStringResponder(http.StatusOK, tt.reply))
			err := c.CancelSubscription(context.Background(), vkpay.CancelSubscriptionRequest{UserID: 5, SubscriptionID: 77})
			var ae *paykit.APIError
			if !errors.Is(err, paykit.ErrAPI) || !errors.As(err, &ae) {
				t.Fatalf("err = %v, want a *paykit.APIError", err)
			}
			if vkpay.APIErrorCode(err) != tt.code || ae.Provider != paykit.VKPay || ae.StatusCode != http.StatusOK ||
				ae.Temporary() != tt.temporary || paykit.IsTemporary(err) != tt.temporary || ae.Message == "" {
				t.Fatalf("code %d, %+v, temporary %v", vkpay.APIErrorCode(err), ae, ae.Temporary())
			}
		})
	}
	if vkpay.APIErrorCode(errors.New("other")) != 0 || vkpay.APIErrorCode(nil) != 0 {
		t.Fatal("APIErrorCode of a non-API error is not 0")
	}
}

func TestAPIErrorsNeverHoldTheAccessTokenOrTheSecret(t *testing.T) {
	echo := `{"error":{"error_code":5,"error_msg":"User authorization failed: ` + testToken + ` / ` + strings.ToUpper(testSecret) +
		`","request_params":[{"key":"access_token","value":"` + testToken + `"},{"key":"v","value":"5.199"}]}}`
	for name, responder := range map[string]httpmock.Responder{
		"VK error":  httpmock.NewStringResponder(http.StatusOK, echo),
		"HTTP 401":  httpmock.NewStringResponder(http.StatusUnauthorized, "bad token "+url.QueryEscape(testToken)),
		"not JSON":  httpmock.NewStringResponder(http.StatusOK, "<html>"+testToken+"</html>"),
		"transport": httpmock.NewErrorResponder(errors.New("dial: refused")),
	} {
		t.Run(name, func(t *testing.T) {
			c, mt := apiClient(t, func(cfg *vkpay.Config) { cfg.MaxRetries = -1 })
			mt.RegisterResponder("POST", apiBase+"/method/orders.getById", responder)
			_, err := c.GetOrdersByID(context.Background(), vkpay.OrdersByIDRequest{OrderIDs: []int64{1}})
			if err == nil {
				t.Fatal("no error")
			}
			var ae *paykit.APIError
			text := err.Error()
			if errors.As(err, &ae) {
				text += string(ae.Body) + ae.Message + ae.Code
			}
			for _, s := range []string{testToken, url.QueryEscape(testToken), testSecret, strings.ToUpper(testSecret)} {
				if strings.Contains(text, s) {
					t.Fatalf("error holds a credential: %s", text)
				}
			}
		})
	}
}

func TestAPIRetriesOnlyWhatMaySucceedLater(t *testing.T) {
	ok := `{"response":[{"id":1,"status":"charged","amount":1,"date":1}]}`
	tests := []struct {
		name    string
		first   httpmock.Responder
		calls   int
		wantErr bool
	}{
		{"HTTP 503", httpmock.NewStringResponder(http.StatusServiceUnavailable, "busy"), 2, false},
		{"HTTP 429", httpmock.NewStringResponder(http.StatusTooManyRequests, ""), 2, false},
		{"VK error 6", httpmock.NewStringResponder(http.StatusOK, `{"error":{"error_code":6,"error_msg":"Too many requests per second"}}`), 2, false},
		{"VK error 10", httpmock.NewStringResponder(http.StatusOK, `{"error":{"error_code":10,"error_msg":"Internal server error"}}`), 2, false},
		{"transport error", httpmock.NewErrorResponder(errors.New("connection reset")), 2, false},
		{"HTTP 400", httpmock.NewStringResponder(http.StatusBadRequest, ""), 1, true},
		{"VK error 100", httpmock.NewStringResponder(http.StatusOK, `{"error":{"error_code":100,"error_msg":"One of the parameters specified was missing or invalid"}}`), 1, true},
		{"not VK's JSON", httpmock.NewStringResponder(http.StatusOK, `{"result":1}`), 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mt := apiClient(t)
			var n atomic.Int32
			mt.RegisterResponder("POST", apiBase+"/method/orders.getById", func(r *http.Request) (*http.Response, error) {
				if n.Add(1) == 1 {
					return tt.first(r)
				}
				return httpmock.NewStringResponse(http.StatusOK, ok), nil
			})
			_, err := c.GetOrdersByID(context.Background(), vkpay.OrdersByIDRequest{OrderIDs: []int64{1}})
			if int(n.Load()) != tt.calls || (err != nil) != tt.wantErr {
				t.Fatalf("%d calls, err %v; want %d calls, error %v", n.Load(), err, tt.calls, tt.wantErr)
			}
		})
	}
}

func TestAPIRetriesAreBounded(t *testing.T) {
	for _, tt := range []struct {
		maxRetries, calls int
	}{{0, 4}, {1, 2}, {-1, 1}} {
		c, mt := apiClient(t, func(cfg *vkpay.Config) { cfg.MaxRetries = tt.maxRetries })
		mt.RegisterResponder("POST", apiBase+"/method/orders.get", httpmock.NewStringResponder(http.StatusBadGateway, ""))
		_, err := c.GetOrders(context.Background(), vkpay.OrdersRequest{})
		if got := mt.GetTotalCallCount(); got != tt.calls || !errors.Is(err, paykit.ErrAPI) {
			t.Fatalf("MaxRetries %d: %d calls, err %v; want %d calls", tt.maxRetries, got, err, tt.calls)
		}
	}
}

func TestChangesAreNotRetriedAfterATransportError(t *testing.T) {
	c, mt := apiClient(t)
	mt.RegisterResponder("POST", apiBase+"/method/orders.changeState", httpmock.NewErrorResponder(errors.New("connection reset")))
	mt.RegisterResponder("POST", apiBase+"/method/orders.cancelSubscription", httpmock.NewErrorResponder(errors.New("connection reset")))
	ctx := context.Background()
	if _, err := c.ChangeOrderState(ctx, vkpay.ChangeOrderStateRequest{OrderID: 1, Action: vkpay.OrderRefund}); err == nil {
		t.Fatal("no error")
	}
	if err := c.CancelSubscription(ctx, vkpay.CancelSubscriptionRequest{UserID: 1, SubscriptionID: 1}); err == nil {
		t.Fatal("no error")
	}
	if got := mt.GetTotalCallCount(); got != 2 {
		t.Fatalf("%d calls, want 2 (one each, no retry: the change may have been done)", got)
	}
}

func TestAPIRequestsAreValidatedBeforeSending(t *testing.T) {
	c, mt := apiClient(t)
	ctx := context.Background()
	many := make([]int64, vkpay.MaxOrdersByID+1)
	for i := range many {
		many[i] = int64(i + 1)
	}
	errs := map[string]error{}
	_, errs["no ids"] = c.GetOrdersByID(ctx, vkpay.OrdersByIDRequest{})
	_, errs["501 ids"] = c.GetOrdersByID(ctx, vkpay.OrdersByIDRequest{OrderIDs: many})
	_, errs["id 0"] = c.GetOrdersByID(ctx, vkpay.OrdersByIDRequest{OrderIDs: []int64{1, 0}})
	_, errs["count 1001"] = c.GetOrders(ctx, vkpay.OrdersRequest{Count: 1001})
	_, errs["negative offset"] = c.GetOrders(ctx, vkpay.OrdersRequest{Offset: -1})
	_, errs["no order"] = c.ChangeOrderState(ctx, vkpay.ChangeOrderStateRequest{Action: vkpay.OrderCharge})
	_, errs["bad action"] = c.ChangeOrderState(ctx, vkpay.ChangeOrderStateRequest{OrderID: 1, Action: "charged"})
	_, errs["negative app order"] = c.ChangeOrderState(ctx, vkpay.ChangeOrderStateRequest{OrderID: 1, Action: vkpay.OrderCharge, AppOrderID: -1})
	_, errs["no user"] = c.GetUserSubscriptionByID(ctx, vkpay.UserSubscriptionRequest{SubscriptionID: 1})
	_, errs["no user list"] = c.GetUserSubscriptions(ctx, vkpay.UserSubscriptionsRequest{UserID: 0})
	errs["no subscription"] = c.CancelSubscription(ctx, vkpay.CancelSubscriptionRequest{UserID: 1})
	errs["price 0"] = c.UpdateSubscription(ctx, vkpay.UpdateSubscriptionRequest{UserID: 1, SubscriptionID: 1})
	for name, err := range errs {
		if !errors.Is(err, paykit.ErrInvalidRequest) {
			t.Errorf("%s: err = %v, want ErrInvalidRequest", name, err)
		}
	}
	if mt.GetTotalCallCount() != 0 {
		t.Fatal("an invalid request was sent")
	}
}

func TestAPICallsNeedTheAccessToken(t *testing.T) {
	c, mt := apiClient(t, func(cfg *vkpay.Config) { cfg.AccessToken = "" })
	_, err := c.GetOrdersByID(context.Background(), vkpay.OrdersByIDRequest{OrderIDs: []int64{1}})
	var fe *paykit.FieldError
	if !errors.As(err, &fe) || fe.Field != "AccessToken" || mt.GetTotalCallCount() != 0 {
		t.Fatalf("err = %v", err)
	}
}

func TestNewValidatesTheAPIBaseURL(t *testing.T) {
	for _, u := range []string{"api.vk.ru", "ftp://api.vk.ru", "https://", "https://api.vk.ru/?x=1"} {
		if _, err := vkpay.New(vkpay.Config{AppID: 1, Secret: "s", APIBaseURL: u}); !errors.Is(err, paykit.ErrInvalidRequest) {
			t.Errorf("APIBaseURL %q: err = %v", u, err)
		}
	}
}

func TestCallHonoursTheContext(t *testing.T) {
	c, mt := apiClient(t, func(cfg *vkpay.Config) { cfg.RetryBaseDelay = time.Hour })
	mt.RegisterResponder("POST", apiBase+"/method/orders.get", httpmock.NewStringResponder(http.StatusServiceUnavailable, ""))
	ctx, cancel := context.WithCancel(context.Background())
	mt.RegisterResponder("POST", apiBase+"/method/orders.get", func(*http.Request) (*http.Response, error) {
		cancel() // the caller gives up while the call is under way
		return httpmock.NewStringResponse(http.StatusServiceUnavailable, ""), nil
	})
	_, err := c.GetOrders(ctx, vkpay.OrdersRequest{})
	if !errors.Is(err, paykit.ErrAPI) || mt.GetTotalCallCount() != 1 {
		t.Fatalf("err = %v after %d calls; want the 503, no retry once ctx ended", err, mt.GetTotalCallCount())
	}
}
