package emulator

import (
	"bytes"
	"html/template"
	"net/http"
	"strings"

	"github.com/paykit-go/paykit/internal/currency"
)

// Page is what every emulator page shows around its own content.
type Page struct {
	// Provider names the emulated provider, e.g. "Paysera".
	Provider string
	// Home is the emulator's start page (its prefix).
	Home string
	// Title heads the page.
	Title string
	// Merchant, Reference, Item and Amount describe the order when the
	// page is about one: the merchant (project, app), its order
	// reference, the item bought, and the amount in major units with its
	// currency or unit ([FormatAmount]).
	Merchant, Reference, Item, Amount string
	// Status is the order's state in words, "" for none.
	Status string
	// Back is the way back to the merchant (its return URL); "" links to
	// Home instead. BackLabel names it; "" means "Back to the merchant".
	Back, BackLabel string
	// Data is the kit's own content, for its template.
	Data any
}

// Templates parses a kit's page templates beside the shared layout. Each
// page is a {{define "name"}} block reading a Page (the kit's own data in
// .Data) that starts with {{template "top" .}} and ends with
// {{template "bottom" .}}. funcs, which may be nil, are the kit's
// template functions. It panics on a template error, like template.Must:
// the templates are the kit's constants.
func Templates(defs string, funcs template.FuncMap) *template.Template {
	t := template.Must(template.New("layout").Funcs(funcs).Parse(layout))
	return template.Must(t.Parse(defs))
}

// Render writes status and the page named name of t (from Templates).
func Render(w http.ResponseWriter, status int, t *template.Template, name string, p Page) {
	var buf bytes.Buffer
	if p.BackLabel == "" {
		p.BackLabel = "Back to the merchant"
	}
	if p.Back == "" {
		p.Back, p.BackLabel = p.Home, "Back to the emulator's start page"
	}
	err := t.ExecuteTemplate(&buf, name, p)
	if err != nil {
		http.Error(w, "emulator page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// FormatAmount writes an amount of minor units in major units with its
// currency or unit, the exponent taken from the ISO 4217 table
// ([currency.Exponent]): (500, "EUR") is "5.00 EUR", (1234500, "USD")
// "12,345.00 USD", (1500, "JPY") "1,500 JPY". A unit the table does not
// know is a virtual currency counted in whole units: (7, "votes") is
// "7 votes", (50, "PlayGold") "50 PlayGold".
func FormatAmount(minor int64, unit string) string {
	exp, _ := currency.Exponent(unit) // 0 for a virtual unit
	s := currency.Format(minor, exp)
	sign := ""
	if minor < 0 {
		sign, s = "-", s[1:]
	}
	whole, frac, dot := strings.Cut(s, ".")
	s = sign + group(whole)
	if dot {
		s += "." + frac
	}
	return strings.TrimSpace(s + " " + unit)
}

// group puts thousands separators into a run of digits.
func group(d string) string {
	var b strings.Builder
	for i, c := range d {
		if i > 0 && (len(d)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// favicon is a neutral mark (a rounded square with a check), no provider's
// artwork.
const favicon = `data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='7' fill='%23475569'/%3E%3Cpath d='M9 16.5l4.5 4.5L23 11.5' stroke='%23fff' stroke-width='3.2' fill='none' stroke-linecap='round' stroke-linejoin='round'/%3E%3C/svg%3E`

// stylesheet is the one stylesheet of every emulator page.
const stylesheet = `*{box-sizing:border-box}
body{margin:0;background:#f1f5f9;color:#0f172a;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.banner{background:#f59e0b;color:#1c1917;text-align:center;font-weight:700;padding:.45em 1em;letter-spacing:.02em}
.banner small{font-weight:400;display:block}
main{max-width:34rem;margin:1.5rem auto;padding:0 1rem}
.card{background:#fff;border-radius:12px;box-shadow:0 1px 3px rgba(15,23,42,.12);padding:1.25rem 1.5rem;margin-bottom:1rem}
h1{font-size:1.3rem;margin:0 0 .75rem}
h2{font-size:1.05rem;margin:1.25rem 0 .5rem}
.provider{color:#475569;font-size:.9rem;margin:0 0 .25rem}
.summary{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem;margin:0 0 1rem}
.summary dt{color:#64748b}.summary dd{margin:0;overflow-wrap:anywhere}
.amount{font-size:1.8rem;font-weight:700;margin:.25rem 0 1rem}
.status{display:inline-block;border-radius:999px;background:#e2e8f0;padding:.05em .7em;font-size:.9rem}
form.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin:.5rem 0}
form.inline{display:inline}
button{font:inherit;border:0;border-radius:8px;padding:.65em 1.2em;cursor:pointer;background:#e2e8f0;color:#0f172a}
button.primary{background:#2563eb;color:#fff}button.danger{background:#dc2626;color:#fff}
label{display:block;margin:.4rem 0}input,select{font:inherit;padding:.4em;border:1px solid #cbd5e1;border-radius:6px;width:100%}
table{width:100%;border-collapse:collapse;font-size:.9rem}th,td{text-align:left;padding:.35em .4em;border-bottom:1px solid #e2e8f0;vertical-align:top}
.table{overflow-x:auto}
code,pre{font:.85rem ui-monospace,Menlo,Consolas,monospace;overflow-wrap:anywhere;white-space:pre-wrap}
.muted{color:#64748b;font-size:.9rem}
.error{color:#b91c1c}
a.back{display:inline-block;margin:.5rem 0 2rem}`

// layout frames every page: "top" is the banner and the order summary,
// "bottom" the way back.
const layout = `{{define "top"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · {{.Provider}} emulator (test mode)</title>
<link rel="icon" href="` + favicon + `">
<style>` + stylesheet + `</style></head>
<body>
<div class="banner" role="note">TEST MODE<small>{{.Provider}} emulator: no real payment is made and no money moves.</small></div>
<main>
<div class="card">
<p class="provider"><a href="{{.Home}}">{{.Provider}} emulator</a></p>
<h1>{{.Title}}</h1>
{{if or .Merchant .Reference .Item .Amount}}<dl class="summary">
{{with .Merchant}}<dt>Merchant</dt><dd id="merchant">{{.}}</dd>{{end}}
{{with .Reference}}<dt>Order</dt><dd id="reference">{{.}}</dd>{{end}}
{{with .Item}}<dt>Item</dt><dd id="item">{{.}}</dd>{{end}}
{{with .Status}}<dt>Status</dt><dd><span class="status" id="status">{{.}}</span></dd>{{end}}
</dl>
{{with .Amount}}<p class="amount" id="amount">{{.}}</p>{{end}}{{end}}
{{end}}
{{define "bottom"}}</div>
<a class="back" id="back" href="{{.Back}}">← {{.BackLabel}}</a>
</main></body></html>{{end}}`
