package checkout

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
)

func TestOrderItem_DeliversOnlyAPaidOrderOfThisProject(t *testing.T) {
	const ref = "019ed03a-84f0-7ba0-874a-f7473738875b"
	c, err := New(Config{ClientID: "client-1", ClientSecret: testSecret, ProjectID: projectA})
	require.NoError(t, err)
	paid := func(f func(*Order)) *Order {
		o := &Order{ID: ref, ProjectID: projectA, Reference: "R-1", Amount: 2500, AmountPaid: 2500, Currency: "EUR", Status: "paid"}
		if f != nil {
			f(o)
		}
		return o
	}
	cases := []struct {
		name   string
		order  *Order
		found  paykit.Found
		status paykit.Status
		err    error
	}{
		{"paid", paid(nil), "", paykit.StatusPaid, nil},
		{"paid, no id in the reply", paid(func(o *Order) { o.ID = "" }), "", paykit.StatusPaid, nil},
		{"paid, id in upper case", paid(func(o *Order) { o.ID = "019ED03A-84F0-7BA0-874A-F7473738875B" }), "", paykit.StatusPaid, nil},
		{"paid, project in upper case", paid(func(o *Order) { o.ProjectID = "01990618-2C90-7103-9169-752BDAAC7A52" }), "", paykit.StatusPaid, nil},
		{"paid, no project in the reply", paid(func(o *Order) { o.ProjectID = "" }), "", paykit.StatusPaid, nil},
		{"amount reached, status not yet paid", paid(func(o *Order) { o.Status = "pending_payment" }), "", paykit.StatusPaid, nil},
		{"partly paid", paid(func(o *Order) { o.Status, o.AmountPaid = "pending_payment", 1000 }), paykit.FoundPending, paykit.StatusPending, nil},
		{"not paid", paid(func(o *Order) { o.Status, o.AmountPaid = "pending_payment", 0 }), paykit.FoundPending, paykit.StatusPending, nil},
		{"canceled", paid(func(o *Order) { o.Status, o.AmountPaid = "canceled", 0 }), paykit.FoundPending, paykit.StatusCanceled, nil},
		{"another order", paid(func(o *Order) { o.ID = "019ed03a-84f0-7ba0-874a-f7473738875c" }), "", "", paykit.ErrMalformed},
		{"another project", paid(func(o *Order) { o.ProjectID = projectB }), "", "", paykit.ErrWrongAccount},
		{"no status", paid(func(o *Order) { o.Status = "" }), "", "", paykit.ErrMalformed},
		{"negative amount paid", paid(func(o *Order) { o.AmountPaid = -1 }), "", "", paykit.ErrMalformed},
		{"bad currency", paid(func(o *Order) { o.Currency = "EURO" }), "", "", paykit.ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			it, err := c.orderItem(ref, tc.order)
			if tc.err != nil {
				assert.ErrorIs(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, ref, it.Ref)
			if tc.found == paykit.FoundPending {
				assert.Nil(t, it.Notification)
				assert.Equal(t, paykit.FoundPending, it.Found)
				assert.Equal(t, tc.status, it.Summary.Status)
				assert.Equal(t, "R-1", it.Summary.OrderID)
				return
			}
			n, ok := it.Notification.(*OrderEvent)
			require.True(t, ok, "%T", it.Notification)
			assert.Equal(t, Event{Type: "order", Name: "amount_paid_updated"}, n.Event)
			assert.Equal(t, projectA, n.Account)
			assert.Equal(t, tc.status, n.Summary().Status)
			assert.Equal(t, paykit.KindPayment, n.Summary().Kind)
			assert.NotEmpty(t, n.Summary().ID)
		})
	}
}

// The reconciled event's Test is Config.TestMode, as the webhook's: the
// order snapshot carries no is_test, so a GET reply's is_test must not
// change the key.
func TestOrderItem_TestFlagIsTheWebhooks(t *testing.T) {
	for _, mode := range []bool{false, true} {
		c, err := New(Config{ClientID: "client-1", ClientSecret: testSecret, TestMode: mode})
		require.NoError(t, err)
		it, err := c.orderItem("o-1", &Order{ID: "o-1", Status: "paid", Amount: 1, AmountPaid: 1, Test: true})
		require.NoError(t, err)
		assert.Equal(t, mode, it.Notification.Summary().Test)
		body := []byte(`{"event":{"type":"order","name":"amount_paid_updated"},"order":{"paysera_order_id":"o-1","amount":1,"amount_paid":1,"status":"paid"}}`)
		wh, err := c.ParseBody(body, signed(testSecret, body))
		require.NoError(t, err)
		assert.Equal(t, c.IdempotencyKey(wh), c.IdempotencyKey(it.Notification))
	}
}
