package vkpay_test

import (
	"errors"
	"maps"
	"strconv"
	"strings"
	"testing"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/vkpay"
)

const capBytes = 64 << 10 // form.DefaultMaxBytes

// signedOfLength returns a signed order notification padded with an extra
// signed parameter to exactly n bytes.
func signedOfLength(t *testing.T, n int) string {
	t.Helper()
	short := len(signed(with(orderParams("9", "chargeable"), "pad", "a"), testSecret))
	body := signed(with(orderParams("9", "chargeable"), "pad", strings.Repeat("a", 1+n-short)), testSecret)
	if len(body) != n {
		t.Fatalf("body is %d bytes, want %d", len(body), n)
	}
	return body
}

func TestParseBodyOfExactlyTheCapIsAccepted(t *testing.T) {
	c := newClient(t)
	if _, err := c.ParseBody([]byte(signedOfLength(t, capBytes)), nil); err != nil {
		t.Fatalf("exactly %d bytes: err = %v, want nil", capBytes, err)
	}
	if _, err := c.ParseBody([]byte(signedOfLength(t, capBytes+1)), nil); !errors.Is(err, paykit.ErrBodyTooLarge) {
		t.Fatalf("%d bytes: err = %v, want ErrBodyTooLarge", capBytes+1, err)
	}
}

func TestExtraHoldsOnlyTheParametersNoTypeModels(t *testing.T) {
	p := orderParams("9", "chargeable")
	p.Set("site", "ok")
	n, err := newClient(t).ParseBody([]byte(signed(p, testSecret)), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := n.(*vkpay.OrderStatusChange).Extra
	if want := map[string]string{"site": "ok"}; !maps.Equal(got, want) {
		t.Fatalf("Extra = %v, want %v (no sig, app_id, order_id or other modelled key)", got, want)
	}
}

func TestTimesUpToTheBoundAreAcceptedAndBeyondRefused(t *testing.T) {
	const maxTimeUnix = int64(1) << 40
	tests := []struct {
		name string
		unix int64
		want error
	}{
		{"at the bound", maxTimeUnix, nil},
		{"one past the bound", maxTimeUnix + 1, paykit.ErrMalformed},
	}
	c := newClient(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := signed(with(subParams("5", "active"), "next_bill_time", strconv.FormatInt(tt.unix, 10)), testSecret)
			n, err := c.ParseBody([]byte(body), nil)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if err == nil && n.(*vkpay.SubscriptionStatusChange).NextBillTime.Unix() != tt.unix {
				t.Fatalf("NextBillTime = %v", n.(*vkpay.SubscriptionStatusChange).NextBillTime)
			}
		})
	}
}

func TestZeroOrderIDIsRefusedAndZeroPriceAccepted(t *testing.T) {
	c := newClient(t)
	if _, err := c.ParseBody([]byte(signed(orderParams("0", "chargeable"), testSecret)), nil); !errors.Is(err, paykit.ErrMalformed) {
		t.Fatalf("order_id=0: err = %v, want ErrMalformed", err)
	}
	if _, err := c.ParseBody([]byte(signed(with(orderParams("9", "chargeable"), "item_price", "0"), testSecret)), nil); err != nil {
		t.Fatalf("order item_price=0: err = %v, want nil", err)
	}
	if _, err := c.ParseBody([]byte(signed(with(subParams("5", "active"), "item_price", "0"), testSecret)), nil); err != nil {
		t.Fatalf("subscription item_price=0: err = %v, want nil", err)
	}
}
