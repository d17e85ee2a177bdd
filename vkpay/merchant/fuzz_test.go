package merchant_test

import (
	"errors"
	"testing"

	"github.com/paykit-go/paykit"
)

// FuzzParseNotificationForm feeds arbitrary form bodies to the notification
// parser: no panic, and every error matches a root sentinel.
func FuzzParseNotificationForm(f *testing.F) {
	f.Add("data=eyJib2R5Ijp7fX0%3D&signature=AAAA&version=2-03")
	f.Add("data=&signature=")
	f.Add("data=a&data=b&signature=c")
	c := newClient(f)
	f.Fuzz(func(t *testing.T, body string) {
		form, err := paykit.ParseForm(body)
		if err != nil {
			return
		}
		_, err = c.ParseValues(form)
		for _, s := range []error{paykit.ErrMissingSignature, paykit.ErrInvalidSignature, paykit.ErrMalformed, paykit.ErrWrongAccount} {
			if errors.Is(err, s) {
				return
			}
		}
		if err != nil {
			t.Fatalf("error matches no sentinel: %v", err)
		}
	})
}
