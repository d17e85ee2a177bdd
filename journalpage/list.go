package journalpage

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/currency"
)

// providers and outcomes are the choices the list's filter offers.
var (
	providers = []paykit.Provider{paykit.Paysera, paykit.PayseraCheckout, paykit.VKPay, paykit.Xsolla, paykit.Playvision}
	outcomes  = []paykit.Outcome{paykit.OutcomeOK, paykit.OutcomeRejected, paykit.OutcomeRetry, paykit.OutcomeFailed}
)

// maxFilterLen bounds a text filter: ids and accounts are short.
const maxFilterLen = 200

// filter is the list's filter as the form shows it.
type filter struct {
	Provider, Account, Order, ID, Outcome, Since, Until, Limit string
}

// timeForm is how the filter's times are written (an HTML datetime-local
// field's value).
const timeForm = "2006-01-02T15:04"

// parseFilter reads the list's query parameters into a journal query.
// Unknown parameters are ignored; a value that cannot be one is an error
// naming the parameter.
func parseFilter(v url.Values, loc *time.Location) (filter, paykit.DeliveryQuery, error) {
	f := filter{
		Provider: v.Get("provider"), Account: v.Get("account"), Order: v.Get("order"), ID: v.Get("id"),
		Outcome: v.Get("outcome"), Since: v.Get("since"), Until: v.Get("until"), Limit: v.Get("limit"),
	}
	q := paykit.DeliveryQuery{Account: f.Account, OrderID: f.Order, ProviderID: f.ID, After: v.Get("after")}
	for name, s := range map[string]string{"account": f.Account, "order": f.Order, "id": f.ID, "after": q.After} {
		if len(s) > maxFilterLen {
			return f, q, fmt.Errorf("%s is too long", name)
		}
	}
	if f.Provider != "" {
		if !oneOf(paykit.Provider(f.Provider), providers) {
			return f, q, fmt.Errorf("provider must be one of %v", providers)
		}
		q.Provider = paykit.Provider(f.Provider)
	}
	if f.Outcome != "" {
		if !oneOf(paykit.Outcome(f.Outcome), outcomes) {
			return f, q, fmt.Errorf("outcome must be one of %v", outcomes)
		}
		q.Outcome = paykit.Outcome(f.Outcome)
	}
	var err error
	if q.Since, err = parseTime(f.Since, loc); err != nil {
		return f, q, fmt.Errorf("since: %w", err)
	}
	if q.Until, err = parseTime(f.Until, loc); err != nil {
		return f, q, fmt.Errorf("until: %w", err)
	}
	if f.Limit != "" {
		n, err := strconv.Atoi(f.Limit)
		if err != nil || n <= 0 || n > paykit.MaxDeliveryPage {
			return f, q, fmt.Errorf("limit must be a number from 1 to %d", paykit.MaxDeliveryPage)
		}
		q.Limit = n
	}
	return f, q, nil
}

func oneOf[T comparable](v T, list []T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// parseTime reads a filter time: a datetime-local value in loc, or RFC
// 3339; "" is no bound.
func parseTime(s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.ParseInLocation(timeForm, s, loc); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("write it as %s or RFC 3339", timeForm)
}

// values are the filter's query parameters, for the next page's link.
func (f filter) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"provider": f.Provider, "account": f.Account, "order": f.Order, "id": f.ID,
		"outcome": f.Outcome, "since": f.Since, "until": f.Until, "limit": f.Limit} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// listView is what the list page shows.
type listView struct {
	Base      string
	Filter    filter
	Providers []paykit.Provider
	Outcomes  []paykit.Outcome
	Error     string
	Rows      []row
	First     string // the list's first page with the same filter, when this is a later one
	Next      string
}

// row is one delivery in the list.
type row struct {
	URL                 string
	At                  string
	Provider, Account   string
	Type, Kind, Status  string
	OrderID, ProviderID string
	Amount              string
	Outcome             string
	Verification        string
	ReplyStatus         int
	Replayed, Rerun     bool
}

func (p *page) serveList(w http.ResponseWriter, r *http.Request) {
	v := listView{Base: p.base, Providers: providers, Outcomes: outcomes}
	f, q, err := parseFilter(r.URL.Query(), p.loc)
	v.Filter = f
	if err != nil {
		v.Error = err.Error()
		p.render(w, r, http.StatusBadRequest, "list", v)
		return
	}
	pg, err := p.j.Deliveries(r.Context(), q)
	if errors.Is(err, paykit.ErrInvalidRequest) {
		// A forged or stale cursor (sqlstore's Journal refuses one).
		v.Error = "That page of the list no longer exists: start again from the newest."
		p.render(w, r, http.StatusBadRequest, "list", v)
		return
	}
	if err != nil {
		p.logErr(r, err)
		v.Error = "The journal could not be read."
		p.render(w, r, http.StatusInternalServerError, "list", v)
		return
	}
	for i := range pg.Deliveries {
		v.Rows = append(v.Rows, p.row(&pg.Deliveries[i]))
	}
	if q.After != "" {
		v.First = p.listURL(f)
	}
	if pg.Next != "" {
		nv := f.values()
		nv.Set("after", pg.Next)
		v.Next = p.base + "/?" + nv.Encode()
	}
	p.render(w, r, http.StatusOK, "list", v)
}

// listURL is the list with filter f.
func (p *page) listURL(f filter) string { return p.base + "/?" + f.values().Encode() }

func (p *page) row(d *paykit.Delivery) row {
	s := d.Summary
	return row{
		URL: p.detailURL(d.ID), At: d.ReceivedAt.In(p.loc).Format("2006-01-02 15:04:05"),
		Provider: string(d.Provider), Account: d.Account,
		Type: d.Type, Kind: string(s.Kind), Status: string(s.Status),
		OrderID: s.OrderID, ProviderID: s.ID, Amount: amount(s.Amount),
		Outcome: string(d.Outcome), Verification: string(d.Verification), ReplyStatus: d.ReplyStatus,
		Replayed: d.Replayed, Rerun: d.RunOf != "",
	}
}

// amount shows money the way people read it ([paykit.Money.String]):
// "4.99 EUR", "500 JPY", "499 GOLD", votes and PlayGold as the bare
// number; "" when there is none.
func amount(m paykit.Money) string {
	if m == (paykit.Money{}) {
		return ""
	}
	return m.String()
}

// amountNote says what the integer a summary holds means: the exact minor
// units of an ISO 4217 currency, or whole units of a virtual one (a code
// the ISO table does not know, or none, as VK votes and PlayGold come).
func amountNote(m paykit.Money) string {
	if m == (paykit.Money{}) {
		return ""
	}
	if _, iso := currency.Exponent(m.Currency); iso {
		return strconv.FormatInt(m.Amount, 10) + " minor units"
	}
	return "whole units of a virtual currency"
}
