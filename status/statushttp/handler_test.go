package statushttp_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/memstatus"
	"github.com/datafactory/datafactory/status/sqlstatus"
	"github.com/datafactory/datafactory/status/statushttp"
	"github.com/stretchr/testify/require"
)

type apiBundle struct {
	store *status.Store
	srv   *httptest.Server
}

func setupAPI(t *testing.T, opts *statushttp.HandlerOptions) *apiBundle {
	t.Helper()
	s := memstatus.New(nil)
	if opts == nil {
		opts = &statushttp.HandlerOptions{}
	}
	opts.Tokens = append(opts.Tokens, testToken)
	srv := httptest.NewServer(statushttp.NewHandler(s, opts))
	t.Cleanup(srv.Close)
	return &apiBundle{store: s, srv: srv}
}

// do sends a request with the test token (unless auth is given) and
// returns the status code and body.
func (b *apiBundle) do(t *testing.T, method, path, body string, auth ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, b.srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	if len(auth) > 0 {
		if auth[0] != "" {
			req.Header.Set("Authorization", auth[0])
		}
	} else {
		req.Header.Set("Authorization", "Bearer "+testToken)
	}
	resp, err := b.srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(raw)
}

func message(t *testing.T, body string) string {
	t.Helper()
	var m struct {
		Message string `json:"message"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &m), body)
	require.NotEmpty(t, m.Message, body)
	return m.Message
}

func TestAuth(t *testing.T) {
	t.Parallel()
	b := setupAPI(t, nil)
	tests := []struct {
		name, auth string
		want       int
	}{
		{"missing", "", http.StatusUnauthorized},
		{"not bearer", "Basic dXNlcjpwYXNz", http.StatusUnauthorized},
		{"empty bearer", "Bearer ", http.StatusUnauthorized},
		{"wrong token", "Bearer nope", http.StatusUnauthorized},
		{"token prefix", "Bearer " + testToken[:5], http.StatusUnauthorized},
		{"upper-case scheme", "BEARER " + testToken, http.StatusNotFound},
		{"right token", "Bearer " + testToken, http.StatusNotFound},
		{"lower-case scheme", "bearer " + testToken, http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, body := b.do(t, http.MethodGet, "/status/unknown", "", tc.auth)
			require.Equal(t, tc.want, code, body)
			message(t, body)
			require.NotContains(t, body, testToken)
		})
	}
}

func TestNoTokensConfiguredRefusesAll(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(statushttp.NewHandler(memstatus.New(nil), nil))
	t.Cleanup(srv.Close)
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/jobs", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer anything")
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	require.Contains(t, resp.Header.Get("WWW-Authenticate"), "Bearer")
}

var traceIDRE = regexp.MustCompile(`^ds-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestStatusAPIFlow(t *testing.T) {
	t.Parallel()
	b := setupAPI(t, nil)
	// POST /status: dataset-uuid ID; stored STARTED/OK whatever the body says.
	code, body := b.do(t, http.MethodPost, "/status", `{"domain":"dataset","domain_id":"ds/1","start_time":"2020-10-10T08:55:01+00:00",
		"end_time":"2020-10-10T08:55:02+00:00","component":"uploader","trace_status":"FINISHED","trace_event_status":"FAILED"}`)
	require.Equal(t, http.StatusOK, code, body)
	var created map[string]string
	require.NoError(t, json.Unmarshal([]byte(body), &created))
	require.Len(t, created, 1)
	id := created["trace_id"]
	require.Regexp(t, traceIDRE, id)

	// POST /status/{id} with legacy names; the body's trace_id is ignored.
	code, body = b.do(t, http.MethodPost, "/status/"+id, `{"id":"other-trace","application":"dataset","application_id":"ds/1",
		"date_started":"2020-10-10T08:56:00+00:00","date_end":"2020-10-10T08:56:30.5+00:00","handler":"validator",
		"run_status":"FINISHED","status":"FAILED","s3path":"raw/ds/1/file.csv","body":{"rows":3},
		"duration":30500.25,"errors":[{"message":{"en":"Invalid value.","nb":"Ugyldig verdi."}}]}`)
	require.Equal(t, http.StatusOK, code, body)
	var stored map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &stored))
	require.Equal(t, id, stored["trace_id"])
	require.Equal(t, "dataset", stored["domain"])
	require.Equal(t, "ds/1", stored["domain_id"])
	require.Equal(t, "validator", stored["component"])
	require.Equal(t, "FINISHED", stored["trace_status"])
	require.Equal(t, "FAILED", stored["trace_event_status"])
	require.Equal(t, "raw/ds/1/file.csv", stored["s3_path"])
	require.Equal(t, "2020-10-10T08:56:00+00:00", stored["start_time"])
	require.Equal(t, "2020-10-10T08:56:30.5+00:00", stored["end_time"])
	require.Equal(t, map[string]any{"rows": 3.0}, stored["status_body"])
	require.InDelta(t, 30500.25, stored["duration"], 0.001)
	require.NotEmpty(t, stored["trace_event_id"])
	for _, legacy := range []string{"id", "application", "handler", "run_status", "status", "s3path", "body", "date_end"} {
		require.NotContains(t, stored, legacy)
	}

	// GET /status/{id}: the array, oldest start first.
	code, body = b.do(t, http.MethodGet, "/status/"+id, "")
	require.Equal(t, http.StatusOK, code, body)
	var evs []map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &evs))
	require.Len(t, evs, 2)
	require.Equal(t, "STARTED", evs[0]["trace_status"])
	require.Equal(t, "OK", evs[0]["trace_event_status"])
	require.Equal(t, "FINISHED", evs[1]["trace_status"])

	sum, err := b.store.Summary(context.Background(), id)
	require.NoError(t, err)
	require.Equal(t, status.Summary{Done: true, TraceID: id, TraceStatus: status.TraceFinished,
		TraceEventStatus: status.EventFailed, Errors: []string{"Invalid value."}}, sum)
}

