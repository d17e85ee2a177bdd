package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// The real-browser tests drive the shop and the emulators in headless
// Chromium (Debian's chromium, which bash .ci/test installs), through
// chromedp. One browser serves the whole test binary; each test gets its
// own tab in its own browser context (no shared cookies or cache), so the
// tests run in parallel. Without Chromium installed they skip, saying
// why, unless PAYKIT_TEST_REQUIRE_BROWSER=1 (CI), where they fail; a
// Chromium that is installed but does not start fails them.
//
// Each step saves a screenshot under one temporary folder per test binary,
// printed at the end of the run (and by each test with -v).

// chromeCandidates are the executables tried, in order; PAYKIT_TEST_CHROMIUM
// names another.
var chromeCandidates = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"}

// browserRun is the one browser of this test binary.
type browserRun struct {
	ctx    context.Context // the browser's context: tabs derive from it
	cancel func()
	shots  string // the screenshot folder
}

var (
	chromeOnce    sync.Once
	chromeBrowser *browserRun
	errChrome     error
	// chromeMissing: no Chromium is installed, the one reason to skip.
	chromeMissing bool
)

// findChromium returns the path of a Chromium executable.
func findChromium() (string, error) {
	if p := os.Getenv("PAYKIT_TEST_CHROMIUM"); p != "" {
		return exec.LookPath(p)
	}
	for _, name := range chromeCandidates {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no Chromium found (looked for " + strings.Join(chromeCandidates, ", ") + " on PATH)")
}

// startChrome starts the shared headless browser once.
func startChrome() (*browserRun, error) {
	chromeOnce.Do(func() {
		path, err := findChromium()
		if err != nil {
			errChrome, chromeMissing = err, true
			return
		}
		shots, err := os.MkdirTemp("", "paykit-shop-browser-")
		if err != nil {
			errChrome = err
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path),
			chromedp.NoSandbox, // CI runs as root, where Chromium's sandbox cannot start
			chromedp.DisableGPU,
			chromedp.Flag("disable-dev-shm-usage", true),
			chromedp.WindowSize(1024, 768),
		)
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel := chromedp.NewContext(alloc)
		if err := chromedp.Do(ctx); err != nil { // launches the browser
			cancel()
			cancelAlloc()
			errChrome = fmt.Errorf("starting %s: %w", path, err)
			return
		}
		chromeBrowser = &browserRun{ctx: ctx, cancel: func() { cancel(); cancelAlloc() }, shots: shots}
	})
	return chromeBrowser, errChrome
}

// TestMain closes the shared browser after the tests and says where the
// screenshots are.
func TestMain(m *testing.M) {
	code := m.Run()
	if chromeBrowser != nil {
		chromeBrowser.cancel()
		fmt.Fprintf(os.Stderr, "browser screenshots: %s\n", chromeBrowser.shots)
	}
	os.Exit(code)
}

// tab is one test's browser tab.
type tab struct {
	t     *testing.T
	ctx   context.Context
	shots string
	step  int
	// navigations counts the main frame's navigations: a page that
	// reloads itself adds to it without the test doing anything.
	navigations atomic.Int64
}

// newTab opens a tab in a fresh browser context, or skips the test when
// there is no Chromium (fails under PAYKIT_TEST_REQUIRE_BROWSER=1).
func newTab(t *testing.T) *tab {
	t.Helper()
	b, err := startChrome()
	switch {
	case err == nil:
	case chromeMissing && os.Getenv("PAYKIT_TEST_REQUIRE_BROWSER") != "1":
		t.Skipf("real-browser test skipped: %v; install Debian's chromium (bash .ci/test does) or set PAYKIT_TEST_CHROMIUM", err)
	default: // required (CI), or installed but not starting: a failure either way
		t.Fatalf("real-browser test: %v", err)
	}
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	// Ends a test whose page never comes; no assertion is made on time.
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancel() })
	tb := &tab{t: t, ctx: ctx, shots: filepath.Join(b.shots, strings.ReplaceAll(t.Name(), "/", "_"))}
	require.NoError(t, os.MkdirAll(tb.shots, 0o755))
	require.NoError(t, chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*cdppage.EventFrameNavigated); ok && e.Frame.ParentID == "" {
			tb.navigations.Add(1)
		}
	}))
	t.Logf("screenshots: %s", tb.shots)
	return tb
}

