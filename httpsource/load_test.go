package httpsource_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/httpsource"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/stretchr/testify/require"
)

// companyAPI serves data-flow style pages of companies with flat Django
// keys, empty values and "None"; page failAt (when set) answers 500.
type companyAPI struct {
	pages  int
	failAt atomic.Int32
}

func (a *companyAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var k int
	_, _ = fmt.Sscan(r.URL.Query().Get("page"), &k)
	k = max(k, 1)
	if int(a.failAt.Load()) == k {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	next := "null"
	if k < a.pages {
		next = fmt.Sprintf(`"/companies?page=%d"`, k+1)
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"next": %s, "results": [
		{"id": %d, "company__name": "Acme %d", "turnover": 1234567890.123456789, "sector": "", "extra": 1},
		{"id": %d, "company__name": "None", "turnover": "0.10", "sector": "Energy"},
		{"id": %d, "company__name": "Bad %d", "turnover": "lots", "sector": "None"}]}`,
		next, 3*k-2, k, 3*k-1, 3*k, k)
}

func companySchema() *frictionless.Schema {
	return &frictionless.Schema{Fields: []frictionless.Field{
		{Name: "id", Type: frictionless.TypeInteger},
		{Name: "name", Type: frictionless.TypeString},
		{Name: "turnover", Type: frictionless.TypeNumber, Precision: 20, Scale: 9}, // exact
		{Name: "sector", Type: frictionless.TypeString},
	}, PrimaryKey: []string{"id"}}
}

var companyMapping = []httpsource.FieldMap{{Source: "company__name", Column: "name"}}

func loadCompanies(ctx context.Context, store *datastore.Store, url string, mode datastore.Mode) (*datastore.LoadReport, error) {
	src, err := httpsource.New(url, &httpsource.Options{Auth: httpsource.Bearer{Token: token},
		RetryMax: 1, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
	if err != nil {
		return nil, err
	}
	rows, err := src.Rows(ctx, companySchema(), &httpsource.RowOptions{Mapping: companyMapping})
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return datastore.Load(ctx, store, "companies", rows, &datastore.LoadOptions{Mode: mode})
}

func readTable(t *testing.T, store *datastore.Store, table string) [][]string {
	t.Helper()
	var out [][]string
	_, err := store.ReadRows(context.Background(), table, func(r frictionless.Row) error {
		cells := make([]string, len(r))
		for i, v := range r {
			cells[i] = fmt.Sprint(v)
		}
		out = append(out, cells)
		return nil
	})
	require.NoError(t, err)
	return out
}

// TestLoadReplaceKeepsOldRowsOnFailure loads an API into a table, then
// replaces it from an API that fails mid-way: the table keeps its rows.
func TestLoadReplaceKeepsOldRowsOnFailure(t *testing.T) {
	t.Parallel()
	for _, db := range []struct {
		name string
		url  func(t *testing.T) string
		// tenth is 0.10 as read back: SQLite keeps the text sent,
		// PostgreSQL's numeric(20,9) pads it to the column's scale.
		tenth string
	}{
		{"sqlite", func(t *testing.T) string {
			return "sqlite://" + filepath.ToSlash(filepath.Join(t.TempDir(), "db.sqlite"))
		}, "0.10"},
		{"postgres", func(t *testing.T) string { return testutil.PostgresURL(t) }, "0.100000000"},
	} {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			store, err := sqlstore.Open(ctx, db.url(t), nil)
			require.NoError(t, err)
			defer store.Close()
			api := &companyAPI{pages: 4}
			srv := (&testAPI{}).startHandler(t, api)

			rep, err := loadCompanies(ctx, store, srv.URL+"/companies", datastore.ModeReplace)
			require.NoError(t, err)
			require.EqualValues(t, 12, rep.Read)
			require.EqualValues(t, 8, rep.Written)
			require.EqualValues(t, 4, rep.Rejected, "turnover \"lots\" is not a number")
			require.Equal(t, rep.Read, rep.Written+rep.Rejected)
			require.Equal(t, "turnover", rep.Rejects[0].Field)
			before := readTable(t, store, "companies")
			require.Len(t, before, 8)
			require.Contains(t, before, []string{"1", "Acme 1", "1234567890.123456789", "<nil>"}, "exact number; \"\" is NULL")
			require.Contains(t, before, []string{"2", "<nil>", db.tenth, "Energy"}, "\"None\" is NULL")

			api.pages = 6
			api.failAt.Store(3)
			_, err = loadCompanies(ctx, store, srv.URL+"/companies", datastore.ModeReplace)
			require.ErrorIs(t, err, httpsource.ErrStatus)
			require.ErrorContains(t, err, "page 3 ("+srv.URL+"/companies?page=3)")
			require.NotContains(t, err.Error(), token)
			require.Equal(t, before, readTable(t, store, "companies"), "the target keeps its old rows")

			api.failAt.Store(0)
			rep, err = loadCompanies(ctx, store, srv.URL+"/companies", datastore.ModeReplace)
			require.NoError(t, err)
			require.EqualValues(t, 12, rep.Written)
			require.Len(t, readTable(t, store, "companies"), 12)

			api.pages = 7
			rep, err = loadCompanies(ctx, store, srv.URL+"/companies", datastore.ModeUpsert)
			require.NoError(t, err)
			require.EqualValues(t, 14, rep.Written)
			require.Len(t, readTable(t, store, "companies"), 14)
		})
	}
}

func TestRowsMappingErrors(t *testing.T) {
	t.Parallel()
	src, err := httpsource.New("http://example.test/", nil)
	require.NoError(t, err)
	for _, m := range [][]httpsource.FieldMap{
		{{Source: "a", Column: "nope"}},
		{{Source: "a", Column: "name"}, {Source: "b", Column: "name"}},
		{{Source: "", Column: "name"}},
	} {
		_, err := src.Rows(context.Background(), companySchema(), &httpsource.RowOptions{Mapping: m})
		require.ErrorIs(t, err, httpsource.ErrInvalidOptions)
	}
	_, err = src.Rows(context.Background(), nil, nil)
	require.Error(t, err)
}
