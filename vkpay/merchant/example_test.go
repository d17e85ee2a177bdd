package merchant_test

import (
	"encoding/json"
	"fmt"
	"log"
	"time"

	"github.com/paykit-go/paykit/vkpay/merchant"
)

// Building the argument of bridge.send('VKWebAppOpenPayForm', …) on the
// server, for the mini app to pass on unchanged.
func ExampleClient_PayForm() {
	client, err := merchant.New(merchant.Config{
		MerchantID:  617001,
		AppID:       7000,
		AppSecret:   "app-secure-key",
		MerchantKey: "merchant-private-key",
		Now:         func() time.Time { return time.Unix(1539329770, 0) }, // for a stable example
	})
	if err != nil {
		log.Fatal(err)
	}
	form, err := client.PayForm(merchant.PayRequest{OrderID: "25531", Amount: 150, Description: "Test Payment"})
	if err != nil {
		log.Fatal(err)
	}
	js, _ := json.Marshal(form)
	fmt.Println(string(js))
	// Output:
	// {"app_id":7000,"action":"pay-to-service","params":{"amount":1.5,"data":{"currency":"RUB","merchant_data":"eyJvcmRlcl9pZCI6IjI1NTMxIiwidHMiOiIxNTM5MzI5NzcwIiwiYW1vdW50IjoxLjUsImN1cnJlbmN5IjoiUlVCIn0=","merchant_sign":"237ae65f6cdb98cce8fb74c327048d7340bbb8f3","order_id":"25531","ts":"1539329770"},"description":"Test Payment","action":"pay-to-service","merchant_id":617001,"version":2,"sign":"5408639c67316497a532a0c754788d72"}}
}
