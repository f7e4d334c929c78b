package webui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/datafactory/datafactory/connection"
	"github.com/datafactory/datafactory/service"
	"github.com/stretchr/testify/require"
)

// TestSignIn: pages send to sign-in; a wrong token is refused; the right
// one sets an HttpOnly, SameSite=Strict cookie that does not hold it.
func TestSignIn(t *testing.T) {
	e := start(t)
	resp, _ := e.get("/ui/runs")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "/ui/login?next=%2Fui%2Fruns", resp.Header.Get("Location"))

	resp, page := e.post("/ui/login", url.Values{"token": {"wrong"}})
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	require.Contains(t, page, "That token does not sign in.")

	resp, _ = e.post("/ui/login", url.Values{"token": {token}, "next": {"//evil.example/"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "/ui/", resp.Header.Get("Location"), "no open redirect")
	cookie := resp.Header.Get("Set-Cookie")
	require.Contains(t, cookie, "HttpOnly")
	require.Contains(t, cookie, "SameSite=Strict")
	require.NotContains(t, cookie, "Secure", "plain HTTP without SecureCookies")
	require.NotContains(t, cookie, token)

	resp, page = e.get("/ui/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, page, "nap")
	require.Contains(t, page, "cron-nap ACTIVE")
	req, _ := http.NewRequest("PUT", e.srv.URL+"/v1/schedule/triggers/cron-nap/state", strings.NewReader(`{"state":"INACTIVE","reason":"test"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	put, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.Less(t, put.StatusCode, 300, body(t, put))
	_, page = e.get("/ui/")
	require.Contains(t, page, "cron-nap INACTIVE")
	require.Contains(t, resp.Header.Get("Content-Security-Policy"), "default-src 'self'")

	// A forged cookie is refused.
	u, _ := url.Parse(e.srv.URL + "/ui/")
	c := e.client.Jar.Cookies(u)[0]
	c.Value, c.Path = strings.Replace(c.Value, ".", "x.", 1), "/ui/"
	e.client.Jar.SetCookies(u, []*http.Cookie{c})
	resp, _ = e.get("/ui/")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
}

// TestCSRF: a POST without the session's CSRF token is refused.
func TestCSRF(t *testing.T) {
	e := start(t)
	e.signIn()
	resp, page := e.post("/ui/pipelines/nap/trigger", url.Values{"f.ms": {"1"}})
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	require.Contains(t, page, "CSRF")
	resp, _ = e.post("/ui/pipelines/nap/trigger", url.Values{"f.ms": {"1"}, "csrf": {"forged"}})
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	csrf := e.csrf("/ui/pipelines/nap/trigger")
	resp, _ = e.post("/ui/pipelines/nap/trigger", url.Values{"f.ms": {"1"}, "csrf": {csrf}, "run_id": {"c1"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "/ui/runs/c1", resp.Header.Get("Location"))
	// Without a session, even the right token is no use.
	anon := start(t)
	resp, _ = anon.post("/ui/pipelines/nap/trigger", url.Values{"f.ms": {"1"}, "csrf": {csrf}})
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

// TestTriggerValidation: the form is built from the schema; bad values are
// refused server-side, naming the field.
func TestTriggerValidation(t *testing.T) {
	e := start(t)
	e.signIn()
	_, page := e.get("/ui/pipelines/nap/trigger")
	for _, f := range []string{`name="f.ms"`, `type="checkbox" id="f.fail"`, `<select id="f.mode"`, "how long to sleep"} {
		require.Contains(t, page, f)
	}
	csrf := e.csrf("/ui/pipelines/nap/trigger")
	for _, c := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"f.ms": {"abc"}}, "ms: must be an integer"},
		{url.Values{}, "ms is required"},
		{url.Values{"f.ms": {"-5"}}, "/ms"},
		{url.Values{"f.ms": {"1"}, "f.mode": {"warp"}}, "/mode"},
		{url.Values{"f.ms": {"1"}, "run_id": {"a b"}}, "only letters"},
	} {
		c.form.Set("csrf", csrf)
		resp, page := e.post("/ui/pipelines/nap/trigger", c.form)
		require.Equal(t, http.StatusOK, resp.StatusCode, c.want)
		require.Contains(t, page, c.want)
		require.Contains(t, page, `id="trigger"`, "the form is shown again")
	}
	resp, _ := e.get("/ui/pipelines/nope/trigger")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}

// TestRunPage: a triggered run's page shows its tasks, its conf with the
// secrets redacted, and a failed run its error; retry starts a new run.
func TestRunPage(t *testing.T) {
	e := start(t)
	e.signIn()
	req, _ := http.NewRequest("POST", e.srv.URL+"/v1/pipelines/nap/runs",
		strings.NewReader(`{"run_id":"r1","conf":{"ms":1,"fail":true,"dataset":"ds1","password":"hunter2"}}`))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, resp.StatusCode, body(t, resp))
	e.waitJob("r1")
	resp, page := e.get("/ui/runs/r1")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, page, "FAILED")
	require.Contains(t, page, "boom: the conf asked this run to fail")
	require.NotContains(t, page, "hunter2")
	require.NotContains(t, page, "data-live")
	// Its conf's secret was not kept: retry refuses, saying why.
	require.Contains(t, page, `id="retry"`)
	resp, page = e.post("/ui/runs/r1/retry", url.Values{"csrf": {e.csrf("/ui/runs/r1")}})
	require.Equal(t, http.StatusConflict, resp.StatusCode)
	require.Contains(t, page, "secrets, which are not kept")
	// A failed run without secrets is retried with its conf.
	csrf := e.csrf("/ui/pipelines/nap/trigger")
	resp, _ = e.post("/ui/pipelines/nap/trigger", url.Values{"csrf": {csrf}, "run_id": {"r2"}, "f.ms": {"1"}, "f.fail": {"on"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	e.waitJob("r2")
	resp, _ = e.post("/ui/runs/r2/retry", url.Values{"csrf": {csrf}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	loc := resp.Header.Get("Location")
	require.Regexp(t, `^/ui/runs/manual__`, loc)
	job := e.waitJob(strings.TrimPrefix(loc, "/ui/runs/"))
	require.Equal(t, "FAILED", string(job.Status))
	_, page = e.get(loc)
	require.Contains(t, page, "&#34;fail&#34;: true")

	resp, page = e.post("/ui/runs/r2/cancel", url.Values{"csrf": {csrf}})
	require.Equal(t, http.StatusConflict, resp.StatusCode, "an ended run is not cancelled")
	require.Contains(t, page, "not running")

	resp, _ = e.get("/ui/runs/nope")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, page = e.get("/ui/traces/r1")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, page, "sleep")
	resp, page = e.get("/ui/jobs?state=FAILED")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, page, "r1")
}

// TestRunsFilters: the runs list filters by pipeline, dataset, state and
// date, and pages.
func TestRunsFilters(t *testing.T) {
	e := start(t)
	e.signIn()
	csrf := e.csrf("/ui/pipelines/nap/trigger")
	for i := range 5 {
		form := url.Values{"csrf": {csrf}, "f.ms": {"0"}, "run_id": {fmt.Sprintf("f%d", i)}, "f.dataset": {fmt.Sprintf("ds%d", i%2)}}
		if i == 4 {
			form.Set("f.fail", "on")
		}
		resp, page := e.post("/ui/pipelines/nap/trigger", form)
		require.Equal(t, http.StatusSeeOther, resp.StatusCode, page)
		e.waitJob(fmt.Sprintf("f%d", i))
	}
	count := func(q string) []string {
		resp, page := e.get("/ui/runs?" + q)
		require.Equal(t, http.StatusOK, resp.StatusCode, page)
		return regexp.MustCompile(`href="/ui/runs/(f\d)"`).FindAllString(page, -1)
	}
	require.Len(t, count(""), 5)
	require.Len(t, count("pipeline=nap"), 5)
	require.Len(t, count("pipeline=other"), 0)
	require.Len(t, count("dataset=ds0"), 3)
	require.Len(t, count("state=FAILED"), 1)
	require.Len(t, count("state=DONE&dataset=ds1"), 2)
	require.Len(t, count("date=2001-01-01"), 0)
	require.Len(t, count("per=2"), 2)
	require.Len(t, count("per=2&page=3"), 1)
	_, page := e.get("/ui/runs?per=2&page=2")
	require.Contains(t, page, `rel="next"`)
	require.Contains(t, page, `rel="prev"`)
	resp, _ := e.get("/ui/runs?state=BOGUS")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp, _ = e.get("/ui/runs?per=100000")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

// TestAircanAlias: AirCan's URL shape redirects to the run page; other
// paths stay 404.
func TestAircanAlias(t *testing.T) {
	e := start(t)
	resp, _ := e.get("/@org/ds1/actions/runs/r1")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "/ui/runs/r1", resp.Header.Get("Location"))
	for _, p := range []string{"/org/ds1/actions/runs/r1", "/@org/ds1/actions/runs/a..b", "/nothing"} {
		resp, _ = e.get(p)
		require.Equal(t, http.StatusNotFound, resp.StatusCode, p)
	}
	resp, _ = e.get("/ui/static/style.css")
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

// TestRunFiles: the run page links the run's files in the bucket, which
// download; keys outside the run are 404.
func TestRunFiles(t *testing.T) {
	e := start(t)
	e.signIn()
	csrf := e.csrf("/ui/pipelines/nap/trigger")
	resp, _ := e.post("/ui/pipelines/nap/trigger", url.Values{"csrf": {csrf}, "run_id": {"fl1"}, "f.ms": {"0"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	e.waitJob("fl1")
	ctx := context.Background()
	require.NoError(t, e.bucket.WriteAll(ctx, "nap/fl1/sleep/resource.json", []byte(`{"name":"r"}`), nil))
	require.NoError(t, e.bucket.WriteAll(ctx, "nap/other/sleep/secret.csv", []byte("no"), nil))
	_, page := e.get("/ui/runs/fl1")
	require.Contains(t, page, `href="/ui/runs/fl1/files/sleep/resource.json"`)
	resp, data := e.get("/ui/runs/fl1/files/sleep/resource.json")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, `{"name":"r"}`, data)
	require.Contains(t, resp.Header.Get("Content-Disposition"), "attachment")
	for _, p := range []string{"/ui/runs/fl1/files/../other/sleep/secret.csv", "/ui/runs/fl1/files/sleep%2F..%2F..%2Fother%2Fsleep%2Fsecret.csv",
		"/ui/runs/fl1/files/nope", "/ui/runs/nope/files/sleep/resource.json"} {
		resp, _ = e.get(p)
		require.NotEqual(t, http.StatusOK, resp.StatusCode, p)
		if loc := resp.Header.Get("Location"); loc != "" { // the mux cleans dot segments
			resp, data = e.get(loc)
			require.NotEqual(t, http.StatusOK, resp.StatusCode, loc)
			require.NotEqual(t, "no", data, loc)
		}
	}
}

// TestSessionKeyAcrossReplicas: with the same Config.SessionKey, a session
// signed in on one replica is valid on another; with another key it is not;
// a short key is refused.
func TestSessionKeyAcrossReplicas(t *testing.T) {
	key := connection.Secret(strings.Repeat("k", service.MinSessionKeyBytes))
	a, b := startKey(t, key), startKey(t, key)
	other := startKey(t, connection.Secret(strings.Repeat("o", service.MinSessionKeyBytes)))
	a.signIn()
	u, err := url.Parse(a.srv.URL + "/ui/")
	require.NoError(t, err)
	cookies := a.client.Jar.Cookies(u)
	require.NotEmpty(t, cookies)
	for _, e := range []*env{b, other} {
		eu, err := url.Parse(e.srv.URL + "/ui/")
		require.NoError(t, err)
		e.client.Jar.SetCookies(eu, cookies)
	}
	resp, page := b.get("/ui/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, page, "nap")
	resp, _ = other.get("/ui/")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)

	_, err = service.New(context.Background(), &service.Config{Status: a.status, Tokens: []string{token},
		SessionKey: "short"})
	require.ErrorContains(t, err, "SessionKey has 5 bytes")
}
