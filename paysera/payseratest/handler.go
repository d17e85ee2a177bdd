package payseratest

import (
	"crypto/md5"
	"encoding/hex"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/paykit-go/paykit/paysera"
)

// ServeHTTP serves, under Options.Prefix:
//
//	pay/                  the payment page for a data/sign request (GET or POST)
//	payment/{id}          a payment: pay, pending or cancel, and send the last
//	                      callback again (forms a person can click)
//	download/public.key   the certificate whose key signs the callbacks
//	payment-methods/{project}/currency:{CUR}[/amount:{N}]   the methods XML
//	psms/respond/         deferred SMS answers
//	(the prefix itself)   a list of payments
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path, ok := strings.CutPrefix(r.URL.Path, e.prefix)
	if !ok {
		if r.URL.Path+"/" == e.prefix {
			path, ok = "", true
		} else {
			http.NotFound(w, r)
			return
		}
	}
	switch {
	case path == "":
		e.serveIndex(w)
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
		http.NotFound(w, r)
	}
}

func (e *Emulator) servePay(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		e.page(w, http.StatusBadRequest, errorPage, &PageError{Code: "0x15", Message: "unreadable request"})
		return
	}
	id, err := e.OpenForm(r.Form.Get("data"), r.Form.Get("sign"))
	if err != nil {
		e.page(w, http.StatusBadRequest, errorPage, err)
		return
	}
	http.Redirect(w, r, e.prefix+"payment/"+id, http.StatusSeeOther)
}

func (e *Emulator) servePayment(w http.ResponseWriter, r *http.Request, id string) {
	p, ok := e.Payment(id)
	if !ok {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		e.mu.Lock()
		sent := e.payments[id].last != nil
		e.mu.Unlock()
		e.page(w, http.StatusOK, paymentPage, map[string]any{"P": p, "Action": e.prefix + "payment/" + id, "Index": e.prefix, "Sent": sent})
		return
	}
	if r.PostFormValue("action") == "resend" {
		if _, err := e.Resend(r.Context(), id); err != nil {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		http.Redirect(w, r, e.prefix+"payment/"+id, http.StatusSeeOther)
		return
	}
	var err error
	cancel := false
	switch r.PostFormValue("action") {
	case "pay":
		err = e.Pay(id)
	case "pending":
		err = e.Pend(id)
	case "cancel":
		err, cancel = e.Cancel(id), true
	default:
		http.Error(w, "unknown action", http.StatusBadRequest)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if cancel {
		http.Redirect(w, r, p.CancelURL, http.StatusSeeOther)
		return
	}
	p, _ = e.Payment(id)
	http.Redirect(w, r, e.acceptURL(p), http.StatusSeeOther)
}

// acceptURL appends data, ss1 and ss2 to accepturl as Paysera does (only
// the callback is authoritative; shops must not fulfil from this).
func (e *Emulator) acceptURL(p Payment) string {
	e.mu.Lock()
	fields := append(Fields(nil), e.payments[p.RequestID].fields...)
	e.mu.Unlock()
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

func (e *Emulator) serveIndex(w http.ResponseWriter) {
	e.page(w, http.StatusOK, indexPage, map[string]any{"Payments": e.Payments(), "Prefix": e.prefix})
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

func (e *Emulator) page(w http.ResponseWriter, status int, t *template.Template, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = t.Execute(w, data)
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

// pageStyle is the little CSS every page of the emulator shares.
const pageStyle = `<style>body{font-family:sans-serif;max-width:40em;margin:2em auto}table{border-collapse:collapse}td{padding:.25em .7em;border-bottom:1px solid #ddd}button{font-size:1.05em;margin:.4em .6em .4em 0}</style>`

var errorPage = template.Must(template.New("error").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Paysera emulator: error</title>` + pageStyle + `</head>
<body><h1>Payment request refused</h1>
<p>Error code <b>{{.Code}}</b>: {{.Message}}</p></body></html>
`))

var paymentPage = template.Must(template.New("payment").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Paysera emulator: payment {{.P.RequestID}}</title>` + pageStyle + `</head>
<body><h1>Payment {{.P.RequestID}}</h1>
<table>
<tr><td>Order</td><td>{{.P.OrderID}}</td></tr>
<tr><td>Amount</td><td>{{.P.Amount}} {{.P.Currency}} (minor units)</td></tr>
<tr><td>Test</td><td>{{.P.Test}}</td></tr>
<tr><td>Status</td><td>{{if .P.Canceled}}cancelled{{else if .P.Status}}{{.P.Status}}{{else}}waiting for the payer{{end}}</td></tr>
</table>
<form method="post" action="{{.Action}}">
<button name="action" value="pay">Pay</button>
<button name="action" value="pending">Leave pending</button>
<button name="action" value="cancel">Cancel</button>
</form>
<h2>Callbacks</h2>
<ul>{{range .P.Deliveries}}<li>status {{.Status}}, attempt {{.Attempt}}: {{if .OK}}acknowledged{{else}}not acknowledged ({{.HTTPStatus}} {{.Body}}{{.Err}}){{end}}</li>{{end}}</ul>
{{if .Sent}}<form method="post" action="{{.Action}}"><button name="action" value="resend">Send the callback again</button> (the same signed bytes, as a duplicate delivery)</form>{{end}}
<p><a href="{{.Index}}">All payments</a></p>
</body></html>
`))

var indexPage = template.Must(template.New("index").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Paysera emulator</title>` + pageStyle + `</head>
<body><h1>Paysera emulator</h1>
<ul>{{range .Payments}}<li><a href="{{$.Prefix}}payment/{{.RequestID}}">{{.RequestID}}</a>: order {{.OrderID}}, {{.Amount}} {{.Currency}}, status {{if .Canceled}}cancelled{{else if .Status}}{{.Status}}{{else}}open{{end}}</li>{{else}}<li>No payments yet.</li>{{end}}</ul>
</body></html>
`))
