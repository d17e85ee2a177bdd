package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/paykit-go/paykit/paysera/payseratest"
	"github.com/paykit-go/paykit/playvision/playvisiontest"
	"github.com/paykit-go/paykit/vkpay/vkpaytest"
	"github.com/paykit-go/paykit/xsolla/xsollatest"
)

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// deliveriesOf converts a kit's deliveries.
func deliveriesOf(ds []payseratest.Delivery) []apiDelivery {
	out := make([]apiDelivery, 0, len(ds))
	for _, d := range ds {
		out = append(out, fromDelivery(d))
	}
	return out
}

// unsupported names a step a provider does not have.
func unsupported(provider, step string, have string) error {
	return fmt.Errorf("%w: %s has no %q step (it has %s)", errUnsupported, provider, step, have)
}

// int64ID reads a numeric order id; a malformed one is simply not found.
func int64ID(id string) (int64, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("order %q: %w", id, payseratest.ErrNotFound)
	}
	return n, nil
}

// payseraAPI: a payment starts from the merchant's signed request (data
// and sign, or the payment URL built with them).
type payseraAPI struct{ e *payseratest.Emulator }

func (p payseraAPI) view(o payseratest.Order) apiOrder {
	return apiOrder{ID: o.RequestID, Provider: "paysera", State: string(o.State), Amount: o.Amount, Currency: o.Currency,
		OrderID: o.OrderID, Test: o.Test, Page: p.e.URL() + "/payment/" + o.RequestID}
}

func (p payseraAPI) start(_ context.Context, body []byte) (apiOrder, error) {
	var req struct {
		PaymentURL string `json:"payment_url"`
		Data       string `json:"data"`
		Sign       string `json:"sign"`
	}
	if err := decode(body, &req); err != nil {
		return apiOrder{}, err
	}
	var id string
	var err error
	if req.PaymentURL != "" {
		id, err = p.e.Open(req.PaymentURL)
	} else {
		id, err = p.e.OpenForm(req.Data, req.Sign)
	}
	if err != nil {
		return apiOrder{}, err
	}
	o, _ := p.e.Order(id)
	return p.view(o), nil
}

func (p payseraAPI) order(id string) (apiOrder, bool) {
	o, ok := p.e.Order(id)
	return p.view(o), ok
}

func (p payseraAPI) orders() []apiOrder {
	out := []apiOrder{}
	for _, o := range p.e.Orders() {
		out = append(out, p.view(o))
	}
	return out
}

func (p payseraAPI) act(ctx context.Context, id, step string) (apiOrder, error) {
	verbs := map[string]func(context.Context, string) (payseratest.Order, error){
		"pay": p.e.Pay, "pending": p.e.Pend, "decline": p.e.Decline, "cancel": p.e.Cancel, "refund": p.e.Refund,
	}
	o, err := verbs[step](ctx, id)
	return p.view(o), err
}

func (p payseraAPI) deliveries() []apiDelivery { return deliveriesOf(p.e.Deliveries()) }

func (p payseraAPI) resend(ctx context.Context, id string) (apiDelivery, error) {
	d, err := p.e.Resend(ctx, id)
	return fromDelivery(d), err
}

func (p payseraAPI) wait(ctx context.Context) error { return p.e.Wait(ctx) }

// vkAPI: an order opens as VKWebAppShowOrderBox does, for any user.
type vkAPI struct{ e *vkpaytest.Emulator }

func (v vkAPI) view(o vkpaytest.Order) apiOrder {
	id := strconv.FormatInt(o.ID, 10)
	return apiOrder{ID: id, Provider: "vkpay", State: string(o.State), UserID: strconv.FormatInt(o.UserID, 10),
		Item: o.Item, Title: o.Title, Amount: o.Price, Page: v.e.URL() + "/order/" + id}
}

func (v vkAPI) start(ctx context.Context, body []byte) (apiOrder, error) {
	var req struct {
		Item   string `json:"item"`
		UserID int64  `json:"user_id"`
	}
	if err := decode(body, &req); err != nil {
		return apiOrder{}, err
	}
	o, err := v.e.Open(ctx, req.Item, req.UserID)
	return v.view(o), err
}

func (v vkAPI) order(id string) (apiOrder, bool) {
	n, err := int64ID(id)
	if err != nil {
		return apiOrder{}, false
	}
	o, ok := v.e.Order(n)
	return v.view(o), ok
}

func (v vkAPI) orders() []apiOrder {
	out := []apiOrder{}
	for _, o := range v.e.Orders() {
		out = append(out, v.view(o))
	}
	return out
}

func (v vkAPI) act(ctx context.Context, id, step string) (apiOrder, error) {
	verbs := map[string]func(context.Context, int64) (vkpaytest.Order, error){"pay": v.e.Pay, "cancel": v.e.Cancel, "refund": v.e.Refund}
	f, ok := verbs[step]
	if !ok {
		return apiOrder{}, unsupported("vkpay", step, "pay, cancel, refund")
	}
	n, err := int64ID(id)
	if err != nil {
		return apiOrder{}, err
	}
	o, err := f(ctx, n)
	return v.view(o), err
}

func (v vkAPI) deliveries() []apiDelivery { return deliveriesOf(v.e.Deliveries()) }

func (v vkAPI) resend(ctx context.Context, id string) (apiDelivery, error) {
	d, err := v.e.Resend(ctx, id)
	return fromDelivery(d), err
}

func (v vkAPI) wait(ctx context.Context) error { return v.e.Wait(ctx) }