func TestErrors(t *testing.T) {
	t.Parallel()
	b := setupAPI(t, &statushttp.HandlerOptions{MaxBodyBytes: 1024})
	_, err := b.store.StartTrace(context.Background(), status.Event{TraceID: "known"})
	require.NoError(t, err)
	big := `{"domain":"dataset","component":"` + strings.Repeat("x", 2000) + `"}`
	tests := []struct {
		name, method, path, body string
		code                     int
		msg                      string
	}{
		{"unknown trace", "GET", "/status/unknown", "", 404, "Could not find item: unknown"},
		{"append to unknown trace", "POST", "/status/unknown", `{"component":"c"}`, 404,
			"Could not find the requested item to update: unknown"},
		{"malformed JSON create", "POST", "/status", `{"domain":`, 400, "Invalid JSON"},
		{"malformed JSON append", "POST", "/status/known", `not json`, 400, "Invalid JSON"},
		{"empty body", "POST", "/status/known", ``, 400, "Invalid JSON"},
		{"two JSON values", "POST", "/status/known", `{} {}`, 400, "Invalid JSON"},
		{"bad time", "POST", "/status/known", `{"start_time":"yesterday"}`, 400, "Invalid JSON"},
		{"bad status value", "POST", "/status/known", `{"trace_status":"DONE"}`, 400, "trace_status"},
		{"oversized create", "POST", "/status", big, 413, "larger than 1024 bytes"},
		{"oversized append", "POST", "/status/known", big, 413, "larger than 1024 bytes"},
		{"unknown job", "GET", "/jobs/nope", "", 404, "Could not find job: nope"},
		{"bad limit", "GET", "/jobs?limit=abc", "", 400, "limit"},
		{"limit too large", "GET", "/jobs?limit=100000", "", 400, "limit"},
		{"illegal transition", "POST", "/jobs/j1/transition", `{"status":"DONE"}`, 409, "cannot go from WAITING to DONE"},
		{"heartbeat waiting job", "POST", "/jobs/j1/heartbeat", ``, 409, "not running"},
		{"bad base64", "GET", "/status-from-path/!!!", "", 400, "base64"},
		{"unknown route", "GET", "/nothing", "", 404, "Not found"},
	}
	_, err = b.store.CreateJob(context.Background(), status.Job{ID: "j1", Type: status.JobLoad})
	require.NoError(t, err)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, body := b.do(t, tc.method, tc.path, tc.body)
			require.Equal(t, tc.code, code, body)
			require.Contains(t, message(t, body), tc.msg)
		})
	}
	evs, err := b.store.Events(context.Background(), "known")
	require.NoError(t, err)
	require.Len(t, evs, 1)
}

// TestStatusFromPath looks up paths with 0, 1 and 2 matching events.
func TestStatusFromPath(t *testing.T) {
	t.Parallel()
	b := setupAPI(t, nil)
	ctx := context.Background()
	one, err := b.store.StartTrace(ctx, status.Event{Domain: "dataset", DomainID: "ds", S3Path: "my/path/to/file (2020).xlsx"})
	require.NoError(t, err)
	for _, id := range []string{"a", "b"} {
		_, err := b.store.StartTrace(ctx, status.Event{TraceID: id, S3Path: "twice.csv"})
		require.NoError(t, err)
	}
	enc := base64.StdEncoding.EncodeToString
	tests := []struct {
		name, param string
		code        int
	}{
		{"contract example", "bXkvcGF0aC90by9maWxlICgyMDIwKS54bHN4", 200},
		{"one match", enc([]byte("my/path/to/file (2020).xlsx")), 200},
		{"no match", enc([]byte("missing.csv")), 404},
		{"two matches", enc([]byte("twice.csv")), 404},
		{"invalid utf-8 dropped", enc(append([]byte("my/path/to/file (2020).xlsx"), 0xff)), 200},
		{"base64 with //", enc([]byte("a\xff\xffb")), 404},
		{"escaped slashes", url.PathEscape(enc([]byte("my/path/to/file (2020).xlsx"))), 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, body := b.do(t, http.MethodGet, "/status-from-path/"+tc.param, "")
			require.Equal(t, tc.code, code, body)
			if tc.code != 200 {
				require.Equal(t, "Could not find item", message(t, body))
				return
			}
			var got map[string]string
			require.NoError(t, json.Unmarshal([]byte(body), &got))
			require.Equal(t, map[string]string{"id": one.TraceID, "trace_id": one.TraceID}, got)
		})
	}
}

