package checkouttest

import (
	"context"
	"html/template"
	"net/http"
	"strings"

	"github.com/paykit-go/paykit/internal/emulator"
)

// ServeHTTP serves the API, the payment pages and the index under
// Options.Prefix.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := emulator.Within(w, r, e.opts.Prefix)
	if !ok {
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
		e.render(w, http.StatusOK, "index", emulator.Page{Title: "Orders", Data: e.Orders()})
	case strings.HasPrefix(rest, "pay/"):
		e.payPage(w, r, strings.TrimPrefix(rest, "pay/"))
	case strings.HasPrefix(rest, "resend/") && r.Method == http.MethodPost:
		if _, err := e.engine.ResendLast(r.Context(), strings.TrimPrefix(rest, "resend/"), nil); err != nil {
			e.render(w, http.StatusConflict, "message", emulator.Page{Title: "Nothing to send again", Data: err.Error()})
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
// pay/{id}/{pay|pending|decline|cancel|refund|resend}).
func (e *Emulator) payPage(w http.ResponseWriter, r *http.Request, rest string) {
	id, action, _ := strings.Cut(rest, "/")
	l, ok := e.Link(id)
	if !ok {
		e.render(w, http.StatusNotFound, "message", emulator.Page{Title: "No such payment link",
			Data: "The link was never issued, or the emulator forgot its order (Options.MaxOrders)."})
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
		"pending": func(ctx context.Context) error { _, err := e.Pend(ctx, id, r.PostFormValue("method")); return err },
		"decline": func(ctx context.Context) error { _, err := e.Decline(ctx, id, r.PostFormValue("method")); return err },
		"cancel":  func(ctx context.Context) error { _, err := e.Cancel(ctx, id); return err },
		"refund":  func(ctx context.Context) error { _, err := e.Refund(ctx, r.PostFormValue("payment"), 0); return err },
		"resend": func(ctx context.Context) error {
			_, err := e.engine.ResendLast(ctx, l.OrderID, nil)
			return err
		},
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

// linkView is the kit's own part of the payment page.
type linkView struct {
	Link       Link
	Order      Order
	Payments   []Payment
	Deliveries []Delivery
	Action     string // the link page's URL path, for its buttons
	Return     string
	Error      string
}

func (e *Emulator) showLink(w http.ResponseWriter, l Link, msg string) {
	o, _ := e.Order(l.OrderID)
	v := linkView{Link: l, Order: o, Error: msg, Action: e.opts.Prefix + "pay/" + l.ID,
		Deliveries: e.engine.DeliveriesOf(o.ID)}
	for _, id := range l.Payments {
		p, _ := e.Payment(id)
		v.Payments = append(v.Payments, p)
	}
	back, label := first(o.CancelURL, o.FailureURL), "Back to the shop without paying"
	switch l.Status {
	case "completed":
		v.Return, back, label = o.SuccessURL, o.SuccessURL, "Back to the shop"
	case "canceled":
		v.Return, label = back, "Back to the shop"
	default:
		if n := len(v.Payments); n > 0 && v.Payments[n-1].Status == "rejected" {
			v.Return, back, label = o.FailureURL, first(o.FailureURL, back), "Back to the shop"
		}
	}
	status := http.StatusOK
	if msg != "" {
		status = http.StatusConflict
	}
	amount := l.Amount
	if amount == 0 {
		amount = o.Amount
	}
	e.render(w, status, "link", emulator.Page{Title: first(l.Name, "Payment"), Reference: o.Reference,
		Item: l.Name, Amount: emulator.FormatAmount(amount, o.Currency), Status: "link " + l.Status + ", order " + string(o.State),
		Back: back, BackLabel: label, Data: v})
}

func (e *Emulator) render(w http.ResponseWriter, status int, name string, p emulator.Page) {
	p.Provider, p.Home, p.Merchant = "Paysera Checkout", e.opts.Prefix, "Project "+e.opts.ProjectID
	w.Header().Set("Cache-Control", "no-store")
	emulator.Render(w, status, pages, name, p)
}

var pages = emulator.Templates(`
{{define "message"}}{{template "top" .}}{{with .Data}}<p>{{.}}</p>{{end}}{{template "bottom" .}}{{end}}

{{define "index"}}{{template "top" .}}
{{if .Data}}<div class="table"><table><tr><th>order</th><th>reference</th><th>amount</th><th>paid</th><th>state</th><th>links</th><th></th></tr>
{{range .Data}}<tr><td>{{.ID}}</td><td>{{.Reference}}</td><td>{{amount .Amount .Currency}}</td><td>{{amount .AmountPaid .Currency}}</td><td>{{.State}}</td>
<td>{{range .Links}}<a href="{{$.Home}}pay/{{.}}">{{.}}</a> {{end}}</td>
<td><form class="inline" method="post" action="{{$.Home}}resend/{{.ID}}"><button>Send the webhook again</button></form></td></tr>{{end}}
</table></div>
{{else}}<p class="muted">No orders yet. A shop creates one through the REST API, then a payment link; its payer opens <code>{{.Home}}pay/{link}</code>.</p>{{end}}
{{template "bottom" .}}{{end}}

{{define "link"}}{{template "top" .}}{{with .Data}}
{{if .Order.Test}}<p class="muted">Test order (is_test).</p>{{end}}
<p class="muted">Paid {{amount .Order.AmountPaid .Order.Currency}} of {{amount .Order.Amount .Order.Currency}}.</p>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
{{if eq .Link.Status "active"}}<h2>Outcome to simulate</h2>
<form class="actions" method="post" action="{{.Action}}/pay">
<label>Method <select name="method"><option>swedbank</option><option>seb</option><option>card-payment</option></select></label>
<button class="primary">Pay</button></form>
<form class="actions" method="post" action="{{.Action}}/pending"><button>Leave pending</button></form>
<form class="actions" method="post" action="{{.Action}}/decline"><button>Decline</button></form>
<form class="actions" method="post" action="{{.Action}}/cancel"><button>Cancel</button></form>
{{end}}
{{if .Payments}}<h2>Payments</h2><div class="table"><table><tr><th>payment</th><th>method</th><th>amount</th><th>status</th><th></th></tr>
{{range .Payments}}<tr><td>{{.ID}}</td><td>{{.Method}}</td><td>{{amount .Amount .Currency}}</td><td>{{.Status}}{{if .Refunded}} (refunded {{amount .Refunded .Currency}}){{end}}</td>
<td>{{if eq .Status "settled"}}<form class="inline" method="post" action="{{$.Data.Action}}/refund"><input type="hidden" name="payment" value="{{.ID}}"><button class="danger">Refund</button></form>{{end}}</td></tr>{{end}}
</table></div>{{end}}
{{if .Deliveries}}<h2>Webhooks</h2><div class="table"><table><tr><th>#</th><th>event</th><th>HTTP</th><th>outcome</th></tr>
{{range .Deliveries}}<tr><td>{{.ID}}{{if .Resent}} (again){{end}}</td><td>{{.Event}}</td><td>{{if .Status}}{{.Status}}{{else}}—{{end}}</td><td>{{.Outcome}}{{with .Err}} <span class="error">{{.}}</span>{{end}}</td></tr>{{end}}
</table></div>
<form class="actions" method="post" action="{{.Action}}/resend"><button>Send the webhook again</button></form>
<p class="muted">The order's last webhook, the same signed bytes, as the Merchant Area's resend.</p>{{end}}
{{if .Return}}<p><a id="return" href="{{.Return}}">Return to the shop</a></p>{{end}}
{{end}}{{template "bottom" .}}{{end}}
`, template.FuncMap{"amount": emulator.FormatAmount})
