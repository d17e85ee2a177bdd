package paysera

import (
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/go-querystring/query"
	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/form"
	"github.com/paykit-go/paykit/signature"
)

// PaymentRequest is one payment to open on Paysera's payment page. OrderID,
// AcceptURL, CancelURL and CallbackURL are required; send Amount and
// Currency too (Paysera shows error 0x4 without them).
type PaymentRequest struct {
	// OrderID is your order reference, at most 40 bytes. "0" counts as
	// missing, as in Paysera's library.
	OrderID string
	// Amount is in minor units (cents); 0 leaves it out.
	Amount int64
	// Currency is an ISO 4217 code (any case).
	Currency string
	// AcceptURL is where the payer returns after paying. Never fulfil an
	// order from it: only the callback is authoritative.
	AcceptURL string
	// CancelURL is where the payer returns after cancelling.
	CancelURL string
	// CallbackURL receives the signed server-to-server callback.
	CallbackURL string
	// Lang is a three-letter ISO 639-2/B code such as "ENG" or "LIT".
	Lang string
	// Payment preselects a payment method key, e.g. "card" or "hanza".
	Payment string
	// Country preselects the payer's country (two letters).
	Country string
	// PayText is the payment purpose. It must contain [order_nr] and
	// [site_name] or [owner_name], or Paysera uses its default text.
	PayText string
	// Test asks for a test payment (the project must allow them).
	Test bool
	// TimeLimit is the payment deadline, sent as "yyyy-mm-dd HH:MM:SS" in
	// Europe/Vilnius time; the zero time leaves it out.
	TimeLimit time.Time
	// OnlyPayments lists the method keys to show; DisallowPayments those
	// to hide (sent as "disallow_payments", the documented spelling).
	OnlyPayments, DisallowPayments []string
	// Payer pre-fills the payer's details.
	Payer Payer
	// PersonCode asks Paysera to check the payer's personal code; the
	// callback then carries PersonCodeStatus.
	PersonCode string
	// DeveloperID is your Paysera developer number when you install for
	// clients.
	DeveloperID string
	// BuyerConsent lets the payer skip Paysera's consent step for PIS
	// payments; you must then show Paysera's consent text yourself.
	BuyerConsent bool
	// PluginName, PluginVersion and CMSVersion are the optional telemetry
	// of Paysera's own plugins.
	PluginName, PluginVersion, CMSVersion string
	// Extra holds any other parameter, passed through untouched (one value
	// per key, sent in key order after the typed fields), e.g. a
	// parameter Paysera adds later, or one with a typed field given as a
	// plain parameter ("buyer_consent", "developerid") as Paysera's
	// library accepts it. A parameter with a typed field is validated by
	// the same rule. It is a *[paykit.FieldError] to set a key whose typed
	// field is set too, or one the client sets itself: projectid, version,
	// data, sign and repeat_request (see [Client.BuildRepeatURL]).
	Extra url.Values
}

// Payer is the payer's data sent with a [PaymentRequest] (and sometimes
// echoed in callbacks).
type Payer struct {
	FirstName   string // p_firstname
	LastName    string // p_lastname
	Email       string // p_email
	Street      string // p_street
	City        string // p_city
	State       string // p_state
	Zip         string // p_zip
	CountryCode string // p_countrycode, ISO 3166-1 alpha-2
}

