package merchant_test

import (
	"crypto"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/deliverytest"
)

func TestHandlerReportsEveryDeliveryOnce(t *testing.T) {
	body := func(txn string) string { return notify(t, paidData(txn, "paid"), crypto.SHA1).Encode() }
	paid, failing, later := body("txn-1"), body(deliverytest.FailID), body(deliverytest.RetryID)
	forged := strings.Replace(paid, "signature=", "signature=AAAA", 1)
	rec := &deliverytest.Recorder{}
	h := newClient(t).Handler(paykit.Hooks{Event: deliverytest.Event, Observer: rec})
	form := func(body string) func() *http.Request {
		return func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/vkpay/notify", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}
	}
	deliverytest.Check(t, paykit.VKPay, h, rec, []deliverytest.Case{
		{Name: "paid", Request: form(paid), Verification: paykit.Verified, Outcome: paykit.OutcomeOK, Keyed: true},
		{Name: "paid again", Request: form(paid), Verification: paykit.Verified, Outcome: paykit.OutcomeOK, Keyed: true, Replayed: true},
		{Name: "forged", Request: form(forged), Verification: paykit.NotVerifiedInvalidSignature, Outcome: paykit.OutcomeRejected},
		{Name: "hook fails", Request: form(failing), Verification: paykit.Verified, Outcome: paykit.OutcomeFailed, Keyed: true},
		{Name: "hook retries", Request: form(later), Verification: paykit.Verified, Outcome: paykit.OutcomeRetry, Keyed: true},
		{Name: "over the cap", Request: deliverytest.Oversized, Verification: paykit.NotVerifiedTooLarge, Outcome: paykit.OutcomeRejected},
		{Name: "GET", Request: func() *http.Request { return httptest.NewRequest(http.MethodGet, "/vkpay/notify?"+paid, nil) },
			Verification: paykit.NotVerifiedMethod, Outcome: paykit.OutcomeRejected},
	})
}
