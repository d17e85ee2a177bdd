package xsollatest

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/paykit-go/paykit"
)

// searchParams are the query parameters of search.json.
var searchParams = []string{"datetime_from", "datetime_to", "project_id", "transaction_id", "type", "phone",
	"user_id", "user_name", "user_custom", "email", "external_id", "offset", "limit", "status"}

// strictQuery refuses unknown and repeated parameters; false after
// answering 422.
func strictQuery(w http.ResponseWriter, q url.Values, allowed []string) bool {
	for k, v := range q {
		if !slices.Contains(allowed, k) || len(v) != 1 {
			merchantError(w, http.StatusUnprocessableEntity, "unknown or repeated query parameter "+strconv.Quote(k))
			return false
		}
	}
	return true
}

// filter is a parsed search.json query.
type filter struct {
	from, to      time.Time
	tx            int64
	offset, limit int
	q             url.Values
}

func parseFilter(q url.Values, project int) (filter, string) {
	f := filter{q: q, limit: -1}
	var err error
	for _, t := range []struct {
		key string
		dst *time.Time
	}{{"datetime_from", &f.from}, {"datetime_to", &f.to}} {
		if v := q.Get(t.key); v != "" {
			if *t.dst, err = parseDatetime(v); err != nil {
				return f, t.key + " is not a date-time"
			}
		}
	}
	for _, n := range []struct {
		key string
		dst *int
	}{{"offset", &f.offset}, {"limit", &f.limit}} {
		if v := q.Get(n.key); v != "" {
			if *n.dst, err = strconv.Atoi(v); err != nil || *n.dst < 0 {
				return f, n.key + " must be a non-negative integer"
			}
		}
	}
	if v := q.Get("transaction_id"); v != "" {
		if f.tx, err = strconv.ParseInt(v, 10, 64); err != nil || f.tx <= 0 {
			return f, "transaction_id must be a positive integer"
		}
	}
	if v := q.Get("project_id"); v != "" && v != strconv.Itoa(project) {
		return f, "project_id is not a project of the merchant"
	}
	if t := q.Get("type"); t != "" && !slices.Contains([]string{"all", "transferred", "canceled", "test"}, t) {
		return f, "type must be all, transferred, canceled or test"
	}
	return f, ""
}

func parseDatetime(v string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Parse(time.RFC3339, v)
}

// matches reports whether s (with its report status) passes f.
func (f filter) matches(s Order, status string) bool {
	eq := func(key, v string) bool { return f.q.Get(key) == "" || f.q.Get(key) == v }
	switch {
	case !f.from.IsZero() && s.PaidAt.Before(f.from), !f.to.IsZero() && s.PaidAt.After(f.to):
		return false
	case f.tx != 0 && f.tx != s.TransactionID:
		return false
	case !eq("external_id", s.ExternalID), !eq("user_id", s.UserID), !eq("email", s.Email),
		!eq("user_name", s.Name), !eq("status", status):
		return false
	}
	switch f.q.Get("type") {
	case "transferred":
		return !s.Sandbox && status == "done"
	case "canceled":
		return !s.Sandbox && status == "refunded"
	case "test":
		return s.Sandbox
	}
	return true
}

// reportStatus is the transaction status Xsolla's reports give an order.
func reportStatus(s Order) string {
	switch {
	case s.State == StateRefunded:
		return "refunded"
	case s.Refunded.Amount > 0:
		return "partiallyRefunded"
	}
	return "done"
}

// transactions returns the records of the paid sessions that pass keep,
// oldest first.
func (e *Emulator) transactions(keep func(Order, string) bool) []map[string]any {
	var paid []Order
	for _, s := range e.Orders() {
		if s.TransactionID != 0 {
			paid = append(paid, s)
		}
	}
	out := []map[string]any{}
	for _, s := range paid {
		if st := reportStatus(s); keep(s, st) {
			out = append(out, e.transactionRecord(s, st))
		}
	}
	return out
}

// transactionRecord renders a session as a record of Xsolla's transaction search.
func (e *Emulator) transactionRecord(s Order, status string) map[string]any {
	dry := 0
	if s.Sandbox {
		dry = 1
	}
	var checkout any
	if s.Checkout != nil {
		checkout = money(*s.Checkout)
	}
	var items any
	if len(s.Items) > 0 {
		var list []map[string]any
		for _, l := range s.Items {
			list = append(list, map[string]any{"sku": l.SKU, "quantity": l.Quantity,
				"amount": money(paykit.Money{Amount: l.Price.Amount * int64(l.Quantity), Currency: l.Price.Currency}).Amount})
		}
		items = map[string]any{"items": list}
	}
	fee := paykit.Money{Amount: s.Total.Amount * 5 / 100, Currency: s.Total.Currency}
	return map[string]any{
		"transaction": map[string]any{
			"id": s.TransactionID, "external_id": s.ExternalID, "status": status, "dry_run": dry,
			"create_date": s.PaidAt.Format(time.RFC3339), "payment_date": s.PaidAt.Format(time.RFC3339),
			"transfer_date": nil, "is_refund_allowed": boolInt(status == "done"),
			"payment_method": map[string]any{"id": 1380, "name": "Credit/debit cards"},
			"project":        map[string]any{"id": e.opts.ProjectID, "name": "Emulated project"},
			"refund_reason":  nil,
		},
		"payment_details": map[string]any{"payment": money(s.Total), "xsolla_fee": money(fee),
			"payout": money(paykit.Money{Amount: s.Total.Amount - fee.Amount, Currency: s.Total.Currency})},
		"purchase":       map[string]any{"simple_checkout": checkout, "virtual_items": items},
		"user":           map[string]any{"id": s.UserID, "email": s.Email, "name": s.Name, "country": s.Country, "phone": nil, "custom": nil},
		"payment_system": map[string]any{"decline_reason": nil},
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// apiSearch emulates GET …/reports/transactions/search.json.
func (e *Emulator) apiSearch(w http.ResponseWriter, r *http.Request) {
	if !e.merchantAuth(w, r) {
		return
	}
	q := r.URL.Query()
	if !strictQuery(w, q, searchParams) {
		return
	}
	f, msg := parseFilter(q, e.opts.ProjectID)
	if msg != "" {
		merchantError(w, http.StatusUnprocessableEntity, msg)
		return
	}
	recs := e.transactions(f.matches)
	recs = recs[min(f.offset, len(recs)):]
	if f.limit >= 0 {
		recs = recs[:min(f.limit, len(recs))]
	}
	writeJSON(w, http.StatusOK, recs)
}

// apiSimpleSearch emulates GET …/reports/transactions/simple_search:
// exactly one of transaction_id and external_id.
func (e *Emulator) apiSimpleSearch(w http.ResponseWriter, r *http.Request) {
	if !e.merchantAuth(w, r) {
		return
	}
	q := r.URL.Query()
	if !strictQuery(w, q, []string{"transaction_id", "external_id"}) {
		return
	}
	tx, ext := q.Get("transaction_id"), q.Get("external_id")
	if (tx == "") == (ext == "") {
		merchantError(w, http.StatusUnprocessableEntity, "pass transaction_id or external_id, not both")
		return
	}
	recs := e.transactions(func(s Order, _ string) bool {
		return (tx != "" && strconv.FormatInt(s.TransactionID, 10) == tx) || (ext != "" && s.ExternalID == ext)
	})
	if len(recs) == 0 {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Transaction not found"})
		return
	}
	writeJSON(w, http.StatusOK, recs)
}
