package vkpaytest

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/paykit-go/paykit/internal/emulator"
	"github.com/paykit-go/paykit/vkpay"
)

// ServeHTTP serves the emulator's pages under Options.Prefix:
//
//	GET  {prefix}                        orders, subscriptions, forms to buy and subscribe
//	GET  {prefix}pay?item=…&user_id=…&return_url=…
//	                                     what VKWebAppShowOrderBox opens: asks the
//	                                     merchant (get_item) and shows the order
//	POST {prefix}buy                     the same from the index form
//	GET  {prefix}order/{id}              the purchase window: item, price, buttons
//	POST {prefix}order/{id}/pay          pay (order_status_change chargeable)
//	POST {prefix}order/{id}/cancel       close the window
//	POST {prefix}order/{id}/refund       refund (order_status_change refunded)
//	POST {prefix}order/{id}/resend       send the last order_status_change again
//	GET  {prefix}subscribe?item=…        VKWebAppShowSubscriptionBox (get_subscription)
//	POST {prefix}subscribe               the same from the index form
//	GET  {prefix}subscription/{id}       the subscription window
//	POST {prefix}subscription/{id}/pay|cancel|resume|resend
//	POST {prefix}method/{name}           the payments API (orders.*), see Options.AccessToken
//
// Every page carries the shared TEST MODE banner and a way back; no
// JavaScript is needed, every button is a form.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := emulator.Within(w, r, e.prefix)
	if !ok {
		return
	}
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	get, post := r.Method == http.MethodGet || r.Method == http.MethodHead, r.Method == http.MethodPost
	switch {
	case rest == "" && get:
		e.render(w, http.StatusOK, "index", emulator.Page{Title: "VK payments", Data: e.indexData()})
	case (parts[0] == "pay" && get) || (parts[0] == "buy" && post):
		e.startOrder(w, r)
	case (parts[0] == "subscribe" && (get || post)) && len(parts) == 1:
		e.startSubscription(w, r)
	case parts[0] == "order" && len(parts) >= 2:
		e.orderPage(w, r, parts[1:], get, post)
	case parts[0] == "subscription" && len(parts) >= 2:
		e.subscriptionPage(w, r, parts[1:], get, post)
	case parts[0] == "method" && len(parts) == 2:
		e.serveAPI(w, r, parts[1])
	default:
		e.notFound(w)
	}
}

// link is the URL of a page: under BaseURL when it is set, else
// host-relative under the prefix.
func (e *Emulator) link(path string) string {
	if e.opts.BaseURL == "" {
		return e.prefix + path
	}
	return e.opts.BaseURL + "/" + path
}

func formValue(r *http.Request, k string) string {
	if r.Method == http.MethodPost {
		_ = r.ParseForm()
		return r.PostForm.Get(k)
	}
	return r.URL.Query().Get(k)
}

func userIDOf(r *http.Request) int64 {
	id, _ := strconv.ParseInt(formValue(r, "user_id"), 10, 64)
	return id
}

func (e *Emulator) startOrder(w http.ResponseWriter, r *http.Request) {
	item := formValue(r, "item")
	if item == "" {
		e.render(w, http.StatusBadRequest, "message", emulator.Page{Title: "An item is required", Data: "Give the item key, as VKWebAppShowOrderBox does."})
		return
	}
	o, err := e.Open(r.Context(), item, userIDOf(r))
	if errors.Is(err, ErrClosed) {
		e.render(w, http.StatusServiceUnavailable, "message", emulator.Page{Title: "The emulator is closed"})
		return
	}
	if ret := formValue(r, "return_url"); httpURL(ret) {
		_, _ = e.orders.Update(o.ID, func(o *Order) error { o.ReturnURL = ret; return nil })
	}
	http.Redirect(w, r, e.link("order/"+strconv.FormatInt(o.ID, 10)), http.StatusSeeOther)
}

func (e *Emulator) startSubscription(w http.ResponseWriter, r *http.Request) {
	item := formValue(r, "item")
	if item == "" {
		e.render(w, http.StatusBadRequest, "message", emulator.Page{Title: "An item is required", Data: "Give the subscription key, as VKWebAppShowSubscriptionBox does."})
		return
	}
	s, err := e.OpenSubscription(r.Context(), item, userIDOf(r))
	if errors.Is(err, ErrClosed) {
		e.render(w, http.StatusServiceUnavailable, "message", emulator.Page{Title: "The emulator is closed"})
		return
	}
	http.Redirect(w, r, e.link("subscription/"+strconv.FormatInt(s.ID, 10)), http.StatusSeeOther)
}