// wireRequest is the request as sent, in the order the fields are
// encoded (the order of Paysera's library for the common fields).
type wireRequest struct {
	OrderID          string   `url:"orderid,omitempty"`
	AcceptURL        string   `url:"accepturl,omitempty"`
	CancelURL        string   `url:"cancelurl,omitempty"`
	CallbackURL      string   `url:"callbackurl,omitempty"`
	Amount           int64    `url:"amount,omitempty"`
	Currency         string   `url:"currency,omitempty"`
	Lang             string   `url:"lang,omitempty"`
	Payment          string   `url:"payment,omitempty"`
	Country          string   `url:"country,omitempty"`
	PayText          string   `url:"paytext,omitempty"`
	FirstName        string   `url:"p_firstname,omitempty"`
	LastName         string   `url:"p_lastname,omitempty"`
	Email            string   `url:"p_email,omitempty"`
	Street           string   `url:"p_street,omitempty"`
	City             string   `url:"p_city,omitempty"`
	State            string   `url:"p_state,omitempty"`
	Zip              string   `url:"p_zip,omitempty"`
	CountryCode      string   `url:"p_countrycode,omitempty"`
	Test             bool     `url:"test,omitempty,int"`
	TimeLimit        string   `url:"time_limit,omitempty"`
	OnlyPayments     []string `url:"only_payments,omitempty,comma"`
	DisallowPayments []string `url:"disallow_payments,omitempty,comma"`
	PersonCode       string   `url:"personcode,omitempty"`
	DeveloperID      string   `url:"developerid,omitempty"`
	BuyerConsent     bool     `url:"buyer_consent,omitempty,int"`
	PluginName       string   `url:"plugin_name,omitempty"`
	PluginVersion    string   `url:"plugin_version,omitempty"`
	CMSVersion       string   `url:"cms_version,omitempty"`
}

// wireOrder is the key order of wireRequest.
var wireOrder = sync.OnceValue(func() []string {
	t := reflect.TypeOf(wireRequest{})
	keys := make([]string, t.NumField())
	for i := range keys {
		keys[i], _, _ = strings.Cut(t.Field(i).Tag.Get("url"), ",")
	}
	return keys
})

// reserved keys the client sets itself.
var reserved = []string{"projectid", "version", "repeat_request", "data", "sign"}

// fieldSpec is one row of the validation table of Paysera's library
// (lib-webtopay 3.1.5 RequestBuilder): checked in this order; required
// first, then (for a non-empty value) the byte length, then the pattern.
type fieldSpec struct {
	name     string
	maxLen   int
	required bool
	pattern  *regexp.Regexp
}

