package xsollatest

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/emulator"
)

// Plain HTML pages a person can click through, with the TEST MODE banner
// every kit shares; no JavaScript. Form actions are relative, so the pages
// work under any prefix.

// amount writes money in major units by its currency's ISO 4217 exponent.
func amount(m paykit.Money) string {
	return emulator.FormatAmount(m.Amount, m.Currency)
}

var pages = emulator.Templates(`
{{define "message"}}{{template "top" .}}{{with .Data}}<p>{{.}}</p>{{end}}{{template "bottom" .}}{{end}}

{{define "index"}}{{template "top" .}}
<p>The emulator serves <code>POST merchant/v2/merchants/{merchant_id}/token</code>, <code>POST api/v3/project/{project_id}/admin/payment/token</code> and Pay Station at <code>paystation4/?token=…</code>.</p>
<h2>Orders</h2>{{if .Data}}<div class="table"><table><tr><th>user</th><th>order</th><th>total</th><th>state</th></tr>
{{range .Data}}<tr><td><a href="paystation4/?token={{.Token}}">{{.UserID}}</a></td><td>{{.ExternalID}}{{if .OrderID}} #{{.OrderID}}{{end}}</td><td>{{amount .Total}}</td><td>{{.State}}</td></tr>{{end}}</table></div>{{else}}<p class="muted">No tokens yet.</p>{{end}}
{{template "bottom" .}}{{end}}

{{define "paystation"}}{{template "top" .}}{{with .Data}}{{with .S}}
{{if .Sandbox}}<p class="muted">Sandbox: webhooks carry dry_run = 1.</p>{{end}}
<p class="muted">User <b>{{.UserID}}</b>{{if .Email}} ({{.Email}}){{end}}{{if .TransactionID}}, transaction {{.TransactionID}}{{end}}.</p>
{{if .Items}}<div class="table"><table><tr><th>item</th><th>qty</th><th>price</th></tr>
{{range .Items}}<tr><td>{{.SKU}}</td><td>{{.Quantity}}</td><td>{{amount .Price}}</td></tr>{{end}}</table></div>{{end}}
{{if eq .State "open"}}<h2>Outcome to simulate</h2>
<form class="actions" method="post" action="pay"><input type="hidden" name="token" value="{{.Token}}"><button class="primary" type="submit">Pay {{amount .Total}}</button></form>
<form class="actions" method="post" action="decline"><input type="hidden" name="token" value="{{.Token}}"><button type="submit">Decline (card refused)</button></form>
<form class="actions" method="post" action="cancel"><input type="hidden" name="token" value="{{.Token}}"><button type="submit">Cancel</button></form>
{{else if eq .State "paid"}}
<form class="actions" method="post" action="refund"><input type="hidden" name="token" value="{{.Token}}"><button class="danger" type="submit">Refund (sends refund{{if .OrderID}} and order_canceled{{end}})</button></form>
{{end}}
{{if $.Data.Sent}}<form class="actions" method="post" action="resend"><input type="hidden" name="token" value="{{.Token}}"><button type="submit">Send the callback again</button></form><p class="muted">The last webhook, the same signed bytes, as a duplicate delivery from Xsolla.</p>{{end}}
{{end}}
{{with .Error}}<p class="error">{{.}}</p>{{end}}
{{with .Deliveries}}<h2>Webhooks</h2><div class="table"><table><tr><th>type</th><th>#</th><th>answer</th></tr>
{{range .}}<tr><td>{{.Event}}</td><td>{{.Attempt}}{{if .Resent}} (again){{end}}</td><td>{{if .Status}}{{.Status}}{{end}}{{with .Err}} <span class="error">{{.}}</span>{{end}}</td></tr>{{end}}</table></div>{{end}}
{{end}}{{template "bottom" .}}{{end}}
`, template.FuncMap{"amount": amount})

