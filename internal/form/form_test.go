package form_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/form"
	"github.com/paykit-go/paykit/signature"
)

func TestParse(t *testing.T) {
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
			got, err := form.Parse(tt.body)
			if tt.wantErr {
				assert.ErrorIs(t, err, paykit.ErrMalformed)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParse_ErrorClipsLongKeys(t *testing.T) {
	long := strings.Repeat("k", 5000)
	_, err := form.Parse(long + "=1&" + long + "=2")
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
		{"default cap", strings.Repeat("x", form.DefaultMaxBytes), 0, true, nil},
		{"default cap exceeded", strings.Repeat("x", form.DefaultMaxBytes+1), 0, true, paykit.ErrBodyTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.body))
			if tt.chunked {
				r.ContentLength = -1
				r.Body = io.NopCloser(struct{ io.Reader }{strings.NewReader(tt.body)})
			}
			got, err := form.ReadBody(r, tt.limit)
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
	_, err := form.ReadBody(r, 0)
	assert.ErrorIs(t, err, paykit.ErrMalformed)
}

func TestReadInput_GetUsesQueryPostIgnoresIt(t *testing.T) {
	get := httptest.NewRequest(http.MethodGet, "/cb?data=abc&ss1=x", nil)
	in, err := form.ReadInput(get, 0)
	require.NoError(t, err)
	assert.Equal(t, "data=abc&ss1=x", string(in))

	post := httptest.NewRequest(http.MethodPost, "/cb?injected=1", strings.NewReader("a=1"))
	in, err = form.ReadInput(post, 0)
	require.NoError(t, err)
	assert.Equal(t, "a=1", string(in), "the query of a POST is not read")

	long := httptest.NewRequest(http.MethodGet, "/cb?a="+strings.Repeat("x", 100), nil)
	_, err = form.ReadInput(long, 10)
	assert.ErrorIs(t, err, paykit.ErrBodyTooLarge)
}

func TestParseSorted(t *testing.T) {
	pairs, err := form.ParseSorted(nil, "b=2&a=%D0%A7&c=x+y")
	require.NoError(t, err)
	assert.Equal(t, []signature.Pair{{Key: "a", Value: "Ч"}, {Key: "b", Value: "2"}, {Key: "c", Value: "x y"}}, pairs)

	prefix := []signature.Pair{{Key: "z", Value: "kept"}}
	pairs, err = form.ParseSorted(prefix, "b=1&a=2")
	require.NoError(t, err)
	assert.Equal(t, []signature.Pair{{Key: "z", Value: "kept"}, {Key: "a", Value: "2"}, {Key: "b", Value: "1"}}, pairs, "appends after dst, sorting only its own")

	_, err = form.ParseSorted(nil, "b=1&a=2&b=3")
	assert.ErrorIs(t, err, paykit.ErrMalformed)

	var long strings.Builder
	for i := 200; i > 0; i-- {
		long.WriteString("k" + strings.Repeat("x", i) + "=1&")
	}
	pairs, err = form.ParseSorted(nil, long.String())
	require.NoError(t, err)
	assert.Len(t, pairs, 200)
	assert.True(t, sort.SliceIsSorted(pairs, func(i, j int) bool { return pairs[i].Key < pairs[j].Key }))
	_, err = form.ParseSorted(nil, long.String()+"kx=2")
	assert.ErrorIs(t, err, paykit.ErrMalformed, "duplicates found in long bodies too")
}

func TestDigits(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"0042", 42, true},
		{"999999999999999999", 999999999999999999, true},
		{"1000000000000000000", 0, false}, // 19 digits: could overflow
		{"", 0, false},
		{"+1", 0, false},
		{"-1", 0, false},
		{" 1", 0, false},
		{"1e3", 0, false},
		{"1.0", 0, false},
		{"١", 0, false}, // Arabic-Indic digit
	}
	for _, tt := range tests {
		got, ok := form.Digits(tt.in)
		assert.Equal(t, tt.ok, ok, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
}

// A GET's query of exactly the cap is read; one byte more is refused.
func TestReadInput_QueryOfExactlyTheCap(t *testing.T) {
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		q := "a=" + strings.Repeat("x", 8)
		r := httptest.NewRequest(method, "/cb?"+q, nil)
		in, err := form.ReadInput(r, int64(len(q)))
		require.NoError(t, err, method)
		assert.Equal(t, q, string(in), method)

		_, err = form.ReadInput(r, int64(len(q))-1)
		assert.ErrorIs(t, err, paykit.ErrBodyTooLarge, method)
	}
}

// A semicolon is refused wherever it stands in a component, first byte
// included.
func TestParse_SemicolonAnywhereIsRefused(t *testing.T) {
	for _, body := range []string{";a=1", "a=1&;b=2", "a;=1", "a=;1", "a=1;"} {
		_, err := form.Parse(body)
		assert.ErrorIs(t, err, paykit.ErrMalformed, body)
	}
}

// Clip echoes up to 40 bytes of an attacker-chosen string whole and cuts
// anything longer to 40.
func TestClip_BoundaryAt40Bytes(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{strings.Repeat("k", 39), strings.Repeat("k", 39)},
		{strings.Repeat("k", 40), strings.Repeat("k", 40)},
		{strings.Repeat("k", 41), strings.Repeat("k", 40) + "…"},
		{strings.Repeat("k", 40) + "secret-tail", strings.Repeat("k", 40) + "…"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, form.Clip(tt.in), "len %d", len(tt.in))
	}
}

// A component whose first byte is '+' or '%' is decoded like any other:
// the check for something to decode looks at every byte, the first one
// included.
func TestParse_EscapeAtTheFirstByteIsDecoded(t *testing.T) {
	got, err := form.Parse("+k=+v&%61=%62c")
	require.NoError(t, err)
	assert.Equal(t, url.Values{" k": {" v"}, "a": {"bc"}}, got)
}

// ReadBody with a declared length reads into a buffer of that size: a body
// that is shorter, empty, longer than declared or failing mid-way is read
// (or refused) exactly as an undeclared one would be.
func TestReadBody_DeclaredLengthThatIsWrong(t *testing.T) {
	tests := []struct {
		name     string
		body     io.Reader
		declared int64
		limit    int64
		want     string
		wantErr  error
	}{
		{"shorter than declared", strings.NewReader("hello"), 10, 0, "hello", nil},
		{"empty, declared", strings.NewReader(""), 3, 0, "", nil},
		{"longer than declared, read whole", strings.NewReader("hello world"), 3, 0, "hello world", nil},
		{"longer than declared and over the cap", strings.NewReader("hello world"), 3, 8, "", paykit.ErrBodyTooLarge},
		{"read error after a declared length", failingReader{}, 10, 0, "", paykit.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", nil)
			r.Body = io.NopCloser(tt.body)
			r.ContentLength = tt.declared
			got, err := form.ReadBody(r, tt.limit)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				assert.Nil(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
		})
	}
}
