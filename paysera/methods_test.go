package paysera

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/paykit-go/paykit"
)

const methodsXML = `<?xml version="1.0" encoding="UTF-8"?>
<payment_types_document project_id="123456" currency="EUR" amount="1250">
  <country code="lt">
    <title language="lt">Lietuva</title>
    <title language="en">Lithuania</title>
    <payment_group key="e-banking">
      <title language="en">E-banking</title>
      <payment_type key="hanza">
        <title language="en"><![CDATA[
          Swedbank
        ]]></title>
        <title language="lt">Swedbank</title>
        <logo_url language="en"> https://example.com/hanza.png </logo_url>
        <min amount="100" currency="EUR"/>
        <max amount="1000000" currency="EUR"/>
        <is_iban>1</is_iban>
        <base_currency>EUR</base_currency>
      </payment_type>
      <payment_type key="big">
        <title language="en">Only big</title>
        <min amount="5000" currency="EUR"/>
      </payment_type>
    </payment_group>
    <payment_group key="other">
      <title language="en">Other</title>
      <payment_type key="card">
        <title language="en">Card</title>
        <max amount="99" currency="USD"/>
      </payment_type>
    </payment_group>
  </country>
</payment_types_document>`

func mockClient(t *testing.T) (*Client, *httpmock.MockTransport) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	c := mustClient(t, Config{ProjectID: 123456, Password: "8c1f0ad7e5b44a2f9d3c6b1e0a7f4d29",
		HTTPClient: &http.Client{Transport: mt, Timeout: time.Second}})
	return c, mt
}

func TestPaymentMethodsURLsMatchTheLibrary(t *testing.T) {
	v := mustVectors(t)
	c := vectorClient(t, "")
	for amount, want := range map[int64]string{0: v.MethodsURLs["prod_amount_null"], 1250: v.MethodsURLs["prod_amount_1250"]} {
		got, err := c.PaymentMethodsURL("EUR", amount)
		if err != nil || got != want {
			t.Errorf("amount %d: %s, %v; want %s", amount, got, err, want)
		}
	}
	if _, err := c.PaymentMethodsURL("EURO", 0); !errors.Is(err, paykit.ErrInvalidRequest) {
		t.Errorf("bad currency: %v", err)
	}
}

func TestPaymentMethodsAreParsedAndFiltered(t *testing.T) {
	c, mt := mockClient(t)
	mt.RegisterResponder(http.MethodGet, "https://www.paysera.com/payment-methods/123456/currency:EUR/amount:1250",
		httpmock.NewStringResponder(http.StatusOK, methodsXML))
	list, err := c.PaymentMethods(context.Background(), "eur", 1250)
	if err != nil {
		t.Fatal(err)
	}
	lt, ok := list.Country("LT")
	if !ok || lt.Title("lt") != "Lietuva" || lt.Title("de") != "Lithuania" {
		t.Fatalf("country %+v", lt)
	}
	if len(lt.Groups) != 2 || len(lt.Groups[0].Methods) != 1 {
		t.Fatalf("groups %+v", lt.Groups)
	}
	hanza := lt.Groups[0].Methods[0]
	if hanza.Key != "hanza" || hanza.Title("en") != "Swedbank" || hanza.LogoURLs["en"] != "https://example.com/hanza.png" ||
		*hanza.Min != (paykit.Money{Amount: 100, Currency: "EUR"}) || hanza.Max.Amount != 1000000 || !hanza.IsIBAN ||
		hanza.BaseCurrency != "EUR" {
		t.Errorf("hanza %+v", hanza)
	}
	// A limit in another currency does not exclude the method.
	if card := lt.Groups[1].Methods[0]; card.Key != "card" {
		t.Errorf("card filtered out: %+v", lt.Groups[1])
	}
	if mt.GetTotalCallCount() != 1 {
		t.Errorf("calls %d", mt.GetTotalCallCount())
	}
}

func TestPaymentMethodsWithoutAmountKeepsEverything(t *testing.T) {
	c, mt := mockClient(t)
	mt.RegisterResponder(http.MethodGet, "https://www.paysera.com/payment-methods/123456/currency:EUR",
		httpmock.NewStringResponder(http.StatusOK, methodsXML))
	list, err := c.PaymentMethods(context.Background(), "EUR", 0)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(list.Countries[0].Groups[0].Methods); n != 2 {
		t.Errorf("methods %d", n)
	}
	if small := list.FilterByAmount(paykit.Money{Amount: 50, Currency: "EUR"}); len(small.Countries[0].Groups) != 1 {
		t.Errorf("filter 0.50 EUR: %+v", small)
	}
}

func TestPaymentMethodsErrors(t *testing.T) {
	cases := []struct {
		name      string
		responder httpmock.Responder
		check     func(error) bool
	}{
		{"HTTP 500", httpmock.NewStringResponder(http.StatusInternalServerError, "oops"), func(err error) bool {
			var ae *paykit.APIError
			return errors.As(err, &ae) && ae.StatusCode == 500 && string(ae.Body) == "oops" &&
				ae.Provider == paykit.Paysera && ae.Temporary() && errors.Is(err, paykit.ErrAPI)
		}},
		{"not XML", httpmock.NewStringResponder(http.StatusOK, "{}"), func(err error) bool { return errors.Is(err, paykit.ErrMalformed) }},
		{"bad limit", httpmock.NewStringResponder(http.StatusOK, strings.Replace(methodsXML, `"100"`, `"1.00"`, 1)),
			func(err error) bool { return errors.Is(err, paykit.ErrMalformed) }},
		{"network", httpmock.NewErrorResponder(errors.New("connection refused")), func(err error) bool { return err != nil }},
		{"slow server hits the context deadline", func(r *http.Request) (*http.Response, error) {
			<-r.Context().Done()
			return nil, r.Context().Err()
		}, func(err error) bool { return errors.Is(err, context.DeadlineExceeded) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, mt := mockClient(t)
			mt.RegisterResponder(http.MethodGet, "https://www.paysera.com/payment-methods/123456/currency:EUR", tc.responder)
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			if _, err := c.PaymentMethods(ctx, "EUR", 0); !tc.check(err) {
				t.Fatalf("unexpected error %v", err)
			}
		})
	}
}

func TestSendSMSAnswer(t *testing.T) {
	v := mustVectors(t)
	c, mt := mockClient(t)
	mt.RegisterResponder(http.MethodGet, v.SMSAnswer.URL, httpmock.NewStringResponder(http.StatusOK, "OK"))
	if err := c.SendSMSAnswer(context.Background(), "555000111", v.SMSAnswer.Msg); err != nil {
		t.Fatal(err)
	}
	mt.RegisterResponder(http.MethodGet, "=~^https://bank.paysera.com/psms/respond/",
		httpmock.NewStringResponder(http.StatusOK, "Error: bad transaction"))
	err := c.SendSMSAnswer(context.Background(), "1", "x")
	if !errors.Is(err, ErrSMSAnswer) {
		t.Fatalf("got %v", err)
	}
	mt.RegisterResponder(http.MethodGet, "=~^https://bank.paysera.com/psms/respond/", httpmock.NewErrorResponder(errors.New("refused")))
	err = c.SendSMSAnswer(context.Background(), "1", "x")
	if err == nil || strings.Contains(err.Error(), "transaction") {
		t.Fatalf("network error leaks the transaction digest: %v", err)
	}
}
