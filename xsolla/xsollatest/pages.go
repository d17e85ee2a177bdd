package xsollatest

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paykit-go/paykit/xsolla"
)

// Plain HTML pages a person can click through; no JavaScript. Links are
// relative, so the pages work under any prefix.

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Pay Station (emulator)</title>
<style>body{font-family:sans-serif;max-width:36em;margin:2em auto}table{border-collapse:collapse}td,th{padding:.2em .6em;border-bottom:1px solid #ddd;text-align:left}.sandbox{color:#b60}button{font-size:1.1em;margin-right:1em}</style>
</head><body>
<h1>Pay Station <small>(Xsolla emulator)</small></h1>
{{with .S}}
{{if .Sandbox}}<p class="sandbox">Sandbox: webhooks carry dry_run = 1.</p>{{end}}
<p>User <b>{{.UserID}}</b>{{if .Email}} ({{.Email}}){{end}}{{if .ExternalID}}, order {{.ExternalID}}{{end}}</p>
<table><tr><th>Item</th><th>Qty</th><th>Price</th></tr>
{{if .Checkout}}<tr><td>Checkout</td><td>1</td><td>{{$.Total}}</td></tr>{{end}}
{{range $.Lines}}<tr><td>{{.SKU}}</td><td>{{.Quantity}}</td><td>{{.Price}}</td></tr>{{end}}
<tr><th colspan="2">Total</th><th>{{$.Total}}</th></tr></table>
<p>Status: <b id="status">{{.Status}}</b>{{if .TransactionID}}, transaction {{.TransactionID}}{{end}}{{if .OrderID}}, order {{.OrderID}}{{end}}</p>
{{if or (eq .Status "paying") (eq .Status "refunding")}}<p><a href="./?token={{.Token}}">Reload</a> to follow the webhooks.</p>{{end}}
{{if eq .Status "created"}}
<form method="post" action="pay" style="display:inline"><input type="hidden" name="token" value="{{.Token}}"><button type="submit">Pay {{$.Total}}</button></form>
<form method="post" action="cancel" style="display:inline"><input type="hidden" name="token" value="{{.Token}}"><button type="submit">Cancel</button></form>
{{else if eq .Status "paid"}}
<form method="post" action="refund"><input type="hidden" name="token" value="{{.Token}}"><button type="submit">Refund (sends refund{{if .OrderID}} and order_canceled{{end}})</button></form>
{{end}}
{{if $.Sent}}<form method="post" action="resend"><input type="hidden" name="token" value="{{.Token}}"><button type="submit">Send the callback again</button> (the last webhook, the same signed bytes, as a duplicate delivery)</form>{{end}}
{{if $.Return}}<p><a href="{{$.Return}}">Back to the shop</a></p>{{end}}
{{end}}
{{if .Error}}<p style="color:#b00">{{.Error}}</p>{{end}}
{{with .Deliveries}}<h2>Webhooks</h2><table><tr><th>Type</th><th>Attempt</th><th>Answer</th></tr>
{{range .}}<tr><td>{{.Type}}</td><td>{{.Attempt}}</td><td>{{if .Status}}{{.Status}}{{else}}{{.Err}}{{end}}</td></tr>{{end}}</table>{{end}}
</body></html>
`))

type lineView struct {
	SKU      string
	Quantity int
	Price    string
}

func (e *Emulator) render(w http.ResponseWriter, status int, s *Session, res *Result, errText string) {
	data := map[string]any{"S": s, "Error": errText}
	if s != nil {
		total, _ := xsolla.FormatAmount(s.Total)
		data["Total"] = total + " " + s.Total.Currency
		var lines []lineView
		for _, l := range s.Items {
			p, _ := xsolla.FormatAmount(l.Price)
			lines = append(lines, lineView{l.SKU, l.Quantity, p + " " + l.Price.Currency})
		}
		data["Lines"] = lines
		data["Return"] = returnURL(*s)
		e.mu.Lock()
		data["Sent"] = e.last[s.Token] != nil
		e.mu.Unlock()
	}
	if res != nil {
		data["Deliveries"] = res.Deliveries
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = pageTemplate.Execute(w, data)
}

// returnURL is the session's return_url with Pay Station's status
// parameters, when it is an http(s) URL.
func returnURL(s Session) string {
	u, err := url.Parse(s.ReturnURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	q := u.Query()
	switch s.Status {
	case "paid":
		q.Set("status", "done")
	case "canceled", "declined":
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

func (e *Emulator) index(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(`<!doctype html><html><head><meta charset="utf-8"><title>Xsolla emulator</title></head><body>
<h1>Xsolla emulator</h1><ul>
<li>POST merchant/v2/merchants/{merchant_id}/token</li>
<li>POST api/v3/project/{project_id}/admin/payment/token</li>
<li>GET paystation4/?token=…</li></ul></body></html>
`))
}

func (e *Emulator) page(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	if token == "" {
		token = r.URL.Query().Get("access_token")
	}
	s, ok := e.Session(token)
	if !ok {
		e.render(w, http.StatusNotFound, nil, nil, "Unknown or expired token.")
		return
	}
	e.render(w, http.StatusOK, &s, nil, "")
}

type action func(ctx context.Context, token string) (*Result, error)

// pageWait is how long a click waits for its webhooks before the page
// shows the session as it is; with a real retry schedule the deliveries
// go on in the background, and the page is reloaded to follow them.
const pageWait = 5 * time.Second

// maxBackground bounds the clicks whose deliveries run in the background;
// beyond it a click delivers within its request.
const maxBackground = 64

type outcome struct {
	res *Result
	err error
}

// spawn runs act in the background, detached from the request so that
// retries outlive it, unless the emulator is closed or too busy. Close
// cancels it and waits for it.
func (e *Emulator) spawn(act action, token string, done chan<- outcome) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed || e.background >= maxBackground {
		return false
	}
	e.background++
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		res, err := act(e.ctx, token)
		done <- outcome{res, err}
		e.mu.Lock()
		e.background--
		e.mu.Unlock()
	}()
	return true
}

func (e *Emulator) formAction(w http.ResponseWriter, r *http.Request, act action) {
	token := strings.TrimSpace(r.PostFormValue("token"))
	done := make(chan outcome, 1)
	var o outcome
	if !e.spawn(act, token, done) {
		o.res, o.err = act(r.Context(), token)
	} else {
		t := time.NewTimer(pageWait)
		defer t.Stop()
		select {
		case o = <-done:
		case <-t.C:
			o.res, o.err = &Result{}, errors.New("the webhooks are still being delivered; retries go on in the background")
		case <-r.Context().Done():
			return
		}
	}
	s, ok := e.Session(token)
	if !ok {
		e.render(w, http.StatusNotFound, nil, nil, "Unknown or expired token.")
		return
	}
	msg := ""
	if o.err != nil {
		msg = o.err.Error()
	}
	status := http.StatusOK
	if o.err != nil && o.res == nil {
		status = http.StatusConflict
	}
	e.render(w, status, &s, o.res, msg)
}

// resendForm is the "Send the callback again" button.
func (e *Emulator) resendForm(w http.ResponseWriter, r *http.Request) {
	e.formAction(w, r, func(ctx context.Context, token string) (*Result, error) {
		d, err := e.Resend(ctx, token)
		if err != nil {
			return nil, err
		}
		return &Result{Deliveries: []Delivery{d}}, nil
	})
}

func (e *Emulator) payForm(w http.ResponseWriter, r *http.Request) { e.formAction(w, r, e.Pay) }

func (e *Emulator) refundForm(w http.ResponseWriter, r *http.Request) { e.formAction(w, r, e.Refund) }

func (e *Emulator) cancelForm(w http.ResponseWriter, r *http.Request) {
	e.formAction(w, r, func(_ context.Context, token string) (*Result, error) {
		return &Result{}, e.Cancel(token)
	})
}