func (e *Emulator) orderPage(w http.ResponseWriter, r *http.Request, parts []string, get, post bool) {
	id, err := strconv.ParseInt(parts[0], 10, 64)
	o, ok := e.Order(id)
	if err != nil || !ok {
		e.notFound(w)
		return
	}
	if len(parts) == 1 && get {
		_, sent := e.engine.Latest(parts[0], isChange)
		title := "Pay with VK votes"
		if o.State != StateOpen {
			title = "Order " + parts[0]
		}
		e.render(w, http.StatusOK, "order", emulator.Page{
			Title: title, Reference: orderRef(o), Item: o.Title, Status: string(o.State),
			Amount: votes(o.Price), Back: o.ReturnURL, BackLabel: "Back to the app",
			Data: map[string]any{"O": o, "Deliveries": e.engine.DeliveriesOf(parts[0]), "Sent": sent},
		})
		return
	}
	if len(parts) != 2 || !post {
		e.notFound(w)
		return
	}
	switch parts[1] {
	case "pay":
		_, err = e.Pay(r.Context(), id)
	case "cancel":
		_, err = e.Cancel(r.Context(), id)
	case "refund":
		_, err = e.Refund(r.Context(), id)
	case "resend":
		err = e.resendLast(r, id)
	default:
		e.notFound(w)
		return
	}
	e.afterAction(w, r, err, "order/"+parts[0])
}

func (e *Emulator) subscriptionPage(w http.ResponseWriter, r *http.Request, parts []string, get, post bool) {
	id, err := strconv.ParseInt(parts[0], 10, 64)
	s, ok := e.Subscription(id)
	if err != nil || !ok {
		e.notFound(w)
		return
	}
	if len(parts) == 1 && get {
		_, sent := e.engine.Latest(parts[0], isChange)
		e.render(w, http.StatusOK, "subscription", emulator.Page{
			Title: "Subscribe with VK votes", Reference: "Subscription " + parts[0], Item: s.Title, Status: string(s.State),
			Amount: votes(s.Price), Data: map[string]any{"S": s, "Deliveries": e.engine.DeliveriesOf(parts[0]), "Sent": sent},
		})
		return
	}
	if len(parts) != 2 || !post {
		e.notFound(w)
		return
	}
	ctx := r.Context()
	switch parts[1] {
	case "pay":
		_, err = e.PaySubscription(ctx, id)
	case "cancel":
		_, err = e.CancelSubscription(ctx, id, vkpay.CancelReason(formValue(r, "reason")))
	case "resume":
		_, err = e.ResumeSubscription(ctx, id)
	case "resend":
		err = e.resendLast(r, id)
	default:
		e.notFound(w)
		return
	}
	e.afterAction(w, r, err, "subscription/"+parts[0])
}

// afterAction shows a closed emulator or goes back to the page; a refusal
// or a state error shows on the page itself.
func (e *Emulator) afterAction(w http.ResponseWriter, r *http.Request, err error, page string) {
	if errors.Is(err, ErrClosed) {
		e.render(w, http.StatusServiceUnavailable, "message", emulator.Page{Title: "The emulator is closed"})
		return
	}
	http.Redirect(w, r, e.link(page), http.StatusSeeOther)
}

// isChange keeps the status changes: what "Send the callback again"
// sends (get_item is a question, not a notification).
func isChange(d Delivery) bool { return strings.Contains(d.Event, "status_change") }

func (e *Emulator) resendLast(r *http.Request, id int64) error {
	_, err := e.engine.ResendLast(r.Context(), strconv.FormatInt(id, 10), isChange)
	return err
}

func orderRef(o Order) string {
	ref := "VK order " + strconv.FormatInt(o.ID, 10)
	if o.AppOrderID != 0 {
		ref += " · app order " + strconv.FormatInt(o.AppOrderID, 10)
	}
	return ref
}

func votes(n int64) string {
	if n == 1 {
		return "1 vote"
	}
	return emulator.FormatAmount(n, "votes")
}

func (e *Emulator) notFound(w http.ResponseWriter) {
	e.render(w, http.StatusNotFound, "message", emulator.Page{Title: "No such page or order",
		Data: "The order may never have existed, or the emulator forgot it (it keeps the newest orders only)."})
}

func (e *Emulator) indexData() map[string]any {
	return map[string]any{"Orders": e.Orders(), "Subs": e.Subscriptions(),
		"NotifyURL": e.notifyURL(), "Test": e.opts.Test, "UserID": e.opts.UserID}
}

func (e *Emulator) render(w http.ResponseWriter, status int, name string, p emulator.Page) {
	p.Provider, p.Home = "VK payments", e.link("")
	p.Merchant = "App " + strconv.FormatInt(e.opts.AppID, 10)
	w.Header().Set("Cache-Control", "no-store")
	emulator.Render(w, status, pages, name, p)
}

