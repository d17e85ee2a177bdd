package xsolla

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/deliverytest"
)

func TestHandlerReportsEveryDeliveryOnce(t *testing.T) {
	withTxn := func(id string) string { return strings.Replace(paymentBody, `"id":1001`, `"id":`+id, 1) }
	failing, later := withTxn(deliverytest.FailID), withTxn(deliverytest.RetryID)
	rec := &deliverytest.Recorder{}
	h := newTestClient(t).Handler(paykit.Hooks{Event: deliverytest.Event, Observer: rec})
	hook := func(body, auth string) func() *http.Request {
		return func() *http.Request { return webhookRequest(body, auth) }
	}
	deliverytest.Check(t, paykit.Xsolla, h, rec, []deliverytest.Case{
		{Name: "payment", Request: hook(paymentBody, sign(paymentBody, testSecret)), Verification: paykit.Verified, Outcome: paykit.OutcomeOK, Keyed: true},
		{Name: "payment again", Request: hook(paymentBody, sign(paymentBody, testSecret)), Verification: paykit.Verified, Outcome: paykit.OutcomeOK, Keyed: true, Replayed: true},
		{Name: "user check", Request: hook(userBody, sign(userBody, testSecret)), Verification: paykit.Verified, Outcome: paykit.OutcomeOK},
		{Name: "forged", Request: hook(paymentBody, sign(paymentBody, testSecret+"x")), Verification: paykit.NotVerifiedInvalidSignature, Outcome: paykit.OutcomeRejected},
		{Name: "unsigned", Request: hook(paymentBody, ""), Verification: paykit.NotVerifiedMissingSignature, Outcome: paykit.OutcomeRejected},
		{Name: "hook fails", Request: hook(failing, sign(failing, testSecret)), Verification: paykit.Verified, Outcome: paykit.OutcomeFailed, Keyed: true},
		{Name: "hook retries", Request: hook(later, sign(later, testSecret)), Verification: paykit.Verified, Outcome: paykit.OutcomeRetry, Keyed: true},
		{Name: "over the cap", Request: deliverytest.Oversized, Verification: paykit.NotVerifiedTooLarge, Outcome: paykit.OutcomeRejected},
		{Name: "GET", Request: func() *http.Request { return httptest.NewRequest(http.MethodGet, "/xsolla", nil) },
			Verification: paykit.NotVerifiedMethod, Outcome: paykit.OutcomeRejected},
	})
	// The signature header is kept (a run again needs it); nothing else.
	h.ServeHTTP(httptest.NewRecorder(), webhookRequest(paymentBody, sign(paymentBody, testSecret)))
	d := rec.Take()[0]
	if got := d.Header.Get("Authorization"); got != sign(paymentBody, testSecret) || len(d.Header) != 2 {
		t.Errorf("header %v, want Content-Type and Authorization only", d.Header)
	}
}
