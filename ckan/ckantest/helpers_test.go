package ckantest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"testing"

	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/stretchr/testify/require"
)

// backend names a database configuration every behaviour test runs on.
type backend struct {
	name string
	opts func(t *testing.T) *Options
}

// backends lists SQLite always and PostgreSQL when its URL is set.
func backends() []backend {
	bs := []backend{{name: "sqlite", opts: func(*testing.T) *Options { return nil }}}
	if os.Getenv(testutil.PostgresEnv) != "" {
		bs = append(bs, backend{name: "postgres", opts: func(t *testing.T) *Options {
			return &Options{DSN: testutil.PostgresURL(t)}
		}})
	}
	return bs
}

// bundle is one server with a public dataset, an upload resource, and
// an editor.
type bundle struct {
	s           *Server
	editor      string // editor's token
	stranger    string // token of a user without rights
	datasetID   string
	uploadID    string // url_type "upload"
	datastoreID string // url_type "datastore"
}

func setup(t *testing.T, b backend) *bundle {
	t.Helper()
	s, err := New(b.opts(t))
	require.NoError(t, err)
	t.Cleanup(s.Close)
	bd := &bundle{s: s, editor: s.AddUser("editor", false), stranger: s.AddUser("stranger", false)}
	d, err := s.AddDataset(Dataset{Name: "employees", Editors: []string{"editor"}})
	require.NoError(t, err)
	bd.datasetID = d.ID
	bd.uploadID, err = s.AddResource(Resource{PackageID: d.ID, Name: "employees.csv", URL: "http://x/employees.csv", URLType: "upload", Format: "CSV"})
	require.NoError(t, err)
	bd.datastoreID, err = s.AddResource(Resource{PackageID: d.ID, Name: "table", URLType: "datastore"})
	require.NoError(t, err)
	return bd
}

// answer is a decoded response.
type answer struct {
	status int
	ctype  string
	raw    []byte
	env    map[string]any
}

// errDict returns the envelope's error dict.
func (a answer) errDict(t *testing.T) map[string]any {
	t.Helper()
	e, ok := a.env["error"].(map[string]any)
	require.True(t, ok, "no error dict in %s", a.raw)
	return e
}

// result returns the envelope's result.
func (a answer) result(t *testing.T) map[string]any {
	t.Helper()
	require.Equal(t, http.StatusOK, a.status, "%s", a.raw)
	r, ok := a.env["result"].(map[string]any)
	require.True(t, ok, "result is not an object: %s", a.raw)
	return r
}

func post(t *testing.T, s *Server, action, token string, body any) answer {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	return do(t, s, http.MethodPost, "/api/3/action/"+action, token, b)
}

func do(t *testing.T, s *Server, method, path, token string, body []byte) answer {
	t.Helper()
	req, err := http.NewRequest(method, s.URL()+path, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	a := answer{status: resp.StatusCode, ctype: resp.Header.Get("Content-Type"), raw: raw}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	require.NoError(t, dec.Decode(&v), "%s", raw)
	a.env, _ = v.(map[string]any)
	return a
}

// create makes a table on the datastore resource and returns its id.
func (b *bundle) create(t *testing.T, body map[string]any) string {
	t.Helper()
	if _, ok := body["resource_id"]; !ok {
		body["resource_id"] = b.datastoreID
	}
	a := post(t, b.s, "datastore_create", b.editor, body)
	require.Equal(t, http.StatusOK, a.status, "%s", a.raw)
	return body["resource_id"].(string)
}

// search runs datastore_search and returns the result.
func (b *bundle) search(t *testing.T, body map[string]any) map[string]any {
	t.Helper()
	return post(t, b.s, "datastore_search", "", body).result(t)
}

func num(s string) json.Number { return json.Number(s) }

func jsonBody(t *testing.T, v any) *bytes.Reader {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return bytes.NewReader(b)
}
