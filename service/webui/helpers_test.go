package webui_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/datafactory/datafactory/connection"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/pipelinehttp"
	"github.com/datafactory/datafactory/service"
	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/sqlstatus"
	"github.com/datafactory/datafactory/storage"
	"github.com/stretchr/testify/require"
)

const token = "ui-token-1"

// napSchema is the conf schema of the test pipeline.
const napSchema = `{"type":"object","properties":{
 "ms":{"type":"integer","minimum":0,"description":"how long to sleep"},
 "fail":{"type":"boolean"},
 "dataset":{"type":"string"},
 "mode":{"type":"string","enum":["fast","slow"]}},
 "required":["ms"]}`

// napPipeline sleeps conf.ms milliseconds, then fails when conf.fail.
func napPipeline(t testing.TB) *pipeline.Pipeline {
	p, err := pipeline.NewBuilder("nap").ConfSchema([]byte(napSchema)).
		Add("sleep", pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
			var c struct {
				MS   int  `json:"ms"`
				Fail bool `json:"fail"`
			}
			if err := tc.DecodeConf(&c); err != nil {
				return pipeline.Permanent(err)
			}
			select {
			case <-time.After(time.Duration(c.MS) * time.Millisecond):
			case <-ctx.Done():
				return ctx.Err()
			}
			if c.Fail {
				return pipeline.Permanent(errors.New("boom: the conf asked this run to fail"))
			}
			return nil
		}), nil).Build()
	require.NoError(t, err)
	return p
}

// labels reads the dataset of a run from its conf.
func labels(conf json.RawMessage) (string, string) {
	var c struct {
		Dataset string `json:"dataset"`
	}
	_ = json.Unmarshal(conf, &c)
	return c.Dataset, ""
}

// env is a started service over SQLite, served by httptest.
type env struct {
	t      testing.TB
	status *status.Store
	bucket *storage.Bucket
	srv    *httptest.Server
	client *http.Client // with a cookie jar, not following redirects
}

// start serves a service with the nap pipeline and a token.
func start(t testing.TB) *env {
	t.Helper()
	return startKey(t, "")
}

// startKey is start with a session key ("": a random one).
func startKey(t testing.TB, key connection.Secret) *env {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstatus.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "status.db"), nil)
	require.NoError(t, err)
	bucket, err := storage.Open(ctx, "mem://")
	require.NoError(t, err)
	svc, err := service.New(ctx, &service.Config{Status: st, Tokens: []string{token}, Bucket: bucket,
		Pipelines: []pipelinehttp.DAG{{Pipeline: napPipeline(t), Labels: labels}},
		Schedules: []service.Schedule{{Pipeline: "nap", Cron: "@daily"}}, SessionKey: key})
	require.NoError(t, err)
	require.NoError(t, svc.Start(ctx))
	srv := httptest.NewServer(svc.Handler())
	t.Cleanup(func() {
		srv.Close()
		svc.Stop()
		_ = st.Close()
		_ = bucket.Close()
	})
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &env{t: t, status: st, bucket: bucket, srv: srv, client: client}
}

// get fetches a path with the session; it returns the response and body.
func (e *env) get(path string) (*http.Response, string) {
	e.t.Helper()
	resp, err := e.client.Get(e.srv.URL + path)
	require.NoError(e.t, err)
	return resp, body(e.t, resp)
}

// post sends a form with the session.
func (e *env) post(path string, form url.Values) (*http.Response, string) {
	e.t.Helper()
	resp, err := e.client.PostForm(e.srv.URL+path, form)
	require.NoError(e.t, err)
	return resp, body(e.t, resp)
}

// signIn signs the client in with the token.
func (e *env) signIn() {
	e.t.Helper()
	resp, _ := e.post("/ui/login", url.Values{"token": {token}, "next": {"/ui/"}})
	require.Equal(e.t, http.StatusSeeOther, resp.StatusCode)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf reads the CSRF token of a page's form.
func (e *env) csrf(path string) string {
	e.t.Helper()
	_, page := e.get(path)
	m := csrfField.FindStringSubmatch(page)
	require.NotNil(e.t, m, "no CSRF field in %s", path)
	return m[1]
}

// waitJob waits until a job is in a final state.
func (e *env) waitJob(id string) status.Job {
	e.t.Helper()
	var job status.Job
	require.Eventually(e.t, func() bool {
		var err error
		job, err = e.status.Job(context.Background(), id)
		return err == nil && job.Status != status.JobWaiting && job.Status != status.JobRunning
	}, 10*time.Second, 20*time.Millisecond)
	return job
}

func body(t testing.TB, resp *http.Response) string {
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}
