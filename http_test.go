package paykit_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
)

func TestParseForm(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    url.Values
		wantErr bool
	}{
		{"empty", "", url.Values{}, false},
		{"plain", "a=1&b=2", url.Values{"a": {"1"}, "b": {"2"}}, false},
		{"plus is space, escapes decoded", "t=%D0%A7+x&u=a%2Bb", url.Values{"t": {"Ч x"}, "u": {"a+b"}}, false},
		{"key without value", "a&b=", url.Values{"a": {""}, "b": {""}}, false},
		{"empty pairs skipped", "&a=1&&", url.Values{"a": {"1"}}, false},
		{"value keeps later equals", "a=b=c", url.Values{"a": {"b=c"}}, false},
		{"duplicate key", "a=1&a=2", nil, true},
		{"duplicate after decoding", "a=1&%61=2", nil, true},
		{"duplicate with same value", "sig=x&sig=x", nil, true},
		{"bad escape in value", "a=%zz", nil, true},
		{"bad escape in key", "%g=1", nil, true},
		{"semicolon", "a=1;b=2", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := paykit.ParseForm(tt.body)
			if tt.wantErr {
				assert.ErrorIs(t, err, paykit.ErrMalformed)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseForm_ErrorClipsLongKeys(t *testing.T) {
	long := strings.Repeat("k", 5000)
	_, err := paykit.ParseForm(long + "=1&" + long + "=2")
	require.ErrorIs(t, err, paykit.ErrMalformed)
	assert.Less(t, len(err.Error()), 200)
}

func TestReadBody(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		limit   int64
		chunked bool
		wantErr error
	}{
		{"under the cap", "hello", 10, false, nil},
		{"exactly the cap", "helloworld", 10, false, nil},
		{"declared over the cap", "helloworld!", 10, false, paykit.ErrBodyTooLarge},
		{"streamed over the cap", "helloworld!", 10, true, paykit.ErrBodyTooLarge},
		{"default cap", strings.Repeat("x", paykit.DefaultMaxBodyBytes), 0, true, nil},
		{"default cap exceeded", strings.Repeat("x", paykit.DefaultMaxBodyBytes+1), 0, true, paykit.ErrBodyTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.body))
			if tt.chunked {
				r.ContentLength = -1
				r.Body = io.NopCloser(struct{ io.Reader }{strings.NewReader(tt.body)})
			}
			got, err := paykit.ReadBody(r, tt.limit)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				assert.Nil(t, got, "never a truncated body")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.body, string(got))
		})
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestReadBody_ReadErrorIsMalformed(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/", failingReader{})
	_, err := paykit.ReadBody(r, 0)
	assert.ErrorIs(t, err, paykit.ErrMalformed)
}

func TestReadForm_GetUsesQueryPostIgnoresIt(t *testing.T) {
	get := httptest.NewRequest(http.MethodGet, "/cb?data=abc&ss1=x", nil)
	v, err := paykit.ReadForm(get, 0)
	require.NoError(t, err)
	assert.Equal(t, "abc", v.Get("data"))

	post := httptest.NewRequest(http.MethodPost, "/cb?injected=1", strings.NewReader("a=1"))
	v, err = paykit.ReadForm(post, 0)
	require.NoError(t, err)
	assert.Equal(t, url.Values{"a": {"1"}}, v)

	dup := httptest.NewRequest(http.MethodGet, "/cb?a=1&a=2", nil)
	_, err = paykit.ReadForm(dup, 0)
	assert.ErrorIs(t, err, paykit.ErrMalformed)

	long := httptest.NewRequest(http.MethodGet, "/cb?a="+strings.Repeat("x", 100), nil)
	_, err = paykit.ReadForm(long, 10)
	assert.ErrorIs(t, err, paykit.ErrBodyTooLarge)
}

func TestWriteJSON(t *testing.T) {
	rec := httptest.NewRecorder()
	require.NoError(t, paykit.WriteJSON(rec, http.StatusOK, map[string]any{"response": map[string]int{"order_id": 7}}))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "application/json; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
	assert.JSONEq(t, `{"response":{"order_id":7}}`, rec.Body.String())

	assert.Error(t, paykit.WriteJSON(httptest.NewRecorder(), 200, func() {}))
}

func TestHookContext_EndsBeforeTheProviderLimit(t *testing.T) {
	start := time.Now()
	ctx, cancel := paykit.HookContext(context.Background(), 10*time.Second)
	defer cancel()
	deadline, ok := ctx.Deadline()
	require.True(t, ok)
	budget := deadline.Sub(start)
	assert.Less(t, budget, 10*time.Second-time.Second, "leaves time to answer")
	assert.Greater(t, budget, 5*time.Second, "but gives the hook most of it")

	short, cancel2 := paykit.HookContext(context.Background(), 300*time.Millisecond)
	defer cancel2()
	d2, _ := short.Deadline()
	assert.Greater(t, time.Until(d2), time.Duration(0))
}

func TestParseSortedForm(t *testing.T) {
	pairs, err := paykit.ParseSortedForm(nil, "b=2&a=%D0%A7&c=x+y")
	require.NoError(t, err)
	assert.Equal(t, []paykit.Pair{{"a", "Ч"}, {"b", "2"}, {"c", "x y"}}, pairs)

	prefix := []paykit.Pair{{"z", "kept"}}
	pairs, err = paykit.ParseSortedForm(prefix, "b=1&a=2")
	require.NoError(t, err)
	assert.Equal(t, []paykit.Pair{{"z", "kept"}, {"a", "2"}, {"b", "1"}}, pairs, "appends after dst, sorting only its own")

	_, err = paykit.ParseSortedForm(nil, "b=1&a=2&b=3")
	assert.ErrorIs(t, err, paykit.ErrMalformed)

	var long strings.Builder
	for i := 200; i > 0; i-- {
		long.WriteString("k" + strings.Repeat("x", i) + "=1&")
	}
	pairs, err = paykit.ParseSortedForm(nil, long.String())
	require.NoError(t, err)
	assert.Len(t, pairs, 200)
	assert.True(t, sort.SliceIsSorted(pairs, func(i, j int) bool { return pairs[i].Key < pairs[j].Key }))
	_, err = paykit.ParseSortedForm(nil, long.String()+"kx=2")
	assert.ErrorIs(t, err, paykit.ErrMalformed, "duplicates found in long bodies too")
}
