package payseratest

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/paykit-go/paykit/internal/emulator"
	"github.com/paykit-go/paykit/paysera"
)

// ServeHTTP serves, under Options.Prefix:
//
//	pay/                  the payment page for a data/sign request (GET or POST)
//	payment/{id}          a payment: pay, leave pending, decline or cancel; refund
//	                      a paid one; send the last callback again (forms a person
//	                      can click)
//	download/public.key   the certificate whose key signs the callbacks
//	payment-methods/{project}/currency:{CUR}[/amount:{N}]   the methods XML
//	psms/respond/         deferred SMS answers
//	(the prefix itself)   a list of payments
//
// Pages carry the TEST MODE banner every kit shares and a way back to the
// shop.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path, ok := emulator.Within(w, r, e.prefix)
	if !ok {
		return
	}
	switch {
	case path == "":
		e.render(w, http.StatusOK, "index", emulator.Page{Title: "Payments", Data: e.Orders()})
	case path == "pay" || path == "pay/":
		e.servePay(w, r)
	case strings.HasPrefix(path, "payment/"):
		e.servePayment(w, r, strings.TrimSuffix(strings.TrimPrefix(path, "payment/"), "/"))
	case path == "download/public.key":
		w.Header().Set("Content-Type", "application/x-pem-file")
		_, _ = w.Write(e.certPEM)
	case strings.HasPrefix(path, "payment-methods/"):
		e.serveMethods(w, r, strings.TrimPrefix(path, "payment-methods/"))
	case path == "psms/respond" || path == "psms/respond/":
		e.serveSMSAnswer(w, r)
	default:
		e.notFound(w)
	}
}

func (e *Emulator) notFound(w http.ResponseWriter) {
	e.render(w, http.StatusNotFound, "message", emulator.Page{Title: "No such payment",
		Data: "The payment may never have existed, or the emulator forgot it (it keeps the newest payments only)."})
}

func (e *Emulator) servePay(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		e.refused(w, &PageError{Code: "0x15", Message: "unreadable request"})
		return
	}
	id, err := e.OpenForm(r.Form.Get("data"), r.Form.Get("sign"))
	if err != nil {
		e.refused(w, err)
		return
	}
	http.Redirect(w, r, e.prefix+"payment/"+id, http.StatusSeeOther)
}

func (e *Emulator) refused(w http.ResponseWriter, err error) {
	e.render(w, http.StatusBadRequest, "message", emulator.Page{Title: "Payment request refused", Data: err.Error()})
}

func (e *Emulator) servePayment(w http.ResponseWriter, r *http.Request, id string) {
	if r.Method != http.MethodPost {
		p, ok := e.Order(id)
		if !ok {
			e.notFound(w)
			return
		}
		e.showPayment(w, p)
		return
	}
	verbs := map[string]func(context.Context, string) (Order, error){
		"pay": e.Pay, "pending": e.Pend, "decline": e.Decline, "cancel": e.Cancel, "refund": e.Refund, "resend": e.resendLast,
	}
	act, known := verbs[r.PostFormValue("action")]
	if !known {
		http.Error(w, "unknown action", http.StatusBadRequest)
		return
	}
	p, err := act(r.Context(), id)
	switch {
	case errors.Is(err, ErrNotFound):
		e.notFound(w)
	case err != nil:
		e.render(w, http.StatusConflict, "message", emulator.Page{Title: "Not possible now", Data: err.Error(),
			Back: e.prefix + "payment/" + id, BackLabel: "Back to the payment"})
	case r.PostFormValue("action") == "cancel", r.PostFormValue("action") == "decline":
		http.Redirect(w, r, p.CancelURL, http.StatusSeeOther)
	case r.PostFormValue("action") == "pay" || r.PostFormValue("action") == "pending":
		http.Redirect(w, r, e.acceptURL(p), http.StatusSeeOther)
	default:
		http.Redirect(w, r, e.prefix+"payment/"+id, http.StatusSeeOther)
	}
}

