package emulator_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/paykit-go/paykit/internal/emulator"
)

// A kit keeps its orders in a Book and delivers its notifications with an
// Engine; a merchant that fails once is retried on the schedule.
func Example() {
	failures := 1
	merchant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failures > 0 {
			failures--
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer merchant.Close()

	type order struct {
		ID    string
		State emulator.State
	}
	orders := emulator.NewBook[string, order](0)
	orders.Add("1001", order{ID: "1001", State: emulator.StateOpen})

	engine := emulator.New(emulator.Config{Schedule: []time.Duration{time.Millisecond}})
	defer engine.Close()
	first, _ := engine.Send(context.Background(), emulator.Message{
		OrderID: "1001", Event: "payment", URL: merchant.URL, Body: []byte(`{"signed":true}`),
		Update: func(_ context.Context, d emulator.Delivery) {
			if d.OK() {
				_, _ = orders.Update(d.OrderID, func(o *order) error { o.State = emulator.StatePaid; return nil })
			}
		},
	})
	_ = engine.Wait(context.Background())
	o, _ := orders.Get("1001")
	fmt.Println(first.Outcome, "then", o.State, "after", len(engine.Deliveries()), "attempts")
	fmt.Println(emulator.FormatAmount(500, "EUR"))
	// Output:
	// retrying then paid after 2 attempts
	// 5.00 EUR
}
