package checkout

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/google/go-querystring/query"
	"github.com/paykit-go/paykit"
)

// MethodsPath is the payment-methods endpoint under the API base.
const MethodsPath = "/checkout-project/integration/v1/methods"

// MethodsQuery filters [Client.PaymentMethods]: give both Amount (minor
// units) and Currency, or neither (Paysera filters only when both are
// given).
type MethodsQuery struct {
	Amount   int64  `url:"amount,omitempty"`
	Currency string `url:"currency,omitempty"`
}

// Method is a payment method of the project.
type Method struct {
	// Key is what LinkRequest.MethodKey takes (swedbank, card-payment, …).
	Key, Title, Description string
	// Type is banklink, card, …; Flow redirect or direct.
	Type, Flow string
	// Countries are the ISO 3166-1 codes where it is offered.
	Countries []string
	// Currencies are the currencies it accepts, sorted; MainCurrencies
	// those marked main.
	Currencies, MainCurrencies []string
	// LogoURL and LogoWideURL are http(s) URLs, or "" when Paysera sent
	// none or one that is not a plain http(s) URL.
	LogoURL, LogoWideURL string
	// CountryDisplay holds per-country titles and logos.
	CountryDisplay map[string]MethodDisplay
}

// MethodDisplay is a method's title and logos in one country.
type MethodDisplay struct {
	Title, LogoURL, LogoWideURL string
}

type methodWire struct {
	Key                 string                         `json:"key"`
	Title               string                         `json:"title"`
	Description         string                         `json:"description"`
	Type                string                         `json:"type"`
	Flow                string                         `json:"flow"`
	AvailableCountries  []string                       `json:"available_countries"`
	AvailableCurrencies map[string]struct{ Main bool } `json:"available_currencies"`
	LogoURL             string                         `json:"logo_url"`
	LogoWideURL         string                         `json:"logo_wide_url"`
	CountryDisplay      map[string]struct {
		Title       string `json:"title"`
		LogoURL     string `json:"logo_url"`
		LogoWideURL string `json:"logo_wide_url"`
	} `json:"country_display"`
}

// methodsReply is the methods endpoint's answer.
type methodsReply struct {
	Items []methodWire `json:"items"`
}

// PaymentMethods lists the project's payment methods, filtered by amount
// and currency when q gives both. Methods with a flow other than redirect
// or direct are left out, as Paysera's SDK does; logo URLs that are not
// plain http(s) URLs are dropped.
func (c *Client) PaymentMethods(ctx context.Context, q MethodsQuery) ([]Method, error) {
	if (q.Amount != 0) != (q.Currency != "") {
		return nil, &paykit.FieldError{Field: "amount", Reason: "amount and currency go together"}
	}
	if q.Amount < 0 || (q.Currency != "" && !upperLetters(q.Currency, 3)) {
		return nil, &paykit.FieldError{Field: "currency", Reason: "a positive amount and an ISO 4217 code"}
	}
	v, err := query.Values(q)
	if err != nil {
		return nil, err
	}
	path := MethodsPath
	if len(v) > 0 {
		path += "?" + v.Encode()
	}
	var r methodsReply
	if err := c.call(ctx, http.MethodGet, path, nil, &r); err != nil {
		return nil, err
	}
	return r.methods(), nil
}

func (r methodsReply) methods() []Method {
	out := make([]Method, 0, len(r.Items))
	for _, w := range r.Items {
		if w.Key == "" || (w.Flow != "" && w.Flow != "redirect" && w.Flow != "direct") {
			continue
		}
		m := Method{Key: w.Key, Title: w.Title, Description: w.Description, Type: w.Type, Flow: w.Flow,
			Countries: w.AvailableCountries, LogoURL: logo(w.LogoURL), LogoWideURL: logo(w.LogoWideURL)}
		for cur, a := range w.AvailableCurrencies {
			m.Currencies = append(m.Currencies, cur)
			if a.Main {
				m.MainCurrencies = append(m.MainCurrencies, cur)
			}
		}
		sort.Strings(m.Currencies)
		sort.Strings(m.MainCurrencies)
		if len(w.CountryDisplay) > 0 {
			m.CountryDisplay = make(map[string]MethodDisplay, len(w.CountryDisplay))
			for cc, d := range w.CountryDisplay {
				m.CountryDisplay[cc] = MethodDisplay{Title: d.Title, LogoURL: logo(d.LogoURL), LogoWideURL: logo(d.LogoWideURL)}
			}
		}
		out = append(out, m)
	}
	return out
}

// logo keeps s only when it is an absolute http(s) URL without control
// characters, so that a page can show it safely.
func logo(s string) string {
	if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return s
}

// decodeMethods decodes a methods reply (used by the fuzz target).
func decodeMethods(b []byte) ([]Method, error) {
	var r methodsReply
	if err := decodeReply(b, &r); err != nil {
		return nil, err
	}
	return r.methods(), nil
}
