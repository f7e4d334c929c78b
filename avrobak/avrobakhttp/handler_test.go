package avrobakhttp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/datafactory/datafactory/avrobak"
	"github.com/datafactory/datafactory/avrobak/avrobakhttp"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/storage"
	"github.com/stretchr/testify/require"
)

func peopleSchema() *frictionless.Schema {
	return &frictionless.Schema{Fields: []frictionless.Field{
		{Name: "id", Type: frictionless.TypeInteger}, {Name: "name", Type: frictionless.TypeString}}}
}

// bundle is a served handler over a SQLite store with a table "people"
// of 3 rows and a mem:// bucket.
type bundle struct {
	srv    *httptest.Server
	store  *datastore.Store
	bucket *storage.Bucket
	logs   *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func setup(t *testing.T, withBucket bool) *bundle {
	t.Helper()
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "t.db"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	require.NoError(t, s.CreateTable(ctx, "people", peopleSchema()))
	insert(t, s, "1,a\n2,b\n3,c\n")
	b := &bundle{store: s, logs: &syncBuffer{}}
	opts := &avrobakhttp.Options{Logger: slog.New(slog.NewTextHandler(b.logs, nil))}
	if withBucket {
		b.bucket, err = storage.Open(ctx, "mem://")
		require.NoError(t, err)
		t.Cleanup(func() { b.bucket.Close() })
		opts.Bucket = b.bucket
	}
	h, err := avrobakhttp.New(s, opts)
	require.NoError(t, err)
	mux := http.NewServeMux()
	for _, p := range avrobakhttp.Patterns {
		mux.Handle(p, h)
	}
	b.srv = httptest.NewServer(mux)
	t.Cleanup(b.srv.Close)
	return b
}

func (b *bundle) post(t *testing.T, path, ctype string, body []byte, out any) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.srv.URL+path, bytes.NewReader(body))
	require.NoError(t, err)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if out != nil && resp.StatusCode < 300 {
		require.NoError(t, json.Unmarshal(data, out))
	}
	return resp.StatusCode, data
}

func (b *bundle) count(t *testing.T) int {
	t.Helper()
	n := 0
	_, err := b.store.ReadRows(context.Background(), "people", func(frictionless.Row) error { n++; return nil })
	require.NoError(t, err)
	return n
}

// insert appends CSV rows (id,name) to people.
func insert(t *testing.T, s *datastore.Store, csv string) {
	t.Helper()
	r, err := frictionless.NewReader(strings.NewReader("id,name\n"+csv), peopleSchema(), nil)
	require.NoError(t, err)
	_, err = datastore.Load(context.Background(), s, "people", r, nil)
	require.NoError(t, err)
}

func TestBackupRestoreBucket(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	var bk avrobakhttp.BackupResponse
	code, _ := b.post(t, "/v1/tables/people/backup", "", nil, &bk)
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "backups/people.avro", bk.Key)
	require.EqualValues(t, 3, bk.Rows)
	code, _ = b.post(t, "/v1/tables/people/backup?key=people/2024.avro", "", nil, &bk)
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "backups/people/2024.avro", bk.Key)

	insert(t, b.store, "4,d\n")
	var rs avrobakhttp.RestoreResponse
	code, _ = b.post(t, "/v1/tables/people/restore?key=people/2024.avro", "", nil, &rs)
	require.Equal(t, http.StatusOK, code)
	require.EqualValues(t, 3, rs.Rows)
	require.Equal(t, 3, b.count(t))
	code, _ = b.post(t, "/v1/tables/people/restore?key=people.nope.avro", "", nil, nil)
	require.Equal(t, http.StatusNotFound, code)
	code, _ = b.post(t, "/v1/tables/nope/backup", "", nil, nil)
	require.Equal(t, http.StatusNotFound, code)
}

