package vkpaytest

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/paykit-go/paykit/vkpay"
)

// The payments API methods the emulator serves at {prefix}method/{name},
// over its own orders and subscriptions, and the parameters each takes
// (required ones marked with *). Any other parameter is refused with error
// 100, so that a misspelt one fails in tests rather than being ignored as
// VK ignores it.
var apiMethods = map[string]struct {
	params []string
	serve  func(e *Emulator, ctx context.Context, p apiParams) (any, *apiError)
}{
	"orders.getById":                 {[]string{"order_id", "order_ids", "test_mode"}, (*Emulator).apiOrdersByID},
	"orders.get":                     {[]string{"offset", "count", "test_mode"}, (*Emulator).apiOrders},
	"orders.changeState":             {[]string{"order_id*", "action*", "app_order_id", "test_mode"}, (*Emulator).apiChangeState},
	"orders.getUserSubscriptionById": {[]string{"user_id*", "subscription_id*"}, (*Emulator).apiSubscription},
	"orders.getUserSubscriptions":    {[]string{"user_id*"}, (*Emulator).apiSubscriptions},
	"orders.cancelSubscription":      {[]string{"user_id*", "subscription_id*", "pending_cancel"}, (*Emulator).apiCancelSubscription},
	"orders.updateSubscription":      {[]string{"user_id*", "subscription_id*", "price*"}, (*Emulator).apiUpdateSubscription},
}

// apiError is VK's error reply.
type apiError struct {
	Code int    `json:"error_code"`
	Msg  string `json:"error_msg"`
}

func apiErr(code int, format string, args ...any) *apiError {
	return &apiError{Code: code, Msg: fmt.Sprintf(format, args...)}
}

func paramErr(format string, args ...any) *apiError {
	return apiErr(vkpay.APIErrParam, "One of the parameters specified was missing or invalid: "+format, args...)
}

// apiParams are a call's parameters, each given once.
type apiParams map[string]string

// int64 reads an integer parameter; missing reads as 0.
func (p apiParams) int64(k string) (int64, *apiError) {
	v, ok := p[k]
	if !ok {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, paramErr("%s not integer", k)
	}
	return n, nil
}

func (p apiParams) flag(k string) (bool, *apiError) {
	switch p[k] {
	case "", "0":
		return false, nil
	case "1":
		return true, nil
	}
	return false, paramErr("%s must be 0 or 1", k)
}

// serveAPI answers POST or GET {prefix}method/{name} as VK's API does:
// HTTP 200 with {"response":…} or {"error":{error_code, error_msg,
// request_params}}. It checks, in order: the access token
// (Options.AccessToken, as "Authorization: Bearer …" or access_token;
// error 5), v (vkpay.APIVersion exactly; error 8), the method (error 3),
// the parameters (error 100), then the method's own rules.
func (e *Emulator) serveAPI(w http.ResponseWriter, r *http.Request, method string) {
	params, reqParams, aerr := e.apiRequest(r, method)
	var out any
	if aerr == nil {
		out, aerr = apiMethods[method].serve(e, r.Context(), params)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if aerr != nil {
		_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
			"error_code": aerr.Code, "error_msg": aerr.Msg, "request_params": reqParams}})
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"response": out})
}

type keyValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// apiRequest reads and checks a call's token, version and parameters.
func (e *Emulator) apiRequest(r *http.Request, method string) (apiParams, []keyValue, *apiError) {
	reqParams := []keyValue{{"method", method}, {"oauth", "1"}}
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		return nil, reqParams, apiErr(vkpay.APIErrInvalidRequest, "Invalid request: use GET or POST")
	}
	if err := r.ParseForm(); err != nil {
		return nil, reqParams, apiErr(vkpay.APIErrInvalidRequest, "Invalid request: the form does not parse")
	}
	p := apiParams{}
	for k, vs := range r.Form {
		if len(vs) != 1 {
			return nil, reqParams, paramErr("%s given %d times", k, len(vs))
		}
		if k != "access_token" { // VK never echoes the token
			p[k] = vs[0]
			reqParams = append(reqParams, keyValue{k, vs[0]})
		}
	}
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if token == "" {
		token = r.Form.Get("access_token")
	}
	if e.opts.AccessToken == "" || subtle.ConstantTimeCompare([]byte(token), []byte(e.opts.AccessToken)) != 1 {
		return nil, reqParams, apiErr(vkpay.APIErrAuth, "User authorization failed: invalid access_token.")
	}
	switch v, ok := p["v"]; {
	case !ok:
		return nil, reqParams, apiErr(vkpay.APIErrInvalidRequest, "Invalid request: v (version) is required")
	case v != vkpay.APIVersion:
		return nil, reqParams, apiErr(vkpay.APIErrInvalidRequest, "Invalid request: the emulator serves v=%s only", vkpay.APIVersion)
	}
	delete(p, "v")
	m, ok := apiMethods[method]
	if !ok {
		return nil, reqParams, apiErr(3, "Unknown method passed")
	}
	return p, reqParams, checkParams(p, m.params)
}

// checkParams refuses unknown parameters and missing required ones.
func checkParams(p apiParams, allowed []string) *apiError {
	for k := range p {
		if !slices.Contains(allowed, k) && !slices.Contains(allowed, k+"*") {
			return paramErr("unknown parameter %s", k)
		}
	}
	for _, a := range allowed {
		if k, required := strings.CutSuffix(a, "*"); required && p[k] == "" {
			return paramErr("%s is undefined", k)
		}
	}
	return nil
}