var requestSpec = sync.OnceValue(func() []fieldSpec {
	letters3 := regexp.MustCompile(`^[a-zA-Z]{3}$`)
	return []fieldSpec{
		{"orderid", 40, true, nil},
		{"accepturl", 255, true, nil},
		{"cancelurl", 255, true, nil},
		{"callbackurl", 255, true, nil},
		{"lang", 3, false, letters3},
		{"amount", 11, false, regexp.MustCompile(`^[0-9]+$`)},
		{"currency", 3, false, letters3},
		{"payment", 20, false, nil},
		{"country", 2, false, regexp.MustCompile(`^[a-zA-Z_]{2}$`)},
		{"paytext", 255, false, nil},
		{"p_firstname", 255, false, nil},
		{"p_lastname", 255, false, nil},
		{"p_email", 255, false, nil},
		{"p_street", 255, false, nil},
		{"p_city", 255, false, nil},
		{"p_state", 255, false, nil},
		{"p_zip", 20, false, nil},
		{"p_countrycode", 2, false, regexp.MustCompile(`^[a-zA-Z]{2}$`)},
		{"test", 1, false, regexp.MustCompile(`^[01]$`)},
		{"time_limit", 19, false, regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$`)},
	}
})

// phpEmpty mirrors PHP's empty() on a string: "" and "0" are empty.
func phpEmpty(s string) bool { return s == "" || s == "0" }

// validate applies the library's table to the encoded values.
func validate(v url.Values) error {
	for _, spec := range requestSpec() {
		val := v.Get(spec.name)
		if spec.required && phpEmpty(val) {
			return &paykit.FieldError{Field: spec.name, Reason: "is required but missing"}
		}
		if phpEmpty(val) {
			continue
		}
		if len(val) > spec.maxLen {
			return &paykit.FieldError{Field: spec.name,
				Reason: fmt.Sprintf("value is too long (%d), %d characters allowed", len(val), spec.maxLen)}
		}
		if spec.pattern != nil && !spec.pattern.MatchString(val) {
			return &paykit.FieldError{Field: spec.name, Reason: fmt.Sprintf("value %q is invalid", form.Clip(val))}
		}
	}
	return nil
}

// Form is a signed request: the two parameters Paysera's payment page
// takes, for a GET link ([Form.URL]) or an auto-submitted POST form
// (method POST, action [Form.Action], fields [Form.Values]).
type Form struct {
	// Action is the payment page URL.
	Action string
	// Data is the URL-safe base64 of the parameters, padding kept.
	Data string
	// Sign is md5(Data + password), lowercase hex.
	Sign string
}

// Values returns the form fields data and sign.
func (f Form) Values() url.Values {
	return url.Values{"data": {f.Data}, "sign": {f.Sign}}
}

// URL returns the GET link Action?data=…&sign=…, encoded like Paysera's
// library (the padding of data travels as %3D).
func (f Form) URL() string {
	return f.Action + "?" + buildQuery([]field{{"data", f.Data}, {"sign", f.Sign}})
}

// BuildPaymentURL validates req exactly like Paysera's official library and
// returns the signed payment page link to redirect the payer to. Errors
// match [paykit.ErrInvalidRequest] and are *[paykit.FieldError] naming the
// Paysera parameter.
func (c *Client) BuildPaymentURL(req PaymentRequest) (string, error) {
	f, err := c.BuildPaymentForm(req)
	if err != nil {
		return "", err
	}
	return f.URL(), nil
}

// BuildPaymentForm is [Client.BuildPaymentURL] for a POST form: it returns
// the data/sign pair and the action URL.
func (c *Client) BuildPaymentForm(req PaymentRequest) (Form, error) {
	fields, err := c.requestFields(req)
	if err != nil {
		return Form{}, err
	}
	return c.sign(fields), nil
}

// EncodeRequest returns the parameter string that BuildPaymentForm
// base64-encodes, for logging and tests. It contains no secret.
func (c *Client) EncodeRequest(req PaymentRequest) (string, error) {
	fields, err := c.requestFields(req)
	if err != nil {
		return "", err
	}
	return buildQuery(fields), nil
}

// BuildRepeatURL returns the signed link that reopens the payment of an
// existing order (a "repeat request": orderid, version, projectid,
// repeat_request=1). Unlike Paysera's PHP library it accepts any order id,
// not only numbers.
func (c *Client) BuildRepeatURL(orderID string) (string, error) {
	f, err := c.BuildRepeatForm(orderID)
	if err != nil {
		return "", err
	}
	return f.URL(), nil
}

// BuildRepeatForm is [Client.BuildRepeatURL] for a POST form.
func (c *Client) BuildRepeatForm(orderID string) (Form, error) {
	if phpEmpty(orderID) {
		return Form{}, &paykit.FieldError{Field: "orderid", Reason: "is required but missing"}
	}
	if len(orderID) > 40 {
		return Form{}, &paykit.FieldError{Field: "orderid",
			Reason: fmt.Sprintf("value is too long (%d), 40 characters allowed", len(orderID))}
	}
	return c.sign([]field{
		{"orderid", orderID},
		{"version", c.version},
		{"projectid", c.account},
		{"repeat_request", "1"},
	}), nil
}

func (c *Client) sign(fields []field) Form {
	data := encodeData(buildQuery(fields))
	return Form{Action: c.endpoints.pay, Data: data, Sign: signature.JoinedMD5([]string{data}, "", c.password)}
}

// requestFields validates req and returns its parameters in wire order,
// followed by Extra (sorted), version and projectid.
func (c *Client) requestFields(req PaymentRequest) ([]field, error) {
	w := wireRequest{
		OrderID: req.OrderID, AcceptURL: req.AcceptURL, CancelURL: req.CancelURL,
		CallbackURL: req.CallbackURL, Amount: req.Amount, Currency: req.Currency,
		Lang: req.Lang, Payment: req.Payment, Country: req.Country, PayText: req.PayText,
		FirstName: req.Payer.FirstName, LastName: req.Payer.LastName, Email: req.Payer.Email,
		Street: req.Payer.Street, City: req.Payer.City, State: req.Payer.State,
		Zip: req.Payer.Zip, CountryCode: req.Payer.CountryCode,
		Test: req.Test, OnlyPayments: req.OnlyPayments, DisallowPayments: req.DisallowPayments,
		PersonCode: req.PersonCode, DeveloperID: req.DeveloperID, BuyerConsent: req.BuyerConsent,
		PluginName: req.PluginName, PluginVersion: req.PluginVersion, CMSVersion: req.CMSVersion,
	}
	if !req.TimeLimit.IsZero() {
		w.TimeLimit = formatVilnius(req.TimeLimit)
	}
	values, err := query.Values(w)
	if err != nil {
		return nil, &paykit.FieldError{Field: "request", Reason: "cannot be encoded"}
	}
	extra, err := extraFields(req.Extra, values)
	if err != nil {
		return nil, err
	}
	if err := validate(withExtra(values, extra)); err != nil {
		return nil, err
	}
	if err := checkMethodLists(req); err != nil {
		return nil, err
	}
	fields := make([]field, 0, len(values)+len(extra)+2)
	for _, k := range wireOrder() {
		if vs, ok := values[k]; ok && len(vs) == 1 {
			fields = append(fields, field{k, vs[0]})
		}
	}
	fields = append(fields, extra...)
	fields = append(fields, field{"version", c.version}, field{"projectid", c.account})
	return fields, nil
}

// withExtra returns the typed values with the Extra fields added, for
// validation: a parameter passed through Extra meets the same rules as
// its typed field.
func withExtra(values url.Values, extra []field) url.Values {
	if len(extra) == 0 {
		return values
	}
	all := make(url.Values, len(values)+len(extra))
	for k, vs := range values {
		all[k] = vs
	}
	for _, f := range extra {
		all[f.key] = []string{f.value}
	}
	return all
}

// checkMethodLists refuses method keys that would change the list when
// joined with commas.
func checkMethodLists(req PaymentRequest) error {
	lists := []struct {
		name string
		keys []string
	}{{"only_payments", req.OnlyPayments}, {"disallow_payments", req.DisallowPayments}}
	for _, l := range lists {
		name := l.name
		for _, m := range l.keys {
			if m == "" || strings.Contains(m, ",") {
				return &paykit.FieldError{Field: name, Reason: fmt.Sprintf("method key %q is empty or contains a comma", form.Clip(m))}
			}
		}
	}
	return nil
}

// extraFields returns Extra as fields sorted by key. Any parameter may
// pass through Extra — Paysera's library forwards whatever it is given,
// e.g. buyer_consent or developerid as plain parameters — unless its typed
// field is set too (typed holds the encoded typed fields, empty ones
// left out) or the client controls it (projectid, version, data, sign;
// repeat_request, which only [Client.BuildRepeatURL] sends).
func extraFields(extra url.Values, typed url.Values) ([]field, error) {
	if len(extra) == 0 {
		return nil, nil
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]field, 0, len(keys))
	for _, k := range keys {
		_, isTyped := typed[k]
		switch {
		case k == "":
			return nil, &paykit.FieldError{Field: "Extra", Reason: "has an empty key"}
		case slices.Contains(reserved, k):
			return nil, &paykit.FieldError{Field: k, Reason: "is set by the client; not allowed in Extra"}
		case isTyped:
			return nil, &paykit.FieldError{Field: k, Reason: "is set by its typed field and in Extra; set one of them"}
		case len(extra[k]) != 1:
			return nil, &paykit.FieldError{Field: k, Reason: "must have exactly one value in Extra"}
		}
		out = append(out, field{k, extra[k][0]})
	}
	return out, nil
}

// formatVilnius formats t as "yyyy-mm-dd HH:MM:SS" in Lithuanian time:
// UTC+2, and UTC+3 from the last Sunday of March 01:00 UTC to the last
// Sunday of October 01:00 UTC (the EU rule Lithuania follows). It does not
// depend on the system's time zone database.
func formatVilnius(t time.Time) string {
	u := t.UTC()
	offset := 2 * time.Hour
	if y := u.Year(); !u.Before(lastSundayUTC(y, time.March)) && u.Before(lastSundayUTC(y, time.October)) {
		offset = 3 * time.Hour
	}
	return u.Add(offset).Format("2006-01-02 15:04:05")
}

// lastSundayUTC returns 01:00 UTC on the last Sunday of month in year.
func lastSundayUTC(year int, month time.Month) time.Time {
	d := time.Date(year, month+1, 1, 1, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
	return d.AddDate(0, 0, -int(d.Weekday()))
}

// itoa formats an int64 in decimal.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }
