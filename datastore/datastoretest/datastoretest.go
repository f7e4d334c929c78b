// Package datastoretest is the conformance suite that every datastore
// backend runs: call [RunConformanceTests] from the backend's tests with a
// [HarnessMaker]. It checks that every Table Schema type round-trips (NULLs,
// unicode, int64 extremes, exact decimals, timestamps with microseconds and
// zones, JSON), every load mode, rejects and their sinks, schema drift,
// atomic replace (also with a view over the table), every failure path
// (nothing written, no staging table left), ingest, and identifier safety.
package datastoretest

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// Harness gives the suite fresh stores on one backend and the few things
// the portable API does not do.
type Harness interface {
	// MakeStore returns a store on a fresh, empty database (or schema). The
	// harness closes it in Close.
	MakeStore(ctx context.Context) (*datastore.Store, error)
	// ListTables lists the tables of the store's database, so the suite can
	// check that no staging table is left behind.
	ListTables(ctx context.Context, s *datastore.Store) ([]string, error)
	// CreateView creates a view called view that selects every column of
	// table. An error matching errors.ErrUnsupported skips the view tests.
	CreateView(ctx context.Context, s *datastore.Store, view, table string) error
	// CountRows counts the rows of a table or view.
	CountRows(ctx context.Context, s *datastore.Store, name string) (int, error)
	// Close releases what the harness made.
	Close()
}

// HarnessMaker makes a harness for one test.
type HarnessMaker func(ctx context.Context, t *testing.T) (Harness, error)

// RunConformanceTests runs the whole suite against the backend.
func RunConformanceTests(t *testing.T, newHarness HarnessMaker) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, b *bundle)
	}{
		{"TypesRoundTrip", testTypesRoundTrip},
		{"Describe", testDescribe},
		{"NumbersExact", testNumbersExact},
		{"NumbersBeyondTarget", testNumbersBeyondTarget},
		{"Append", testAppend},
		{"AppendDatabaseRejectsBisect", testBisect},
		{"ReplaceRepeatedKeyRejected", testReplaceRepeatedKey},
		{"Upsert", testUpsert},
		{"UpsertNeedsKey", testUpsertNeedsKey},
		{"Replace", testReplace},
		{"ReplaceKeepsViews", testReplaceKeepsViews},
		{"MaxRejectsLeavesTargetUnchanged", testMaxRejects},
		{"CancelLeavesTargetUnchanged", testCancel},
		{"RejectSinks", testRejectSinks},
		{"RejectSinkFails", testSinkFails},
		{"Drift", testDrift},
		{"Ingest", testIngest},
		{"IngestRows", testIngestRows},
		{"TableNames", testTableNames},
		{"ColumnNames", testColumnNames},
		{"Errors", testErrors},
		{"Progress", testProgress},
		{"EmptySource", testEmpty},
		{"Snapshot", testSnapshot},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, setup(t, newHarness))
		})
	}
}

// bundle is what each test works with.
type bundle struct {
	ctx context.Context
	h   Harness
	s   *datastore.Store
}

// setup makes a harness and a store, released when the test ends.
func setup(t *testing.T, newHarness HarnessMaker) *bundle {
	t.Helper()
	ctx := context.Background()
	h, err := newHarness(ctx, t)
	require.NoError(t, err)
	t.Cleanup(h.Close)
	s, err := h.MakeStore(ctx)
	require.NoError(t, err)
	return &bundle{ctx: ctx, h: h, s: s}
}

// csvText renders records as CSV.
func csvText(t *testing.T, records [][]string) string {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	require.NoError(t, w.WriteAll(records))
	return buf.String()
}

// reader returns a frictionless reader over CSV text (with a header row).
func reader(t *testing.T, schema *frictionless.Schema, text string) *frictionless.Reader {
	t.Helper()
	r, err := frictionless.NewReader(strings.NewReader(text), schema, &frictionless.ReadOptions{SkipUniqueCheck: true})
	require.NoError(t, err)
	return r
}

// load loads CSV text into table.
func (b *bundle) load(t *testing.T, table string, schema *frictionless.Schema, text string, opts *datastore.LoadOptions) (*datastore.LoadReport, error) {
	t.Helper()
	rep, err := datastore.Load(b.ctx, b.s, table, reader(t, schema, text), opts)
	require.NotNil(t, rep)
	if err == nil {
		require.Equal(t, rep.Read, rep.Written+rep.Rejected, "read = written + rejected")
	}
	return rep, err
}

// rows reads a table back, copying each row.
func (b *bundle) rows(t *testing.T, table string) []frictionless.Row {
	t.Helper()
	var out []frictionless.Row
	_, err := b.s.ReadRows(b.ctx, table, func(r frictionless.Row) error {
		out = append(out, append(frictionless.Row(nil), r...))
		return nil
	})
	require.NoError(t, err)
	return out
}

// noStaging checks that no staging table is left.
func (b *bundle) noStaging(t *testing.T) {
	t.Helper()
	names, err := b.h.ListTables(b.ctx, b.s)
	require.NoError(t, err)
	for _, n := range names {
		require.False(t, strings.HasPrefix(n, "_df"), "staging table %q left behind", n)
	}
}

// people is a small keyed schema used by most tests.
func people() *frictionless.Schema {
	return &frictionless.Schema{
		Fields: []frictionless.Field{
			{Name: "id", Type: frictionless.TypeInteger, Constraints: frictionless.Constraints{Required: true}},
			{Name: "name", Type: frictionless.TypeString},
			{Name: "score", Type: frictionless.TypeNumber},
		},
		PrimaryKey: []string{"id"},
	}
}

// peopleCSV renders id,name,score rows with a header.
func peopleCSV(rows ...string) string {
	return "id,name,score\n" + strings.Join(rows, "\n") + "\n"
}

// byID maps a people table to id → name.
func byID(t *testing.T, rows []frictionless.Row) map[int64]string {
	t.Helper()
	out := map[int64]string{}
	for _, r := range rows {
		name, _ := r[1].(string)
		out[r[0].(int64)] = name
	}
	return out
}

// equalValue compares a stored value with the one loaded, by type: times
// by instant (time of day in UTC for time), decimals by value, JSON by its
// canonical encoding.
func equalValue(f *frictionless.Field, want, got any) bool {
	if want == nil || got == nil {
		return want == nil && got == nil
	}
	switch w := want.(type) {
	case time.Time:
		g, ok := got.(time.Time)
		if !ok {
			return false
		}
		switch f.Type {
		case frictionless.TypeTime:
			w, g = w.UTC(), g.UTC()
			return w.Hour() == g.Hour() && w.Minute() == g.Minute() && w.Second() == g.Second() && w.Nanosecond() == g.Nanosecond()
		case frictionless.TypeDate, frictionless.TypeYearMonth:
			return w.Format("2006-01-02") == g.Format("2006-01-02")
		}
		return w.Equal(g)
	case frictionless.Decimal:
		g, ok := got.(frictionless.Decimal)
		return ok && w.Cmp(g) == 0
	case map[string]any, []any:
		wj, err1 := json.Marshal(w)
		gj, err2 := json.Marshal(got)
		return err1 == nil && err2 == nil && string(wj) == string(gj)
	}
	return want == got
}
