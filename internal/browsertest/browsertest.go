// Package browsertest drives a real headless Chromium from Go tests, through
// the DevTools protocol (github.com/chromedp/chromedp). A test fails on any
// console error or uncaught exception, and on any request to a host other
// than the ones it allows; each test saves its screenshots under
// ${TMPDIR:-/tmp}/datafactory-screenshots/<TestName>/.
//
// Tests skip only when DATAFACTORY_TEST_CHROMIUM (the path of the browser)
// is unset; CI sets it to Debian's /usr/bin/chromium.
package browsertest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// EnvChromium names the environment variable that holds the browser's path.
const EnvChromium = "DATAFACTORY_TEST_CHROMIUM"

// Browser is one headless Chromium tab for one test.
type Browser struct {
	t     testing.TB
	ctx   context.Context
	hosts map[string]bool // hosts the page may reach, with their ports

	mu       sync.Mutex
	errors   []string // console errors, exceptions, failed loads
	foreign  []string // requests to a host not in hosts
	requests []string
	shots    int
}

// New starts Chromium for t with a fresh profile. Pages may request only
// URLs of the allowed origins (scheme://host:port; file: and data: URLs are
// always local). At the end of the test it fails t on a console error or a
// request to another host. It skips t when DATAFACTORY_TEST_CHROMIUM is
// unset.
func New(t testing.TB, allowed ...string) *Browser {
	t.Helper()
	path := os.Getenv(EnvChromium)
	if path == "" {
		t.Skip(EnvChromium + " is unset")
	}
	b := &Browser{t: t, hosts: map[string]bool{}}
	for _, o := range allowed {
		u, err := url.Parse(o)
		if err != nil || u.Host == "" {
			t.Fatalf("browsertest: bad origin %q", o)
		}
		b.hosts[u.Host] = true
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx, chromedp.WithListener(b.listen))
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	b.ctx = ctx
	t.Cleanup(func() {
		b.Screenshot("last")
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
		b.check()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("browsertest: start %s: %v", path, err)
	}
	return b
}

// Context is the tab's context, for chromedp.Run and chromedp.Do.
func (b *Browser) Context() context.Context { return b.ctx }

// Do runs the actions in the tab and fails the test on an error, with a
// screenshot of the page as it was.
func (b *Browser) Do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.Screenshot("failed")
		b.t.Fatalf("browsertest: %v", err)
	}
}

// Text returns the text of the first element that sel matches.
func (b *Browser) Text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.Screenshot("failed")
		b.t.Fatalf("browsertest: text of %s: %v", sel, err)
	}
	return s
}

// Eval evaluates a JavaScript expression and returns its value.
func Eval[T any](b *Browser, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("browsertest: evaluate %s: %v", expr, err)
	}
	return v
}

// Offline cuts the tab from every network: any request fails.
func (b *Browser) Offline() {
	b.t.Helper()
	_, err := chromedp.Call(b.ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}},
	})
	if err != nil {
		b.t.Fatalf("browsertest: offline: %v", err)
	}
}

// Requests returns the URL of every request the tab has made so far.
func (b *Browser) Requests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.requests...)
}

// ScreenshotDir is where the screenshots of the test go.
func ScreenshotDir(t testing.TB) string {
	name := regexp.MustCompile(`[^A-Za-z0-9_.-]+`).ReplaceAllString(t.Name(), "_")
	return filepath.Join(os.TempDir(), "datafactory-screenshots", name)
}

// Screenshot saves the page as NN-name.png in ScreenshotDir and returns its
// path ("" when the page could not be captured).
func (b *Browser) Screenshot(name string) string {
	if b.ctx.Err() != nil {
		return ""
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("browsertest: screenshot %s: %v", name, err)
		return ""
	}
	dir := ScreenshotDir(b.t)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Logf("browsertest: %v", err)
		return ""
	}
	b.mu.Lock()
	b.shots++
	path := filepath.Join(dir, fmt.Sprintf("%02d-%s.png", b.shots, name))
	b.mu.Unlock()
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Logf("browsertest: %v", err)
		return ""
	}
	b.t.Logf("screenshot %s", path)
	return path
}

// listen records console errors, exceptions and requests; it runs on the
// tab's event goroutine, so it only appends under the lock.
func (b *Browser) listen(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert {
			b.errors = append(b.errors, "console."+string(e.Type)+": "+argsText(e.Args))
		}
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		b.errors = append(b.errors, fmt.Sprintf("exception: %s at %s:%d", d.Text, d.URL, d.LineNumber))
	case *log.EventEntryAdded:
		if e.Entry.Level == log.EntryLevelError {
			b.errors = append(b.errors, fmt.Sprintf("log %s: %s %s", e.Entry.Source, e.Entry.Text, e.Entry.URL))
		}
	case *network.EventRequestWillBeSent:
		u := e.Request.URL
		b.requests = append(b.requests, u)
		if !b.local(u) {
			b.foreign = append(b.foreign, u)
		}
	}
}

// local reports whether a request stays on the allowed origins.
func (b *Browser) local(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "file", "data", "about", "blob":
		return u.Host == ""
	}
	return b.hosts[u.Host]
}

// check fails the test on what listen recorded.
func (b *Browser) check() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.errors {
		b.t.Errorf("browsertest: %s", e)
	}
	for _, u := range b.foreign {
		b.t.Errorf("browsertest: request to another host: %s", u)
	}
}

// argsText joins a console call's arguments.
func argsText(args []*runtime.RemoteObject) string {
	var parts []string
	for _, a := range args {
		if a.Description != "" {
			parts = append(parts, a.Description)
		} else {
			parts = append(parts, string(a.Value))
		}
	}
	return strings.Join(parts, " ")
}
