package paysera_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/paysera"
	"github.com/paykit-go/paykit/paysera/payseratest"
)

// A shop builds the payment link for an order and mounts the callback
// handler at the callbackurl.
func Example() {
	client, err := paysera.New(paysera.Config{ProjectID: 123456, Password: "8c1f0ad7e5b44a2f9d3c6b1e0a7f4d29"})
	if err != nil {
		log.Fatal(err)
	}
	link, err := client.BuildPaymentURL(paysera.PaymentRequest{
		OrderID:     "1001",
		Amount:      500, // 5.00 EUR in cents
		Currency:    "EUR",
		AcceptURL:   "https://shop.example.com/accept",
		CancelURL:   "https://shop.example.com/cancel",
		CallbackURL: "https://shop.example.com/callback",
	})
	if err != nil {
		log.Fatal(err) // a *paykit.FieldError naming the parameter
	}
	fmt.Println(link) // redirect the payer here

	mux := http.NewServeMux()
	mux.Handle("/callback", client.Handler(paykit.Hooks{
		Event: func(ctx context.Context, n paykit.Notification) error {
			cb := n.(*paysera.Callback)
			if cb.Paid() {
				// Compare cb.OrderID, cb.Amount, cb.Currency and cb.Test
				// with the order, then fulfil it (once: the handler
				// deduplicates repeated deliveries).
			}
			return nil
		},
	}))
	// Output:
	// https://bank.paysera.com/pay/?data=b3JkZXJpZD0xMDAxJmFjY2VwdHVybD1odHRwcyUzQSUyRiUyRnNob3AuZXhhbXBsZS5jb20lMkZhY2NlcHQmY2FuY2VsdXJsPWh0dHBzJTNBJTJGJTJGc2hvcC5leGFtcGxlLmNvbSUyRmNhbmNlbCZjYWxsYmFja3VybD1odHRwcyUzQSUyRiUyRnNob3AuZXhhbXBsZS5jb20lMkZjYWxsYmFjayZhbW91bnQ9NTAwJmN1cnJlbmN5PUVVUiZ2ZXJzaW9uPTEuNiZwcm9qZWN0aWQ9MTIzNDU2&sign=60d81002f13c12e03e26ad1275dc884f
}

// BuildPaymentURL validates like Paysera's library and names the field.
func ExampleClient_BuildPaymentURL() {
	client, err := paysera.New(paysera.Config{ProjectID: 123456, Password: "8c1f0ad7e5b44a2f9d3c6b1e0a7f4d29"})
	if err != nil {
		log.Fatal(err)
	}
	req := paysera.PaymentRequest{
		OrderID: "ORDER-7", Amount: 1250, Currency: "EUR", Lang: "ENG",
		AcceptURL: "https://shop.example.com/accept", CancelURL: "https://shop.example.com/cancel",
		CallbackURL: "https://shop.example.com/callback",
		PayText:     "Order [order_nr] at [site_name]",
		Payer:       paysera.Payer{Email: "jonas@example.com"},
	}
	form, err := client.BuildPaymentForm(req) // for a POST form; BuildPaymentURL for a link
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(form.Action, form.Sign)

	req.Lang = "en"
	_, err = client.BuildPaymentURL(req)
	fmt.Println(err)
	// Output:
	// https://bank.paysera.com/pay/ c93615f95915118ad3238fe1e78cc878
	// paykit: invalid request: lang: value "en" is invalid
}

// The handler answers OK and runs Event once, however often Paysera
// delivers the callback. payseratest signs callbacks like Paysera.
func ExampleClient_Handler() {
	signer, err := payseratest.NewSigner(123456, "project-password")
	if err != nil {
		log.Fatal(err)
	}
	client, err := paysera.New(paysera.Config{
		ProjectID: 123456, Password: "project-password",
		PublicKeyPEM: signer.PublicKeyPEM(), // in production: nil, the embedded Paysera key
	})
	if err != nil {
		log.Fatal(err)
	}
	handler := client.Handler(paykit.Hooks{Event: func(ctx context.Context, n paykit.Notification) error {
		s := n.Summary()
		fmt.Println("event:", s.Kind, s.Status, s.OrderID, s.Amount.Amount, s.Amount.Currency)
		return nil
	}})

	callback := payseratest.Macro{OrderID: "ORDER-7", RequestID: "987654321", Amount: 1250, Currency: "EUR"}.Fields(123456)
	for i := 0; i < 2; i++ {
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, signer.NewRequest("/callback", callback))
		fmt.Println(w.Code, w.Body.String())
	}
	// Output:
	// event: payment paid ORDER-7 1250 EUR
	// 200 OK
	// 200 OK
}

// HandlerWith takes the options every provider shares (here an error log)
// beside Paysera's own: the reply SMS of a micro (SMS) payment.
func ExampleClient_HandlerWith() {
	signer, err := payseratest.NewSigner(123456, "project-password")
	if err != nil {
		log.Fatal(err)
	}
	client, err := paysera.New(paysera.Config{
		ProjectID: 123456, Password: "project-password",
		PublicKeyPEM: signer.PublicKeyPEM(), // in production: nil, the embedded Paysera key
	})
	if err != nil {
		log.Fatal(err)
	}
	handler := client.HandlerWith(paykit.Hooks{Event: func(ctx context.Context, n paykit.Notification) error {
		return nil // fulfil the SMS payment
	}}, paysera.HandlerOptions{
		HandlerOptions: paykit.HandlerOptions{
			ErrorLog: func(_ *http.Request, err error) { fmt.Println("not acknowledged:", err) },
		},
		SMSReply: func(_ context.Context, cb *paysera.Callback) (string, error) {
			return "Thank you, your code is 1234", nil
		},
	})

	sms := payseratest.Micro{ID: "555000111", To: "1398", From: "37060000000", Text: "PAY 1", Key: "PAY", Amount: 100, Currency: "EUR"}.Fields(123456)
	w := httptest.NewRecorder()
	handler.ServeHTTP(w, signer.NewRequest("/callback", sms))
	fmt.Println(w.Code, w.Body.String())

	w = httptest.NewRecorder()
	handler.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/callback?data=forged&ss3=AAAA", nil))
	fmt.Println(w.Code)
	// Output:
	// 200 OK Thank you, your code is 1234
	// not acknowledged: ss3: paykit: invalid signature
	// 400
}
