package checkout_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/deliverytest"
	"github.com/paykit-go/paykit/paysera/checkout/checkouttest"
)

func TestHandlerReportsEveryDeliveryOnce(t *testing.T) {
	signer := checkouttest.Signer{Secret: secret}
	payment := func(id string) []byte {
		return checkouttest.StatusUpdate{OrderID: "o", Reference: "ORDER-7", ID: id, Status: "settled",
			Amount: 500, Currency: "EUR"}.Body()
	}
	req := func(s checkouttest.Signer, body []byte) func() *http.Request {
		return func() *http.Request { return s.NewRequest("/wh", body) }
	}
	rec := &deliverytest.Recorder{}
	h := testClient(t).Handler(paykit.Hooks{Event: deliverytest.Event, Observer: rec})
	deliverytest.Check(t, paykit.PayseraCheckout, h, rec, []deliverytest.Case{
		{Name: "paid", Request: req(signer, paidSnapshot()), Verification: paykit.Verified, Outcome: paykit.OutcomeOK, Keyed: true},
		{Name: "paid again", Request: req(signer, paidSnapshot()), Verification: paykit.Verified, Outcome: paykit.OutcomeOK, Keyed: true, Replayed: true},
		{Name: "forged", Request: req(checkouttest.Signer{Secret: secret + "x"}, paidSnapshot()),
			Verification: paykit.NotVerifiedInvalidSignature, Outcome: paykit.OutcomeRejected},
		{Name: "hook fails", Request: req(signer, payment(deliverytest.FailID)), Verification: paykit.Verified, Outcome: paykit.OutcomeFailed, Keyed: true},
		{Name: "hook retries", Request: req(signer, payment(deliverytest.RetryID)), Verification: paykit.Verified, Outcome: paykit.OutcomeRetry, Keyed: true},
		{Name: "over the cap", Request: deliverytest.Oversized, Verification: paykit.NotVerifiedTooLarge, Outcome: paykit.OutcomeRejected},
		{Name: "GET", Request: func() *http.Request { return httptest.NewRequest(http.MethodGet, "/wh", nil) },
			Verification: paykit.NotVerifiedMethod, Outcome: paykit.OutcomeRejected},
	})
}
