package playvisiontest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/paykit-go/paykit/internal/emulator"
)

// ServeHTTP serves, under Options.Prefix:
//
//	GET  /                            index: launch the app or open a dialog as any user, list orders
//	GET  /launch?user_id=…            issue user_id's launch parameters (auth_key, token):
//	                                  redirects to Options.AppURL with them, or shows them
//	GET  /open?user_id=…&item=…       open the purchase dialog as user_id with the token
//	                                  the emulator issues to that user
//	GET  /v1/payment.window           the purchase dialog (asks the app with get_item);
//	                                  an optional return_url (http or https) is where
//	                                  the order page sends the buyer back to
//	                                  (see Options.ReturnURL)
//	GET  /orders/{id}                 an order's state and the app's last answer
//	POST /orders/{id}/pay|cancel|resend
//	GET|POST /v1/secure.setUserLevel, /v1/secure.setUserInfo   the signed server API
//
// Pages carry the shared TEST MODE banner and a way back; no JavaScript is
// needed.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := emulator.Within(w, r, e.opts.Prefix)
	if !ok {
		return
	}
	get := r.Method == http.MethodGet
	switch {
	case rest == "" && get:
		e.index(w)
	case rest == "launch" && get:
		e.launch(w, r)
	case rest == "open" && get:
		e.open(w, r)
	case rest == "v1/payment.window" && get:
		e.window(w, r)
	case rest == "v1/secure.setUserLevel" || rest == "v1/secure.setUserInfo":
		e.secure(w, r, strings.TrimPrefix(rest, "v1/"))
	case strings.HasPrefix(rest, "orders/"):
		e.orderPage(w, r, strings.TrimPrefix(rest, "orders/"))
	default:
		e.page(w, http.StatusNotFound, "No such page or order", "The order may never have existed, or the emulator forgot it (it keeps the newest orders only).")
	}
}

func (e *Emulator) path(p string) string { return e.opts.Prefix + p }

func (e *Emulator) index(w http.ResponseWriter) {
	e.render(w, http.StatusOK, "index", emulator.Page{Title: "Playvision", Data: map[string]any{
		"Orders": e.Orders(), "Test": e.opts.Test, "AppURL": e.opts.AppURL,
	}})
}

// userParam reads a positive user_id.
func userParam(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.URL.Query().Get("user_id"), 10, 64)
	return id, err == nil && id > 0
}

// launch issues a user's launch parameters, as the platform does when it
// opens the app's iframe.
func (e *Emulator) launch(w http.ResponseWriter, r *http.Request) {
	user, ok := userParam(r)
	if !ok {
		e.page(w, http.StatusBadRequest, "A user is required", "user_id must be a positive integer.")
		return
	}
	q := e.LaunchQuery(user)
	if e.opts.AppURL != "" {
		sep := "?"
		if strings.Contains(e.opts.AppURL, "?") {
			sep = "&"
		}
		http.Redirect(w, r, e.opts.AppURL+sep+q.Encode(), http.StatusFound)
		return
	}
	e.render(w, http.StatusOK, "launch", emulator.Page{Title: "Launch parameters of user " + strconv.FormatInt(user, 10),
		Data: map[string]any{"User": user, "Query": q}})
}

// open opens the purchase dialog as a user, with the token the emulator
// issues to that user.
func (e *Emulator) open(w http.ResponseWriter, r *http.Request) {
	user, ok := userParam(r)
	if !ok {
		e.page(w, http.StatusBadRequest, "A user is required", "user_id must be a positive integer.")
		return
	}
	q := url.Values{"project_id": {strconv.FormatInt(e.opts.AppID, 10)}, "user_id": {strconv.FormatInt(user, 10)},
		"item": {r.URL.Query().Get("item")}, "token": {e.Token(user)}}
	http.Redirect(w, r, e.path("v1/payment.window?"+q.Encode()), http.StatusFound)
}

func (e *Emulator) window(w http.ResponseWriter, r *http.Request) {
	const bad = "The payment.window call is not valid"
	q, err := parseStrict(r.URL.RawQuery)
	if err != nil {
		e.page(w, http.StatusBadRequest, bad, err.Error())
		return
	}
	if q.Get("project_id") != strconv.FormatInt(e.opts.AppID, 10) {
		e.page(w, http.StatusBadRequest, bad, "project_id is not this application")
		return
	}
	ret := q.Get("return_url")
	if ret != "" && !httpURL(ret) {
		e.page(w, http.StatusBadRequest, bad, "return_url must be an absolute http(s) URL")
		return
	}
	user, _ := strconv.ParseInt(q.Get("user_id"), 10, 64)
	o, err := e.Open(r.Context(), user, q.Get("item"), q.Get("token"))
	if err != nil {
		e.page(w, http.StatusBadRequest, "The dialog cannot open", err.Error())
		return
	}
	if ret != "" {
		o, _ = e.orders.Update(o.TransactionID, func(o *Order) error { o.ReturnURL = ret; return nil })
	}
	e.showOrder(w, o)
}

