package ingesthttp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/ingesthttp"
	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/stretchr/testify/require"
)

const token = "test-token-123"

// employeesSchema is the data dictionary of the data-architecture employees
// table: every field required.
func employeesSchema() *frictionless.Schema {
	req := frictionless.Constraints{Required: true}
	return &frictionless.Schema{
		Fields: []frictionless.Field{
			{Name: "id", Type: frictionless.TypeInteger, Constraints: req},
			{Name: "name", Type: frictionless.TypeString, Constraints: req},
			{Name: "datetime", Type: frictionless.TypeDateTime, Constraints: req},
			{Name: "department_id", Type: frictionless.TypeInteger, Constraints: req},
			{Name: "job_id", Type: frictionless.TypeInteger, Constraints: req},
		},
		PrimaryKey: []string{"id"},
	}
}

// bundle is a served handler over a fresh store.
type bundle struct {
	srv   *httptest.Server
	store *datastore.Store
}

func sqliteURL(t *testing.T) string { return "sqlite://" + filepath.Join(t.TempDir(), "t.db") }

func setup(t *testing.T, dbURL string, opts *ingesthttp.Options) *bundle {
	t.Helper()
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, dbURL, nil)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	require.NoError(t, s.CreateTable(ctx, "employees", employeesSchema()))
	o := ingesthttp.Options{Token: token, Tables: map[string]*frictionless.Schema{"employees": employeesSchema()}}
	if opts != nil {
		o = *opts
	}
	h, err := ingesthttp.New(ctx, s, &o)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &bundle{srv: srv, store: s}
}

// do sends a request and decodes a JSON answer into out (when not nil).
func (b *bundle) do(t *testing.T, method, path, ctype string, body []byte, tok string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, b.srv.URL+path, bytes.NewReader(body))
	require.NoError(t, err)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if out != nil {
		require.NoError(t, json.Unmarshal(data, out), string(data))
	}
	return resp.StatusCode
}

func (b *bundle) count(t *testing.T, table string) int {
	n := 0
	_, err := b.store.ReadRows(context.Background(), table, func(frictionless.Row) error { n++; return nil })
	require.NoError(t, err)
	return n
}

func TestIngestDatabases(t *testing.T) {
	t.Parallel()
	for _, db := range []struct {
		name string
		url  func(t *testing.T) string
	}{{"sqlite", sqliteURL}, {"postgres", func(t *testing.T) string { return testutil.PostgresURL(t) }}, {"mysql", func(t *testing.T) string { return testutil.MySQLURL(t) }}} {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, db.url(t), nil)
			body := `[{"id": 1, "name": "Ada", "datetime": "2021-03-01T10:00:00Z", "department_id": 8, "job_id": 80},
			          {"id": 2, "name": "Grace", "datetime": "2021-04-01T10:00:00Z", "department_id": 2, "job_id": 3},
			          {"id": 2000, "name": "Duncan Greg Hoe", "datetime": "2027-08-29T00:0:1Z", "department_id": 8, "job_id": 80}]`
			var resp ingesthttp.RowsResponse
			code := b.do(t, "POST", "/v1/tables/employees/rows", "application/json", []byte(body), token, &resp)
			require.Equal(t, http.StatusOK, code)
			require.Equal(t, 3, resp.Received)
			require.Equal(t, 2, resp.Inserted)
			require.Equal(t, 1, resp.Rejected)
			require.Equal(t, 3, resp.Rows[2].Row)
			require.False(t, resp.Rows[2].Inserted)
			require.Equal(t, "datetime", resp.Rows[2].Field)
			require.Contains(t, resp.Rows[2].Reason, "cannot cast")
			require.Equal(t, 2, b.count(t, "employees"))
			require.Equal(t, 1, b.count(t, "employees__rejects"))

			var row map[string]any
			require.Equal(t, http.StatusOK, b.do(t, "GET", "/v1/tables/employees/rows/2", "", nil, token, &row))
			require.Equal(t, "Grace", row["name"])
			require.EqualValues(t, 3, row["job_id"])
			require.Equal(t, http.StatusNotFound, b.do(t, "GET", "/v1/tables/employees/rows/2000", "", nil, token, nil))

			// a duplicate key is refused by the database and reported, the rest written
			body = `[{"id": 2, "name": "Again", "datetime": "2021-04-01T10:00:00Z", "department_id": 2, "job_id": 3},
			         {"id": 3, "name": "Linus", "datetime": "2021-05-01T10:00:00Z", "department_id": 2, "job_id": 3}]`
			resp = ingesthttp.RowsResponse{}
			require.Equal(t, http.StatusOK, b.do(t, "POST", "/v1/tables/employees/rows", "application/json", []byte(body), token, &resp))
			require.Equal(t, 1, resp.Inserted)
			require.False(t, resp.Rows[0].Inserted)
			require.NotEmpty(t, resp.Rows[0].Reason)
			require.Equal(t, 3, b.count(t, "employees"))
		})
	}
}

