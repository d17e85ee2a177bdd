package main

import (
	"html/template"
	"log"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/paykit-go/paykit"
)

// providerView is a payment method as the pages show it.
type providerView struct {
	ID          paykit.Provider
	Name        string
	Emulated    bool
	EmulatorURL string
	CallbackURL string
}

func (s *Shop) providerViews() []providerView {
	out := make([]providerView, 0, len(providers))
	for _, p := range providers {
		out = append(out, providerView{ID: p, Name: providerNames[p], Emulated: s.Emulated(p),
			EmulatorURL: s.EmulatorURL(p), CallbackURL: s.CallbackURL(p)})
	}
	return out
}

func (s *Shop) serveIndex(w http.ResponseWriter, _ *http.Request) {
	s.render(w, http.StatusOK, "index", map[string]any{"Products": catalog, "Providers": s.providerViews()})
}

func (s *Shop) serveCreate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.render(w, http.StatusBadRequest, "error", "The form could not be read.")
		return
	}
	o, err := s.startPayment(r.Context(), r.PostForm.Get("sku"), paykit.Provider(r.PostForm.Get("provider")))
	if err != nil {
		log.Printf("shop: starting a payment: %v", err)
		if o.ID == "" {
			s.render(w, http.StatusBadRequest, "error", "Unknown product or payment method.")
			return
		}
		s.render(w, http.StatusBadGateway, "error", "The payment provider could not be reached; order "+o.ID+" stays unpaid.")
		return
	}
	if o.PayURL != "" {
		http.Redirect(w, r, o.PayURL, http.StatusSeeOther)
		return
	}
	// Real VK and Playvision purchases start in the client, so the order
	// page shows the item key.
	http.Redirect(w, r, "/orders/"+o.ID, http.StatusSeeOther)
}

func (s *Shop) serveOrders(w http.ResponseWriter, _ *http.Request) {
	s.render(w, http.StatusOK, "orders", s.orders.list())
}

// maxWaits is how many times a page waiting for a callback reloads
// itself (every 2 s) before it stops and says so.
const maxWaits = 15

// orderView is what the order page shows.
type orderView struct {
	O          Order
	Name       string
	PayURL     string
	ClientSide string
	Return     string
	ReturnNote string
	// RefreshURL, when set, is where the page reloads to in 2 s: the
	// same page with the next attempt number, so that waiting ends.
	RefreshURL string
	// Deliveries are the order's callbacks, from the journal.
	Deliveries []deliveryRow
	JournalErr bool
	// Check offers "Check with the provider": the provider can look the
	// payment up and the order still waits for it.
	Check bool
}

// deliveryRow is one callback delivery on the order page.
type deliveryRow struct {
	D    paykit.Delivery
	Note string
	URL  string // its page in the journal
}

func (s *Shop) serveOrder(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	o, ok := s.orders.get(id)
	if !ok {
		s.render(w, http.StatusNotFound, "error", "No such order.")
		return
	}
	g := s.gateways[o.Provider]
	q := r.URL.Query()
	var v orderView
	if from := q.Get("return"); from != "" {
		// The return address is not authenticated: it decides what to
		// say and can at most cancel an order still awaiting payment,
		// never pay one.
		left := leftWithoutPaying(from, q.Get("status")) || (g.answersBeforeReturn && o.Status == OrderNew)
		if left {
			o, _ = s.orders.cancel(id)
		}
		v = returnView(r.URL, o, left)
	}
	v.O, v.Name, v.PayURL = o, providerNames[o.Provider], o.PayURL
	if g.resume != nil {
		v.PayURL = g.resume(o)
	}
	if g.again != nil && o.Status == OrderCancelled {
		v.PayURL = "/orders/" + url.PathEscape(o.ID) + "/pay-again"
	}
	if o.PayURL == "" {
		v.ClientSide = g.clientSide
	}
	v.Check = g.check != nil && o.Status.Payable()
	ds, err := s.orderDeliveries(r.Context(), o)
	if err != nil {
		log.Printf("shop: reading the journal: %v", err)
		v.JournalErr = true
	}
	for _, d := range ds {
		v.Deliveries = append(v.Deliveries, deliveryRow{D: d, Note: deliveryNote(d), URL: "/journal/d/" + url.PathEscape(d.ID)})
	}
	s.render(w, http.StatusOK, "order", v)
}

