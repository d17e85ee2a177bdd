package vkpaytest

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

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
//	POST {prefix}order/{id}/confirm      pay (order_status_change chargeable)
//	POST {prefix}order/{id}/cancel       close the window
//	POST {prefix}order/{id}/refund       refund (order_status_change refunded)
//	POST {prefix}order/{id}/resend       send the last order_status_change again
//	GET  {prefix}subscribe?item=…        VKWebAppShowSubscriptionBox (get_subscription)
//	POST {prefix}subscribe               the same from the index form
//	GET  {prefix}subscription/{id}       the subscription window
//	POST {prefix}subscription/{id}/confirm|cancel|resume|resend
//
// No JavaScript is needed; every button is a form.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, e.prefix)
	if !ok {
		if r.URL.Path+"/" == e.prefix {
			http.Redirect(w, r, e.link(""), http.StatusFound)
			return
		}
		http.NotFound(w, r)
		return
	}
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	get, post := r.Method == http.MethodGet || r.Method == http.MethodHead, r.Method == http.MethodPost
	switch {
	case rest == "" && get:
		e.render(w, "index", e.indexData())
	case (parts[0] == "pay" && get) || (parts[0] == "buy" && post):
		e.startOrder(w, r)
	case (parts[0] == "subscribe" && (get || post)) && len(parts) == 1:
		e.startSubscription(w, r)
	case parts[0] == "order" && len(parts) >= 2:
		e.orderPage(w, r, parts[1:], get, post)
	case parts[0] == "subscription" && len(parts) >= 2:
		e.subscriptionPage(w, r, parts[1:], get, post)
	default:
		http.NotFound(w, r)
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
		http.Error(w, "item is required", http.StatusBadRequest)
		return
	}
	o, _ := e.Open(r.Context(), item, userIDOf(r))
	if ret := formValue(r, "return_url"); safeReturn(ret) {
		e.mu.Lock()
		if stored, ok := e.orders[o.ID]; ok {
			stored.ReturnURL = ret
		}
		e.mu.Unlock()
	}
	http.Redirect(w, r, e.link("order/"+strconv.FormatInt(o.ID, 10)), http.StatusSeeOther)
}

