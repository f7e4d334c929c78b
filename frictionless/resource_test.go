package frictionless

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// countRows opens a resource and counts valid rows and row errors.
func countRows(t *testing.T, r *Resource, opts *ReadOptions) (int, int) {
	t.Helper()
	rd, err := r.Open(context.Background(), opts)
	require.NoError(t, err)
	defer func() { require.NoError(t, rd.Close()) }()
	rows, errs := readAll(t, rd)
	return len(rows), len(errs)
}

func TestResourceOpenFiles(t *testing.T) {
	t.Parallel()
	p, err := LoadPackage(context.Background(), "testdata/datapackage.json")
	require.NoError(t, err)
	for _, tc := range []struct {
		name          string
		valid, errors int
	}{
		{"departments", 12, 0},
		{"jobs", 183, 0},
		{"employees", 1929, 70},
	} {
		valid, errs := countRows(t, p.Resource(tc.name), nil)
		require.Equal(t, tc.valid, valid, tc.name)
		require.Equal(t, tc.errors, errs, tc.name)
	}
}

func TestResourceOpenURL(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.FileServer(http.Dir("testdata")))
	defer srv.Close()
	ctx := context.Background()
	p, err := LoadPackage(ctx, srv.URL+"/datapackage.json")
	require.NoError(t, err)
	require.Equal(t, srv.URL+"/", p.Resources[0].BasePath)
	valid, errs := countRows(t, p.Resource("employees"), &ReadOptions{HTTPClient: srv.Client()})
	require.Equal(t, 1929, valid)
	require.Equal(t, 70, errs)

	s, err := LoadSchema(ctx, srv.URL+"/employees.schema.json")
	require.NoError(t, err)
	require.Len(t, s.Fields, 5)
	_, err = LoadSchema(ctx, srv.URL+"/missing.json?token=secret")
	require.EqualError(t, err, "frictionless: GET "+srv.URL+"/missing.json?...: 404 Not Found")
	require.NotContains(t, err.Error(), "secret")

	res := &Resource{Name: "x", Path: srv.URL + "/nope.csv", Schema: employeesSchema()}
	_, err = res.Open(ctx, nil)
	require.NoError(t, err, "the source opens lazily")
	rd, err := res.Open(ctx, nil)
	require.NoError(t, err)
	_, err = rd.Read()
	require.ErrorContains(t, err, "404 Not Found")
}

func TestLoadResource(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir+"/people.csv", "id;name\n1;Ada\n")
	writeFile(t, dir+"/schema.json", `{"fields":[{"name":"id","type":"integer"},{"name":"name"}]}`)
	writeFile(t, dir+"/dialect.json", `{"delimiter":";"}`)
	writeFile(t, dir+"/resource.json", `{"name":"people","path":"people.csv","schema":"schema.json","dialect":"dialect.json"}`)
	res, err := LoadResource(context.Background(), dir+"/resource.json")
	require.NoError(t, err)
	rd, err := res.Open(context.Background(), nil)
	require.NoError(t, err)
	rows, errs := readAll(t, rd)
	require.Empty(t, errs)
	require.Equal(t, []Row{{int64(1), "Ada"}}, rows)
	var out strings.Builder
	require.NoError(t, res.Write(&out))
	require.JSONEq(t, `{"name":"people","path":"people.csv","schema":"schema.json","dialect":"dialect.json"}`, out.String())
}

func TestResourceOpenVariants(t *testing.T) {
	t.Parallel()
	s := &Schema{Fields: []Field{{Name: "id", Type: TypeInteger}, {Name: "at", Type: TypeDate}}}
	day := time.Date(2021, 1, 2, 0, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	writeFile(t, dir+"/a.csv", "id,at\n1,2021-01-02")
	writeFile(t, dir+"/b.csv", "2,2021-01-02\n")
	writeFile(t, dir+"/c.tsv", "id\tat\n3\t2021-01-02\n")
	tests := []struct {
		name string
		res  Resource
		want []Row
	}{
		{"inline arrays", Resource{Data: json.RawMessage(`[["at","id"],["2021-01-02",1],[null,2]]`)}, []Row{{int64(1), day}, {int64(2), nil}}},
		{"inline objects", Resource{Data: json.RawMessage(`[{"id":1,"at":"2021-01-02","x":true},{"id":2}]`)}, []Row{{int64(1), day}, {int64(2), nil}}},
		{"multipart", Resource{Paths: []string{"a.csv", "b.csv"}, BasePath: dir}, []Row{{int64(1), day}, {int64(2), day}}},
		{"tsv", Resource{Path: "c.tsv", Format: "tsv", BasePath: dir}, []Row{{int64(3), day}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.res.Name, tc.res.Schema = "r", s
			rd, err := tc.res.Open(context.Background(), nil)
			require.NoError(t, err)
			rows, errs := readAll(t, rd)
			require.Empty(t, errs)
			require.Equal(t, tc.want, rows)
		})
	}
}

func TestResourceOpenCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	res := &Resource{Name: "employees", Path: "testdata/employees.csv", Dialect: noHeader(), Schema: employeesSchema()}
	rd, err := res.Open(ctx, nil)
	require.NoError(t, err)
	defer rd.Close()
	_, err = rd.Read()
	require.NoError(t, err)
	cancel()
	for err == nil || errors.As(err, new(*RowError)) {
		_, err = rd.Read()
	}
	require.ErrorIs(t, err, context.Canceled, "the 64 KiB buffer ends before the file does")
}

func TestResourceOpenErrors(t *testing.T) {
	t.Parallel()
	s := &Schema{Fields: []Field{{Name: "id"}}}
	ctx := context.Background()
	tests := []struct {
		name string
		res  Resource
		is   error
		msg  string
	}{
		{"no data", Resource{Name: "r", Schema: s}, ErrNoData, `frictionless: resource "r": no path and no inline data`},
		{"no schema", Resource{Name: "r", Path: "x.csv"}, ErrInvalidDescriptor, `schema: resource "r" has no schema`},
		{"format", Resource{Name: "r", Path: "x.xlsx", Format: "xlsx", Schema: s}, errors.ErrUnsupported, `frictionless: resource "r": format "xlsx": unsupported operation`},
		{"inline not array", Resource{Name: "r", Data: json.RawMessage(`{}`), Schema: s}, ErrInvalidDescriptor, `frictionless: resource "r": data: must be an array`},
		{"inline row", Resource{Name: "r", Data: json.RawMessage(`[1]`), Schema: s}, ErrInvalidDescriptor, `frictionless: resource "r": data[0]: must be an array or an object`},
		{"bad schema", Resource{Name: "r", Path: "x.csv", Schema: &Schema{Fields: []Field{{}}}}, ErrInvalidDescriptor, `fields[0].name: is required`},
		{"schema path", Resource{Name: "r", Path: "x.csv", SchemaPath: "none.json", BasePath: t.TempDir()}, nil, ``},
		{"dialect path", Resource{Name: "r", Path: "x.csv", Schema: s, DialectPath: "none.json", BasePath: t.TempDir()}, nil, ``},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := tc.res.Open(ctx, nil)
			require.Error(t, err)
			if tc.is != nil {
				require.ErrorIs(t, err, tc.is)
			}
			if tc.msg != "" {
				require.EqualError(t, err, tc.msg)
			} else {
				require.ErrorContains(t, err, "no such file or directory")
			}
		})
	}
}
