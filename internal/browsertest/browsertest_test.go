package browsertest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/datafactory/datafactory/internal/browsertest"
	"github.com/stretchr/testify/require"
)

// TestRecordsRequestsAndScreenshots opens a page on a real server and finds
// its request recorded and a screenshot saved.
func TestRecordsRequestsAndScreenshots(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `<!DOCTYPE html><title>t</title><link rel="icon" href="data:,"><h1 id="h">hello</h1>`)
	}))
	defer srv.Close()
	b := browsertest.New(t, srv.URL)
	b.Do(chromedp.Navigate(srv.URL + "/page"))
	require.Equal(t, "hello", b.Text("#h"))
	require.Contains(t, b.Requests(), srv.URL+"/page")
	path := b.Screenshot("page")
	require.NotEmpty(t, path)
	require.True(t, filepath.IsAbs(path))
	info, err := os.Stat(path)
	require.NoError(t, err)
	require.Positive(t, info.Size())
}

// TestCatchesConsoleErrorsAndForeignHosts runs the checks on a page that
// logs an error and loads an image from another host, in a subtest whose
// failure the parent observes.
func TestCatchesConsoleErrorsAndForeignHosts(t *testing.T) {
	if os.Getenv(browsertest.EnvChromium) == "" {
		t.Skip(browsertest.EnvChromium + " is unset")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `<!DOCTYPE html><title>t</title><link rel="icon" href="data:,">
<img src="http://other.invalid/x.png"><script>console.error("boom")</script>`)
	}))
	defer srv.Close()
	inner := &recorder{TB: t}
	func() {
		defer func() { _ = recover() }()
		b := browsertest.New(inner, srv.URL)
		b.Do(chromedp.Navigate(srv.URL))
		inner.runCleanups()
	}()
	require.Contains(t, inner.joined(), `console.error: "boom"`)
	require.Contains(t, inner.joined(), "request to another host: http://other.invalid/x.png")
}