func (e *Emulator) showPayment(w http.ResponseWriter, p Order) {
	back, label := p.CancelURL, "Back to the shop without paying"
	switch p.State {
	case StatePaid, StatePending, StateRefunded:
		back, label = e.acceptURL(p), "Back to the shop"
	case StateDeclined, StateCanceled:
		label = "Back to the shop"
	}
	_, sent := e.engine.Latest(p.RequestID, nil)
	e.render(w, http.StatusOK, "payment", emulator.Page{
		Title: "Pay " + p.OrderID, Reference: "Order " + p.OrderID + " · payment " + p.RequestID,
		Item: e.paytext(p.RequestID), Amount: emulator.FormatAmount(p.Amount, p.Currency), Status: string(p.State),
		Back: back, BackLabel: label,
		Data: map[string]any{"P": p, "Action": e.prefix + "payment/" + p.RequestID, "Sent": sent,
			"Deliveries": e.engine.DeliveriesOf(p.RequestID)},
	})
}

// resendLast sends the payment's last callback again (the page's button).
func (e *Emulator) resendLast(ctx context.Context, id string) (Order, error) {
	_, err := e.engine.ResendLast(ctx, id, nil)
	p, _ := e.Order(id)
	return p, err
}

// paytext is the payment's purpose as the callback reports it.
func (e *Emulator) paytext(id string) string {
	p, _ := e.orders.Get(id)
	return p.fields.Get("paytext")
}

// acceptURL appends data, ss1 and ss2 to accepturl as Paysera does (only
// the callback is authoritative; shops must not fulfil from this).
func (e *Emulator) acceptURL(p Order) string {
	stored, _ := e.orders.Get(p.RequestID)
	fields := append(Fields(nil), stored.fields...)
	for i := range fields {
		if fields[i].Key == "status" {
			fields[i].Value = string(p.Status)
			if fields[i].Value == "" {
				fields[i].Value = string(paysera.StatusAccepted)
			}
		}
	}
	params, err := e.signer.Sign(fields, SS1|SS2)
	if err != nil {
		return p.AcceptURL
	}
	return CallbackURL(p.AcceptURL, params)
}

func (e *Emulator) render(w http.ResponseWriter, status int, name string, p emulator.Page) {
	p.Provider, p.Home = "Paysera", e.prefix
	p.Merchant = "Project " + strconv.Itoa(e.opts.ProjectID)
	emulator.Render(w, status, pages, name, p)
}

