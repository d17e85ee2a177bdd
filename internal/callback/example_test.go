package callback_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/paykit-go/paykit/internal/callback"
)

// A provider contributes a Protocol; the engine does the rest. The fake
// protocol of this package's tests answers "ok <id>" to a body "id=<id>".
func ExampleNew() {
	h := callback.New(&fake{}, callback.Settings{Methods: []string{http.MethodPost}})
	for _, req := range []*http.Request{
		httptest.NewRequest(http.MethodPost, "/cb", strings.NewReader("id=7")),
		httptest.NewRequest(http.MethodPost, "/cb", strings.NewReader("id=7")), // a repeat: replayed
		httptest.NewRequest(http.MethodPost, "/cb", strings.NewReader("sig=bad")),
		httptest.NewRequest(http.MethodGet, "/cb?id=7", nil),
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req.WithContext(context.Background()))
		fmt.Println(w.Code, strings.TrimSpace(w.Body.String()))
	}
	// Output:
	// 200 ok 7
	// 200 ok 7
	// 403 class 3, verified false
	// 405 method not allowed
}
