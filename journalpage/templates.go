package journalpage

import "html/template"

// templates are the pages. html/template escapes every value for where it
// lands (text, attribute, URL); nothing is marked safe.
var templates = template.Must(template.New("").Parse(`
{{define "head"}}<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.}} · payment journal</title>
<style>
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:80em;padding:.5em 1em 2em;color:#222;line-height:1.35}
h1{font-size:1.4em}h2{font-size:1.1em;margin:1.2em 0 .4em}a{color:#135}
nav{margin:.5em 0;font-size:.95em}nav a{margin-right:1em}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}
th{font-weight:600;white-space:nowrap}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
.list td{white-space:nowrap}
.facts th{width:11em}
.filter{display:flex;flex-wrap:wrap;gap:.5em 1em;align-items:flex-end;background:#f5f6f8;padding:.6em .8em;border-radius:6px}
.filter label{display:flex;flex-direction:column;font-size:.85em;color:#444}
input,select,button{font:inherit;font-size:.95em;padding:.3em .4em;max-width:100%}
button{cursor:pointer;border:1px solid #357;background:#eef4fa;border-radius:4px;color:#135;padding:.35em .9em}
.o{font-weight:600;padding:.05em .45em;border-radius:4px;background:#eee}
.o-ok{background:#cfc}.o-rejected{background:#fcc}.o-failed{background:#f99}.o-retry{background:#ffc}
.tag{font-size:.8em;padding:.05em .4em;border-radius:4px;background:#e4e8f4;margin-left:.3em}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:1em}.pair>section{min-width:0}
pre{background:#f6f6f6;padding:.6em;overflow:auto;white-space:pre-wrap;word-break:break-all;font-size:.85em;margin:.3em 0}
.fields td:first-child{font-family:monospace;white-space:nowrap}.fields td{font-family:monospace;word-break:break-all;font-size:.9em}
.sub{margin:.3em 0 0 1em;width:auto}
.note{background:#f4f4f8;border-left:4px solid #88a;padding:.5em 1em;margin:.8em 0}.err{border-left-color:#c44;background:#fbeeee}
.muted{color:#777;font-size:.9em}.unit{display:inline-block}
.facts td{overflow-wrap:anywhere}
@media (max-width:48em){.pair{grid-template-columns:1fr}.facts th{width:auto;white-space:normal}
.list,.list tbody,.list tr,.list td{display:block}.list tr:first-child{display:none}
.list tr{border-bottom:1px solid #ccc;padding:.4em 0}.list td{border:0;padding:.05em .3em;white-space:normal;overflow-wrap:anywhere}
.list td:empty{display:none}.list td[data-label]::before{content:attr(data-label) ": ";color:#777}.list td.at{font-weight:600}}
</style></head><body>
{{end}}
{{define "foot"}}</body></html>{{end}}

{{define "nav"}}<nav><a href="{{.}}/">All deliveries</a></nav>{{end}}

{{define "list"}}{{template "head" "Deliveries"}}{{template "nav" .Base}}
<h1>Payment journal</h1>
<form class="filter" method="get" action="{{.Base}}/">
<label>Provider<select name="provider"><option value="">any</option>{{$f := .Filter}}{{range .Providers}}<option value="{{.}}"{{if eq (print .) $f.Provider}} selected{{end}}>{{.}}</option>{{end}}</select></label>
<label>Account<input name="account" value="{{.Filter.Account}}" size="10"></label>
<label>Order id<input name="order" value="{{.Filter.Order}}" size="10"></label>
<label>Provider id<input name="id" value="{{.Filter.ID}}" size="12"></label>
<label>Outcome<select name="outcome"><option value="">any</option>{{range .Outcomes}}<option value="{{.}}"{{if eq (print .) $f.Outcome}} selected{{end}}>{{.}}</option>{{end}}</select></label>
<label>Since<input type="datetime-local" name="since" value="{{.Filter.Since}}"></label>
<label>Until<input type="datetime-local" name="until" value="{{.Filter.Until}}"></label>
<label>Per page<input name="limit" value="{{.Filter.Limit}}" size="4" inputmode="numeric"></label>
<button>Show</button>
</form>
{{if .Error}}<p class="note err" id="error">{{.Error}}</p>{{end}}
{{if .Rows}}<div class="scroll"><table class="list" id="deliveries">
<tr><th>Received</th><th>Provider</th><th>Account</th><th>Type</th><th>Kind / status</th><th>Order</th><th>Provider id</th><th>Amount</th><th>Outcome</th><th>Reply</th></tr>
{{range .Rows}}<tr><td class="at"><a href="{{.URL}}">{{.At}}</a></td><td data-label="Provider">{{.Provider}}</td><td data-label="Account">{{.Account}}</td>
<td data-label="Type">{{if .Type}}{{.Type}}{{else}}<span class="muted">{{.Verification}}</span>{{end}}</td><td data-label="Kind">{{.Kind}}{{if .Status}} / {{.Status}}{{end}}</td>
<td data-label="Order">{{.OrderID}}</td><td data-label="Provider id">{{.ProviderID}}</td><td data-label="Amount">{{.Amount}}</td>
<td data-label="Outcome"><span class="o o-{{.Outcome}}">{{.Outcome}}</span>{{if .Replayed}}<span class="tag">replayed</span>{{end}}{{if .Rerun}}<span class="tag">run again</span>{{end}}</td><td data-label="Reply">{{.ReplyStatus}}</td></tr>
{{end}}</table></div>
{{else if not .Error}}<p>No delivery matches.</p>{{end}}
<p>{{if .First}}<a href="{{.First}}">Newest</a> {{end}}{{if .Next}}<a id="next" href="{{.Next}}">Older deliveries →</a>{{end}}</p>
{{template "foot"}}{{end}}

{{define "body"}}{{if not .Size}}<p class="muted">empty</p>
{{else}}{{if .JSON}}<pre>{{.JSON}}</pre>
{{else if .Fields}}{{template "fields" .Fields}}
{{else}}<pre>{{.Raw}}</pre>{{end}}
{{if or .JSON .Fields}}<details><summary>Raw bytes ({{.Size}} B)</summary><pre>{{.Raw}}</pre></details>
{{else}}<p class="muted">{{.Size}} bytes{{if .Binary}}, not UTF-8: shown as a hex dump{{end}}</p>{{end}}{{end}}{{end}}

{{define "fields"}}<table class="fields">{{range .}}<tr><td>{{.Name}}</td><td>{{.Value}}
{{if .Decoded}}<table class="fields sub"><caption class="muted">base64-decoded</caption>{{range .Decoded}}<tr><td>{{.Name}}</td><td>{{.Value}}</td></tr>{{end}}</table>{{end}}</td></tr>{{end}}</table>{{end}}

{{define "detail"}}{{template "head" "Delivery"}}{{template "nav" .Base}}{{$d := .D}}
<h1>{{$d.Provider}} {{if $d.Type}}{{$d.Type}}{{else}}delivery{{end}} <span class="o o-{{$d.Outcome}}">{{$d.Outcome}}</span></h1>
{{with .Ran}}<div class="note" id="ran"><b>Ran again:</b> the handler answered HTTP {{.Status}}.
{{with .New}}Outcome <span class="o o-{{.Outcome}}">{{.Outcome}}</span>{{if .Replayed}}, <b>replayed</b> from the store: the event was already fulfilled and Event did not run again{{end}}{{if .Error}} — {{.Error}}{{end}}.{{end}}
{{if .NewURL}}<a id="new-delivery" href="{{.NewURL}}">See the new delivery</a>.{{else}}The journal does not hold the new delivery yet.{{end}}
{{template "body" .Reply}}</div>{{end}}
<div class="scroll"><table class="facts">
<tr><th>Delivery</th><td><code>{{$d.ID}}</code></td></tr>
{{if .RunOf}}<tr><th>Runs again</th><td><a id="run-of" href="{{.RunOf}}">{{$d.RunOf}}</a></td></tr>{{end}}
<tr><th>Received</th><td>{{.At}}, answered in {{.Took}}</td></tr>
<tr><th>Provider, account</th><td>{{$d.Provider}} {{$d.Account}}</td></tr>
<tr><th>Request</th><td>{{$d.Method}} {{$d.Path}} from {{$d.RemoteAddr}}</td></tr>
<tr><th>Verification</th><td id="verification">{{$d.Verification}}</td></tr>
{{with $d.Summary}}{{if .Kind}}<tr><th>Summary</th><td>{{.Kind}}{{if .Status}} / {{.Status}}{{end}}{{if .Test}} <span class="tag">test</span>{{end}}</td></tr>
{{if .OrderID}}<tr><th>Order id</th><td><a id="same-order" href="{{$.SameOrder}}">{{.OrderID}}</a></td></tr>{{end}}
{{if .ID}}<tr><th>Provider id</th><td><a id="same-id" href="{{$.SameID}}">{{.ID}}</a></td></tr>{{end}}
{{if .UserID}}<tr><th>User</th><td>{{.UserID}}</td></tr>{{end}}{{end}}{{end}}
{{if .Amount}}<tr><th>Amount</th><td id="amount">{{.Amount}} <span class="muted unit">({{.AmountNote}})</span></td></tr>{{end}}
<tr><th>Outcome</th><td><span class="o o-{{$d.Outcome}}">{{$d.Outcome}}</span>{{if $d.Error}} — <span id="error">{{$d.Error}}</span>{{end}}</td></tr>
{{if $d.Key}}<tr><th>Idempotency key</th><td><code>{{$d.Key}}</code></td></tr>{{end}}
<tr><th>Replayed</th><td id="replayed">{{if $d.Replayed}}yes: answered from the store, Event not run{{else}}no{{end}}</td></tr>
</table></div>
{{if .Run}}<form method="post" action="{{.Run}}"><input type="hidden" name="token" value="{{.Token}}">
<p><button id="run-again">Run again</button> <span class="muted">Sends this request to its handler again: a fulfilled event is answered from the store, a failed one is fulfilled now.</span></p></form>
{{else}}<p class="muted">{{.NoRun}}</p>{{end}}
<div class="pair">
<section id="request"><h2>Request</h2>
{{if .Headers}}<table class="fields">{{range .Headers}}<tr><td>{{.Name}}</td><td>{{.Value}}</td></tr>{{end}}</table>{{end}}
{{if $d.Query}}<h2>Query</h2>{{template "body" .Query}}{{end}}
{{if not (or (eq $d.Method "GET") (eq $d.Method "HEAD"))}}<h2>Body</h2>{{template "body" .Request}}{{end}}
<p><a href="{{.RawReq}}">Raw request</a></p></section>
<section id="reply"><h2>Reply: HTTP {{$d.ReplyStatus}}</h2>
{{if $d.ReplyContentType}}<table class="fields"><tr><td>Content-Type</td><td>{{$d.ReplyContentType}}</td></tr></table>{{end}}
<h2>Body</h2>{{template "body" .Reply}}
<p><a href="{{.RawRep}}">Raw reply</a></p></section>
</div>
{{template "foot"}}{{end}}

{{define "error"}}{{template "head" "Error"}}{{template "nav" .Base}}<h1>Payment journal</h1><p class="note err" id="error">{{.Message}}</p>{{template "foot"}}{{end}}
`))