// servePayAgain sends the buyer of a cancelled order to a new payment page
// where the provider's first one cannot be used again (Paysera Checkout);
// any other order goes back to its page.
func (s *Shop) servePayAgain(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	o, ok := s.orders.get(id)
	if !ok {
		s.render(w, http.StatusNotFound, "error", "No such order.")
		return
	}
	g := s.gateways[o.Provider]
	if g.again == nil || o.Status != OrderCancelled {
		http.Redirect(w, r, "/orders/"+url.PathEscape(id), http.StatusSeeOther)
		return
	}
	u, err := g.again(r.Context(), o)
	if err != nil {
		log.Printf("shop: paying order %s again: %v", id, err)
		s.render(w, http.StatusBadGateway, "error", "The payment could not be started again; try later.")
		return
	}
	s.orders.reopen(id, u)
	http.Redirect(w, r, u, http.StatusSeeOther)
}

// returnView is what the order page says to a buyer back from the payment
// page: whether to wait for the callback (reloading at most maxWaits
// times) or that there is nothing to wait for.
func returnView(u *url.URL, o Order, left bool) orderView {
	v := orderView{Return: u.Query().Get("return"), ReturnNote: "You are back from the payment page."}
	if left {
		v.ReturnNote = "You left the payment page without paying."
		return v
	}
	if o.Status.Final() {
		return v
	}
	attempt, _ := strconv.Atoi(u.Query().Get("wait"))
	if attempt < 0 || attempt >= maxWaits {
		v.ReturnNote += " No notification has arrived yet; reload this page to look again."
		return v
	}
	next := *u
	q := next.Query()
	q.Set("wait", strconv.Itoa(attempt+1))
	next.RawQuery = q.Encode()
	v.RefreshURL = next.RequestURI()
	return v
}

// leftWithoutPaying reads the (unauthenticated) return address: Paysera's
// cancelurl or Paysera Checkout's cancel_url (both end "-cancel"), or
// status=canceled from Xsolla or the Playvision emulator.
func leftWithoutPaying(from, status string) bool {
	return strings.HasSuffix(from, "-cancel") || status == "canceled"
}

// serveNotFound answers every path the shop does not serve with its own
// page and a way home.
func (s *Shop) serveNotFound(w http.ResponseWriter, _ *http.Request) {
	s.render(w, http.StatusNotFound, "error", "There is no page at this address.")
}

func (s *Shop) render(w http.ResponseWriter, status int, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	page := map[string]any{"Data": data, "Providers": s.providerViews()}
	if v, ok := data.(orderView); ok {
		page["RefreshURL"] = v.RefreshURL
	}
	if err := pages.ExecuteTemplate(w, name, page); err != nil {
		log.Printf("shop: rendering %s: %v", name, err)
	}
}

var pageFuncs = template.FuncMap{
	"price": priceText,
	"name":  func(p paykit.Provider) string { return providerNames[p] },
	"time":  func(t interface{ Format(string) string }) string { return t.Format("15:04:05") },
	"slug":  func(s OrderStatus) string { return strings.ReplaceAll(string(s), " ", "-") },
}

