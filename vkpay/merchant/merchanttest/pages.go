package merchanttest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"

	"github.com/paykit-go/paykit/internal/emulator"
	"github.com/paykit-go/paykit/vkpay/merchant"
)

// ServeHTTP serves, under Options.Prefix:
//
//	GET  {prefix}                   the orders
//	GET  {prefix}pay?form={json}    what VKWebAppOpenPayForm opens: the form's
//	                                argument (app_id, action, params) as JSON
//	GET  {prefix}order/{id}         the pay form: merchant, order, amount, outcomes
//	POST {prefix}order/{id}/pay|decline|cancel|refund|resend
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := emulator.Within(w, r, e.opts.Prefix)
	if !ok {
		return
	}
	switch {
	case rest == "" && r.Method == http.MethodGet:
		e.render(w, http.StatusOK, "index", emulator.Page{Title: "VK Pay payments", Data: e.Orders()})
	case rest == "pay" && r.Method == http.MethodGet:
		form, err := decodeForm([]byte(r.URL.Query().Get("form")))
		var o Order
		if err == nil {
			o, err = e.Open(r.Context(), form)
		}
		if err != nil {
			e.render(w, http.StatusBadRequest, "message", emulator.Page{Title: "The pay form cannot open", Data: err.Error()})
			return
		}
		http.Redirect(w, r, e.opts.Prefix+"order/"+o.ID, http.StatusSeeOther)
	case strings.HasPrefix(rest, "order/"):
		e.orderPage(w, r, strings.TrimPrefix(rest, "order/"))
	default:
		e.render(w, http.StatusNotFound, "message", emulator.Page{Title: "No such page or order"})
	}
}

func (e *Emulator) orderPage(w http.ResponseWriter, r *http.Request, rest string) {
	id, action, _ := strings.Cut(rest, "/")
	o, ok := e.Order(id)
	switch {
	case !ok:
		e.render(w, http.StatusNotFound, "message", emulator.Page{Title: "No such order",
			Data: "The emulator keeps the newest orders only."})
		return
	case action == "" && r.Method == http.MethodGet:
		_, sent := e.engine.Latest(id, nil)
		e.render(w, http.StatusOK, "order", emulator.Page{Title: "Pay with VK Pay", Reference: "Order " + o.OrderID,
			Item: o.Description, Amount: emulator.FormatAmount(o.Amount, "RUB"), Status: string(o.State),
			BackLabel: "Back to the mini app", Data: map[string]any{"O": o, "Sent": sent, "Deliveries": e.engine.DeliveriesOf(id)}})
		return
	case r.Method != http.MethodPost:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	var err error
	switch action {
	case "pay":
		_, err = e.Pay(r.Context(), id)
	case "decline":
		_, err = e.Decline(r.Context(), id)
	case "cancel":
		_, err = e.Cancel(r.Context(), id)
	case "refund":
		_, err = e.Refund(r.Context(), id)
	case "resend":
		_, err = e.engine.ResendLast(r.Context(), id, nil)
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		e.render(w, http.StatusConflict, "message", emulator.Page{Title: "Not possible now", Data: err.Error(),
			Back: e.opts.Prefix + "order/" + id, BackLabel: "Back to the order"})
		return
	}
	http.Redirect(w, r, e.opts.Prefix+"order/"+id, http.StatusSeeOther)
}

// decodeForm reads the argument of VKWebAppOpenPayForm as the mini app
// passes it; cashback is not emulated.
func decodeForm(b []byte) (*merchant.PayForm, error) {
	var raw struct {
		AppID  int64  `json:"app_id"`
		Action string `json:"action"`
		Params *struct {
			Amount      merchant.Amount            `json:"amount"`
			Data        map[string]json.RawMessage `json:"data"`
			Description string                     `json:"description"`
			MerchantID  int64                      `json:"merchant_id"`
			Version     int                        `json:"version"`
			Sign        string                     `json:"sign"`
			UserID      int64                      `json:"user_id"`
		} `json:"params"`
	}
	if err := json.Unmarshal(b, &raw); err != nil || raw.Params == nil {
		return nil, fmt.Errorf("%w: not the JSON of a pay form", ErrForm)
	}
	p := raw.Params
	params := &merchant.FormParams{Amount: int64(p.Amount), Description: p.Description, MerchantID: p.MerchantID,
		Version: p.Version, UserID: p.UserID, Sign: p.Sign}
	for k, v := range p.Data {
		var s string
		if k == "cashback" || json.Unmarshal(v, &s) != nil {
			return nil, fmt.Errorf("%w: data.%s is not a string (cashback is not emulated)", ErrForm, k)
		}
		if err := setData(&params.Data, k, s); err != nil {
			return nil, err
		}
	}
	return &merchant.PayForm{AppID: raw.AppID, Action: raw.Action, Params: params}, nil
}

func setData(d *merchant.FormData, k, v string) error {
	switch k {
	case "order_id":
		d.OrderID = v
	case "currency":
		d.Currency = v
	case "merchant_data":
		d.MerchantData = v
	case "merchant_sign":
		d.MerchantSign = v
	case "ts":
		ts, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("%w: data.ts is not unix seconds", ErrForm)
		}
		d.TS = ts
	default:
		if d.Extra == nil {
			d.Extra = map[string]string{}
		}
		d.Extra[k] = v
	}
	return nil
}

