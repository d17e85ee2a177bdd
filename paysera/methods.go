package paysera

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"regexp"
	"strings"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/form"
)

// maxMethodsBytes caps the payment-methods document.
const maxMethodsBytes = 4 << 20

// PaymentMethods is the list of payment methods of a project: countries,
// their method groups and the methods, as Paysera's payment-methods XML
// describes them.
type PaymentMethods struct {
	// ProjectID, Currency and Amount echo the document's attributes.
	ProjectID string
	Currency  string
	Amount    string
	Countries []Country
}

// Country is one country of a [PaymentMethods] list.
type Country struct {
	// Code is the country code as sent (lower case, e.g. "lt").
	Code string
	// Titles maps a language code to the country's name.
	Titles map[string]string
	Groups []MethodGroup
}

// MethodGroup is a group of methods, e.g. "e-banking" or "other".
type MethodGroup struct {
	Key     string
	Titles  map[string]string
	Methods []Method
}

// Method is one payment method. Its Key is the value of
// [PaymentRequest.Payment].
type Method struct {
	Key string
	// Titles and LogoURLs map a language code to the method's name and
	// logo.
	Titles, LogoURLs map[string]string
	// Min and Max are the amount limits in minor units, nil when none.
	Min, Max *paykit.Money
	// IsIBAN means callbacks for this method carry the payer's IBAN.
	IsIBAN bool
	// BaseCurrency is the method's own currency when given.
	BaseCurrency string
}

// Title returns the title in lang, else in English, else any title.
func (m Method) Title(lang string) string { return pickTitle(m.Titles, lang) }

// Title returns the group's title in lang, else in English, else any.
func (g MethodGroup) Title(lang string) string { return pickTitle(g.Titles, lang) }

// Title returns the country's name in lang, else in English, else any.
func (c Country) Title(lang string) string { return pickTitle(c.Titles, lang) }

func pickTitle(titles map[string]string, lang string) string {
	if t, ok := titles[lang]; ok {
		return t
	}
	if t, ok := titles["en"]; ok {
		return t
	}
	// Deterministic fallback: the title of the smallest language code.
	first := true
	best := ""
	for l := range titles {
		if first || l < best {
			best, first = l, false
		}
	}
	return titles[best]
}

// Accepts reports whether amount lies within the method's limits. Limits in
// another currency than amount's are not compared (Paysera filters by
// amount on its side as well), so they do not exclude the method.
func (m Method) Accepts(amount paykit.Money) bool {
	if m.Min != nil && strings.EqualFold(m.Min.Currency, amount.Currency) && amount.Amount < m.Min.Amount {
		return false
	}
	if m.Max != nil && strings.EqualFold(m.Max.Currency, amount.Currency) && amount.Amount > m.Max.Amount {
		return false
	}
	return true
}

// FilterByAmount returns a copy of the list with only the methods that
// accept amount; groups and countries left empty are dropped.
func (p *PaymentMethods) FilterByAmount(amount paykit.Money) *PaymentMethods {
	out := &PaymentMethods{ProjectID: p.ProjectID, Currency: p.Currency, Amount: p.Amount}
	for _, c := range p.Countries {
		nc := Country{Code: c.Code, Titles: c.Titles}
		for _, g := range c.Groups {
			ng := MethodGroup{Key: g.Key, Titles: g.Titles}
			for _, m := range g.Methods {
				if m.Accepts(amount) {
					ng.Methods = append(ng.Methods, m)
				}
			}
			if len(ng.Methods) > 0 {
				nc.Groups = append(nc.Groups, ng)
			}
		}
		if len(nc.Groups) > 0 {
			out.Countries = append(out.Countries, nc)
		}
	}
	return out
}

// Country returns the country with code (any case), or false.
func (p *PaymentMethods) Country(code string) (Country, bool) {
	for _, c := range p.Countries {
		if strings.EqualFold(c.Code, code) {
			return c, true
		}
	}
	return Country{}, false
}

var currencyRE = regexp.MustCompile(`^[A-Za-z]{3}$`)

// PaymentMethodsURL returns the URL of the payment-methods list for
// currency and, when amount > 0, that amount in minor units (Paysera
// filters by it; the unit is not documented, minor units are assumed).
func (c *Client) PaymentMethodsURL(currency string, amount int64) (string, error) {
	if !currencyRE.MatchString(currency) {
		return "", &paykit.FieldError{Field: "currency", Reason: fmt.Sprintf("value %q is invalid", form.Clip(currency))}
	}
	if amount < 0 {
		return "", &paykit.FieldError{Field: "amount", Reason: "must not be negative"}
	}
	u := c.endpoints.methods + c.account + "/currency:" + strings.ToUpper(currency)
	if amount > 0 {
		u += "/amount:" + itoa(amount)
	}
	return u, nil
}

