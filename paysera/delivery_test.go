package paysera

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/deliverytest"
)

func TestHandlerReportsEveryDeliveryOnce(t *testing.T) {
	withID := func(id string) []field {
		f := macro("1")
		for i := range f {
			if f[i].key == "requestid" {
				f[i].value = id
			}
		}
		return f
	}
	paid := signSS3(t, macro("1"))
	failing := signSS3(t, withID(deliverytest.FailID))
	later := signSS3(t, withID(deliverytest.RetryID))
	forged := strings.Replace(paid, "ss3=", "ss3=A", 1)
	rec := &deliverytest.Recorder{}
	h := vectorClient(t, "").Handler(paykit.Hooks{Event: deliverytest.Event, Observer: rec})
	get := func(q string) func() *http.Request { return func() *http.Request { return getRequest(q) } }
	deliverytest.Check(t, paykit.Paysera, h, rec, []deliverytest.Case{
		{Name: "paid", Request: get(paid), Verification: paykit.Verified, Outcome: paykit.OutcomeOK, Keyed: true},
		{Name: "paid again", Request: get(paid), Verification: paykit.Verified, Outcome: paykit.OutcomeOK, Keyed: true, Replayed: true},
		{Name: "forged", Request: get(forged), Verification: paykit.NotVerifiedInvalidSignature, Outcome: paykit.OutcomeRejected},
		{Name: "hook fails", Request: get(failing), Verification: paykit.Verified, Outcome: paykit.OutcomeFailed, Keyed: true},
		{Name: "hook retries", Request: get(later), Verification: paykit.Verified, Outcome: paykit.OutcomeRetry, Keyed: true},
		{Name: "posted", Request: func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/paysera/callback", strings.NewReader(paid))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}, Verification: paykit.Verified, Outcome: paykit.OutcomeOK, Keyed: true, Replayed: true},
		{Name: "over the cap", Request: deliverytest.Oversized, Verification: paykit.NotVerifiedTooLarge, Outcome: paykit.OutcomeRejected},
		{Name: "HEAD", Request: func() *http.Request { return httptest.NewRequest(http.MethodHead, "/paysera/callback?"+paid, nil) },
			Verification: paykit.NotVerifiedMethod, Outcome: paykit.OutcomeRejected},
	})
}