// playvisionAPI: payment.window for any user; the token is the user's
// own unless the request brings one (GET /api/playvision/users/{id} gives
// it, as the launch parameters do).
type playvisionAPI struct{ e *playvisiontest.Emulator }

func (p playvisionAPI) view(o playvisiontest.Order) apiOrder {
	id := strconv.FormatInt(o.TransactionID, 10)
	return apiOrder{ID: id, Provider: "playvision", State: string(o.State), UserID: strconv.FormatInt(o.UserID, 10),
		Item: o.Item, Title: o.Title, Amount: o.Price, Test: o.Test, Page: p.e.URL() + "/orders/" + id}
}

func (p playvisionAPI) start(ctx context.Context, body []byte) (apiOrder, error) {
	var req struct {
		UserID int64  `json:"user_id"`
		Item   string `json:"item"`
		Token  string `json:"token"`
	}
	if err := decode(body, &req); err != nil {
		return apiOrder{}, err
	}
	if req.Token == "" {
		req.Token = p.e.Token(req.UserID)
	}
	o, err := p.e.Open(ctx, req.UserID, req.Item, req.Token)
	return p.view(o), err
}

func (p playvisionAPI) order(id string) (apiOrder, bool) {
	n, err := int64ID(id)
	if err != nil {
		return apiOrder{}, false
	}
	o, ok := p.e.Order(n)
	return p.view(o), ok
}

func (p playvisionAPI) orders() []apiOrder {
	out := []apiOrder{}
	for _, o := range p.e.Orders() {
		out = append(out, p.view(o))
	}
	return out
}

func (p playvisionAPI) act(ctx context.Context, id, step string) (apiOrder, error) {
	verbs := map[string]func(context.Context, int64) (playvisiontest.Order, error){"pay": p.e.Pay, "cancel": p.e.Cancel}
	f, ok := verbs[step]
	if !ok {
		return apiOrder{}, unsupported("playvision", step, "pay, cancel")
	}
	n, err := int64ID(id)
	if err != nil {
		return apiOrder{}, err
	}
	o, err := f(ctx, n)
	return p.view(o), err
}

func (p playvisionAPI) deliveries() []apiDelivery { return deliveriesOf(p.e.Deliveries()) }

func (p playvisionAPI) resend(ctx context.Context, id string) (apiDelivery, error) {
	d, err := p.e.Resend(ctx, id)
	return fromDelivery(d), err
}

func (p playvisionAPI) wait(ctx context.Context) error { return p.e.Wait(ctx) }

// playvisionUser answers a user's token and launch parameters: what the
// platform hands the game for that user, so that a test can open
// payment.window as any user.
func (s *sandbox) playvisionUser(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeError(w, fmt.Errorf("%w: user id must be a positive number", errBadRequest))
		return
	}
	e := s.set.Playvision
	q := e.LaunchQuery(id)
	launch := map[string]string{}
	for k := range q {
		launch[k] = q.Get(k)
	}
	writeJSON(w, http.StatusOK, map[string]any{"user_id": strconv.FormatInt(id, 10), "token": e.Token(id), "launch": launch})
}

// xsollaAPI: an order starts from a token of the token API (v2 or v3,
// any user), as Pay Station does; its id is the token.
type xsollaAPI struct{ e *xsollatest.Emulator }

func (x *xsollaAPI) view(s xsollatest.Order) apiOrder {
	o := apiOrder{ID: s.Token, Provider: "xsolla", State: string(s.State), UserID: s.UserID, OrderID: s.ExternalID,
		Amount: s.Total.Amount, Currency: s.Total.Currency, Test: s.Sandbox, Page: x.e.URL() + "/paystation4/?token=" + s.Token}
	if len(s.Items) > 0 {
		o.Item = s.Items[0].SKU
	}
	return o
}

func (x *xsollaAPI) start(_ context.Context, body []byte) (apiOrder, error) {
	var req struct {
		Token string `json:"token"`
	}
	if err := decode(body, &req); err != nil {
		return apiOrder{}, err
	}
	s, ok := x.e.Order(req.Token)
	if !ok {
		return apiOrder{}, fmt.Errorf("token %q (create one with the token API): %w", req.Token, payseratest.ErrNotFound)
	}
	return x.view(s), nil
}

func (x *xsollaAPI) order(id string) (apiOrder, bool) {
	s, ok := x.e.Order(id)
	return x.view(s), ok
}

func (x *xsollaAPI) orders() []apiOrder {
	out := []apiOrder{}
	for _, o := range x.e.Orders() {
		out = append(out, x.view(o))
	}
	return out
}

func (x *xsollaAPI) act(ctx context.Context, id, step string) (apiOrder, error) {
	if _, ok := x.e.Order(id); !ok {
		return apiOrder{}, fmt.Errorf("token %q: %w", id, payseratest.ErrNotFound)
	}
	var err error
	switch step {
	case "pay":
		_, err = x.e.Pay(ctx, id)
	case "decline":
		_, err = x.e.Decline(ctx, id)
	case "cancel":
		_, err = x.e.Cancel(ctx, id)
	case "refund":
		_, err = x.e.Refund(ctx, id)
	default:
		return apiOrder{}, unsupported("xsolla", step, "pay, decline, cancel, refund")
	}
	s, _ := x.e.Order(id)
	return x.view(s), err
}

func (x *xsollaAPI) deliveries() []apiDelivery { return deliveriesOf(x.e.Deliveries()) }

func (x *xsollaAPI) resend(ctx context.Context, id string) (apiDelivery, error) {
	d, err := x.e.Resend(ctx, id)
	return fromDelivery(d), err
}

func (x *xsollaAPI) wait(ctx context.Context) error { return x.e.Wait(ctx) }
