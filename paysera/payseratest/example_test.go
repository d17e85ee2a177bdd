package payseratest_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/paysera"
	"github.com/paykit-go/paykit/paysera/payseratest"
)

// A whole payment against the emulator: build the link, pay, receive the
// verified callback.
func ExampleNewServer() {
	emu, err := payseratest.NewServer(payseratest.Options{
		ProjectID: 123456, Password: "project-password",
		RetrySchedule: []time.Duration{10 * time.Millisecond}, // Paysera: 1 h, 2 h, 21 h apart
	})
	if err != nil {
		log.Fatal(err)
	}
	defer emu.Close()

	client, err := paysera.New(paysera.Config{
		ProjectID: 123456, Password: "project-password",
		BaseURL:      emu.URL,                     // every Paysera endpoint on the emulator
		PublicKeyPEM: emu.Signer().PublicKeyPEM(), // or FetchPublicKey: true
	})
	if err != nil {
		log.Fatal(err)
	}
	shop := httptest.NewServer(client.Handler(paykit.Hooks{Event: func(ctx context.Context, n paykit.Notification) error {
		s := n.Summary()
		fmt.Println("paid:", s.Status, s.OrderID, s.Amount.Amount, s.Amount.Currency)
		return nil
	}}))
	defer shop.Close()

	link, err := client.BuildPaymentURL(paysera.PaymentRequest{
		OrderID: "ORDER-1", Amount: 1250, Currency: "EUR",
		AcceptURL: shop.URL + "/accept", CancelURL: shop.URL + "/cancel", CallbackURL: shop.URL + "/callback",
	})
	if err != nil {
		log.Fatal(err)
	}
	id, err := emu.Open(link) // what the payment page does; a person can use the HTML page instead
	if err != nil {
		log.Fatal(err)
	}
	if _, err := emu.Pay(context.Background(), id); err != nil { // status 1, retried until "OK"
		log.Fatal(err)
	}
	if err := emu.Wait(context.Background()); err != nil {
		log.Fatal(err)
	}
	d := emu.Deliveries()
	fmt.Println("shop answered:", d[0].Reply)
	// Output:
	// paid: paid ORDER-1 1250 EUR
	// shop answered: OK
}