// apiOrder is an order as orders.getById returns it; VK's schema types
// every field as a string.
type apiOrder struct {
	ID                  string `json:"id"`
	AppOrderID          string `json:"app_order_id"`
	Status              string `json:"status"`
	UserID              string `json:"user_id"`
	ReceiverID          string `json:"receiver_id"`
	Item                string `json:"item"`
	Amount              string `json:"amount"`
	Date                string `json:"date"`
	TransactionID       string `json:"transaction_id,omitempty"`
	CancelTransactionID string `json:"cancel_transaction_id,omitempty"`
}

// OrderStateAt is the state VK's payments API reports for an emulated
// order in state s: open is created; pending and failed (the merchant has
// not accepted order_status_change) are chargeable; paid is charged;
// declined; canceled is cancelled; refunding and refunded are refunded.
func OrderStateAt(s State) vkpay.OrderState {
	switch s {
	case StateOpen:
		return vkpay.OrderStateCreated
	case StatePending, StateFailed:
		return vkpay.OrderStateChargeable
	case StatePaid:
		return vkpay.OrderStateCharged
	case StateDeclined:
		return vkpay.OrderStateDeclined
	case StateCanceled:
		return vkpay.OrderStateCancelled
	default:
		return vkpay.OrderStateRefunded
	}
}

func (e *Emulator) apiOrder(o Order) apiOrder {
	a := apiOrder{ID: itoa(o.ID), AppOrderID: itoa(o.AppOrderID), Status: string(OrderStateAt(o.State)),
		UserID: itoa(o.UserID), ReceiverID: itoa(o.UserID), Item: o.Item, Amount: itoa(o.Price),
		Date: itoa(o.Created.Unix())}
	if a.Status == string(vkpay.OrderStateCharged) || a.Status == string(vkpay.OrderStateRefunded) {
		a.TransactionID = itoa(1_000_000 + o.ID)
	}
	if a.Status == string(vkpay.OrderStateRefunded) {
		a.CancelTransactionID = itoa(2_000_000 + o.ID)
	}
	return a
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// testMode checks test_mode against Options.Test: test and production
// orders live apart, so the other mode sees no order.
func (e *Emulator) testMode(p apiParams) (bool, *apiError) {
	test, err := p.flag("test_mode")
	return test == e.opts.Test, err
}

func (e *Emulator) apiOrdersByID(_ context.Context, p apiParams) (any, *apiError) {
	same, aerr := e.testMode(p)
	if aerr != nil {
		return nil, aerr
	}
	raw := p["order_ids"]
	if id, ok := p["order_id"]; ok {
		raw = strings.Trim(raw+","+id, ",")
	}
	ids := strings.Split(raw, ",")
	if raw == "" || len(ids) > vkpay.MaxOrdersByID {
		return nil, paramErr("order_ids must hold 1 to %d ids", vkpay.MaxOrdersByID)
	}
	var found []Order
	for _, s := range ids {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return nil, paramErr("order_ids not integer")
		}
		if o, ok := e.orders.Get(id); ok && same {
			found = append(found, o)
		}
	}
	slices.SortFunc(found, func(a, b Order) int { // newest first
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return int(b.ID - a.ID)
	})
	out := make([]apiOrder, 0, len(found))
	for _, o := range found {
		out = append(out, e.apiOrder(o))
	}
	return out, nil
}

func (e *Emulator) apiOrders(_ context.Context, p apiParams) (any, *apiError) {
	same, aerr := e.testMode(p)
	offset, err1 := p.int64("offset")
	count, err2 := p.int64("count")
	for _, err := range []*apiError{aerr, err1, err2} {
		if err != nil {
			return nil, err
		}
	}
	if _, ok := p["count"]; !ok {
		count = 100
	}
	if count > vkpay.MaxOrdersCount {
		return nil, paramErr("count must be at most %d", vkpay.MaxOrdersCount)
	}
	out := []apiOrder{}
	if !same {
		return out, nil
	}
	all := e.orders.List()
	slices.Reverse(all) // newest first
	for i := offset; i < int64(len(all)) && int64(len(out)) < count; i++ {
		out = append(out, e.apiOrder(all[i]))
	}
	return out, nil
}

// apiChangeState is orders.changeState. charge and cancel settle an order
// whose order_status_change the merchant never accepted (resends given
// up: state failed); refund refunds a paid order. The emulator sends no
// notification for a change the merchant asked for itself [unsure: VK's
// documentation does not say whether it notifies]. An order in another
// state is error 106; an unknown order, or one of the other mode
// (test_mode), is error 100.
func (e *Emulator) apiChangeState(_ context.Context, p apiParams) (any, *apiError) {
	same, aerr := e.testMode(p)
	id, err1 := p.int64("order_id")
	appOrderID, err2 := p.int64("app_order_id")
	for _, err := range []*apiError{aerr, err1, err2} {
		if err != nil {
			return nil, err
		}
	}
	from, to := StateFailed, StatePaid
	switch vkpay.OrderAction(p["action"]) {
	case vkpay.OrderCharge:
	case vkpay.OrderCancel:
		to = StateCanceled
	case vkpay.OrderRefund:
		from, to = StatePaid, StateRefunded
	default:
		return nil, paramErr("action must be charge, cancel or refund")
	}
	if _, ok := e.orders.Get(id); !ok || !same || id == 0 {
		return nil, paramErr("order_id %d not found", id)
	}
	var refused bool
	o, _ := e.orders.Update(id, func(o *Order) error {
		if o.State != from {
			refused = true
			return nil
		}
		o.State = to
		if appOrderID != 0 {
			o.AppOrderID = appOrderID
		}
		return nil
	})
	if refused {
		return nil, apiErr(vkpay.APIErrActionFailed, "Unable to process action: the order is %s", OrderStateAt(o.State))
	}
	return string(OrderStateAt(o.State)), nil
}
