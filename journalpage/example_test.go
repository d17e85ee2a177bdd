package journalpage_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/journalpage"
	"github.com/paykit-go/paykit/playvision"
	"github.com/paykit-go/paykit/playvision/playvisiontest"
)

// The journal records every delivery through the handler; the page, behind
// the merchant's own authorisation, shows them and runs them again.
func Example() {
	journal := paykit.NewMemoryJournal(paykit.MemoryJournalOptions{})
	client, err := playvision.New(playvision.Config{AppID: 7001, Secret: "app-secret"})
	if err != nil {
		panic(err)
	}
	callbacks := client.Handler(paykit.Hooks{
		Event:    func(context.Context, paykit.Notification) error { return nil },
		Observer: journal, // every delivery, accepted or not
	})

	mux := http.NewServeMux()
	mux.Handle("/playvision", callbacks)
	mux.Handle("/journal/", journalpage.New(journal, journalpage.Options{
		BasePath: "/journal",
		// Your authentication: here, a header a proxy in front sets.
		Authorize: func(r *http.Request) bool { return r.Header.Get("X-Admin") == "yes" },
		// Run again sends a delivery back through the mux, to its path.
		Handler: func(paykit.Delivery) http.Handler { return mux },
	}))

	// Playvision delivers a payment.
	signer := playvisiontest.Signer{Secret: "app-secret"}
	params := playvisiontest.OrderStatusChange{AppID: 7001, UserID: 131, TransactionID: 1042, Sum: 5, ItemID: "gold_100"}.Params()
	mux.ServeHTTP(httptest.NewRecorder(), signer.NewRequest("/playvision", params))

	// The merchant opens the journal.
	for _, admin := range []string{"", "yes"} {
		req := httptest.NewRequest(http.MethodGet, "/journal/?provider=playvision", nil)
		req.Header.Set("X-Admin", admin)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		fmt.Println(rec.Code, strings.Contains(rec.Body.String(), "order_status_change"))
	}
	// Output:
	// 403 false
	// 200 true
}
