package playvisiontest

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// ServeHTTP serves, under Options.Prefix:
//
//	GET  /                            index: open a dialog, list orders
//	GET  /v1/payment.window           the purchase dialog (asks the app with get_item);
//	                                  an optional return_url (http or https) is where
//	                                  the order page sends the buyer back to
//	                                  (see Options.ReturnURL)
//	GET  /orders/{id}                 an order's state and the app's last answer
//	POST /orders/{id}/confirm|cancel|resend
//	GET|POST /v1/secure.setUserLevel, /v1/secure.setUserInfo   the signed server API
//
// Pages are plain HTML forms; no JavaScript is needed.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, e.opts.Prefix)
	if !ok {
		if r.URL.Path+"/" == e.opts.Prefix {
			http.Redirect(w, r, e.opts.Prefix, http.StatusFound)
			return
		}
		http.NotFound(w, r)
		return
	}
	switch {
	case rest == "" && r.Method == http.MethodGet:
		e.index(w)
	case rest == "v1/payment.window" && r.Method == http.MethodGet:
		e.window(w, r)
	case rest == "v1/secure.setUserLevel" || rest == "v1/secure.setUserInfo":
		e.secure(w, r, strings.TrimPrefix(rest, "v1/"))
	case strings.HasPrefix(rest, "orders/"):
		e.orderPage(w, r, strings.TrimPrefix(rest, "orders/"))
	default:
		http.NotFound(w, r)
	}
}

func (e *Emulator) path(p string) string { return e.opts.Prefix + p }

func (e *Emulator) index(w http.ResponseWriter) {
	const demoUser = 1
	data := map[string]any{
		"Prefix": e.opts.Prefix, "AppID": e.opts.AppID, "User": demoUser,
		"Token": e.Token(demoUser), "Orders": e.Orders(), "Test": e.opts.Test,
	}
	if e.opts.AppURL != "" {
		sep := "?"
		if strings.Contains(e.opts.AppURL, "?") {
			sep = "&"
		}
		data["Launch"] = e.opts.AppURL + sep + e.LaunchQuery(demoUser).Encode()
	}
	render(w, http.StatusOK, indexPage, data)
}

func (e *Emulator) window(w http.ResponseWriter, r *http.Request) {
	q, err := parseStrict(r.URL.RawQuery)
	if err != nil {
		render(w, http.StatusBadRequest, errorPage, e.errData("Bad payment.window call", err.Error()))
		return
	}
	if q.Get("project_id") != strconv.FormatInt(e.opts.AppID, 10) {
		render(w, http.StatusBadRequest, errorPage, e.errData("Bad payment.window call", "project_id is not this application"))
		return
	}
	ret := q.Get("return_url")
	if ret != "" && !httpURL(ret) {
		render(w, http.StatusBadRequest, errorPage, e.errData("Bad payment.window call", "return_url must be an absolute http(s) URL"))
		return
	}
	user, _ := strconv.ParseInt(q.Get("user_id"), 10, 64)
	o, err := e.OpenWindow(r.Context(), user, q.Get("item"), q.Get("token"))
	if err != nil {
		render(w, http.StatusBadRequest, errorPage, e.errData("The dialog cannot open", err.Error()))
		return
	}
	if ret != "" {
		e.mu.Lock()
		e.orders[o.TransactionID].ReturnURL = ret
		e.mu.Unlock()
	}
	render(w, http.StatusOK, dialogPage, map[string]any{"Prefix": e.opts.Prefix, "O": o})
}

