package main

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// browser is a minimal no-JavaScript browser for the end-to-end tests: a
// cookie jar, redirects followed, links followed and HTML forms submitted
// by parsing the pages (the pages are our own and the emulators', plain
// HTML).
type browser struct {
	t      *testing.T
	client *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &browser{t: t, client: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

// page is a fetched HTML page.
type page struct {
	URL    *url.URL
	Status int
	Body   string
}

func (b *browser) do(req *http.Request) *page {
	b.t.Helper()
	resp, err := b.client.Do(req)
	require.NoError(b.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(b.t, err)
	return &page{URL: resp.Request.URL, Status: resp.StatusCode, Body: string(body)}
}

func (b *browser) get(u string) *page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	require.NoError(b.t, err)
	return b.do(req)
}

// form is an HTML form: its fields and its submit buttons.
type form struct {
	Method, Action string
	Fields         url.Values
	Buttons        []button
}

type button struct{ Name, Value, Text string }

var (
	formRE   = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form>`)
	inputRE  = regexp.MustCompile(`(?is)<input\b([^>]*)>`)
	buttonRE = regexp.MustCompile(`(?is)<button\b([^>]*)>(.*?)</button>`)
	selectRE = regexp.MustCompile(`(?is)<select\b([^>]*)>(.*?)</select>`)
	optionRE = regexp.MustCompile(`(?is)<option\b[^>]*>(.*?)</option>`)
	attrRE   = regexp.MustCompile(`(?s)([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*"([^"]*)"`)
	linkRE   = regexp.MustCompile(`(?is)<a\b([^>]*)>(.*?)</a>`)
	tagRE    = regexp.MustCompile(`<[^>]*>`)
)

func attrs(s string) map[string]string {
	m := map[string]string{}
	for _, a := range attrRE.FindAllStringSubmatch(s, -1) {
		m[strings.ToLower(a[1])] = html.UnescapeString(a[2])
	}
	return m
}

func text(s string) string {
	return strings.Join(strings.Fields(html.UnescapeString(tagRE.ReplaceAllString(s, ""))), " ")
}

func (p *page) forms() []form {
	var out []form
	for _, m := range formRE.FindAllStringSubmatch(p.Body, -1) {
		a := attrs(m[1])
		f := form{Method: strings.ToUpper(a["method"]), Action: a["action"], Fields: url.Values{}}
		if f.Method == "" {
			f.Method = http.MethodGet
		}
		for _, in := range inputRE.FindAllStringSubmatch(m[2], -1) {
			ia := attrs(in[1])
			if ia["name"] != "" && ia["type"] != "submit" {
				f.Fields.Set(ia["name"], ia["value"])
			}
		}
		for _, sel := range selectRE.FindAllStringSubmatch(m[2], -1) {
			if opt := optionRE.FindStringSubmatch(sel[2]); opt != nil {
				f.Fields.Set(attrs(sel[1])["name"], text(opt[1]))
			}
		}
		for _, bt := range buttonRE.FindAllStringSubmatch(m[2], -1) {
			ba := attrs(bt[1])
			f.Buttons = append(f.Buttons, button{Name: ba["name"], Value: ba["value"], Text: text(bt[2])})
		}
		out = append(out, f)
	}
	return out
}

// submit presses the first button whose text starts with label (case
// insensitive) or whose value is label, in any form of the page.
func (b *browser) submit(p *page, label string) *page {
	b.t.Helper()
	for _, f := range p.forms() {
		for _, bt := range f.Buttons {
			if bt.Value != label && !strings.HasPrefix(strings.ToLower(bt.Text), strings.ToLower(label)) {
				continue
			}
			vals := url.Values{}
			for k, v := range f.Fields {
				vals[k] = append([]string(nil), v...)
			}
			if bt.Name != "" {
				vals.Set(bt.Name, bt.Value)
			}
			action, err := p.URL.Parse(f.Action)
			require.NoError(b.t, err)
			var req *http.Request
			if f.Method == http.MethodPost {
				req, err = http.NewRequest(http.MethodPost, action.String(), strings.NewReader(vals.Encode()))
				require.NoError(b.t, err)
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			} else {
				action.RawQuery = vals.Encode()
				req, err = http.NewRequest(http.MethodGet, action.String(), nil)
				require.NoError(b.t, err)
			}
			return b.do(req)
		}
	}
	b.t.Fatalf("no button %q on %s:\n%s", label, p.URL, p.Body)
	return nil
}

// follow opens the link whose id is label or else the first whose text
// starts with label.
func (b *browser) follow(p *page, label string) *page {
	b.t.Helper()
	links := linkRE.FindAllStringSubmatch(p.Body, -1)
	for _, byID := range []bool{true, false} {
		for _, m := range links {
			a := attrs(m[1])
			if byID && a["id"] != label || !byID && !strings.HasPrefix(strings.ToLower(text(m[2])), strings.ToLower(label)) {
				continue
			}
			u, err := p.URL.Parse(a["href"])
			require.NoError(b.t, err)
			return b.get(u.String())
		}
	}
	b.t.Fatalf("no link %q on %s:\n%s", label, p.URL, p.Body)
	return nil
}
