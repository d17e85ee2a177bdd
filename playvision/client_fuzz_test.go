package playvision

import (
	"errors"
	"testing"

	"github.com/paykit-go/paykit"
)

// FuzzDecodeStatus feeds arbitrary replies of the secure.* API to their
// decoder: any reply but a 2xx status "1" is a *paykit.APIError matching paykit.ErrAPI.
func FuzzDecodeStatus(f *testing.F) {
	f.Add(200, `{"status":1}`)
	f.Add(200, `{"status":"1","message":"ok"}`)
	f.Add(200, `{"status":0,"message":"bad sig"}`)
	f.Add(502, `<html>bad gateway</html>`)
	f.Add(200, `{"status":null}`)
	f.Fuzz(func(t *testing.T, httpStatus int, raw string) {
		err := decodeStatus(httpStatus, []byte(raw))
		if err == nil {
			if httpStatus/100 != 2 {
				t.Fatalf("HTTP %d accepted", httpStatus)
			}
			return
		}
		var apiErr *paykit.APIError
		if !errors.Is(err, paykit.ErrAPI) || !errors.As(err, &apiErr) {
			t.Fatalf("error %v is not an *APIError", err)
		}
		_ = apiErr.Error()
	})
}
