package emulator

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPrefix_Normalises(t *testing.T) {
	for in, want := range map[string]string{"": "/", "/": "/", "emu": "/emu/", "/emu": "/emu/", "/a/b/": "/a/b/"} {
		assert.Equal(t, want, Prefix(in), in)
	}
}

func TestWithin_RedirectsThePrefixAndRefusesOutside(t *testing.T) {
	for _, tc := range []struct {
		path, rest string
		ok         bool
		code       int
	}{
		{"/emu/order/1", "order/1", true, 200},
		{"/emu/", "", true, 200},
		{"/emu", "", false, http.StatusFound},
		{"/other", "", false, http.StatusNotFound},
	} {
		w := httptest.NewRecorder()
		rest, ok := Within(w, httptest.NewRequest(http.MethodGet, tc.path, nil), "/emu/")
		assert.Equal(t, tc.ok, ok, tc.path)
		assert.Equal(t, tc.rest, rest, tc.path)
		assert.Equal(t, tc.code, w.Code, tc.path)
	}
}

type echo struct{ base string }

func (h echo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.WriteString(w, h.base+" "+r.URL.Path)
}

func TestStart_BuildsTheEmulatorFromItsOwnURL(t *testing.T) {
	var base string
	h, srv, err := Start("emu", &base, func() (echo, error) { return echo{base}, nil })
	require.NoError(t, err)
	defer srv.Close()
	assert.Equal(t, srv.URL+"/emu", base)
	assert.Equal(t, base, h.base)
	resp, err := http.Get(base + "/x")
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, base+" /emu/x", string(b))

	_, _, err = Start("", &base, func() (echo, error) { return echo{}, errors.New("bad options") })
	assert.EqualError(t, err, "bad options")
}

func TestAdvance_MovesOnlyFromTheGivenState(t *testing.T) {
	b := NewBook[int, order](0)
	b.Add(1, order{ID: 1, State: StateOpen})
	at := func(o *order) *State { return &o.State }
	o, err := Advance(b, 1, at, StateOpen, StateCanceled)
	require.NoError(t, err)
	assert.Equal(t, StateCanceled, o.State)
	_, err = Advance(b, 1, at, StateOpen, StatePaid)
	assert.ErrorIs(t, err, ErrState)
	_, err = Advance(b, 2, at, StateOpen, StatePaid)
	assert.ErrorIs(t, err, ErrNotFound)
}
