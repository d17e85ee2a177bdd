package playvision_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/deliverytest"
	"github.com/paykit-go/paykit/playvision/playvisiontest"
)

func TestHandlerReportsEveryDeliveryOnce(t *testing.T) {
	order := func(txn int64) playvisiontest.OrderStatusChange {
		return playvisiontest.OrderStatusChange{UserID: 131, SID: "2", TransactionID: txn, Sum: 100,
			ItemID: "gold_100", Time: time.Unix(1700000000, 0)}
	}
	paid := signer.Body(order(555).Params())
	failing := signer.Body(order(7001).Params())
	later := signer.Body(order(7002).Params())
	forged := playvisiontest.Signer{Secret: testSecret + "x"}.Body(order(555).Params())
	item := signer.Body(playvisiontest.GetItem{UserID: 131, Item: "gold_pack_100"}.Params())
	rec := &deliverytest.Recorder{}
	h := newClient(t).Handler(paykit.Hooks{Event: deliverytest.Event, Item: itemHook, Observer: rec})
	form := func(body string) func() *http.Request { return func() *http.Request { return postForm(body) } }
	deliverytest.Check(t, paykit.Playvision, h, rec, []deliverytest.Case{
		{Name: "paid", Request: form(paid), Verification: paykit.Verified, Outcome: paykit.OutcomeOK, Keyed: true},
		{Name: "paid again", Request: form(paid), Verification: paykit.Verified, Outcome: paykit.OutcomeOK, Keyed: true, Replayed: true},
		{Name: "item request", Request: form(item), Verification: paykit.Verified, Outcome: paykit.OutcomeOK},
		{Name: "forged", Request: form(forged), Verification: paykit.NotVerifiedInvalidSignature, Outcome: paykit.OutcomeRejected},
		{Name: "hook fails", Request: form(failing), Verification: paykit.Verified, Outcome: paykit.OutcomeFailed, Keyed: true},
		{Name: "hook retries", Request: form(later), Verification: paykit.Verified, Outcome: paykit.OutcomeRetry, Keyed: true},
		{Name: "over the cap", Request: deliverytest.Oversized, Verification: paykit.NotVerifiedTooLarge, Outcome: paykit.OutcomeRejected},
		{Name: "GET", Request: func() *http.Request { return httptest.NewRequest(http.MethodGet, "/pv?"+paid, nil) },
			Verification: paykit.NotVerifiedMethod, Outcome: paykit.OutcomeRejected},
	})
}
