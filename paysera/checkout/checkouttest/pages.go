package checkouttest

import (
	"context"
	"html/template"
	"net/http"
	"strings"
)

// ServeHTTP serves the API, the payment pages and the index under
// Options.Prefix.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, e.opts.Prefix)
	if !ok {
		http.NotFound(w, r)
		return
	}
	switch {
	case rest == tokenPath:
		if !e.throttled(w) {
			e.token(w, r)
		}
	case isAPI(rest):
		if e.throttled(w) || !e.authorized(w, r) {
			return
		}
		if !e.api(w, r, rest) {
			apiError(w, http.StatusNotFound, "not_found", "No such endpoint", nil)
		}
	case rest == "" && r.Method == http.MethodGet:
		e.render(w, http.StatusOK, indexPage, map[string]any{"Orders": e.Orders(), "Prefix": e.opts.Prefix})
	case strings.HasPrefix(rest, "pay/"):
		e.payPage(w, r, strings.TrimPrefix(rest, "pay/"))
	case strings.HasPrefix(rest, "resend/") && r.Method == http.MethodPost:
		id := strings.TrimPrefix(rest, "resend/")
		if _, err := e.Resend(r.Context(), id); err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		http.Redirect(w, r, e.opts.Prefix, http.StatusSeeOther)
	default:
		http.NotFound(w, r)
	}
}

func isAPI(rest string) bool {
	for _, p := range []string{ordersPath, linksPath, methodsPath, paymentsPath} {
		if rest == p || strings.HasPrefix(rest, p+"/") {
			return true
		}
	}
	return false
}

// payPage shows a link's page (GET) or applies a button (POST
// pay/{id}/{pay|pending|decline|cancel|refund}).
func (e *Emulator) payPage(w http.ResponseWriter, r *http.Request, rest string) {
	id, action, _ := strings.Cut(rest, "/")
	l, ok := e.Link(id)
	if !ok {
		http.NotFound(w, r)
		return
	}
	if r.Method == http.MethodGet && action == "" {
		e.showLink(w, l, "")
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	verbs := map[string]func(ctx context.Context) error{
		"pay":     func(ctx context.Context) error { _, err := e.Pay(ctx, id, r.PostFormValue("method")); return err },
		"pending": func(ctx context.Context) error { _, err := e.Pending(ctx, id, r.PostFormValue("method")); return err },
		"decline": func(ctx context.Context) error { _, err := e.Decline(ctx, id, r.PostFormValue("method")); return err },
		"cancel":  func(ctx context.Context) error { _, err := e.Cancel(ctx, id); return err },
		"refund":  func(ctx context.Context) error { _, err := e.Refund(ctx, r.PostFormValue("payment"), 0); return err },
	}
	verb, ok := verbs[action]
	if !ok {
		http.NotFound(w, r)
		return
	}
	msg := ""
	if err := verb(r.Context()); err != nil {
		msg = err.Error()
	}
	l, _ = e.Link(id)
	e.showLink(w, l, msg)
}

// linkView is what the payment page shows.
type linkView struct {
	Link     Link
	Order    Order
	Payments []Payment
	Webhooks []Webhook
	Return   string
	Error    string
	Prefix   string
}

func (e *Emulator) showLink(w http.ResponseWriter, l Link, msg string) {
	o, _ := e.Order(l.OrderID)
	v := linkView{Link: l, Order: o, Error: msg, Prefix: e.opts.Prefix}
	for _, id := range l.Payments {
		p, _ := e.Payment(id)
		v.Payments = append(v.Payments, p)
	}
	for _, wh := range e.Webhooks() {
		if wh.OrderID == o.ID {
			v.Webhooks = append(v.Webhooks, wh)
		}
	}
	switch l.Status {
	case "completed":
		v.Return = o.SuccessURL
	case "canceled":
		v.Return = first(o.CancelURL, o.FailureURL)
	default:
		if n := len(v.Payments); n > 0 && v.Payments[n-1].Status == "rejected" {
			v.Return = o.FailureURL
		}
	}
	status := http.StatusOK
	if msg != "" {
		status = http.StatusConflict
	}
	e.render(w, status, linkPage, v)
}

func (e *Emulator) render(w http.ResponseWriter, status int, t *template.Template, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = t.Execute(w, data)
}

var indexPage = template.Must(template.New("index").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Paysera Checkout emulator</title></head><body>
<h1>Paysera Checkout (New) emulator</h1>
<table border="1"><tr><th>Order</th><th>Reference</th><th>Amount</th><th>Paid</th><th>Status</th><th>Links</th><th></th></tr>
{{range .Orders}}<tr><td>{{.ID}}</td><td>{{.Reference}}</td><td>{{.Amount}} {{.Currency}}</td><td>{{.AmountPaid}}</td><td>{{.Status}}</td>
<td>{{range .Links}}<a href="{{$.Prefix}}pay/{{.}}">{{.}}</a> {{end}}</td>
<td><form method="post" action="{{$.Prefix}}resend/{{.ID}}"><button>Send the webhook again</button></form></td></tr>
{{else}}<tr><td colspan="7">No orders yet.</td></tr>{{end}}
</table></body></html>`))

var linkPage = template.Must(template.New("link").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>{{.Link.Name}} — Paysera Checkout emulator</title></head><body>
<h1>{{.Link.Name}}</h1>
<p>Order {{.Order.Reference}}: <strong>{{.Link.Amount}}</strong> {{.Order.Currency}} (minor units) — link {{.Link.Status}}, order {{.Order.Status}}, paid {{.Order.AmountPaid}} of {{.Order.Amount}}.</p>
{{if .Error}}<p role="alert">{{.Error}}</p>{{end}}
{{if eq .Link.Status "active"}}
<form method="post" action="{{.Prefix}}pay/{{.Link.ID}}/pay">
<label>Method <select name="method"><option>swedbank</option><option>seb</option><option>card-payment</option></select></label>
<button>Pay</button></form>
<form method="post" action="{{.Prefix}}pay/{{.Link.ID}}/pending"><button>Leave pending</button></form>
<form method="post" action="{{.Prefix}}pay/{{.Link.ID}}/decline"><button>Decline</button></form>
<form method="post" action="{{.Prefix}}pay/{{.Link.ID}}/cancel"><button>Cancel</button></form>
{{end}}
{{if .Payments}}<h2>Payments</h2><ul>{{range .Payments}}<li>{{.ID}} {{.Method}} {{.Amount}} {{.Currency}}: {{.Status}}{{if .Refunded}} (refunded {{.Refunded}}){{end}}
{{if eq .Status "settled"}}<form method="post" action="{{$.Prefix}}pay/{{$.Link.ID}}/refund"><input type="hidden" name="payment" value="{{.ID}}"><button>Refund</button></form>{{end}}</li>{{end}}</ul>{{end}}
{{if .Webhooks}}<h2>Webhooks</h2><ul>{{range .Webhooks}}<li>{{.Type}}/{{.Name}}: {{.State}}, {{len .Attempts}} attempt(s){{range .Attempts}} [{{.Status}}{{if .Err}} {{.Err}}{{end}}{{if .Manual}} manual{{end}}]{{end}}</li>{{end}}</ul>
<form method="post" action="{{.Prefix}}resend/{{.Order.ID}}"><button>Send the webhook again</button></form>{{end}}
{{if .Return}}<p><a href="{{.Return}}">Return to the shop</a></p>{{end}}
</body></html>`))
