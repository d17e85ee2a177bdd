package merchant_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/paykit-go/paykit"
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

// A VK Pay notification endpoint on the shared hooks, with the shared
// handler options. (The notification here is not signed by VK Pay, so it
// is refused with ERR_SIGNATURE and never reaches Event.)
func ExampleClient_HandlerWith() {
	publicKey, err := os.ReadFile("testdata/test_pub.pem") // the payment system's key from your contract
	if err != nil {
		log.Fatal(err)
	}
	client, err := merchant.New(merchant.Config{MerchantID: 617001, MerchantKey: "merchant-private-key",
		PublicKeyPEM: publicKey, Now: func() time.Time { return time.Unix(1539329770, 0) }})
	if err != nil {
		log.Fatal(err)
	}
	handler := client.HandlerWith(paykit.Hooks{
		Event: func(ctx context.Context, n paykit.Notification) error {
			s := n.Summary()
			fmt.Println("fulfil", s.OrderID, s.Status, s.Amount.Amount, s.Amount.Currency)
			return nil
		},
	}, merchant.HandlerOptions{HandlerOptions: paykit.HandlerOptions{
		HookTimeout: 5 * time.Second,
		ErrorLog:    func(r *http.Request, err error) { fmt.Println("refused:", err) },
	}})
	w := httptest.NewRecorder()
	r := httptest.NewRequest("POST", "/vkpay/notify", strings.NewReader("data=e30%3D&signature=AAAA&version=2-03"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	handler.ServeHTTP(w, r)
	var ans merchant.Answer
	_ = json.Unmarshal(w.Body.Bytes(), &ans)
	data, _ := base64.StdEncoding.DecodeString(ans.Data)
	fmt.Println(w.Code, string(data))
	// Output:
	// refused: paykit: invalid signature
	// 200 {"body":{"transaction_id":"","notify_type":"TRANSACTION_STATUS"},"header":{"status":"ERROR","ts":1539329770,"client_id":617001,"error":{"code":"ERR_SIGNATURE","message":"notification refused"}}}
}
