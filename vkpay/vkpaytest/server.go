package vkpaytest

import (
	"net/http/httptest"

	"github.com/paykit-go/paykit/internal/emulator"
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
	e, srv, err := emulator.Start(opts.Prefix, &opts.BaseURL, func() (*Emulator, error) { return New(opts) })
	if err != nil {
		return nil, err
	}
	return &Server{Emulator: e, URL: e.URL(), srv: srv}, nil
}

// Close stops the emulator's resends and waits for its goroutine, then
// shuts the server down.
func (s *Server) Close() {
	s.Emulator.Close()
	s.srv.Close()
}