func (e *Emulator) orderPage(w http.ResponseWriter, r *http.Request, rest string) {
	idText, action, _ := strings.Cut(rest, "/")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	switch {
	case action == "" && r.Method == http.MethodGet:
		o, ok := e.Order(id)
		if !ok {
			http.NotFound(w, r)
			return
		}
		render(w, http.StatusOK, orderTmpl, map[string]any{"Prefix": e.opts.Prefix, "O": o, "Return": returnLink(o)})
		return
	case r.Method != http.MethodPost:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch action {
	case "confirm":
		_, err = e.Confirm(r.Context(), id)
	case "cancel":
		err = e.Cancel(id)
	case "resend":
		_, err = e.Resend(r.Context(), id)
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		render(w, http.StatusConflict, errorPage, e.errData("Cannot "+action+" order "+idText, err.Error()))
		return
	}
	http.Redirect(w, r, e.path("orders/"+idText), http.StatusSeeOther)
}

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

func (e *Emulator) errData(title, msg string) map[string]any {
	return map[string]any{"Prefix": e.opts.Prefix, "Title": title, "Message": msg}
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

// readParams reads the query of a GET or the form body of a POST, rejecting
// repeated keys.
func readParams(r *http.Request) (url.Values, error) {
	if r.Method == http.MethodGet {
		return parseStrict(r.URL.RawQuery)
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxAnswer+1))
	if err != nil || len(b) > maxAnswer {
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

func render(w http.ResponseWriter, status int, t *template.Template, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = t.Execute(w, data)
}

const pageHead = `<!doctype html><html><head><meta charset="utf-8"><title>Playvision emulator</title>
<style>body{font-family:sans-serif;max-width:44em;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em}.price{font-size:1.4em;font-weight:bold}</style>
</head><body><p><a href="{{.Prefix}}">Playvision emulator</a></p>`

var indexPage = template.Must(template.New("index").Parse(pageHead + `
<h1>Playvision emulator</h1>
<p>Application {{.AppID}}{{if .Test}}, test mode (<code>_test</code> notifications){{end}}.</p>
{{with .Launch}}<p><a href="{{.}}">Launch the app as user 1</a></p>{{end}}
<h2>Open the purchase dialog (payment.window)</h2>
<form method="get" action="{{.Prefix}}v1/payment.window">
<input type="hidden" name="project_id" value="{{.AppID}}">
<label>user_id <input name="user_id" value="{{.User}}"></label>
<label>item <input name="item" value="gold_pack_100"></label>
<label>token <input name="token" value="{{.Token}}"></label>
<button>Open dialog</button></form>
<h2>Orders</h2>
<table><tr><th>transaction_id</th><th>user</th><th>item</th><th>PlayGold</th><th>state</th><th>attempts</th></tr>
{{range .Orders}}<tr><td><a href="{{$.Prefix}}orders/{{.TransactionID}}">{{.TransactionID}}</a></td><td>{{.UserID}}</td><td>{{.Title}}</td><td>{{.Price}}</td><td>{{.State}}</td><td>{{.Attempts}}</td></tr>
{{else}}<tr><td colspan="6">none yet</td></tr>{{end}}</table>
</body></html>`))

var dialogPage = template.Must(template.New("dialog").Parse(pageHead + `
<h1>Buy {{.O.Title}}</h1>
{{with .O.PhotoURL}}<p><img src="{{.}}" alt="" width="120"></p>{{end}}
<p class="price">{{.O.Price}} PlayGold</p>
<p>Order {{.O.TransactionID}} for user {{.O.UserID}}, item id {{.O.ItemID}}.</p>
<form method="post" action="{{.Prefix}}orders/{{.O.TransactionID}}/confirm" style="display:inline"><button>Pay {{.O.Price}} PlayGold</button></form>
<form method="post" action="{{.Prefix}}orders/{{.O.TransactionID}}/cancel" style="display:inline"><button>Cancel</button></form>
</body></html>`))

var orderTmpl = template.Must(template.New("order").Parse(pageHead + `
<h1>Order {{.O.TransactionID}}: {{.O.State}}</h1>
<table>
<tr><th>item</th><td>{{.O.Title}} ({{.O.ItemID}}, requested as {{.O.Item}})</td></tr>
<tr><th>price</th><td>{{.O.Price}} PlayGold</td></tr>
<tr><th>user</th><td>{{.O.UserID}}</td></tr>
<tr><th>deliveries</th><td>{{.O.Attempts}}</td></tr>
<tr><th>last answer</th><td><code>{{.O.LastReply}}</code></td></tr>
{{with .O.LastError}}<tr><th>problem</th><td>{{.}}</td></tr>{{end}}
</table>
{{if eq .O.State "open"}}
<form method="post" action="{{.Prefix}}orders/{{.O.TransactionID}}/confirm" style="display:inline"><button>Pay</button></form>
<form method="post" action="{{.Prefix}}orders/{{.O.TransactionID}}/cancel" style="display:inline"><button>Cancel</button></form>
{{else if ne .O.State "canceled"}}
<form method="post" action="{{.Prefix}}orders/{{.O.TransactionID}}/resend"><button>Send the callback again</button> (order_status_change, the same signed bytes, as a duplicate delivery)</form>
{{end}}
{{with .Return}}<p><a id="return" href="{{.}}">Back to the app</a></p>{{end}}
</body></html>`))

var errorPage = template.Must(template.New("error").Parse(pageHead + `
<h1>{{.Title}}</h1><p>{{.Message}}</p></body></html>`))
