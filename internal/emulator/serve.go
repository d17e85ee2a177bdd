package emulator

import (
	"net/http"
	"net/http/httptest"
	"strings"
)

// Prefix normalises a mount path: a leading and a trailing slash, "/" for
// "".
func Prefix(p string) string {
	p = "/" + strings.Trim(p, "/") + "/"
	if p == "//" {
		return "/"
	}
	return p
}

// Within returns the part of r's path under prefix. A request for the
// prefix without its trailing slash is redirected to it, any other
// request outside it gets 404; both return false.
func Within(w http.ResponseWriter, r *http.Request, prefix string) (string, bool) {
	rest, ok := strings.CutPrefix(r.URL.Path, prefix)
	if ok {
		return rest, true
	}
	if r.URL.Path+"/" == prefix {
		http.Redirect(w, r, prefix, http.StatusFound)
	} else {
		http.NotFound(w, r)
	}
	return "", false
}

// Start starts a loopback server, like httptest.NewServer, for the
// emulator build makes, after setting *baseURL to the server's base URL
// (scheme, host and prefix, no trailing slash) for build to read. An error
// from build closes the server.
func Start[E http.Handler](prefix string, baseURL *string, build func() (E, error)) (E, *httptest.Server, error) {
	srv := httptest.NewUnstartedServer(nil)
	*baseURL = "http://" + srv.Listener.Addr().String() + strings.TrimSuffix(Prefix(prefix), "/")
	e, err := build()
	if err != nil {
		srv.Close()
		return e, nil, err
	}
	srv.Config.Handler = e
	srv.Start()
	return e, srv, nil
}
