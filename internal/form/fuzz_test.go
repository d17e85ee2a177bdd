package form_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/form"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "a=1&b=2", "a=1&a=2", "t=%D0%A7+x", "%zz", "a;b", "&&=&", "sig=x&%73ig=y",
		"app_id=1&notification_type=not_processed&order_id=1&receiver_id=1&subscription_id=1&user_id=1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		v, err := form.Parse(body)
		if err != nil {
			if !errors.Is(err, paykit.ErrMalformed) {
				t.Fatalf("error %v does not match ErrMalformed", err)
			}
			return
		}
		for k, vals := range v {
			if len(vals) != 1 {
				t.Fatalf("key %q has %d values", k, len(vals))
			}
		}
	})
}

func FuzzReadBody(f *testing.F) {
	f.Add([]byte("hello"), int64(10), false)
	f.Add(bytes.Repeat([]byte("x"), 100), int64(10), true)
	f.Add([]byte{}, int64(0), false)
	f.Fuzz(func(t *testing.T, body []byte, limit int64, chunked bool) {
		limit %= 1 << 12
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		if chunked {
			r.ContentLength = -1
			r.Body = io.NopCloser(struct{ io.Reader }{bytes.NewReader(body)})
		}
		got, err := form.ReadBody(r, limit)
		effective := limit
		if effective <= 0 {
			effective = form.DefaultMaxBytes
		}
		switch {
		case int64(len(body)) > effective:
			if !errors.Is(err, paykit.ErrBodyTooLarge) || got != nil {
				t.Fatalf("over the cap: got %d bytes, err %v", len(got), err)
			}
		case err != nil:
			t.Fatalf("under the cap: %v", err)
		case !bytes.Equal(got, body):
			t.Fatalf("body changed")
		}
	})
}
