package merchant_test

import (
	"errors"
	"testing"

	"github.com/paykit-go/paykit"
)

// FuzzParseBody feeds arbitrary form bodies to the notification parser: no
// panic, and every error matches a root sentinel.
func FuzzParseBody(f *testing.F) {
	f.Add("data=eyJib2R5Ijp7fX0%3D&signature=AAAA&version=2-03")
	f.Add("data=&signature=")
	f.Add("data=a&data=b&signature=c")
	f.Add("%zz=1;b")
	c := newClient(f)
	f.Fuzz(func(t *testing.T, body string) {
		n, err := c.ParseBody([]byte(body), nil)
		if err == nil {
			if n == nil || n.Body.TransactionID == "" {
				t.Fatalf("accepted without a transaction: %#v", n)
			}
			return
		}
		for _, s := range []error{paykit.ErrMissingSignature, paykit.ErrInvalidSignature, paykit.ErrMalformed,
			paykit.ErrWrongAccount, paykit.ErrBodyTooLarge} {
			if errors.Is(err, s) {
				return
			}
		}
		t.Fatalf("error matches no sentinel: %v", err)
	})
}