func (e *Emulator) render(w http.ResponseWriter, status int, name string, p emulator.Page) {
	p.Provider, p.Home = "VK Pay", e.opts.Prefix
	p.Merchant = "Merchant " + strconv.FormatInt(e.opts.MerchantID, 10)
	emulator.Render(w, status, pages, name, p)
}

var pages = emulator.Templates(`
{{define "message"}}{{template "top" .}}{{with .Data}}<p>{{.}}</p>{{end}}{{template "bottom" .}}{{end}}

{{define "index"}}{{template "top" .}}
<p class="muted">The mini app's VKWebAppOpenPayForm argument opens here as <code>{{.Home}}pay?form=…</code> (its JSON).</p>
{{if .Data}}<div class="table"><table><tr><th>order</th><th>description</th><th>amount</th><th>state</th></tr>
{{range .Data}}<tr><td><a href="{{$.Home}}order/{{.ID}}">{{.OrderID}}</a></td><td>{{.Description}}</td><td>{{rub .Amount}}</td><td>{{.State}}</td></tr>{{end}}</table></div>{{else}}<p class="muted">No payments yet.</p>{{end}}
{{template "bottom" .}}{{end}}

{{define "order"}}{{template "top" .}}{{with .Data}}{{with .O}}
{{if .UserID}}<p class="muted">Payer: VK user {{.UserID}}.</p>{{end}}
{{with .TransactionID}}<p class="muted">Transaction <code>{{.}}</code>.</p>{{end}}
{{if eq .State "open"}}<h2>Outcome to simulate</h2>
<form class="actions" method="post" action="{{$.Home}}order/{{.ID}}/pay"><button class="primary">Pay {{rub .Amount}}</button></form>
<form class="actions" method="post" action="{{$.Home}}order/{{.ID}}/decline"><button>Decline (not enough money)</button></form>
<form class="actions" method="post" action="{{$.Home}}order/{{.ID}}/cancel"><button>Cancel (close the form)</button></form>
{{else if eq .State "paid"}}<form class="actions" method="post" action="{{$.Home}}order/{{.ID}}/refund"><button class="danger">Refund {{rub .Amount}}</button></form>{{end}}
{{if $.Data.Sent}}<form class="actions" method="post" action="{{$.Home}}order/{{.ID}}/resend"><button>Send the callback again</button></form><p class="muted">The last notification, the same signed bytes, as a duplicate delivery from VK Pay.</p>{{end}}
{{end}}{{if .Deliveries}}<h2>Notifications sent</h2><div class="table"><table><tr><th>#</th><th>notification</th><th>HTTP</th><th>answer</th></tr>
{{range .Deliveries}}<tr><td>{{.Attempt}}{{if .Resent}} (again){{end}}</td><td>{{.Event}}</td><td>{{if .Status}}{{.Status}}{{else}}—{{end}}</td><td>{{.Outcome}}{{with .Err}} <span class="error">{{.}}</span>{{end}}</td></tr>{{end}}
</table></div>{{end}}{{end}}{{template "bottom" .}}{{end}}
`, map[string]any{"rub": func(kopecks int64) string { return emulator.FormatAmount(kopecks, "RUB") }})

// Server is an Emulator on a loopback port, like httptest.Server.
type Server struct {
	*Emulator
	// URL is the emulator's base URL, prefix included, no trailing slash.
	URL string
	srv *httptest.Server
}

// NewServer starts an Emulator on a loopback port, like
// httptest.NewServer; Options.BaseURL is set to its URL. Close it when
// done.
func NewServer(opts Options) (*Server, error) {
	e, srv, err := emulator.Start(opts.Prefix, &opts.BaseURL, func() (*Emulator, error) { return New(opts) })
	if err != nil {
		return nil, err
	}
	return &Server{Emulator: e, URL: e.URL(), srv: srv}, nil
}

// Close stops the resends, then shuts the server down.
func (s *Server) Close() {
	s.Emulator.Close()
	s.srv.Close()
}
