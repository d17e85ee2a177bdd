package playvision_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/playvision/playvisiontest"
)

func TestHandlerAcceptsOnlyPOST(t *testing.T) {
	called := false
	h := newClient(t).Handler(paykit.Hooks{
		Item: func(context.Context, paykit.ItemRequest) (paykit.Item, error) {
			called = true
			return paykit.Item{}, nil
		},
		Event: func(context.Context, paykit.Notification) error { called = true; return nil },
	})
	// A correctly signed order in the query string and in a body: only the
	// method is wrong.
	body := signer.Body(playvisiontest.OrderStatusChange{UserID: 1, TransactionID: 5, Sum: 1}.Params())
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions} {
		t.Run(m, func(t *testing.T) {
			r := httptest.NewRequest(m, "/playvision?"+body, strings.NewReader(body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			w := serve(h, r)
			assert.Equal(t, http.StatusMethodNotAllowed, w.Code)
			assert.Equal(t, http.MethodPost, w.Header().Get("Allow"))
		})
	}
	assert.False(t, called, "no hook runs for a refused method")
	w := serve(h, postForm(body))
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, `{"status":"1","message":"success"}`, w.Body.String())
}
