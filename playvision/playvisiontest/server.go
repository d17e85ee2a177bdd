package playvisiontest

import (
	"net/http/httptest"
	"strings"
)

// Server is an Emulator running on a loopback port, like httptest.Server.
type Server struct {
	*Emulator
	// URL is the emulator's base URL, prefix included, no trailing slash:
	// the playvision.Config.BaseURL to use.
	URL string
	ts  *httptest.Server
}

// NewServer starts an Emulator on a loopback port, like
// httptest.NewServer. Options.Prefix is honoured; Options.BaseURL is set
// to the server's URL plus prefix. Invalid options are an error. Close it
// when done.
func NewServer(opts Options) (*Server, error) {
	ts := httptest.NewUnstartedServer(nil)
	opts.BaseURL = "http://" + ts.Listener.Addr().String() + "/" + strings.Trim(opts.Prefix, "/")
	e, err := New(opts)
	if err != nil {
		ts.Close()
		return nil, err
	}
	ts.Config.Handler = e
	ts.Start()
	return &Server{Emulator: e, URL: e.URL(), ts: ts}, nil
}

// Close stops resends and waits for them, then shuts the server down.
func (s *Server) Close() {
	s.Emulator.Close()
	s.ts.Close()
}
