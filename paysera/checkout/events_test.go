package checkout

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/paykit-go/paykit"
)

func parseSigned(t *testing.T, c *Client, body string) paykit.Notification {
	t.Helper()
	b := []byte(body)
	n, err := c.ParseBody(b, signed(testSecret, b))
	if err != nil {
		t.Fatalf("ParseBody: %v", err)
	}
	return n
}

func TestSummary_EveryEventShape(t *testing.T) {
	all := loadVectors(t)
	vec := func(id string) string { return string(all[id].body(t, all)) }
	cases := []struct {
		name string
		body string
		want paykit.Summary
	}{
		{"order snapshot paid (PCK-1)", vec("PCK-1"), paykit.Summary{Type: "order/amount_paid_updated",
			Kind: paykit.KindPayment, Status: paykit.StatusPaid, ID: "019ed03a-84f0-7ba0-874a-f7473738875b",
			OrderID: "ORDER-12345", Amount: paykit.Money{Amount: 2500, Currency: "EUR"}}},
		{"order snapshot partly paid (PCK-5)", vec("PCK-5"), paykit.Summary{Type: "order/amount_paid_updated",
			Kind: paykit.KindPayment, Status: paykit.StatusPending, ID: "019ed03b-1c2d-7e3f-8a4b-5c6d7e8f9a0b",
			OrderID: "ORDER 77/B", Amount: paykit.Money{Amount: 2500, Currency: "EUR"}}},
		{"thin payment settled (PCK-2)", vec("PCK-2"), paykit.Summary{Type: "payment/status_updated",
			Kind: paykit.KindInfo, Status: paykit.StatusPaid, ID: "5b0e8c2a-1f3d-4e6a-9b7c-2d4f6a8c0e1b",
			OrderID: "ORDER-12345", Amount: paykit.Money{Amount: 2500, Currency: "EUR"}}},
		{"thin refund (PCK-3)", vec("PCK-3"), paykit.Summary{Type: "refund/status_updated",
			Kind: paykit.KindRefund, Status: paykit.StatusRefunded, ID: "7a1c3e5f-2b4d-4f6a-8c0e-1a3b5c7d9e2f",
			OrderID: "ORDER-2025/77", Amount: paykit.Money{Amount: 1000, Currency: "EUR"}}},
		{"v3 order.paid (PCK-4)", vec("PCK-4"), paykit.Summary{Type: "order/order.paid",
			Kind: paykit.KindPayment, Status: paykit.StatusPaid, ID: "a6f2b8e3-5e5f-47d9-b13f-87ed2db2938a",
			OrderID: "ORDER-12345", Amount: paykit.Money{Amount: 2500, Currency: "EUR"}}},
		{"v3 order.pending_payment, amount as string", `{"event":{"name":"order.pending_payment","type":"order","timestamp":1736433570},"order":{"id":"o-1","projectId":"p","status":"pending_payment","amount":"2500","currency":"eur","reference":"R-1","amountPaid":"0"}}`,
			paykit.Summary{Type: "order/order.pending_payment", Kind: paykit.KindPayment, Status: paykit.StatusPending,
				ID: "o-1", OrderID: "R-1", Amount: paykit.Money{Amount: 2500, Currency: "EUR"}}},
		{"older modern order.status_updated canceled", `{"event":{"name":"order.status_updated","type":"order"},"order":{"paysera_order_id":"o-2","merchant_order_id":"R-2","amount":100,"amount_paid":0,"currency":"EUR","status":"cancelled"}}`,
			paykit.Summary{Type: "order/order.status_updated", Kind: paykit.KindPayment, Status: paykit.StatusCanceled,
				ID: "o-2", OrderID: "R-2", Amount: paykit.Money{Amount: 100, Currency: "EUR"}}},
		{"order closed is info", `{"event":{"name":"amount_paid_updated","type":"order"},"order":{"paysera_order_id":"o-3","merchant_order_id":"R-3","amount":100,"amount_paid":50,"currency":"EUR","status":"closed"}}`,
			paykit.Summary{Type: "order/amount_paid_updated", Kind: paykit.KindInfo, Status: paykit.StatusUnknown,
				ID: "o-3", OrderID: "R-3", Amount: paykit.Money{Amount: 100, Currency: "EUR"}}},
		{"paid by amount although status lags", `{"event":{"name":"amount_paid_updated","type":"order"},"order":{"paysera_order_id":"o-4","merchant_order_id":"R-4","amount":100,"amount_paid":100,"currency":"EUR","status":"pending_payment"}}`,
			paykit.Summary{Type: "order/amount_paid_updated", Kind: paykit.KindPayment, Status: paykit.StatusPaid,
				ID: "o-4", OrderID: "R-4", Amount: paykit.Money{Amount: 100, Currency: "EUR"}}},
		{"payment chargeback is a refund", `{"event":{"type":"payment","name":"status_updated"},"order":{"paysera_order_id":"o","merchant_order_id":"R"},"payment":{"id":"p-9","status":"chargeback","amount":500,"currency":"EUR"}}`,
			paykit.Summary{Type: "payment/status_updated", Kind: paykit.KindRefund, Status: paykit.StatusRefunded,
				ID: "p-9", OrderID: "R", Amount: paykit.Money{Amount: 500, Currency: "EUR"}}},
		{"payment rejected", `{"event":{"type":"payment","name":"payment.status_updated"},"payment":{"id":"p-8","status":"rejected","amount":"500","currency":"EUR"}}`,
			paykit.Summary{Type: "payment/payment.status_updated", Kind: paykit.KindInfo, Status: paykit.StatusFailed,
				ID: "p-8", Amount: paykit.Money{Amount: 500, Currency: "EUR"}}},
		{"refund processing, refund object", `{"event":{"type":"refund","name":"status_updated"},"order":{"paysera_order_id":"o","merchant_order_id":"R"},"refund":{"id":"r-1","status":"processing","amount":300,"currency":"EUR"}}`,
			paykit.Summary{Type: "refund/status_updated", Kind: paykit.KindRefund, Status: paykit.StatusPending,
				ID: "r-1", OrderID: "R", Amount: paykit.Money{Amount: 300, Currency: "EUR"}}},
		{"v3 payment_link.completed", `{"event":{"name":"payment_link.completed","type":"payment_link","timestamp":1736433570},"order":{"id":"o-5","status":"paid","amount":2500,"currency":"EUR","reference":"R-5","amountPaid":2500},"paymentLink":{"id":"l-1","status":"completed"}}`,
			paykit.Summary{Type: "payment_link/payment_link.completed", Kind: paykit.KindInfo, Status: paykit.StatusPaid,
				ID: "l-1", OrderID: "R-5", Amount: paykit.Money{Amount: 2500, Currency: "EUR"}}},
		{"v3 payment_link.expired", `{"event":{"name":"payment_link.expired","type":"payment_link"},"paymentLink":{"id":"l-2","status":"expired"}}`,
			paykit.Summary{Type: "payment_link/payment_link.expired", Kind: paykit.KindInfo, Status: paykit.StatusFailed, ID: "l-2"}},
		{"distribution event is unknown, acknowledged", `{"event":{"type":"paysera.fund-distributor.distribution","name":"completed"},"distribution":{"id":"d"}}`,
			paykit.Summary{Type: "paysera.fund-distributor.distribution/completed", Kind: paykit.KindInfo}},
		{"order event without order is unknown", `{"event":{"type":"order","name":"reference_updated"}}`,
			paykit.Summary{Type: "order/reference_updated", Kind: paykit.KindInfo}},
	}
	c := vectorClient(t, testSecret)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.want.Provider = paykit.PayseraCheckout
			if got := parseSigned(t, c, tc.body).Summary(); got != tc.want {
				t.Fatalf("Summary\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestDecode_OrderSnapshotKeepsEveryField(t *testing.T) {
	all := loadVectors(t)
	n := parseSigned(t, vectorClient(t, testSecret), string(all["PCK-5"].body(t, all))).(*OrderEvent)
	o := n.Order
	if o.AmountPaid != 1000 || o.Source != "checkout_page" || !o.CreatedAt.Equal(time.Unix(1736440000, 0)) {
		t.Fatalf("order %+v", o)
	}
	if len(o.PaymentLinks) != 1 || o.PaymentLinks[0].Name != "Užsakymas Nr. 77" || o.PaymentLinks[0].PayerName != "Jonas Žemaitis" {
		t.Fatalf("links %+v", o.PaymentLinks)
	}
	p := o.PaymentLinks[0].Payments[0]
	if p.ID != "e2f3a4b5-c6d7-4e8f-90a1-b2c3d4e5f6a7" || p.Method != "seb" || p.Status != "settled" ||
		p.Purpose != "Apmokėjimas 10 €" || p.Amount != 1000 || p.Currency != "EUR" || p.Country != "LT" {
		t.Fatalf("payment %+v", p)
	}
	if o.MerchantData != nil {
		t.Fatalf("empty merchant_data list decoded as %v", o.MerchantData)
	}
	first := parseSigned(t, vectorClient(t, testSecret), string(all["PCK-1"].body(t, all))).(*OrderEvent)
	if first.Order.MerchantData["internal_id"] != "12345" {
		t.Fatalf("merchant_data list not read: %v", first.Order.MerchantData)
	}
	if n.Event.Action() != "amount_paid_updated" {
		t.Fatalf("headers %+v event %+v", n.Headers, n.Event)
	}
}

func TestDecode_HeadersAreKeptAsMetadata(t *testing.T) {
	all := loadVectors(t)
	v := all["PCK-1"]
	n, err := vectorClient(t, testSecret).ParseBody(v.body(t, all), v.header())
	if err != nil {
		t.Fatal(err)
	}
	h := n.(*OrderEvent).Headers
	if h.RequestID != "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b" || h.CallbackID != "0b9a8c7d-6e5f-4a3b-9c2d-1e0f2a3b4c5d" ||
		!h.CreatedAt.Equal(time.Unix(1736433571, 0)) || h.SignatureAlg != "HMAC-SHA256" {
		t.Fatalf("headers %+v", h)
	}
	v3 := all["PCK-4"]
	n, err = vectorClient(t, testSecret).ParseBody(v3.body(t, all), v3.header())
	if err != nil {
		t.Fatal(err)
	}
	if h := n.(*OrderEvent).Headers; h.Event != "order.paid" || !h.Timestamp.Equal(time.Unix(1736433570, 0)) {
		t.Fatalf("v3 headers %+v", h)
	}
}

func TestSummary_TestFlag(t *testing.T) {
	body := `{"event":{"name":"amount_paid_updated","type":"order"},"order":{"paysera_order_id":"o","merchant_order_id":"R","amount":1,"amount_paid":1,"currency":"EUR","status":"paid","is_test":true}}`
	if !parseSigned(t, vectorClient(t, testSecret), body).Summary().Test {
		t.Fatal("is_test not read")
	}
	c, _ := New(Config{ClientID: "id", ClientSecret: testSecret, TestMode: true})
	if !parseSigned(t, c, thinPayment).Summary().Test {
		t.Fatal("TestMode not applied")
	}
	if parseSigned(t, vectorClient(t, testSecret), thinPayment).Summary().Test {
		t.Fatal("live payment marked test")
	}
}

func TestIdempotencyKey_RetryIsDuplicateStatusChangeIsNew(t *testing.T) {
	c := vectorClient(t, testSecret)
	order := func(name, status string, paid int) string {
		return `{"event":{"name":"` + name + `","type":"order"},"order":{"paysera_order_id":"o-1","merchant_order_id":"R","amount":2500,"amount_paid":` +
			itoa(paid) + `,"currency":"EUR","status":"` + status + `","updated_at":` + itoa(1000+paid) + `}}`
	}
	payment := func(status string) string {
		return `{"event":{"type":"payment","name":"status_updated"},"payment":{"id":"p-1","status":"` + status + `","amount":2500,"currency":"EUR"}}`
	}
	key := func(body string) string { return c.IdempotencyKey(parseSigned(t, c, body)) }
	same := []struct{ name, a, b string }{
		{"order snapshot resent", order("amount_paid_updated", "paid", 2500), order("amount_paid_updated", "paid", 2500)},
		{"older dotted name, same state", order("amount_paid_updated", "paid", 2500), order("order.amount_paid_updated", "paid", 2500)},
		{"payment resent pretty-printed", payment("settled"), "{\n " + payment("settled")[1:]},
	}
	for _, tc := range same {
		t.Run(tc.name, func(t *testing.T) {
			if key(tc.a) != key(tc.b) {
				t.Fatal("a repeat has a new key")
			}
		})
	}
	differ := []struct{ name, a, b string }{
		{"second partial payment", order("amount_paid_updated", "pending_payment", 1000), order("amount_paid_updated", "pending_payment", 2000)},
		{"order becomes paid", order("amount_paid_updated", "pending_payment", 1000), order("amount_paid_updated", "paid", 2500)},
		{"payment processing then on_hold", payment("processing"), payment("on_hold")},
		{"payment settled then chargeback", payment("settled"), payment("chargeback")},
		{"payment and refund of the same id", payment("refunded"), `{"event":{"type":"refund","name":"status_updated"},"payment":{"id":"p-1","status":"refunded","amount":2500,"currency":"EUR"}}`},
		{"two unknown events", `{"event":{"type":"x","name":"a"}}`, `{"event":{"type":"x","name":"b"}}`},
	}
	for _, tc := range differ {
		t.Run(tc.name, func(t *testing.T) {
			if key(tc.a) == key(tc.b) {
				t.Fatal("two events share a key")
			}
		})
	}
	t.Run("test and live differ", func(t *testing.T) {
		tc, _ := New(Config{ClientID: "client-1", ClientSecret: testSecret, TestMode: true})
		if tc.IdempotencyKey(parseSigned(t, tc, thinPayment)) == key(thinPayment) {
			t.Fatal("test and live share a key")
		}
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

// The decoders' remaining edges (gremlins survivors of webhook.go).
func TestDecode_Edges(t *testing.T) {
	c := vectorClient(t, testSecret)
	for name, body := range map[string]string{
		"link event without id":     `{"event":{"type":"payment_link","name":"payment_link.expired"},"paymentLink":{"status":"expired"}}`,
		"link event without status": `{"event":{"type":"payment_link","name":"payment_link.expired"},"paymentLink":{"id":"l"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			b := []byte(body)
			if _, err := c.ParseBody(b, signed(testSecret, b)); !errors.Is(err, paykit.ErrMalformed) {
				t.Fatalf("got %v", err)
			}
		})
	}
	t.Run("a test order marks its link event", func(t *testing.T) {
		n := parseSigned(t, c, `{"event":{"type":"payment_link","name":"payment_link.completed"},"paymentLink":{"id":"l","status":"completed"},"order":{"id":"o","status":"paid","is_test":true}}`)
		if !n.Summary().Test {
			t.Fatal("is_test of the order not applied")
		}
	})
	t.Run("an order whose payer sets the amount", func(t *testing.T) {
		n := parseSigned(t, c, `{"event":{"type":"order","name":"amount_paid_updated"},"order":{"paysera_order_id":"o","merchant_order_id":"R","amount":0,"amount_paid":700,"currency":"EUR","status":"paid"}}`)
		if s := n.Summary(); s.Amount.Amount != 700 || s.Status != paykit.StatusPaid {
			t.Fatalf("%+v", s)
		}
	})
}