// safeReturn accepts only absolute http(s) URLs as "back to the shop"
// links; they are shown, never fetched.
func safeReturn(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func (e *Emulator) startSubscription(w http.ResponseWriter, r *http.Request) {
	item := formValue(r, "item")
	if item == "" {
		http.Error(w, "item is required", http.StatusBadRequest)
		return
	}
	s, _ := e.OpenSubscription(r.Context(), item, userIDOf(r))
	http.Redirect(w, r, e.link("subscription/"+strconv.FormatInt(s.ID, 10)), http.StatusSeeOther)
}

func (e *Emulator) orderPage(w http.ResponseWriter, r *http.Request, parts []string, get, post bool) {
	id, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if len(parts) == 1 && get {
		o, ok := e.Order(id)
		if !ok {
			http.NotFound(w, r)
			return
		}
		e.render(w, "order", map[string]any{"O": o, "Base": e.link(""), "Deliveries": e.deliveriesFor("order_id", id),
			"Sent": e.sent(id)})
		return
	}
	if len(parts) != 2 || !post {
		http.NotFound(w, r)
		return
	}
	switch parts[1] {
	case "confirm":
		_, err = e.Confirm(r.Context(), id)
	case "cancel":
		_, err = e.Cancel(id)
	case "refund":
		_, err = e.Refund(r.Context(), id)
	case "resend":
		_, err = e.Resend(r.Context(), id)
	default:
		http.NotFound(w, r)
		return
	}
	if errors.Is(err, ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	http.Redirect(w, r, e.link("order/"+parts[0]), http.StatusSeeOther)
}

func (e *Emulator) subscriptionPage(w http.ResponseWriter, r *http.Request, parts []string, get, post bool) {
	id, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if len(parts) == 1 && get {
		s, ok := e.Subscription(id)
		if !ok {
			http.NotFound(w, r)
			return
		}
		e.render(w, "subscription", map[string]any{"S": s, "Base": e.link(""),
			"Deliveries": e.deliveriesFor("subscription_id", id), "Sent": e.sent(id)})
		return
	}
	if len(parts) != 2 || !post {
		http.NotFound(w, r)
		return
	}
	ctx := r.Context()
	switch parts[1] {
	case "confirm":
		_, err = e.ConfirmSubscription(ctx, id)
	case "cancel":
		_, err = e.CancelSubscription(ctx, id, vkpay.CancelReason(formValue(r, "reason")))
	case "resume":
		_, err = e.ResumeSubscription(ctx, id)
	case "resend":
		_, err = e.Resend(ctx, id)
	default:
		http.NotFound(w, r)
		return
	}
	if errors.Is(err, ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	http.Redirect(w, r, e.link("subscription/"+parts[0]), http.StatusSeeOther)
}

// sent reports whether a status change of id was sent (Resend has
// something to send).
func (e *Emulator) sent(id int64) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.last[id] != nil
}

func (e *Emulator) deliveriesFor(key string, id int64) []Delivery {
	want := strconv.FormatInt(id, 10)
	var out []Delivery
	for _, d := range e.Deliveries() {
		if d.Params.Get(key) == want {
			out = append(out, d)
		}
	}
	return out
}

func (e *Emulator) indexData() map[string]any {
	e.mu.Lock()
	target := e.opts.NotifyURL
	e.mu.Unlock()
	return map[string]any{"Base": e.link(""), "Orders": e.Orders(), "Subs": e.Subscriptions(),
		"NotifyURL": target, "AppID": e.opts.AppID, "Test": e.opts.Test, "UserID": e.opts.UserID}
}

func (e *Emulator) render(w http.ResponseWriter, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := pages.ExecuteTemplate(w, name, data); err != nil {
		http.Error(w, "template error", http.StatusInternalServerError)
	}
}

var pages = template.Must(template.New("").Parse(`
{{define "head"}}<!doctype html><html><head><meta charset="utf-8"><title>VK payments emulator</title>
<style>body{font-family:sans-serif;max-width:52em;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em}.err{color:#a00}</style>
</head><body><p><a href="{{.Base}}">VK payments emulator</a></p>{{end}}
{{define "foot"}}</body></html>{{end}}

{{define "deliveries"}}{{if .}}<h3>Notifications sent</h3><table><tr><th>type</th><th>status</th><th>HTTP</th><th>answer</th></tr>
{{range .}}<tr><td>{{.Type}}</td><td>{{.Params.Get "status"}}</td><td>{{.Status}}</td><td><code>{{.Body}}</code>{{if .Err}} <span class="err">{{.Err}}</span>{{end}}</td></tr>{{end}}
</table>{{end}}{{end}}

{{define "index"}}{{template "head" .}}
<h1>VK payments emulator</h1>
<p>App {{.AppID}}{{if .Test}} (test mode: _test notifications){{end}}; notifications go to <code>{{.NotifyURL}}</code>.</p>
<h2>Buy an item (VKWebAppShowOrderBox)</h2>
<form method="post" action="{{.Base}}buy">Item key <input name="item" required> User id <input name="user_id" value="{{.UserID}}" size="8"> <button>Open purchase window</button></form>
<h2>Subscribe (VKWebAppShowSubscriptionBox)</h2>
<form method="post" action="{{.Base}}subscribe">Subscription key <input name="item" required> User id <input name="user_id" value="{{.UserID}}" size="8"> <button>Open subscription window</button></form>
<h2>Orders</h2>{{if .Orders}}<table><tr><th>order</th><th>item</th><th>title</th><th>price</th><th>state</th></tr>
{{range .Orders}}<tr><td><a href="{{$.Base}}order/{{.ID}}">{{.ID}}</a></td><td>{{.Item}}</td><td>{{.Title}}</td><td>{{.Price}}</td><td>{{.State}}</td></tr>{{end}}</table>{{else}}<p>None yet.</p>{{end}}
<h2>Subscriptions</h2>{{if .Subs}}<table><tr><th>id</th><th>item</th><th>title</th><th>price / period</th><th>state</th></tr>
{{range .Subs}}<tr><td><a href="{{$.Base}}subscription/{{.ID}}">{{.ID}}</a></td><td>{{.Item}}</td><td>{{.Title}}</td><td>{{.Price}} / {{.Period}} d</td><td>{{.State}}</td></tr>{{end}}</table>{{else}}<p>None yet.</p>{{end}}
{{template "foot"}}{{end}}

{{define "order"}}{{template "head" .}}{{with .O}}
<h1>Order {{.ID}}</h1>
{{if .Title}}<p>{{if .PhotoURL}}<img src="{{.PhotoURL}}" alt="" width="96"><br>{{end}}
<strong>{{.Title}}</strong> — {{.Price}} votes{{if .Discount}} (discount {{.Discount}}){{end}}</p>{{end}}
<p>Item key <code>{{.Item}}</code>, user {{.UserID}}. State: <strong id="state">{{.State}}</strong>{{if .AppOrderID}}, app order {{.AppOrderID}}{{end}}.
{{if .LastError}}<br><span class="err">{{.LastError}}</span>{{end}}</p>
{{if eq .State "open"}}<form method="post" action="{{$.Base}}order/{{.ID}}/confirm"><button>Pay {{.Price}} votes</button></form>
<form method="post" action="{{$.Base}}order/{{.ID}}/cancel"><button>Cancel</button></form>{{end}}
{{if eq .State "charged"}}<form method="post" action="{{$.Base}}order/{{.ID}}/refund"><button>Refund</button></form>{{end}}
{{if $.Sent}}<form method="post" action="{{$.Base}}order/{{.ID}}/resend"><button>Send the callback again</button> (the last order_status_change, the same signed bytes, as a duplicate delivery)</form>{{end}}
{{if .ReturnURL}}<p><a href="{{.ReturnURL}}">Back to the shop</a></p>{{end}}
{{end}}{{template "deliveries" .Deliveries}}{{template "foot"}}{{end}}

{{define "subscription"}}{{template "head" .}}{{with .S}}
<h1>Subscription {{.ID}}</h1>
{{if .Title}}<p><strong>{{.Title}}</strong> — {{.Price}} votes every {{.Period}} days{{if .TrialDuration}}, {{.TrialDuration}} days free{{end}}</p>{{end}}
<p>Key <code>{{.Item}}</code>, user {{.UserID}}. State: <strong id="state">{{.State}}</strong>{{if .Status}} (last status {{.Status}}{{if .CancelReason}}, {{.CancelReason}}{{end}}){{end}}.
{{if .LastError}}<br><span class="err">{{.LastError}}</span>{{end}}</p>
{{if eq .State "open"}}<form method="post" action="{{$.Base}}subscription/{{.ID}}/confirm"><button>Subscribe</button></form>{{end}}
{{if eq .State "active"}}<form method="post" action="{{$.Base}}subscription/{{.ID}}/cancel">Reason <select name="reason">
<option>user_decision</option><option>app_decision</option><option>payment_fail</option><option>unknown</option></select> <button>Cancel subscription</button></form>{{end}}
{{if eq .State "cancelled"}}<form method="post" action="{{$.Base}}subscription/{{.ID}}/resume"><button>Resume</button></form>{{end}}
{{if $.Sent}}<form method="post" action="{{$.Base}}subscription/{{.ID}}/resend"><button>Send the callback again</button> (the last subscription_status_change, the same signed bytes, as a duplicate delivery)</form>{{end}}
{{end}}{{template "deliveries" .Deliveries}}{{template "foot"}}{{end}}
`))
