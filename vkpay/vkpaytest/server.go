package vkpaytest

import (
	"net/http/httptest"
	"strings"
)

// Server is an [Emulator] running on its own loopback HTTP server, like
// httptest.Server.
type Server struct {
	*Emulator
	// URL is the emulator's base URL, prefix included, without a trailing
	// slash, e.g. "http://127.0.0.1:41234"; its pages are under URL + "/".
	URL string
	srv *httptest.Server
}

// NewServer starts an emulator on a loopback port, like
// httptest.NewServer. Options.Prefix is honoured; Options.BaseURL is set
// to the server's URL plus prefix. Invalid options are an error. Close it
// when done.
func NewServer(opts Options) (*Server, error) {
	srv := httptest.NewUnstartedServer(nil)
	opts.BaseURL = "http://" + srv.Listener.Addr().String() + "/" + strings.Trim(opts.Prefix, "/")
	e, err := New(opts)
	if err != nil {
		srv.Close()
		return nil, err
	}
	srv.Config.Handler = e
	srv.Start()
	return &Server{Emulator: e, URL: e.URL(), srv: srv}, nil
}

// Close stops the emulator's resends and waits for its goroutine, then
// shuts the server down.
func (s *Server) Close() {
	s.Emulator.Close()
	s.srv.Close()
}