// TestAuthorize applies a status-api-like rule: only dataset traces, and
// only the dataset the token is for.
func TestAuthorize(t *testing.T) {
	t.Parallel()
	b := setupAPI(t, &statushttp.HandlerOptions{Authorize: func(_ context.Context, token, dataset string) bool {
		return token == testToken && dataset == "ds"
	}})
	ctx := context.Background()
	_, err := b.store.StartTrace(ctx, status.Event{TraceID: "mine", Domain: "dataset", DomainID: "ds/1"})
	require.NoError(t, err)
	_, err = b.store.StartTrace(ctx, status.Event{TraceID: "pipeline", Domain: "pipeline", DomainID: "p"})
	require.NoError(t, err)
	tests := []struct {
		name, method, path, body string
		code                     int
	}{
		{"own dataset", "GET", "/status/mine", "", 200},
		{"not a dataset trace", "GET", "/status/pipeline", "", 403},
		{"append to other", "POST", "/status/pipeline", `{"component":"c"}`, 403},
		{"create other dataset", "POST", "/status", `{"domain":"dataset","domain_id":"other/1"}`, 403},
		{"create own dataset", "POST", "/status", `{"domain":"dataset","domain_id":"ds/2"}`, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, body := b.do(t, tc.method, tc.path, tc.body)
			require.Equal(t, tc.code, code, body)
		})
	}
}

// TestOversizedChunkedBody: a body without Content-Length is cut off at
// the limit and answered with 413.
func TestOversizedChunkedBody(t *testing.T) {
	t.Parallel()
	b := setupAPI(t, &statushttp.HandlerOptions{MaxBodyBytes: 512})
	body := io.MultiReader(strings.NewReader(`{"component":"`), strings.NewReader(strings.Repeat("y", 4096)), strings.NewReader(`"}`))
	req, err := http.NewRequest(http.MethodPost, b.srv.URL+"/status", body)
	require.NoError(t, err)
	require.Zero(t, req.ContentLength) // unknown length: sent chunked
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := b.srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, string(raw))
	require.Contains(t, message(t, string(raw)), "larger than 512 bytes")
}

// TestClientErrors: the client maps API errors to the store's sentinels
// and keeps the *APIError reachable; a wrong token is an APIError 401.
func TestClientErrors(t *testing.T) {
	t.Parallel()
	b := setupAPI(t, nil)
	ctx := context.Background()
	good, err := statushttp.NewClient(b.srv.URL, &statushttp.ClientOptions{Token: testToken})
	require.NoError(t, err)
	_, err = good.AddEvent(ctx, status.Event{TraceID: "nope"})
	require.ErrorIs(t, err, status.ErrNotFound)
	var ae *statushttp.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, http.StatusNotFound, ae.StatusCode)
	require.Equal(t, "Could not find the requested item to update: nope", ae.Message)

	bad, err := statushttp.NewClient(b.srv.URL, &statushttp.ClientOptions{Token: "wrong"})
	require.NoError(t, err)
	_, err = bad.StartTrace(ctx, status.Event{})
	require.ErrorAs(t, err, &ae)
	require.Equal(t, http.StatusUnauthorized, ae.StatusCode)
	require.NotContains(t, err.Error(), "wrong")

	_, err = statushttp.NewClient("ftp://example.org", nil)
	require.Error(t, err)
}

// TestConflictMessagesHideBackend: a duplicate ID answers 409 without the
// database's own error text.
func TestConflictMessagesHideBackend(t *testing.T) {
	t.Parallel()
	s, err := sqlstatus.Open(context.Background(), "sqlite://"+filepath.Join(t.TempDir(), "s.db"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	srv := httptest.NewServer(statushttp.NewHandler(s, &statushttp.HandlerOptions{Tokens: []string{testToken}}))
	t.Cleanup(srv.Close)
	b := &apiBundle{store: s, srv: srv}
	for i, want := range []int{http.StatusOK, http.StatusConflict} {
		code, body := b.do(t, http.MethodPost, "/status", `{"trace_id":"dup"}`)
		require.Equal(t, want, code, "attempt %d: %s", i, body)
		if code == http.StatusConflict {
			require.Equal(t, "start trace dup: already exists", message(t, body))
		}
	}
}