// serveMethods answers payment-methods/{project}/currency:{CUR}[/amount:{N}].
func (e *Emulator) serveMethods(w http.ResponseWriter, r *http.Request, rest string) {
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	if len(parts) < 1 || parts[0] != strconv.Itoa(e.opts.ProjectID) {
		http.NotFound(w, r)
		return
	}
	currency, amount := "EUR", ""
	for _, p := range parts[1:] {
		switch {
		case strings.HasPrefix(p, "currency:"):
			currency = strings.TrimPrefix(p, "currency:")
		case strings.HasPrefix(p, "amount:"):
			amount = strings.TrimPrefix(p, "amount:")
		}
	}
	doc := e.opts.MethodsXML
	if doc == nil {
		doc = defaultMethodsXML(e.opts.ProjectID, currency, amount)
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	_, _ = w.Write(doc)
}

// serveSMSAnswer checks transaction = md5(password + "|" + id).
func (e *Emulator) serveSMSAnswer(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id := q.Get("id")
	sum := md5.Sum([]byte(e.opts.Password + "|" + id))
	if id == "" || !strings.EqualFold(q.Get("transaction"), hex.EncodeToString(sum[:])) {
		http.Error(w, "Error: bad transaction", http.StatusOK)
		return
	}
	e.mu.Lock()
	e.smsAnswers = append(e.smsAnswers, SMSAnswer{SMSID: id, Text: q.Get("msg")})
	e.mu.Unlock()
	_, _ = w.Write([]byte("OK"))
}

func defaultMethodsXML(projectID int, currency, amount string) []byte {
	cur := template.HTMLEscapeString(strings.ToUpper(currency))
	doc := `<?xml version="1.0" encoding="UTF-8"?>
<payment_types_document project_id="` + strconv.Itoa(projectID) + `" currency="` + cur + `" amount="` + template.HTMLEscapeString(amount) + `">
 <country code="lt">
  <title language="en">Lithuania</title>
  <title language="lt">Lietuva</title>
  <payment_group key="e-banking">
   <title language="en">E-banking</title>
   <payment_type key="hanza">
    <title language="en"><![CDATA[Swedbank]]></title>
    <logo_url language="en">https://example.invalid/logo/hanza.png</logo_url>
    <min amount="1" currency="` + cur + `"/>
    <max amount="1000000" currency="` + cur + `"/>
    <is_iban>1</is_iban>
   </payment_type>
   <payment_type key="vb2">
    <title language="en"><![CDATA[SEB]]></title>
    <logo_url language="en">https://example.invalid/logo/vb2.png</logo_url>
    <min amount="1" currency="` + cur + `"/>
   </payment_type>
  </payment_group>
  <payment_group key="other">
   <title language="en">Other</title>
   <payment_type key="card">
    <title language="en">Payment card</title>
    <logo_url language="en">https://example.invalid/logo/card.png</logo_url>
    <min amount="50" currency="` + cur + `"/>
    <max amount="500000" currency="` + cur + `"/>
   </payment_type>
   <payment_type key="wallet">
    <title language="en">Paysera account</title>
    <logo_url language="en">https://example.invalid/logo/wallet.png</logo_url>
   </payment_type>
  </payment_group>
 </country>
</payment_types_document>
`
	return []byte(doc)
}

var pages = emulator.Templates(`
{{define "message"}}{{template "top" .}}{{with .Data}}<p>{{.}}</p>{{end}}{{template "bottom" .}}{{end}}

{{define "index"}}{{template "top" .}}
{{if .Data}}<div class="table"><table><tr><th>payment</th><th>order</th><th>amount</th><th>state</th></tr>
{{range .Data}}<tr><td><a href="{{$.Home}}payment/{{.RequestID}}">{{.RequestID}}</a></td><td>{{.OrderID}}</td><td>{{amount .Amount .Currency}}</td><td>{{.State}}</td></tr>{{end}}</table></div>
{{else}}<p class="muted">No payments yet. A shop sends its payer to <code>{{.Home}}pay/?data=…&amp;sign=…</code>.</p>{{end}}
{{template "bottom" .}}{{end}}

{{define "payment"}}{{template "top" .}}{{with .Data}}
{{if .P.Test}}<p class="muted">Test payment (test=1): Paysera reports it as if paid.</p>{{end}}
{{if eq .P.State "open"}}<h2>Outcome to simulate</h2>
<form class="actions" method="post" action="{{.Action}}">
<button class="primary" name="action" value="pay">Pay {{amount .P.Amount .P.Currency}}</button>
<button name="action" value="pending">Leave pending</button>
<button name="action" value="decline">Decline</button>
<button name="action" value="cancel">Cancel</button>
</form>{{else if eq .P.State "pending"}}<h2>Outcome to simulate</h2>
<form class="actions" method="post" action="{{.Action}}">
<button class="primary" name="action" value="pay">Complete the payment</button>
<button name="action" value="decline">Decline</button>
</form>{{else if eq .P.State "paid"}}
<form class="actions" method="post" action="{{.Action}}"><button class="danger" name="action" value="refund">Refund {{amount .P.Amount .P.Currency}}</button></form>{{end}}
{{if .Sent}}<form class="actions" method="post" action="{{.Action}}"><button name="action" value="resend">Send the callback again</button></form><p class="muted">The last callback, the same signed bytes, as a duplicate delivery from Paysera.</p>{{end}}
{{if .Deliveries}}<h2>Callbacks</h2><div class="table"><table><tr><th>#</th><th>status</th><th>HTTP</th><th>answer</th></tr>
{{range .Deliveries}}<tr><td>{{.Attempt}}{{if .Resent}} (again){{end}}</td><td>{{.Event}}</td><td>{{if .Status}}{{.Status}}{{else}}—{{end}}</td><td><code>{{.Reply}}</code>{{with .Err}} <span class="error">{{.}}</span>{{end}}</td></tr>{{end}}
</table></div>{{end}}
{{end}}{{template "bottom" .}}{{end}}
`, template.FuncMap{"amount": emulator.FormatAmount})
