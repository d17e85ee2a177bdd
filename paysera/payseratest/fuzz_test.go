package payseratest

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"testing"
)

// FuzzOpenForm feeds arbitrary payment requests to the emulator's payment
// page logic: it must answer with a payment or a *PageError, never panic.
func FuzzOpenForm(f *testing.F) {
	f.Add(Data("orderid=1&projectid=123456&amount=1&currency=EUR&accepturl=http://a/&cancelurl=http://c/&callbackurl=http://cb/"), "")
	f.Add("%%%", "x")
	f.Add(Data("projectid=123456&repeat_request=1&orderid=5"), "")
	signer, err := testSigner()
	if err != nil {
		f.Fatal(err)
	}
	emu, err := New(Options{ProjectID: projectID, Password: password, Signer: signer})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(emu.Close)
	f.Fuzz(func(t *testing.T, data, sign string) {
		if sign == "" {
			sum := md5.Sum([]byte(data + password))
			sign = hex.EncodeToString(sum[:])
		}
		id, err := emu.OpenForm(data, sign)
		var pe *PageError
		if err != nil && !errors.As(err, &pe) {
			t.Fatalf("error %v is not a PageError", err)
		}
		if err == nil {
			if _, ok := emu.Order(id); !ok {
				t.Fatalf("payment %s not found", id)
			}
		}
	})
}
