package main

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
)

// Each Paysera Checkout event reaches the hooks as what it says: the
// order events as payments with the order's status, the thin and link
// events as information, a chargeback and a refund as refunds.
func TestTriggerCheckoutEventsMeanWhatTheySay(t *testing.T) {
	r := newReceiver(t, nil)
	cases := []struct {
		args         []string
		kind         paykit.Kind
		status       paykit.Status
		amountOfPaid int64 // Summary.Amount
	}{
		{[]string{"-status", "pending_payment"}, paykit.KindPayment, paykit.StatusPending, 499},
		{[]string{"-status", "canceled"}, paykit.KindPayment, paykit.StatusCanceled, 499},
		{[]string{"-status", "closed"}, paykit.KindInfo, paykit.StatusPaid, 499},
		{[]string{"-type", "order.paid"}, paykit.KindPayment, paykit.StatusPaid, 499},
		{[]string{"-type", "order.status_updated"}, paykit.KindPayment, paykit.StatusPaid, 499},
		{[]string{"-type", "order.created"}, paykit.KindPayment, paykit.StatusPending, 499},
		{[]string{"-type", "order.payment_link.expired_at_updated"}, paykit.KindPayment, paykit.StatusPending, 499},
		{[]string{"-type", "order.pending_payment"}, paykit.KindPayment, paykit.StatusPending, 499},
		{[]string{"-type", "payment/status_updated"}, paykit.KindInfo, paykit.StatusPaid, 499},
		{[]string{"-type", "payment/status_updated", "-status", "rejected"}, paykit.KindInfo, paykit.StatusFailed, 499},
		{[]string{"-type", "payment/status_updated", "-status", "chargeback"}, paykit.KindRefund, paykit.StatusRefunded, 499},
		{[]string{"-type", "refund/status_updated", "-status", "processing"}, paykit.KindRefund, paykit.StatusPending, 499},
		{[]string{"-type", "payment_link.completed"}, paykit.KindInfo, paykit.StatusPaid, 499},
		{[]string{"-type", "payment_link.expired"}, paykit.KindInfo, paykit.StatusFailed, 499},
		{[]string{"-type", "payment_link.canceled"}, paykit.KindInfo, paykit.StatusCanceled, 499},
	}
	for i, tc := range cases {
		// A new id each: the same event twice is a duplicate the hook never sees.
		args := append([]string{"-provider", "paysera_checkout", "-order", "55", "-id", "x-" + strconv.Itoa(i), "-url", r.srv.URL + "/paysera_checkout"}, tc.args...)
		out := trigger(t, r, args...)
		s := r.last(t)
		assert.Equal(t, tc.kind, s.Kind, "%v\n%s", tc.args, out)
		assert.Equal(t, tc.status, s.Status, "%v", tc.args)
		assert.Equal(t, "55", s.OrderID, "%v", tc.args)
		assert.Equal(t, paykit.Money{Amount: tc.amountOfPaid, Currency: "EUR"}, s.Amount, "%v", tc.args)
	}
}

// Input trigger cannot turn into a Checkout webhook is an error naming the
// flag, before anything is sent.
func TestTriggerCheckoutRefusesBadFlags(t *testing.T) {
	for args, want := range map[string][]string{
		"no order":        {"-type", "payment/status_updated"},
		"unknown type":    {"-order", "1", "-type", "order.paid_test"},
		"unknown status":  {"-order", "1", "-status", "settled"},
		"status on v3":    {"-order", "1", "-type", "order.paid", "-status", "paid"},
		"refund's status": {"-order", "1", "-type", "refund/status_updated", "-status", "settled"},
	} {
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"-provider", "paysera_checkout", "-url", "http://127.0.0.1:1/x"}, want...),
			&out, &http.Client{Transport: failTransport{t}})
		require.Error(t, err, args)
		assert.NotErrorIs(t, err, errRefused, args)
	}
}

// failTransport fails the test if a request is sent.
type failTransport struct{ t *testing.T }

func (f failTransport) RoundTrip(*http.Request) (*http.Response, error) {
	f.t.Error("a request was sent")
	return nil, http.ErrHandlerTimeout
}