func (e *Emulator) showOrder(w http.ResponseWriter, o Order) {
	id := strconv.FormatInt(o.TransactionID, 10)
	title := "Buy with PlayGold"
	if o.State != StateOpen {
		title = "Order " + id
	}
	_, sent := e.engine.Latest(id, isChange)
	e.render(w, http.StatusOK, "order", emulator.Page{
		Title: title, Reference: "Transaction " + id, Item: o.Title, Amount: playGold(o.Price),
		Status: string(o.State), Back: returnLink(o), BackLabel: "Back to the app",
		Data: map[string]any{"O": o, "Sent": sent, "Deliveries": e.engine.DeliveriesOf(id)},
	})
}

func playGold(n int64) string { return emulator.FormatAmount(n, "PlayGold") }

func (e *Emulator) orderPage(w http.ResponseWriter, r *http.Request, rest string) {
	idText, action, _ := strings.Cut(rest, "/")
	id, err := strconv.ParseInt(idText, 10, 64)
	o, ok := e.Order(id)
	if err != nil || !ok {
		e.page(w, http.StatusNotFound, "No such order", "The order may never have existed, or the emulator forgot it (it keeps the newest orders only).")
		return
	}
	switch {
	case action == "" && r.Method == http.MethodGet:
		e.showOrder(w, o)
		return
	case r.Method != http.MethodPost:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch action {
	case "pay":
		_, err = e.Pay(r.Context(), id)
	case "cancel":
		_, err = e.Cancel(r.Context(), id)
	case "resend":
		_, err = e.engine.ResendLast(r.Context(), idText, isChange)
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		e.page(w, http.StatusConflict, "Cannot "+action+" order "+idText, err.Error())
		return
	}
	http.Redirect(w, r, e.path("orders/"+idText), http.StatusSeeOther)
}

// isChange keeps order_status_change: what "Send the callback again"
// sends (get_item is a question, not a notification).
func isChange(d Delivery) bool { return strings.HasPrefix(d.Event, "order_status_change") }

// returnLink is the order's ReturnURL with status=done (after Pay) or
// status=canceled added; "" while the dialog is open or without one.
func returnLink(o Order) string {
	if o.ReturnURL == "" || o.State == StateOpen {
		return ""
	}
	u, err := url.Parse(o.ReturnURL)
	if err != nil {
		return ""
	}
	q := u.Query()
	if o.State == StateCanceled {
		q.Set("status", "canceled")
	} else {
		q.Set("status", "done")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func (e *Emulator) page(w http.ResponseWriter, status int, title, msg string) {
	e.render(w, status, "message", emulator.Page{Title: title, Data: msg})
}

// secure answers the signed secure.* methods as documented:
// {"status":1,"message":"success"} or {"status":0,"message":…}.
func (e *Emulator) secure(w http.ResponseWriter, r *http.Request, method string) {
	p, err := readParams(r)
	if err != nil {
		apiReply(w, 0, err.Error())
		return
	}
	sig := p.Get("sig")
	switch {
	case sig == "":
		apiReply(w, 0, "sig is required")
		return
	case sig != e.signer.Sign(p):
		apiReply(w, 0, "Invalid signature")
		return
	case p.Get("project_id") != strconv.FormatInt(e.opts.AppID, 10):
		apiReply(w, 0, "Invalid project_id")
		return
	case p.Get("time") == "":
		apiReply(w, 0, "time is required")
		return
	}
	user, err := strconv.ParseInt(p.Get("user_id"), 10, 64)
	if err != nil || user <= 0 {
		apiReply(w, 0, "Invalid user_id")
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	switch method {
	case "secure.setUserLevel":
		level, err := strconv.ParseInt(p.Get("level"), 10, 64)
		if err != nil {
			apiReply(w, 0, "Invalid level")
			return
		}
		e.levels[user] = level
	default:
		attr := p.Get("attribute")
		if attr != "name" {
			apiReply(w, 0, "Unknown attribute")
			return
		}
		if e.info[user] == nil {
			e.info[user] = map[string]string{}
		}
		e.info[user][attr] = p.Get("value")
	}
	apiReply(w, 1, "success")
}

// maxParams caps a secure.* request body.
const maxParams = 64 << 10

// readParams reads the query of a GET or the form body of a POST, rejecting
// repeated keys.
func readParams(r *http.Request) (url.Values, error) {
	if r.Method == http.MethodGet {
		return parseStrict(r.URL.RawQuery)
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxParams+1))
	if err != nil || len(b) > maxParams {
		return nil, errors.New("body unreadable or too large")
	}
	return parseStrict(string(b))
}

// parseStrict parses a query or form body, rejecting repeated keys.
func parseStrict(s string) (url.Values, error) {
	v, err := url.ParseQuery(s)
	if err != nil {
		return nil, errors.New("malformed parameters")
	}
	for k, vs := range v {
		if len(vs) > 1 {
			return nil, fmt.Errorf("parameter %q repeated", k)
		}
	}
	return v, nil
}

func apiReply(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(struct {
		Status  int    `json:"status"`
		Message string `json:"message"`
	}{status, msg})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(b)
}

func (e *Emulator) render(w http.ResponseWriter, status int, name string, p emulator.Page) {
	p.Provider, p.Home = "Playvision", e.opts.Prefix
	p.Merchant = "App " + strconv.FormatInt(e.opts.AppID, 10)
	emulator.Render(w, status, pages, name, p)
}

var pages = emulator.Templates(`
{{define "message"}}{{template "top" .}}{{with .Data}}<p>{{.}}</p>{{end}}{{template "bottom" .}}{{end}}

{{define "index"}}{{template "top" .}}{{with .Data}}
<p class="muted">{{if .Test}}Application not yet verified: notifications carry the <code>_test</code> types. {{end}}Any user id works: the emulator issues each user's token.</p>
<h2>Launch the app</h2>
<form method="get" action="{{$.Home}}launch"><label>User id <input name="user_id" value="1"></label><button>{{if .AppURL}}Launch the app as this user{{else}}Show this user's launch parameters{{end}}</button></form>
<h2>Open the purchase dialog (payment.window)</h2>
<form method="get" action="{{$.Home}}open"><label>User id <input name="user_id" value="1"></label><label>Item <input name="item" value="gold_pack_100"></label><button class="primary">Open the dialog</button></form>
<h2>Orders</h2>{{if .Orders}}<div class="table"><table><tr><th>transaction</th><th>user</th><th>item</th><th>price</th><th>state</th></tr>
{{range .Orders}}<tr><td><a href="{{$.Home}}orders/{{.TransactionID}}">{{.TransactionID}}</a></td><td>{{.UserID}}</td><td>{{.Title}}</td><td>{{.Price}} PlayGold</td><td>{{.State}}</td></tr>{{end}}</table></div>{{else}}<p class="muted">None yet.</p>{{end}}
{{end}}{{template "bottom" .}}{{end}}

{{define "launch"}}{{template "top" .}}{{with .Data}}
<p>The platform opens the app's iframe with these parameters; <code>token</code> is what payment.window expects for user {{.User}}.</p>
<div class="table"><table>{{range $k, $v := .Query}}<tr><th>{{$k}}</th><td><code id="launch-{{$k}}">{{index $v 0}}</code></td></tr>{{end}}</table></div>
{{end}}{{template "bottom" .}}{{end}}

{{define "order"}}{{template "top" .}}{{with .Data}}{{with .O}}
{{with .PhotoURL}}<p><img src="{{.}}" alt="" width="120"></p>{{end}}
<p class="muted">Buyer: user {{.UserID}}. Item id <code>{{.ItemID}}</code>, requested as <code>{{.Item}}</code>.</p>
{{with .LastError}}<p class="error">{{.}}</p>{{end}}
{{if eq .State "open"}}<h2>Outcome to simulate</h2>
<form class="actions" method="post" action="{{$.Home}}orders/{{.TransactionID}}/pay"><button class="primary">Pay {{.Price}} PlayGold</button></form>
<form class="actions" method="post" action="{{$.Home}}orders/{{.TransactionID}}/cancel"><button>Cancel (close the dialog)</button></form>{{end}}
{{if $.Data.Sent}}<form class="actions" method="post" action="{{$.Home}}orders/{{.TransactionID}}/resend"><button>Send the callback again</button></form><p class="muted">order_status_change, the same signed bytes, as a duplicate delivery.</p>{{end}}
{{end}}{{if .Deliveries}}<h2>Notifications sent</h2><div class="table"><table><tr><th>#</th><th>notification</th><th>HTTP</th><th>answer</th></tr>
{{range .Deliveries}}<tr><td>{{.Attempt}}{{if .Resent}} (again){{end}}</td><td>{{.Event}}</td><td>{{if .Status}}{{.Status}}{{else}}—{{end}}</td><td><code>{{.Reply}}</code>{{with .Err}} <span class="error">{{.}}</span>{{end}}</td></tr>{{end}}
</table></div>{{end}}{{end}}{{template "bottom" .}}{{end}}
`, nil)