var pages = emulator.Templates(`
{{define "message"}}{{template "top" .}}{{with .Data}}<p>{{.}}</p>{{end}}{{template "bottom" .}}{{end}}

{{define "deliveries"}}{{if .}}<h2>Notifications sent</h2><div class="table"><table><tr><th>#</th><th>notification</th><th>HTTP</th><th>answer</th></tr>
{{range .}}<tr><td>{{.Attempt}}{{if .Resent}} (again){{end}}</td><td>{{.Event}}</td><td>{{if .Status}}{{.Status}}{{else}}—{{end}}</td><td><code>{{.Reply}}</code>{{with .Err}} <span class="error">{{.}}</span>{{end}}</td></tr>{{end}}
</table></div>{{end}}{{end}}

{{define "index"}}{{template "top" .}}{{with .Data}}
<p class="muted">{{if .Test}}Payment tester: notifications carry the <code>_test</code> types. {{end}}Notifications go to <code>{{.NotifyURL}}</code>.</p>
<h2>Buy an item (VKWebAppShowOrderBox)</h2>
<form method="post" action="{{$.Home}}buy"><label>Item key <input name="item" required></label><label>User id <input name="user_id" value="{{.UserID}}"></label><button class="primary">Open the purchase window</button></form>
<h2>Subscribe (VKWebAppShowSubscriptionBox)</h2>
<form method="post" action="{{$.Home}}subscribe"><label>Subscription key <input name="item" required></label><label>User id <input name="user_id" value="{{.UserID}}"></label><button class="primary">Open the subscription window</button></form>
<h2>Orders</h2>{{if .Orders}}<div class="table"><table><tr><th>order</th><th>item</th><th>price</th><th>state</th></tr>
{{range .Orders}}<tr><td><a href="{{$.Home}}order/{{.ID}}">{{.ID}}</a></td><td>{{.Title}} <span class="muted">{{.Item}}</span></td><td>{{.Price}} votes</td><td>{{.State}}</td></tr>{{end}}</table></div>{{else}}<p class="muted">None yet.</p>{{end}}
<h2>Subscriptions</h2>{{if .Subs}}<div class="table"><table><tr><th>id</th><th>item</th><th>price / period</th><th>state</th></tr>
{{range .Subs}}<tr><td><a href="{{$.Home}}subscription/{{.ID}}">{{.ID}}</a></td><td>{{.Title}} <span class="muted">{{.Item}}</span></td><td>{{.Price}} votes / {{.Period}} days</td><td>{{.State}}</td></tr>{{end}}</table></div>{{else}}<p class="muted">None yet.</p>{{end}}
{{end}}{{template "bottom" .}}{{end}}

{{define "order"}}{{template "top" .}}{{with .Data}}{{with .O}}
{{if .PhotoURL}}<p><img src="{{.PhotoURL}}" alt="" width="96"></p>{{end}}
{{if .Discount}}<p class="muted">Discount: {{.Discount}} votes.</p>{{end}}
<p class="muted">Buyer: user {{.UserID}}. Item key <code>{{.Item}}</code>.</p>
{{with .LastError}}<p class="error">{{.}}</p>{{end}}
{{if eq .State "open"}}<h2>Outcome to simulate</h2>
<form class="actions" method="post" action="{{$.Home}}order/{{.ID}}/pay"><button class="primary">Pay {{.Price}} votes</button></form>
<form class="actions" method="post" action="{{$.Home}}order/{{.ID}}/cancel"><button>Cancel (close the window)</button></form>{{end}}
{{if eq .State "paid"}}<form class="actions" method="post" action="{{$.Home}}order/{{.ID}}/refund"><button class="danger">Refund</button></form>{{end}}
{{if $.Data.Sent}}<form class="actions" method="post" action="{{$.Home}}order/{{.ID}}/resend"><button>Send the callback again</button></form><p class="muted">The last order_status_change, the same signed bytes, as a duplicate delivery from VK.</p>{{end}}
{{end}}{{template "deliveries" .Deliveries}}{{end}}{{template "bottom" .}}{{end}}

{{define "subscription"}}{{template "top" .}}{{with .Data}}{{with .S}}
{{if .Title}}<p>Every {{.Period}} days{{if .TrialDuration}}, the first {{.TrialDuration}} days free{{end}}.</p>{{end}}
<p class="muted">Buyer: user {{.UserID}}. Key <code>{{.Item}}</code>.{{if .Status}} Last status {{.Status}}{{if .CancelReason}} ({{.CancelReason}}){{end}}.{{end}}</p>
{{with .LastError}}<p class="error">{{.}}</p>{{end}}
{{if eq .State "open"}}<form class="actions" method="post" action="{{$.Home}}subscription/{{.ID}}/pay"><button class="primary">Subscribe for {{.Price}} votes</button></form>{{end}}
{{if eq .State "active"}}<form method="post" action="{{$.Home}}subscription/{{.ID}}/cancel"><label>Reason <select name="reason">
<option>user_decision</option><option>app_decision</option><option>payment_fail</option><option>unknown</option></select></label><button class="danger">Cancel the subscription</button></form>{{end}}
{{if eq .State "cancelled"}}<form class="actions" method="post" action="{{$.Home}}subscription/{{.ID}}/resume"><button class="primary">Resume</button></form>{{end}}
{{if $.Data.Sent}}<form class="actions" method="post" action="{{$.Home}}subscription/{{.ID}}/resend"><button>Send the callback again</button></form><p class="muted">The last subscription_status_change, the same signed bytes, as a duplicate delivery from VK.</p>{{end}}
{{end}}{{template "deliveries" .Deliveries}}{{end}}{{template "bottom" .}}{{end}}
`, nil)