func (e *Emulator) render(w http.ResponseWriter, status int, name string, p emulator.Page) {
	p.Provider, p.Home = "Xsolla Pay Station", e.prefix
	p.Merchant = "Project " + strconv.Itoa(e.opts.ProjectID)
	w.Header().Set("Cache-Control", "no-store")
	emulator.Render(w, status, pages, name, p)
}

// showOrder renders Pay Station for an order, with errText when an action
// failed.
func (e *Emulator) showOrder(w http.ResponseWriter, status int, s Order, errText string) {
	_, sent := e.engine.Latest(s.Token, nil)
	ref := s.ExternalID
	if s.OrderID != 0 {
		ref = strings.TrimSpace(ref + " · Xsolla order " + strconv.FormatInt(s.OrderID, 10))
	}
	item := "Checkout"
	if len(s.Items) > 0 {
		item = s.Items[0].SKU
		if len(s.Items) > 1 {
			item += " and " + strconv.Itoa(len(s.Items)-1) + " more"
		}
	}
	e.render(w, status, "paystation", emulator.Page{
		Title: "Pay Station", Reference: ref, Item: item, Amount: amount(s.Total), Status: string(s.State),
		Back: returnURL(s), BackLabel: "Back to the game",
		Data: map[string]any{"S": s, "Sent": sent, "Error": errText, "Deliveries": e.engine.DeliveriesOf(s.Token)},
	})
}

// resendLast sends the order's last webhook again (the page's button).
func (e *Emulator) resendLast(ctx context.Context, token string) (Order, error) {
	_, err := e.engine.ResendLast(ctx, token, nil)
	s, _ := e.Order(token)
	return s, err
}

// returnURL is the order's return_url with Pay Station's status
// parameters, when it is an http(s) URL.
func returnURL(s Order) string {
	u, err := url.Parse(s.ReturnURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	q := u.Query()
	switch s.State {
	case StatePaid, StateRefunded:
		q.Set("status", "done")
	case StateCanceled, StateDeclined:
		q.Set("status", "canceled")
	default:
		return u.String()
	}
	if s.TransactionID != 0 {
		q.Set("invoice_id", strconv.FormatInt(s.TransactionID, 10))
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func (e *Emulator) index(w http.ResponseWriter, _ *http.Request) {
	e.render(w, http.StatusOK, "index", emulator.Page{Title: "Xsolla emulator", Data: e.Orders()})
}

func (e *Emulator) page(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	if token == "" {
		token = r.URL.Query().Get("access_token")
	}
	s, ok := e.Order(token)
	if !ok {
		e.render(w, http.StatusNotFound, "message", emulator.Page{Title: "Unknown or expired token",
			Data: "The emulator keeps the newest orders only."})
		return
	}
	e.showOrder(w, http.StatusOK, s, "")
}

// formAction runs a Pay Station button: pay, decline, cancel, refund or
// resend. The first attempt of each webhook is made within the request;
// retries go on in the background (reload the page to follow them).
func (e *Emulator) formAction(w http.ResponseWriter, r *http.Request) {
	token := strings.TrimSpace(r.PostFormValue("token"))
	verbs := map[string]func(context.Context, string) (Order, error){
		"pay": e.Pay, "decline": e.Decline, "cancel": e.Cancel, "refund": e.Refund, "resend": e.resendLast,
	}
	act, known := verbs[r.PathValue("action")]
	if !known {
		http.NotFound(w, r)
		return
	}
	_, err := act(r.Context(), token)
	s, ok := e.Order(token)
	if !ok {
		e.render(w, http.StatusNotFound, "message", emulator.Page{Title: "Unknown or expired token"})
		return
	}
	status, msg := http.StatusOK, ""
	if err != nil {
		msg = err.Error()
		if errors.Is(err, ErrState) || errors.Is(err, ErrClosed) {
			status = http.StatusConflict
		}
	}
	e.showOrder(w, status, s, msg)
}
