package merchant_test

import (
	"crypto"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paykit-go/paykit"
)

const capBytes = 64 << 10 // form.DefaultMaxBytes

// padded returns the encoded signed form padded with an extra field to
// exactly n bytes.
func padded(t *testing.T, n int) string {
	t.Helper()
	s := notify(t, paidData("txn-pad", "paid"), crypto.SHA1).Encode() + "&pad="
	if len(s) > n {
		t.Fatalf("form is %d bytes, over %d", len(s), n)
	}
	return s + strings.Repeat("a", n-len(s))
}

func TestWrongAccountErrorSaysWhichMerchantOrThatNoneWasNamed(t *testing.T) {
	tests := []struct {
		name, id any
		want     string
	}{
		{"no merchant_id", nil, "no merchant_id"},
		{"another merchant", 617002, `merchant_id "617002"`},
	}
	c := newClient(t)
	for _, tt := range tests {
		t.Run(tt.name.(string), func(t *testing.T) {
			_, err := c.ParseValues(notify(t, withBody(paidData("t", "paid"), "merchant_id", tt.id), crypto.SHA1))
			if !errors.Is(err, paykit.ErrWrongAccount) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrWrongAccount saying %q", err, tt.want)
			}
		})
	}
}

func TestParseCallbackRefusesABodyOverTheCapAndReadsASignedOne(t *testing.T) {
	c := newClient(t)
	req := func(body string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/vkpay/notify", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	if _, err := c.ParseCallback(req(padded(t, capBytes+1))); !errors.Is(err, paykit.ErrBodyTooLarge) {
		t.Fatalf("over the cap: err = %v, want ErrBodyTooLarge", err)
	}
	n, err := c.ParseCallback(req(notify(t, paidData("txn-ok", "paid"), crypto.SHA1).Encode()))
	if err != nil || n == nil {
		t.Fatalf("signed notification: n = %v, err = %v", n, err)
	}
}

func TestParseBodyOfExactlyTheCapIsNotTooLarge(t *testing.T) {
	c := newClient(t)
	if _, err := c.ParseBody([]byte(padded(t, capBytes)), nil); errors.Is(err, paykit.ErrBodyTooLarge) {
		t.Fatalf("exactly %d bytes: err = %v, want anything but ErrBodyTooLarge", capBytes, err)
	}
	if _, err := c.ParseBody([]byte(padded(t, capBytes+1)), nil); !errors.Is(err, paykit.ErrBodyTooLarge) {
		t.Fatalf("%d bytes: err = %v, want ErrBodyTooLarge", capBytes+1, err)
	}
}
