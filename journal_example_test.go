package paykit_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/vkpay"
)

// Every delivery through a handler lands in the journal, refused ones too.
func ExampleMemoryJournal() {
	journal := paykit.NewMemoryJournal(paykit.MemoryJournalOptions{})
	client, _ := vkpay.New(vkpay.Config{AppID: 7, Secret: "app-secret"})
	h := client.Handler(paykit.Hooks{
		Event:    func(context.Context, paykit.Notification) error { return nil },
		Observer: journal,
	})
	deliver := func(secret string) {
		r := httptest.NewRequest(http.MethodPost, "/vk/callback", strings.NewReader(vkBody(secret, "1042")))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	deliver("a forger's guess")
	deliver("app-secret")
	deliver("app-secret")

	page, _ := journal.Deliveries(context.Background(), paykit.DeliveryQuery{Provider: paykit.VKPay})
	for _, d := range page.Deliveries {
		fmt.Println(d.Verification, d.Outcome, d.Summary.ID, "replayed:", d.Replayed)
	}
	// Output:
	// verified ok 1042 replayed: true
	// verified ok 1042 replayed: false
	// invalid_signature rejected  replayed: false
}
