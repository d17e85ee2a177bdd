package vkpay_test

import (
	"errors"
	"testing"

	"github.com/paykit-go/paykit"
)

// A required time of 0 is out of range; an optional one of 0 is simply
// unset.
func TestZeroTimeIsRefusedWhereRequiredAndUnsetWhereOptional(t *testing.T) {
	c := newClient(t)
	_, err := c.ParseBody([]byte(signed(with(orderParams("5", "chargeable"), "date", "0"), testSecret)), nil)
	if !errors.Is(err, paykit.ErrMalformed) {
		t.Errorf("order_status_change with date 0: err = %v, want ErrMalformed", err)
	}
	if _, err := c.ParseBody([]byte(signed(with(subParams("5", "active"), "next_bill_time", "0"), testSecret)), nil); err != nil {
		t.Errorf("subscription with next_bill_time 0: %v, want accepted", err)
	}
}
