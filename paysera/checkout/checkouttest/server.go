package checkouttest

import (
	"net/http/httptest"

	"github.com/paykit-go/paykit/internal/emulator"
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
	e, ts, err := emulator.Start(opts.Prefix, &opts.BaseURL, func() (*Emulator, error) { return New(opts) })
	if err != nil {
		return nil, err
	}
	return &Server{Emulator: e, URL: e.URL(), ts: ts}, nil
}

// Close stops retries and waits for them, then shuts the server down.
func (s *Server) Close() {
	s.Emulator.Close()
	s.ts.Close()
}
