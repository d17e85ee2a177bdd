package journalpage

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/paykit-go/paykit"
)

// detailView is what a delivery's page shows.
type detailView struct {
	Base string
	D    paykit.Delivery
	At   string
	// Took is the delivery's duration, rounded for reading.
	Took string
	// Amount is the summary's money as people read it and AmountNote the
	// exact integer behind it ("499 minor units").
	Amount, AmountNote string
	RunOf              string // the page of the delivery this one ran again
	// SameOrder and SameID list the provider's deliveries of the same
	// order id and the same provider id.
	SameOrder, SameID string
	// Headers are the request headers the journal kept, sorted.
	Headers []field
	Query   bodyView // a GET's input; for other methods the query as sent
	Request bodyView
	Reply   bodyView
	RawReq  string // the raw request body's URL
	RawRep  string
	// Run is the Run again form's action and token; "" when the delivery
	// cannot be run again, with NoRun saying why.
	Run   string
	Token string
	NoRun string
	// Ran is set on the page shown after Run again.
	Ran *ranView
}

// ranView is the result of Run again: the new delivery and the reply the
// handler wrote.
type ranView struct {
	// New is the new delivery and NewURL its page; nil and "" when the
	// journal does not hold it (yet).
	New    *paykit.Delivery
	NewURL string
	Status int
	Reply  bodyView
}

func (p *page) serveDetail(w http.ResponseWriter, r *http.Request) {
	d, ok := p.delivery(w, r)
	if !ok {
		return
	}
	p.render(w, r, http.StatusOK, "detail", p.detail(d))
}

func (p *page) detail(d paykit.Delivery) detailView {
	v := detailView{
		Base: p.base, D: d, At: d.ReceivedAt.In(p.loc).Format("2006-01-02 15:04:05.000 MST"),
		Took: d.Duration.Round(10 * time.Microsecond).String(), Amount: amount(d.Summary.Amount), AmountNote: amountNote(d.Summary.Amount),
		Query:   viewBody("", []byte(d.Query), true),
		Request: viewBody(d.Header.Get("Content-Type"), d.Body, false),
		Reply:   viewBody(d.ReplyContentType, d.ReplyBody, false),
		RawReq:  p.detailURL(d.ID) + "/raw/request",
		RawRep:  p.detailURL(d.ID) + "/raw/reply",
	}
	if d.RunOf != "" {
		v.RunOf = p.detailURL(d.RunOf)
	}
	v.SameOrder = p.listURL(filter{Provider: string(d.Provider), Order: d.Summary.OrderID})
	v.SameID = p.listURL(filter{Provider: string(d.Provider), ID: d.Summary.ID})
	for _, k := range slices.Sorted(maps.Keys(d.Header)) {
		for _, val := range d.Header[k] {
			v.Headers = append(v.Headers, field{Name: k, Value: val})
		}
	}
	if why := p.cannotRun(d); why != "" {
		v.NoRun = why
	} else {
		v.Run, v.Token = p.detailURL(d.ID)+"/run", p.token(d.ID)
	}
	return v
}

// serveRaw answers a body's exact bytes as plain text: never rendered as
// HTML, whatever they hold.
func (p *page) serveRaw(w http.ResponseWriter, r *http.Request) {
	d, ok := p.delivery(w, r)
	if !ok {
		return
	}
	var b []byte
	switch r.PathValue("part") {
	case "request":
		// A GET's input is its query (the engine keeps no body for it);
		// any other method's is its body, empty or not.
		b = d.Body
		if d.Method == http.MethodGet || d.Method == http.MethodHead {
			b = []byte(d.Query)
		}
	case "reply":
		b = d.ReplyBody
	default:
		p.fail(w, r, http.StatusNotFound, "No such page.")
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; frame-ancestors 'none'")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}
