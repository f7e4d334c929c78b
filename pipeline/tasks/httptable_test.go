package tasks_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/datafactory/datafactory/httpsource"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/tasks"
	"github.com/stretchr/testify/require"
)

const apiToken = "tok-5b1c9e0f7a3d4e2c8b6a"

// pagedAPI serves n records in pages of 10 ({"results": [...], "next":
// url}), only to requests bearing apiToken; page failAt (when > 0) answers
// 500 every time.
type pagedAPI struct {
	n      atomic.Int32
	failAt atomic.Int32
	calls  atomic.Int32
	srv    *httptest.Server
}

func newPagedAPI(t *testing.T, n int) *pagedAPI {
	a := &pagedAPI{}
	a.n.Store(int32(n))
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.srv.Close)
	return a
}

func (a *pagedAPI) serve(w http.ResponseWriter, r *http.Request) {
	a.calls.Add(1)
	if r.Header.Get("Authorization") != "Bearer "+apiToken {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	if int(a.failAt.Load()) == page {
		http.Error(w, "boom", http.StatusInternalServerError)
		return
	}
	var recs []string
	n := int(a.n.Load())
	for i := (page - 1) * 10; i < min(page*10, n); i++ {
		recs = append(recs, fmt.Sprintf(`{"id": %d, "company__name": "c%d", "sector": "None"}`, i+1, i+1))
	}
	next := "null"
	if page*10 < n {
		next = strconv.Quote("/companies?page=" + strconv.Itoa(page+1))
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"results": [%s], "next": %s}`, join(recs), next)
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ","
		}
		out += x
	}
	return out
}

// httpRegistry registers the task types with credential "api" for a.
func (b *bundle) httpRegistry(t *testing.T, a *pagedAPI) *pipeline.Registry {
	t.Helper()
	r := pipeline.NewRegistry()
	require.NoError(t, tasks.Register(r, &tasks.Options{Connections: b.conns,
		HTTPAuth:   map[string]tasks.HTTPAuth{"api": {Origin: a.srv.URL, Auth: httpsource.Bearer{Token: apiToken}}},
		HTTPSource: &httpsource.Options{RetryMax: 1, RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond}}))
	return r
}

func httpSpec(params string) string {
	return `{"name": "sync", "tasks": [{"name": "sync", "type": "http_to_table", "params": ` + params + `}]}`
}

func syncParams(u, mode string) string {
	return `{"url": "` + u + `/companies", "auth": "api", "target": "db", "table": "companies", "mode": "` + mode + `",
	  "schema": {"fields": [{"name": "id", "type": "integer"}, {"name": "name", "type": "string"}, {"name": "sector", "type": "string"}],
	             "primaryKey": ["id"]},
	  "mapping": {"name": "company__name"}}`
}

func TestHTTPToTable(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := newPagedAPI(t, 35)
	r := b.httpRegistry(t, a)
	run := func(mode string) (*pipeline.Summary, error) {
		p, err := r.Load([]byte(httpSpec(syncParams(a.srv.URL, mode))))
		require.NoError(t, err)
		return pipeline.Run(context.Background(), p, nil, &pipeline.RunOptions{Backend: b.be})
	}
	sum, err := run("replace")
	require.NoError(t, err)
	require.Equal(t, pipeline.StateSuccess, sum.State)
	require.Equal(t, 35, b.count(t, "companies"))

	sum, err = run("upsert") // the same ids: no new rows
	require.NoError(t, err, sum)
	require.Equal(t, 35, b.count(t, "companies"))

	// a 500 on page 3 (after the retries) fails the replace: the old rows stay
	a.n.Store(50)
	a.failAt.Store(3)
	sum, err = run("replace")
	require.ErrorIs(t, err, pipeline.ErrRunFailed)
	msg := taskErr(t, sum)
	require.Contains(t, msg, "page 3")
	require.NotContains(t, msg, apiToken)
	require.Equal(t, 35, b.count(t, "companies"))

	a.failAt.Store(0)
	sum, err = run("replace")
	require.NoError(t, err)
	require.Equal(t, pipeline.StateSuccess, sum.State)
	require.Equal(t, 50, b.count(t, "companies"))
}

// TestHTTPToTableRefused: a credential not configured, a URL off the
// credential's origin or (without one) off the allow-list fail at build
// with no request made, and the token appears in no error.
func TestHTTPToTableRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := newPagedAPI(t, 5)
	r := b.httpRegistry(t, a)
	u, err := url.Parse(a.srv.URL)
	require.NoError(t, err)
	other := "http://localhost:" + u.Port()
	for _, params := range []string{
		`{"url": "` + a.srv.URL + `/c", "auth": "nope", "target": "db", "table": "t", "schema": {"fields": []}}`,
		`{"url": "` + other + `/c", "auth": "api", "target": "db", "table": "t", "schema": {"fields": []}}`,
		`{"url": "http://u:p@` + u.Host + `/c", "auth": "api", "target": "db", "table": "t", "schema": {"fields": []}}`,
		`{"url": "` + a.srv.URL + `/c", "target": "db", "table": "t", "schema": {"fields": []}}`,
		`{"url": "` + a.srv.URL + `/c", "auth": "api", "target": "env:DB", "table": "t", "schema": {"fields": []}}`,
		`{"url": "` + a.srv.URL + `/c", "auth": "api", "target": "db", "table": "t", "schema": {"fields": [{"name": "a"}]}, "mapping": {"b": "x"}}`,
		`{"url": "` + a.srv.URL + `/c", "auth": "api", "target": "db", "table": "t", "schema": {"fields": []}, "pagination": {"style": "magic"}}`,
	} {
		_, err := r.Load([]byte(httpSpec(params)))
		require.Error(t, err, params)
		require.NotContains(t, err.Error(), apiToken)
	}
	require.Zero(t, a.calls.Load())
}

// TestHTTPToTablePagination: a page-number API without auth, on a host the
// operator allowed, appended twice.
func TestHTTPToTablePagination(t *testing.T) {
	t.Parallel()
	b := setup(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := strconv.Atoi(r.URL.Query().Get("p"))
		if p > 2 {
			fmt.Fprint(w, `{"data": {"items": []}}`)
			return
		}
		fmt.Fprintf(w, `{"data": {"items": [{"id": %d}, {"id": %d}]}}`, 2*p-1, 2*p)
	}))
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	b.conns.AllowHosts = []string{u.Host}
	p, err := b.registry(t).Load([]byte(httpSpec(`{"url": "` + srv.URL + `/items", "target": "db", "table": "items", "mode": "append",
	  "records": "data.items", "pagination": {"style": "page_number", "param": "p"}, "schema": {"fields": [{"name": "id", "type": "integer"}]}}`)))
	require.NoError(t, err)
	for _, want := range []int{4, 8} {
		_, err := pipeline.Run(context.Background(), p, nil, &pipeline.RunOptions{Backend: b.be})
		require.NoError(t, err)
		require.Equal(t, want, b.count(t, "items"))
	}
}
