package journalpage

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/callback"
)

// token is the Run again form's token for the delivery with this ID: an
// HMAC-SHA256 under the page's secret, so that only a page the merchant
// was authorised to see can post it.
func (p *page) token(id string) string {
	m := hmac.New(sha256.New, p.secret)
	m.Write([]byte("paykit journalpage run\x00"))
	m.Write([]byte(id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// validToken compares a posted token with the expected one in constant
// time.
func (p *page) validToken(id, got string) bool {
	return hmac.Equal([]byte(p.token(id)), []byte(got))
}

// cannotRun says why d cannot be run again, or "".
func (p *page) cannotRun(d paykit.Delivery) string {
	switch {
	case p.handlerOf == nil:
		return "Run again is not set up (journalpage.Options.Handler)."
	case d.Verification == paykit.NotVerifiedMethod || d.Method == "":
		return "The request was refused before anything was read: there is nothing to run again."
	case d.Verification == paykit.NotVerifiedTooLarge:
		return "The body was over the size cap and was not kept: there is nothing to run again."
	case p.handlerOf(d) == nil:
		return "No handler serves " + string(d.Provider) + " account " + d.Account + " here."
	}
	return ""
}

// maxRunForm bounds the Run again form read: it holds one token.
const maxRunForm = 4 << 10

// serveRun runs a delivery again through its handler (see the package
// documentation) and shows the original with the result.
func (p *page) serveRun(w http.ResponseWriter, r *http.Request) {
	d, ok := p.delivery(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxRunForm)
	if err := r.ParseForm(); err != nil || !p.validToken(d.ID, r.PostForm.Get("token")) {
		p.fail(w, r, http.StatusForbidden, "Run again refused: the form was not one this page showed. Open the delivery again and use its button.")
		return
	}
	if why := p.cannotRun(d); why != "" {
		p.fail(w, r, http.StatusConflict, why)
		return
	}
	start := time.Now()
	rec := runAgain(r, d, p.handlerOf(d))
	v := p.detail(d)
	v.Ran = &ranView{Status: rec.status, Reply: viewBody(rec.header.Get("Content-Type"), rec.body.Bytes(), false)}
	if nd, ok := p.findRun(r, d, start); ok {
		v.Ran.NewURL = p.detailURL(nd.ID)
		v.Ran.New = &nd
	}
	p.render(w, r, http.StatusOK, "detail", v)
}

// runAgain re-submits d's request to h with the context marking it as a
// run of d, and returns what h answered.
func runAgain(r *http.Request, d paykit.Delivery, h http.Handler) *recorder {
	ctx := callback.WithRunOf(r.Context(), d.ID)
	req, err := http.NewRequestWithContext(ctx, d.Method, "/", bytes.NewReader(d.Body))
	rec := newRecorder()
	if err != nil {
		// A method net/http would not send: answer as a handler would.
		rec.WriteHeader(http.StatusMethodNotAllowed)
		return rec
	}
	req.URL = &url.URL{Path: d.Path, RawQuery: d.Query}
	req.RequestURI = req.URL.RequestURI()
	req.Host = r.Host
	req.Header = d.Header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	req.ContentLength = int64(len(d.Body))
	req.RemoteAddr = d.RemoteAddr
	h.ServeHTTP(rec, req)
	rec.WriteHeader(http.StatusOK) // a handler that wrote nothing answered 200
	return rec
}

// findRun looks in the journal for the delivery that ran d again, recorded
// after start: the newest with RunOf d.ID. A journal that records in the
// background may not hold it yet.
func (p *page) findRun(r *http.Request, d paykit.Delivery, start time.Time) (paykit.Delivery, bool) {
	// A second of slack: ReceivedAt is the wall clock, which may step.
	// Not by d's provider id: the run may verify differently (a secret
	// rotated since, a redacted body) and carry none.
	q := paykit.DeliveryQuery{Provider: d.Provider, Since: start.Add(-time.Second), Limit: paykit.MaxDeliveryPage}
	for range 4 {
		pg, err := p.j.Deliveries(r.Context(), q)
		if err != nil {
			p.logErr(r, err)
			return paykit.Delivery{}, false
		}
		for _, nd := range pg.Deliveries {
			if nd.RunOf == d.ID {
				return nd, true
			}
		}
		if pg.Next == "" {
			break
		}
		q.After = pg.Next
	}
	return paykit.Delivery{}, false
}

// maxRunReply bounds the reply kept for the page.
const maxRunReply = 1 << 20

// recorder keeps what a handler answers to Run again.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}} }

func (rec *recorder) Header() http.Header { return rec.header }

func (rec *recorder) WriteHeader(code int) {
	if rec.status == 0 {
		rec.status = code
	}
}

func (rec *recorder) Write(b []byte) (int, error) {
	rec.WriteHeader(http.StatusOK)
	if room := maxRunReply - rec.body.Len(); room > 0 {
		rec.body.Write(b[:min(room, len(b))])
	}
	return len(b), nil
}