func TestBackupRestoreBody(t *testing.T) {
	t.Parallel()
	b := setup(t, false)
	code, file := b.post(t, "/v1/tables/people/backup", "", nil, nil)
	require.Equal(t, http.StatusOK, code)
	insert(t, b.store, "4,d\n")
	var rs avrobakhttp.RestoreResponse
	code, _ = b.post(t, "/v1/tables/people/restore", avrobak.ContentType, file, &rs)
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, 3, b.count(t))
	code, _ = b.post(t, "/v1/tables/people/restore", avrobak.ContentType, file[:len(file)/2], nil)
	require.Equal(t, http.StatusUnprocessableEntity, code)
	require.Equal(t, 3, b.count(t))
	code, _ = b.post(t, "/v1/tables/people/restore", "", nil, nil)
	require.Equal(t, http.StatusBadRequest, code)
}

// TestBadKeys: every key that would leave the table's names under
// backups/ is 400, for backup and restore, and nothing is written.
func TestBadKeys(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	keys := []struct{ name, key string }{
		{"dot-dot", "../x"},
		{"dot-dot inside", "people/../../load/r1/_run/run.json"},
		{"absolute", "/etc/passwd"},
		{"absolute under table", "/people.avro"},
		{"NUL", "people/a\x00b"},
		{"control char", "people/a\nb"},
		{"backslash", `people\..\x`},
		{"empty segment", "people//x"},
		{"trailing slash", "people/"},
		{"too long", "people/" + strings.Repeat("a", 1100)},
		{"another table", "other.avro"},
		{"run record", "load/r1/_run/run.json"},
		{"scheduler state", "_scheduler/state.json"},
		{"table prefix only", "peoplex.avro"},
	}
	for _, tt := range keys {
		for _, op := range []string{"backup", "restore"} {
			code, body := b.post(t, "/v1/tables/people/"+op+"?key="+url.QueryEscape(tt.key), "", nil, nil)
			require.Equal(t, http.StatusBadRequest, code, "%s %s: %s", op, tt.name, body)
			require.Contains(t, string(body), "key", tt.name)
		}
	}
	objs, err := b.bucket.ListAll(context.Background(), "")
	require.NoError(t, err)
	require.Empty(t, objs)
}

// TestRunRecordNotOverwritten: a run record in the bucket survives every
// attempt to write over it through the routes.
func TestRunRecordNotOverwritten(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	ctx := context.Background()
	const record = "load/r1/_run/run.json"
	require.NoError(t, b.bucket.WriteAll(ctx, record, []byte(`{"run":"r1"}`), nil))
	for _, k := range []string{record, "../" + record, "people/../../" + record, "/" + record} {
		code, _ := b.post(t, "/v1/tables/people/backup?key="+url.QueryEscape(k), "", nil, nil)
		require.Equal(t, http.StatusBadRequest, code, k)
	}
	// a valid key lands under backups/, never on the record
	var bk avrobakhttp.BackupResponse
	code, _ := b.post(t, "/v1/tables/people/backup?key="+url.QueryEscape("people/"+record), "", nil, &bk)
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "backups/people/"+record, bk.Key)
	got, err := b.bucket.ReadAll(ctx, record)
	require.NoError(t, err)
	require.JSONEq(t, `{"run":"r1"}`, string(got))
}

// TestServerErrorLogged: a 5xx is logged with its cause and the request id
// the response names; the id a client sent is not trusted.
func TestServerErrorLogged(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	require.NoError(t, b.bucket.Close())
	req, err := http.NewRequest(http.MethodPost, b.srv.URL+"/v1/tables/people/backup", nil)
	require.NoError(t, err)
	req.Header.Set("X-Request-Id", "req-123")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	id := resp.Header.Get("X-Request-Id")
	require.NotEmpty(t, id)
	require.NotEqual(t, "req-123", id)
	require.Contains(t, b.logs.String(), "request_id="+id)
	require.NotContains(t, b.logs.String(), "req-123")
	require.Contains(t, b.logs.String(), "status=500")
	require.Contains(t, b.logs.String(), "Bucket has been closed")
}

func TestNewRefusesBadPrefix(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"../", "/abs/", "noslash", "a//"} {
		_, err := avrobakhttp.New(nil, &avrobakhttp.Options{Prefix: p})
		require.Error(t, err, p)
	}
}
