package vkpaytest

import (
	"net/http"
	"net/http/httptest"
	"strings"
)

// Server is an [Emulator] running on its own loopback HTTP server, like
// httptest.Server.
type Server struct {
	*Emulator
	// URL is the emulator's root page, e.g. "http://127.0.0.1:41234/".
	URL string
	srv *httptest.Server
}

// NewServer starts an emulator on a loopback port. BaseURL defaults to the
// server's address. Like httptest.NewServer it panics when it cannot start
// (here also on invalid options). Close it when done.
func NewServer(opts Options) *Server {
	srv := httptest.NewUnstartedServer(nil)
	if opts.BaseURL == "" {
		opts.BaseURL = "http://" + srv.Listener.Addr().String()
	}
	e, err := New(opts)
	if err != nil {
		srv.Close()
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", e)
	srv.Config.Handler = mux
	srv.Start()
	return &Server{Emulator: e, URL: strings.TrimRight(e.opts.BaseURL, "/") + e.prefix, srv: srv}
}

// Close stops the emulator's resends, then the server.
func (s *Server) Close() {
	s.Emulator.Close()
	s.srv.Close()
}
