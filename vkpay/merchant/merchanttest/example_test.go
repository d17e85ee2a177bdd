package merchanttest_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/vkpay/merchant"
	"github.com/paykit-go/paykit/vkpay/merchant/merchanttest"
)

// A VK Pay payment through the emulator: the merchant builds the pay form,
// the emulator opens it and pays, and the merchant's handler receives the
// signed notification.
func Example() {
	pem, _ := os.ReadFile("../testdata/test_key.pem") // or merchanttest.NewSigner()
	signer, _ := merchanttest.NewSignerWithKey(pem)
	client, _ := merchant.New(merchant.Config{MerchantID: 617001, AppSecret: "app-secret",
		MerchantKey: "merchant-key", PublicKeyPEM: signer.PublicKeyPEM()})
	shop := httptest.NewServer(client.Handler(paykit.Hooks{Event: func(_ context.Context, n paykit.Notification) error {
		s := n.Summary()
		fmt.Println("event:", s.Kind, s.Status, s.OrderID, s.Amount.Amount, s.Amount.Currency)
		return nil
	}}))
	defer shop.Close()

	emu, err := merchanttest.NewServer(merchanttest.Options{MerchantID: 617001, AppSecret: "app-secret",
		MerchantKey: "merchant-key", Signer: signer, NotifyURL: shop.URL, RetrySchedule: []time.Duration{time.Millisecond}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer emu.Close() // emu.URL + "/pay?form=…" is the clickable pay form

	ctx := context.Background()
	form, _ := client.PayForm(merchant.PayRequest{OrderID: "1001", Amount: 1500, Description: "100 gems"})
	order, err := emu.Open(ctx, form) // what VKWebAppOpenPayForm does
	if err != nil {
		fmt.Println(err)
		return
	}
	order, _ = emu.Pay(ctx, order.ID)
	fmt.Println(order.State)
	// Output:
	// event: payment paid 1001 1500 RUB
	// paid
}
