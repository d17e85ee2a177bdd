package checkouttest

import (
	"net/http/httptest"
	"strings"
)

// Server is an Emulator running on a loopback port, like httptest.Server.
type Server struct {
	*Emulator
	// URL is the emulator's base URL, prefix included, no trailing slash:
	// the checkout.Config.BaseURL to use.
	URL string
	ts  *httptest.Server
}

// NewServer starts an Emulator on a loopback port, like
// httptest.NewServer, with Options.BaseURL set to its URL plus the prefix.
// Invalid options are an error. Close it when done.
func NewServer(opts Options) (*Server, error) {
	ts := httptest.NewUnstartedServer(nil)
	opts.BaseURL = strings.TrimRight("http://"+ts.Listener.Addr().String()+"/"+strings.Trim(opts.Prefix, "/"), "/")
	e, err := New(opts)
	if err != nil {
		ts.Close()
		return nil, err
	}
	ts.Config.Handler = e
	ts.Start()
	return &Server{Emulator: e, URL: e.URL(), ts: ts}, nil
}

// Close stops retries and waits for them, then shuts the server down.
func (s *Server) Close() {
	s.Emulator.Close()
	s.ts.Close()
}