// do runs actions in the tab.
func (tb *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	require.NoError(tb.t, chromedp.Do(tb.ctx, actions...))
}

// open loads u and waits for the page.
func (tb *tab) open(u string, step string) {
	tb.t.Helper()
	_, err := chromedp.Run(tb.ctx, chromedp.NavigateResponse(u))
	require.NoError(tb.t, err, "opening %s", u)
	tb.shot(step)
}

// jsString quotes s for JavaScript.
func jsString(s string) string { return strconv.Quote(s) }

// press clicks the element whose id is label, else the first button, else
// the first link, whose visible text (after any arrow) starts with label
// (case insensitive), and waits for the page it leads to.
func (tb *tab) press(label, step string) {
	tb.t.Helper()
	l := jsString(strings.ToLower(label))
	match := `e => e.textContent.trim().replace(/^[^a-z0-9]+/i, "").toLowerCase().startsWith(` + l + `)`
	sel := chromedp.JSPath(`document.getElementById(` + jsString(label) + `) || [...document.querySelectorAll("button")].find(` + match +
		`) || [...document.querySelectorAll("a")].find(` + match + `)`)
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second) // a missing button fails soon
	defer cancel()
	_, err := chromedp.RunResponse(ctx, chromedp.Click(sel, chromedp.NodeVisible))
	require.NoError(tb.t, err, "pressing %q on %s", label, tb.location())
	tb.shot(step)
}

// location is the tab's current URL.
func (tb *tab) location() string {
	u, _ := chromedp.Run(tb.ctx, chromedp.Location())
	return u
}

// shot saves a screenshot of the whole page as the next step.
func (tb *tab) shot(step string) {
	tb.t.Helper()
	png, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	require.NoError(tb.t, err)
	tb.step++
	name := fmt.Sprintf("%02d-%s.png", tb.step, strings.Map(func(r rune) rune {
		if r == ' ' || r == '/' {
			return '-'
		}
		return r
	}, step))
	require.NoError(tb.t, os.WriteFile(filepath.Join(tb.shots, name), png, 0o644))
}

// text is the visible text of the page's body.
func (tb *tab) text() string {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`document.body.innerText`))
	require.NoError(tb.t, err)
	return s
}

// eval evaluates a JavaScript expression.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr))
	require.NoError(tb.t, err, expr)
	return v
}

// waitStatus waits until the order page shows status, across the reloads
// the page does by itself while it waits for the callback. The page's own
// reload is what brings the new status: the test never reloads it.
func (tb *tab) waitStatus(status OrderStatus, step string) {
	tb.t.Helper()
	expr := `(() => { const s = document.querySelector("#status"); return !!s && s.textContent === ` + jsString(string(status)) + ` })()`
	for {
		_, err := chromedp.Run(tb.ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(5*time.Second)))
		if err == nil {
			break
		}
		// A reload in the middle of a poll ends it; poll the new page.
		require.NoError(tb.t, tb.ctx.Err(), "order page never showed %q; it shows:\n%s", status, tb.text())
	}
	tb.shot(step)
}

// settled asserts that the page has finished and will not reload itself:
// no meta refresh and no navigation since the test's own last one.
func (tb *tab) settled() {
	tb.t.Helper()
	before := tb.navigations.Load()
	refresh := eval[bool](tb, `document.querySelector('meta[http-equiv="refresh" i]') !== null`)
	require.False(tb.t, refresh, "%s keeps reloading (meta refresh):\n%s", tb.location(), tb.text())
	require.Equal(tb.t, "complete", eval[string](tb, `document.readyState`))
	require.Equal(tb.t, before, tb.navigations.Load(), "%s navigated by itself", tb.location())
}

// orderID reads the order id from the order page's address.
func (tb *tab) orderID() string {
	tb.t.Helper()
	m := regexp.MustCompile(`/orders/(\d+)`).FindStringSubmatch(tb.location())
	require.NotNil(tb.t, m, "not an order page: %s", tb.location())
	return m[1]
}

// fitsWidth asserts that nothing on the page is wider than the window.
func (tb *tab) fitsWidth() {
	tb.t.Helper()
	scroll := eval[float64](tb, `document.documentElement.scrollWidth`)
	inner := eval[float64](tb, `window.innerWidth`)
	require.LessOrEqual(tb.t, scroll, inner, "%s is wider than the window: scroll %v > %v", tb.location(), scroll, inner)
}