func TestIngestCSV(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		ctype    string
		body     string
		code     int
		inserted int
		field    string
	}{
		{"header", "text/csv", "id,name,datetime,department_id,job_id\r\n1,Ada,2021-03-01T10:00:00Z,8,80\r\n", http.StatusCreated, 1, ""},
		{"header absent, bad record", "text/csv; header=absent", "2000,Duncan Greg Hoe,2027-08-29T00:0:1Z,8,80", http.StatusUnprocessableEntity, 0, "datetime"},
		{"missing value", "text/csv; header=absent", "1,Ada,2021-03-01T10:00:00Z,,80\n2,Bob,2021-03-01T10:00:00Z,1,2", http.StatusOK, 1, "department_id"},
		{"wrong cell count", "text/csv; header=absent", "1,Ada\n", http.StatusUnprocessableEntity, 0, ""},
		{"unknown header column", "text/csv", "id,nope\n1,2\n", http.StatusBadRequest, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, sqliteURL(t), nil)
			var resp ingesthttp.RowsResponse
			code := b.do(t, "POST", "/v1/tables/employees/rows", tt.ctype, []byte(tt.body), token, &resp)
			require.Equal(t, tt.code, code)
			if code == http.StatusBadRequest {
				return
			}
			require.Equal(t, tt.inserted, resp.Inserted)
			require.Equal(t, tt.inserted, b.count(t, "employees"))
			if tt.field != "" {
				require.Equal(t, tt.field, resp.Rows[0].Field)
			}
			if resp.Rejected > 0 {
				require.Equal(t, resp.Rejected, b.count(t, "employees__rejects"))
			}
		})
	}
}

func rowsJSON(n int) []byte {
	var sb strings.Builder
	sb.WriteString("[")
	for i := 1; i <= n; i++ {
		if i > 1 {
			sb.WriteString(",")
		}
		fmt.Fprintf(&sb, `{"id":%d,"name":"n%d","datetime":"2021-03-01T10:00:00Z","department_id":1,"job_id":1}`, i, i)
	}
	sb.WriteString("]")
	return []byte(sb.String())
}

func TestIngestErrors(t *testing.T) {
	t.Parallel()
	b := setup(t, sqliteURL(t), nil)
	small := setup(t, sqliteURL(t), &ingesthttp.Options{Token: token, MaxBodyBytes: 100})
	tests := []struct {
		name   string
		b      *bundle
		method string
		path   string
		ctype  string
		body   []byte
		tok    string
		code   int
	}{
		{"no token", b, "POST", "/v1/tables/employees/rows", "application/json", rowsJSON(1), "", http.StatusUnauthorized},
		{"wrong token", b, "POST", "/v1/tables/employees/rows", "application/json", rowsJSON(1), "nope", http.StatusUnauthorized},
		{"zero rows", b, "POST", "/v1/tables/employees/rows", "application/json", []byte("[]"), token, http.StatusBadRequest},
		{"1001 rows", b, "POST", "/v1/tables/employees/rows", "application/json", rowsJSON(1001), token, http.StatusRequestEntityTooLarge},
		{"bad JSON", b, "POST", "/v1/tables/employees/rows", "application/json", []byte(`[{"id": 1,`), token, http.StatusBadRequest},
		{"not an array", b, "POST", "/v1/tables/employees/rows", "application/json", []byte(`{"id": 1}`), token, http.StatusBadRequest},
		{"array of numbers", b, "POST", "/v1/tables/employees/rows", "application/json", []byte(`[1, 2]`), token, http.StatusBadRequest},
		{"oversized body", small, "POST", "/v1/tables/employees/rows", "application/json", rowsJSON(5), token, http.StatusRequestEntityTooLarge},
		{"unknown table", b, "POST", "/v1/tables/nope/rows", "application/json", rowsJSON(1), token, http.StatusNotFound},
		{"rejects table is not served", b, "POST", "/v1/tables/employees__rejects/rows", "application/json", rowsJSON(1), token, http.StatusNotFound},
		{"content type", b, "POST", "/v1/tables/employees/rows", "application/xml", []byte("<a/>"), token, http.StatusUnsupportedMediaType},
		{"bad id", b, "GET", "/v1/tables/employees/rows/abc", "", nil, token, http.StatusBadRequest},
		{"unknown table get", b, "GET", "/v1/tables/nope/rows/1", "", nil, token, http.StatusNotFound},
		{"1000 rows", b, "POST", "/v1/tables/employees/rows", "application/json", rowsJSON(1000), token, http.StatusCreated},
	}
	for _, tt := range tests {
		var msg map[string]any
		code := tt.b.do(t, tt.method, tt.path, tt.ctype, tt.body, tt.tok, &msg)
		require.Equal(t, tt.code, code, "%s: %v", tt.name, msg)
		if code >= 400 {
			require.NotEmpty(t, msg["message"], tt.name)
		}
	}
	require.Equal(t, 1000, b.count(t, "employees"))
}

func TestNewChecksTables(t *testing.T) {
	t.Parallel()
	s, err := sqlstore.Open(context.Background(), sqliteURL(t), nil)
	require.NoError(t, err)
	defer s.Close()
	_, err = ingesthttp.New(context.Background(), s, &ingesthttp.Options{Tables: map[string]*frictionless.Schema{"missing": employeesSchema()}})
	require.ErrorIs(t, err, datastore.ErrNotFound)
	// without registered tables every existing table is served with its described schema
	require.NoError(t, s.CreateTable(context.Background(), "employees", employeesSchema()))
	h, err := ingesthttp.New(context.Background(), s, nil)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	defer srv.Close()
	b := &bundle{srv: srv, store: s}
	require.Equal(t, http.StatusCreated, b.do(t, "POST", "/v1/tables/employees/rows", "application/json", rowsJSON(3), "", nil))
	var tbl map[string]any
	require.Equal(t, http.StatusOK, b.do(t, "GET", "/v1/tables/employees", "", nil, "", &tbl))
	require.Equal(t, "employees", tbl["table"])
}
