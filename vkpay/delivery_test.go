package vkpay_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/deliverytest"
)

func TestHandlerReportsEveryDeliveryOnce(t *testing.T) {
	paid := signed(orderParams("41", "chargeable"), testSecret)
	failing := signed(orderParams(deliverytest.FailID, "chargeable"), testSecret)
	later := signed(orderParams(deliverytest.RetryID, "chargeable"), testSecret)
	forged := signed(orderParams("41", "chargeable"), testSecret+"x")
	item := signed(getItemParams("sale_item_1"), testSecret)
	rec := &deliverytest.Recorder{}
	h := newClient(t).Handler(paykit.Hooks{Event: deliverytest.Event, Item: catalogue, Observer: rec})
	form := func(body string) func() *http.Request { return func() *http.Request { return postForm(body) } }
	deliverytest.Check(t, paykit.VKPay, h, rec, []deliverytest.Case{
		{Name: "paid", Request: form(paid), Verification: paykit.Verified, Outcome: paykit.OutcomeOK, Keyed: true},
		{Name: "paid again", Request: form(paid), Verification: paykit.Verified, Outcome: paykit.OutcomeOK, Keyed: true, Replayed: true},
		{Name: "item request", Request: form(item), Verification: paykit.Verified, Outcome: paykit.OutcomeOK},
		{Name: "forged", Request: form(forged), Verification: paykit.NotVerifiedInvalidSignature, Outcome: paykit.OutcomeRejected},
		{Name: "hook fails", Request: form(failing), Verification: paykit.Verified, Outcome: paykit.OutcomeFailed, Keyed: true},
		{Name: "hook retries", Request: form(later), Verification: paykit.Verified, Outcome: paykit.OutcomeRetry, Keyed: true},
		{Name: "over the cap", Request: deliverytest.Oversized, Verification: paykit.NotVerifiedTooLarge, Outcome: paykit.OutcomeRejected},
		{Name: "GET", Request: func() *http.Request {
			return httptest.NewRequest(http.MethodGet, "/vk/payments?"+paid, strings.NewReader(""))
		},
			Verification: paykit.NotVerifiedMethod, Outcome: paykit.OutcomeRejected},
	})
}
