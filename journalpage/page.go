package journalpage

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/paykit-go/paykit"
)

// Options configures the journal page. Authorize is required: the zero
// value refuses every request.
type Options struct {
	// Authorize reports whether r may see the journal and run deliveries
	// again: your own authentication (a session, an admin role, a network
	// check). Nil refuses every request with 403 Forbidden.
	Authorize func(r *http.Request) bool
	// Handler returns the callback handler that serves d (by d.Provider
	// and d.Account, or the application's whole mux, which routes by
	// d.Path), for Run again; nil, or a nil handler returned, means the
	// delivery cannot be run again.
	Handler func(d paykit.Delivery) http.Handler
	// BasePath is the path the page is mounted under, e.g. "/journal"
	// (mount the handler at BasePath + "/"); "" mounts it at the root.
	BasePath string
	// Secret keys the Run again forms' tokens; nil draws a random one in
	// New, so that forms shown before a restart no longer run. Replicas
	// behind one load balancer share a Secret of at least 32 bytes.
	Secret []byte
	// Location is the time zone times are shown and filters read in; nil
	// means UTC.
	Location *time.Location
	// ErrorLog, when set, receives the journal's errors (a failed
	// query); the page shows only that something failed.
	ErrorLog func(r *http.Request, err error)
}

// page is the journal page's handler.
type page struct {
	j         paykit.Journal
	authorize func(*http.Request) bool
	handlerOf func(paykit.Delivery) http.Handler
	base      string
	secret    []byte
	loc       *time.Location
	errLog    func(*http.Request, error)
	mux       *http.ServeMux
	csrf      *http.CrossOriginProtection
}

// New returns the journal page over j (see the package documentation for
// its pages). Every request is refused unless opts.Authorize allows it.
func New(j paykit.Journal, opts Options) http.Handler {
	p := &page{
		j:         j,
		authorize: opts.Authorize,
		handlerOf: opts.Handler,
		base:      strings.TrimRight(opts.BasePath, "/"),
		secret:    opts.Secret,
		loc:       opts.Location,
		errLog:    opts.ErrorLog,
		csrf:      http.NewCrossOriginProtection(),
	}
	if len(p.secret) == 0 {
		p.secret = make([]byte, 32)
		_, _ = rand.Read(p.secret) // never fails (crypto/rand, Go 1.24+)
	}
	if p.loc == nil {
		p.loc = time.UTC
	}
	p.csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.fail(w, r, http.StatusForbidden, "Run again refused: the request came from another site.")
	}))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", p.serveList)
	mux.HandleFunc("GET /d/{id}", p.serveDetail)
	mux.HandleFunc("GET /d/{id}/raw/{part}", p.serveRaw)
	mux.Handle("POST /d/{id}/run", p.csrf.Handler(http.HandlerFunc(p.serveRun)))
	p.mux = mux
	return p
}

// ServeHTTP checks the authorisation, then serves the page below the base
// path.
func (p *page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	secure(w.Header())
	if p.authorize == nil || !p.authorize(r) {
		p.fail(w, r, http.StatusForbidden, "You are not allowed to see the payment journal.")
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, p.base)
	if !ok || (rest != "" && rest[0] != '/') {
		p.fail(w, r, http.StatusNotFound, "No such page.")
		return
	}
	if rest == "" {
		http.Redirect(w, r, p.base+"/", http.StatusSeeOther)
		return
	}
	r2 := new(http.Request)
	*r2 = *r
	r2.URL = new(url.URL)
	*r2.URL = *r.URL
	r2.URL.Path, r2.URL.RawPath = rest, ""
	p.mux.ServeHTTP(w, r2)
}

// secure sets the headers every answer carries: never cached (bodies hold
// personal data), never framed (Run again is a button), no script, no
// resource from elsewhere, forms posted only here.
func secure(h http.Header) {
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}

// maxIDLen bounds the delivery IDs looked up (a handler's are 32 hex
// digits); anything longer is not one.
const maxIDLen = 128

// delivery loads the delivery named in r's path, answering 404 (unknown,
// past retention) or 500 itself when it cannot.
func (p *page) delivery(w http.ResponseWriter, r *http.Request) (paykit.Delivery, bool) {
	id := r.PathValue("id")
	if id == "" || len(id) > maxIDLen {
		p.fail(w, r, http.StatusNotFound, "No such delivery.")
		return paykit.Delivery{}, false
	}
	d, err := p.j.Delivery(r.Context(), id)
	if errors.Is(err, paykit.ErrNoDelivery) {
		p.fail(w, r, http.StatusNotFound, "No such delivery: it was never recorded, or it is past the journal's retention.")
		return paykit.Delivery{}, false
	}
	if err != nil {
		p.logErr(r, err)
		p.fail(w, r, http.StatusInternalServerError, "The journal could not be read.")
		return paykit.Delivery{}, false
	}
	return d, true
}

func (p *page) logErr(r *http.Request, err error) {
	if p.errLog != nil {
		p.errLog(r, err)
	}
}

// fail renders an error page.
func (p *page) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	p.render(w, r, status, "error", errorView{Base: p.base, Message: msg})
}

type errorView struct {
	Base    string
	Message string
}

// render executes a template. A failure half-way (the client gone) is
// logged: the status is already written.
func (p *page) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := templates.ExecuteTemplate(w, name, data); err != nil {
		p.logErr(r, fmt.Errorf("journalpage: rendering %s: %w", name, err))
	}
}

// detailURL is the page of the delivery with this ID.
func (p *page) detailURL(id string) string { return p.base + "/d/" + url.PathEscape(id) }