var pages = template.Must(template.New("").Funcs(pageFuncs).Parse(`
{{define "head"}}<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{{with .RefreshURL}}<meta http-equiv="refresh" content="2; url={{.}}">{{end}}
<title>paykit demo shop</title>
<style>
body{font-family:system-ui,sans-serif;max-width:56em;margin:1.5em auto;padding:0 1em;color:#222}
nav a{margin-right:1em}h1{font-size:1.5em}table{border-collapse:collapse;margin:.5em 0}
td,th{border-bottom:1px solid #ddd;padding:.35em .7em;text-align:left;vertical-align:top}
button,.button{font-size:.95em;padding:.35em .8em;margin:.15em;cursor:pointer;border:1px solid #357;background:#eef4fa;border-radius:4px;color:#135;text-decoration:none;display:inline-block}
.status{font-weight:bold;padding:.1em .5em;border-radius:4px;background:#eee}
.status-paid{background:#cfc}.status-refunded{background:#fdc}.status-payment-failed{background:#fcc}.status-payment-pending{background:#ffc}
.note{background:#f4f4f8;border-left:4px solid #88a;padding:.5em 1em}.dup{color:#a50}.muted{color:#777;font-size:.9em}
code{background:#f3f3f3;padding:0 .2em;overflow-wrap:anywhere}
.status-cancelled{background:#e4e4e4;color:#555}
@media (max-width:40em){body{margin:.8em auto}nav a{display:inline-block;margin:.2em .8em .2em 0}
table.stack,table.stack tbody,table.stack tr,table.stack td{display:block}
table.stack tr:first-child{display:none}table.stack tr{border-bottom:1px solid #ccc;padding:.3em 0}
table.stack td{border:0;padding:.1em .3em}table.stack td[data-label]::before{content:attr(data-label) ": ";color:#777}}
</style></head><body>
<nav><a href="/">Shop</a><a href="/orders">Orders</a><a href="/journal/">Callback journal</a>
{{range .Providers}}{{if .Emulated}}<a class="muted" href="{{.EmulatorURL}}">{{.Name}} emulator</a>{{end}}{{end}}</nav>
{{end}}
{{define "foot"}}</body></html>{{end}}

{{define "index"}}{{template "head" .}}
<h1>paykit demo shop</h1>
<p>Pick a product and a way to pay. {{range .Providers}}{{if not .Emulated}}{{.Name}} is live. {{end}}{{end}}
Emulated providers run inside this process; their pages behave like the provider's and send signed callbacks to this shop.</p>
<table><tr><th>Product</th><th>Pay with</th></tr>
{{range .Data.Products}}<tr><td><b>{{.Title}}</b><br><span class="muted">{{.SKU}}</span></td><td>
<form method="post" action="/orders"><input type="hidden" name="sku" value="{{.SKU}}">
<button name="provider" value="paysera">Paysera · {{price "paysera" .Price}}</button>
<button name="provider" value="paysera_checkout">Paysera Checkout · {{price "paysera_checkout" .Price}}</button>
<button name="provider" value="vkpay">VK · {{.Votes}} votes</button>
<button name="provider" value="xsolla">Xsolla · {{price "xsolla" .Price}}</button>
<button name="provider" value="playvision">Playvision · {{.PlayGold}} PlayGold</button>
</form></td></tr>{{end}}</table>
<h2>Callback URLs</h2>
<table>{{range .Providers}}<tr><td>{{.Name}}</td><td><code>{{.CallbackURL}}</code></td><td>{{if .Emulated}}emulator{{else}}live{{end}}</td></tr>{{end}}</table>
{{template "foot"}}{{end}}

{{define "orders"}}{{template "head" .}}
<h1>Orders</h1>
{{if .Data}}<table class="stack" id="orders"><tr><th>Order</th><th>Product</th><th>Provider</th><th>Amount</th><th>Status</th><th>Goods</th></tr>
{{range .Data}}<tr><td data-label="Order"><a href="/orders/{{.ID}}">{{.ID}}</a></td><td data-label="Product">{{.Title}}</td><td data-label="Provider">{{name .Provider}}</td><td data-label="Amount">{{price .Provider .Amount}}</td>
<td data-label="Status"><span class="status status-{{slug .Status}}">{{.Status}}</span></td><td data-label="Goods">{{.Goods}}</td></tr>{{end}}</table>
{{else}}<p>No orders yet.</p>{{end}}
{{template "foot"}}{{end}}

{{define "order"}}{{template "head" .}}{{with .Data}}
<h1>Order {{.O.ID}}: {{.O.Title}}</h1>
{{if .ReturnNote}}<p class="note" id="return-note">{{.ReturnNote}} A payment counts only once the verified callback from {{.Name}} says so, never because of the return address{{if .RefreshURL}}; this page reloads while it waits for that callback{{end}}.</p>{{end}}
<table>
<tr><th>Status</th><td><span id="status" class="status status-{{slug .O.Status}}">{{.O.Status}}</span></td></tr>
<tr><th>Amount</th><td>{{price .O.Provider .O.Amount}} via {{.Name}}</td></tr>
<tr><th>Goods</th><td id="goods">{{.O.Goods}}</td></tr>
<tr><th>Deliveries</th><td id="deliveries">{{.O.Deliveries}}{{if .O.Revoked}} (taken back {{.O.Revoked}}){{end}}</td></tr>
{{if .O.ProviderID}}<tr><th>{{.Name}} id</th><td>{{.O.ProviderID}}</td></tr>{{end}}
<tr><th>Item key</th><td><code>{{.O.ItemKey}}</code></td></tr>
</table>
{{if and .PayURL .O.Status.Payable}}<p><a class="button" id="pay" href="{{.PayURL}}">{{if eq .O.Status "payment pending"}}Continue the payment{{else if eq .O.Status "cancelled"}}Pay again with {{.Name}}{{else}}Pay with {{.Name}}{{end}}</a></p>{{end}}
{{if .ClientSide}}<p class="note">{{.ClientSide}}</p>{{end}}
{{if .Check}}<form method="post" action="/orders/{{.O.ID}}/check"><button id="check">Check with {{.Name}}</button>
<span class="muted">Paid, but no callback came? The shop asks {{.Name}} and fulfils the order once, even if the callback arrives later.</span></form>{{end}}
<h2>Notifications</h2>
{{if .Deliveries}}<table id="deliveries-log" class="stack"><tr><th>Time</th><th>Type</th><th>Kind</th><th>Status</th><th>Id</th><th>Test</th><th>Delivery</th><th>Reply</th></tr>
{{range .Deliveries}}{{with .D}}<tr{{if .Replayed}} class="dup"{{end}}><td data-label="Time">{{time .ReceivedAt}}</td><td data-label="Type">{{.Type}}</td><td data-label="Kind">{{.Summary.Kind}}</td><td data-label="Status">{{.Summary.Status}}</td><td data-label="Id">{{.Summary.ID}}</td><td data-label="Test">{{if .Summary.Test}}test{{end}}</td>{{end}}
<td data-label="Delivery">{{.Note}}</td><td data-label="Reply"><a href="{{.URL}}">{{if .D.Reconciled}}no request{{else}}HTTP {{.D.ReplyStatus}}{{end}}{{if .D.RunOf}}, run again{{end}}</a></td></tr>{{end}}</table>
{{else}}<p>No verified notification yet.</p>{{end}}
{{if .JournalErr}}<p class="note">The journal could not be read.</p>{{end}}
{{if .O.History}}<h2>What the shop did</h2>
<table id="history" class="stack"><tr><th>Time</th><th>Type</th><th>Status</th><th>Id</th><th>What the shop did</th></tr>
{{range .O.History}}<tr><td data-label="Time">{{time .At}}</td><td data-label="Type">{{.Type}}</td><td data-label="Status">{{.Status}}</td><td data-label="Id">{{.ID}}</td><td data-label="Shop">{{.Note}}</td></tr>{{end}}</table>{{end}}
<p class="muted">Every delivery, with its exact request and reply bytes — including callbacks that failed verification, which never reach an order — is in the <a href="/journal/">callback journal</a> (demo password).</p>
{{end}}{{template "foot"}}{{end}}

{{define "error"}}{{template "head" .}}<h1>Sorry</h1><p>{{.Data}}</p><p><a href="/">Back to the shop</a></p>{{template "foot"}}{{end}}
`))