// PaymentMethods downloads the project's payment methods for currency
// (and amount in minor units when > 0, which Paysera filters by; the list
// is filtered locally too). ctx and the client's timeout bound the call.
func (c *Client) PaymentMethods(ctx context.Context, currency string, amount int64) (*PaymentMethods, error) {
	u, err := c.PaymentMethodsURL(currency, amount)
	if err != nil {
		return nil, err
	}
	body, err := c.get(ctx, u, maxMethodsBytes)
	if err != nil {
		return nil, err
	}
	list, err := ParsePaymentMethods(body)
	if err != nil {
		return nil, err
	}
	if amount > 0 {
		list = list.FilterByAmount(paykit.Money{Amount: amount, Currency: strings.ToUpper(currency)})
	}
	return list, nil
}

type xmlDocument struct {
	XMLName   xml.Name     `xml:"payment_types_document"`
	ProjectID string       `xml:"project_id,attr"`
	Currency  string       `xml:"currency,attr"`
	Amount    string       `xml:"amount,attr"`
	Countries []xmlCountry `xml:"country"`
}

type xmlText struct {
	Language string `xml:"language,attr"`
	Text     string `xml:",chardata"`
}

type xmlCountry struct {
	Code   string     `xml:"code,attr"`
	Titles []xmlText  `xml:"title"`
	Groups []xmlGroup `xml:"payment_group"`
}

type xmlGroup struct {
	Key     string      `xml:"key,attr"`
	Titles  []xmlText   `xml:"title"`
	Methods []xmlMethod `xml:"payment_type"`
}

type xmlLimit struct {
	Amount   string `xml:"amount,attr"`
	Currency string `xml:"currency,attr"`
}

type xmlMethod struct {
	Key          string    `xml:"key,attr"`
	Titles       []xmlText `xml:"title"`
	Logos        []xmlText `xml:"logo_url"`
	Min          *xmlLimit `xml:"min"`
	Max          *xmlLimit `xml:"max"`
	IsIBAN       string    `xml:"is_iban"`
	BaseCurrency string    `xml:"base_currency"`
}

// ParsePaymentMethods parses a payment-methods XML document. Text (also
// CDATA) is trimmed; a limit whose amount is not a whole number is an
// error matching [paykit.ErrMalformed].
func ParsePaymentMethods(doc []byte) (*PaymentMethods, error) {
	var d xmlDocument
	dec := xml.NewDecoder(bytes.NewReader(doc))
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("%w: payment methods XML: %w", paykit.ErrMalformed, err)
	}
	out := &PaymentMethods{ProjectID: d.ProjectID, Currency: d.Currency, Amount: d.Amount}
	for _, xc := range d.Countries {
		c := Country{Code: strings.TrimSpace(xc.Code), Titles: texts(xc.Titles)}
		for _, xg := range xc.Groups {
			g := MethodGroup{Key: strings.TrimSpace(xg.Key), Titles: texts(xg.Titles)}
			for _, xm := range xg.Methods {
				m, err := method(xm)
				if err != nil {
					return nil, err
				}
				g.Methods = append(g.Methods, m)
			}
			c.Groups = append(c.Groups, g)
		}
		out.Countries = append(out.Countries, c)
	}
	return out, nil
}

func method(xm xmlMethod) (Method, error) {
	m := Method{
		Key:          strings.TrimSpace(xm.Key),
		Titles:       texts(xm.Titles),
		LogoURLs:     texts(xm.Logos),
		IsIBAN:       strings.TrimSpace(xm.IsIBAN) == "1",
		BaseCurrency: strings.TrimSpace(xm.BaseCurrency),
	}
	var err error
	if m.Min, err = limit(xm.Min, m.Key); err != nil {
		return Method{}, err
	}
	if m.Max, err = limit(xm.Max, m.Key); err != nil {
		return Method{}, err
	}
	return m, nil
}

func limit(l *xmlLimit, key string) (*paykit.Money, error) {
	if l == nil || strings.TrimSpace(l.Amount) == "" {
		return nil, nil
	}
	n, ok := form.Digits(strings.TrimSpace(l.Amount))
	if !ok {
		return nil, fmt.Errorf("%w: payment method %q: limit %q is not a whole number", paykit.ErrMalformed, form.Clip(key), form.Clip(l.Amount))
	}
	return &paykit.Money{Amount: n, Currency: strings.ToUpper(strings.TrimSpace(l.Currency))}, nil
}

func texts(ts []xmlText) map[string]string {
	m := make(map[string]string, len(ts))
	for _, t := range ts {
		m[strings.TrimSpace(t.Language)] = strings.TrimSpace(t.Text)
	}
	return m
}
