package webui_test

import (
	"strings"

	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"

	"github.com/chromedp/chromedp"
	"github.com/datafactory/datafactory/internal/browsertest"
	"github.com/stretchr/testify/require"
)

// waitFor polls a JavaScript predicate on the page until it holds.
func waitFor(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(100*time.Millisecond),
		chromedp.WithPollingTimeout(20*time.Second))
}

// signInBrowser opens the UI in Chromium and signs in through the form.
func signInBrowser(t *testing.T, e *env) *browsertest.Browser {
	b := browsertest.New(t, e.srv.URL)
	b.Do(chromedp.Navigate(e.srv.URL+"/ui/"), chromedp.WaitVisible(chromedp.CSS("#token")))
	require.Contains(t, browsertest.Eval[string](b, "location.pathname"), "/ui/login")
	b.Screenshot("login")
	b.Do(chromedp.SendKeys(chromedp.CSS("#token"), token), chromedp.Click(chromedp.CSS("#signin")),
		chromedp.WaitVisible(chromedp.CSS("#pipelines")))
	require.Contains(t, b.Text("#pipelines"), "nap")
	require.False(t, browsertest.Eval[bool](b, `document.cookie.includes("datafactory_session")`), "the session cookie is HttpOnly")
	b.Screenshot("pipelines")
	return b
}

// TestBrowserTriggerToSuccess signs in, triggers a run from the generated
// form and watches the run page update itself to DONE, its task SUCCESS.
func TestBrowserTriggerToSuccess(t *testing.T) {
	e := start(t)
	b := signInBrowser(t, e)
	b.Do(chromedp.Click(chromedp.CSS(`a[href="/ui/pipelines/nap/trigger"]`)), chromedp.WaitVisible(chromedp.CSS("#trigger")))
	b.Do(chromedp.SendKeys(chromedp.CSS(`[name="f.ms"]`), "abc"), chromedp.Click(chromedp.CSS("#submit")),
		chromedp.WaitVisible(chromedp.CSS(".field-error")))
	require.Contains(t, b.Text(".field-error"), "ms: must be an integer")
	b.Screenshot("field-error")
	b.Do(chromedp.SetValue(chromedp.CSS(`[name="f.ms"]`), "1500"), chromedp.SendKeys(chromedp.CSS("#run_id"), "b1"),
		chromedp.Click(chromedp.CSS("#submit")), chromedp.WaitVisible(chromedp.CSS("#state")))
	require.Equal(t, "/ui/runs/b1", browsertest.Eval[string](b, "location.pathname"))
	first := b.Text("#state")
	require.Contains(t, []string{"WAITING", "RUNNING"}, first, "the run is still going when its page opens")
	b.Screenshot("running")
	b.Do(waitFor(`document.getElementById("state").textContent === "DONE"`))
	require.Contains(t, b.Text("#tasks"), "SUCCESS")
	require.False(t, browsertest.Eval[bool](b, `document.body.hasAttribute("data-live")`), "polling stops at the end")
	b.Screenshot("success")
}

// TestBrowserFailedRun opens a failed run from the runs list and sees its
// error, then follows AirCan's URL to the same page.
func TestBrowserFailedRun(t *testing.T) {
	e := start(t)
	b := signInBrowser(t, e)
	b.Do(chromedp.Navigate(e.srv.URL+"/ui/pipelines/nap/trigger"), chromedp.WaitVisible(chromedp.CSS("#trigger")),
		chromedp.SendKeys(chromedp.CSS(`[name="f.ms"]`), "1"), chromedp.SendKeys(chromedp.CSS("#run_id"), "bad1"),
		chromedp.SendKeys(chromedp.CSS(`[name="f.dataset"]`), "ds-x"),
		chromedp.Click(chromedp.CSS(`[name="f.fail"]`)), chromedp.Click(chromedp.CSS("#submit")),
		chromedp.WaitVisible(chromedp.CSS("#state")))
	e.waitJob("bad1")
	b.Do(chromedp.Navigate(e.srv.URL+"/ui/runs?state=FAILED"), chromedp.WaitVisible(chromedp.CSS("#runs")))
	b.Screenshot("failed-runs")
	b.Do(chromedp.Click(chromedp.CSS(`a[href="/ui/runs/bad1"]`)), chromedp.WaitVisible(chromedp.CSS("#run-error")))
	require.Contains(t, b.Text("#run-error"), "boom: the conf asked this run to fail")
	require.Equal(t, "FAILED", b.Text("#state"))
	b.Screenshot("failed-run")

	b.Do(chromedp.Navigate(e.srv.URL+"/@my-org/ds-x/actions/runs/bad1"), chromedp.WaitVisible(chromedp.CSS("#run-error")))
	require.Equal(t, "/ui/runs/bad1", browsertest.Eval[string](b, "location.pathname"))
	b.Screenshot("aircan-url")
	for _, u := range b.Requests() {
		require.True(t, strings.HasPrefix(u, e.srv.URL) || strings.HasPrefix(u, "data:"), u)
	}
}

// TestBrowserCancel cancels a running run from its page: it ends
// CANCELLED and can be retried.
func TestBrowserCancel(t *testing.T) {
	e := start(t)
	b := signInBrowser(t, e)
	b.Do(chromedp.Navigate(e.srv.URL+"/ui/pipelines/nap/trigger"), chromedp.WaitVisible(chromedp.CSS("#trigger")),
		chromedp.SendKeys(chromedp.CSS(`[name="f.ms"]`), "60000"), chromedp.SendKeys(chromedp.CSS("#run_id"), "long1"),
		chromedp.Click(chromedp.CSS("#submit")), chromedp.WaitVisible(chromedp.CSS("#state")))
	b.Do(waitFor(`document.getElementById("state").textContent === "RUNNING"`), chromedp.WaitVisible(chromedp.CSS("#cancel")))
	b.Screenshot("running")
	b.Do(chromedp.Click(chromedp.CSS("#cancel")), chromedp.WaitVisible(chromedp.CSS("#retry")))
	require.Equal(t, "CANCELLED", b.Text("#state"))
	require.Equal(t, "CANCELLED", string(e.waitJob("long1").Status))
	b.Screenshot("cancelled")
}

// TestBrowserWithoutJavaScript: with scripts off, sign-in, the trigger form
// and the run page work; the run page refreshes itself until the run ends.
func TestBrowserWithoutJavaScript(t *testing.T) {
	e := start(t)
	b := browsertest.New(t, e.srv.URL)
	_, err := chromedp.Call(b.Context(), emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
	require.NoError(t, err)
	b.Do(chromedp.Navigate(e.srv.URL+"/ui/pipelines/nap/trigger"), chromedp.WaitVisible(chromedp.CSS("#token")),
		chromedp.SendKeys(chromedp.CSS("#token"), token), chromedp.Click(chromedp.CSS("#signin")),
		chromedp.WaitVisible(chromedp.CSS("#trigger")),
		chromedp.SendKeys(chromedp.CSS(`[name="f.ms"]`), "1500"), chromedp.SendKeys(chromedp.CSS("#run_id"), "nojs1"),
		chromedp.Click(chromedp.CSS("#submit")), chromedp.WaitVisible(chromedp.CSS("#state")))
	require.Contains(t, []string{"WAITING", "RUNNING"}, b.Text("#state"))
	b.Screenshot("running")
	b.Do(chromedp.WaitVisible(chromedp.CSS("#state.done")))
	require.Contains(t, b.Text("#tasks"), "SUCCESS")
	b.Screenshot("done")
}
