package datastoretest

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// testMaxRejects: past MaxRejects a load fails and the table is exactly as
// before, in every mode; no staging table remains.
func testMaxRejects(t *testing.T, b *bundle) {
	_, err := b.load(t, "people", people(), peopleCSV("1,ann,1", "2,bob,2"), nil)
	require.NoError(t, err)
	dirty := peopleCSV("3,cy,3", "x,bad,1", "4,di,4", "y,bad,1", "5,ed,5", "z,bad,1", "6,fi,6")
	for _, mode := range []datastore.Mode{datastore.ModeAppend, datastore.ModeUpsert, datastore.ModeReplace} {
		t.Run(mode.String(), func(t *testing.T) {
			rep, err := b.load(t, "people", people(), dirty, &datastore.LoadOptions{Mode: mode, MaxRejects: 2, BatchSize: 2})
			require.ErrorIs(t, err, datastore.ErrTooManyRejects)
			require.EqualValues(t, 3, rep.Rejected)
			require.Equal(t, map[int64]string{1: "ann", 2: "bob"}, byID(t, b.rows(t, "people")))
			b.noStaging(t)
		})
	}
	// A negative MaxRejects fails on the first reject; a load into a new
	// table that fails leaves no table.
	_, err = b.load(t, "fresh", people(), dirty, &datastore.LoadOptions{MaxRejects: -1})
	require.ErrorIs(t, err, datastore.ErrTooManyRejects)
	require.ErrorContains(t, err, `field "id"`)
	ok, err := b.s.TableExists(b.ctx, "fresh")
	require.NoError(t, err)
	require.False(t, ok)
	// Database rejects count too.
	_, err = b.load(t, "people", people(), peopleCSV("7,g,7", "1,dup,1"), &datastore.LoadOptions{MaxRejects: -1})
	require.ErrorIs(t, err, datastore.ErrTooManyRejects)
	require.Equal(t, map[int64]string{1: "ann", 2: "bob"}, byID(t, b.rows(t, "people")))
	b.noStaging(t)
}

// cancelReader cancels a context after n rows and then keeps serving.
type cancelReader struct {
	r      datastore.RowReader
	n      int
	cancel context.CancelFunc
}

func (c *cancelReader) Read() (frictionless.Row, error) {
	c.n--
	if c.n == 0 {
		c.cancel()
		time.Sleep(10 * time.Millisecond) // let the writer see it mid-load
	}
	return c.r.Read()
}

func (c *cancelReader) Schema() *frictionless.Schema { return c.r.Schema() }

// testCancel: cancelling the context midway fails the load and leaves the
// table unchanged, in every mode.
func testCancel(t *testing.T, b *bundle) {
	_, err := b.load(t, "people", people(), peopleCSV("1,ann,1", "2,bob,2"), nil)
	require.NoError(t, err)
	var lines []string
	for i := 10; i < 2000; i++ {
		lines = append(lines, fmt.Sprintf("%d,n%d,%d", i, i, i))
	}
	for _, mode := range []datastore.Mode{datastore.ModeAppend, datastore.ModeUpsert, datastore.ModeReplace} {
		t.Run(mode.String(), func(t *testing.T) {
			ctx, cancel := context.WithCancel(b.ctx)
			defer cancel()
			src := &cancelReader{r: reader(t, people(), peopleCSV(lines...)), n: 700, cancel: cancel}
			_, err := datastore.Load(ctx, b.s, "people", src, &datastore.LoadOptions{Mode: mode, BatchSize: 100})
			require.ErrorIs(t, err, context.Canceled)
			require.Equal(t, map[int64]string{1: "ann", 2: "bob"}, byID(t, b.rows(t, "people")))
		})
	}
	// The next load works and leaves no staging table.
	_, err = b.load(t, "people", people(), peopleCSV("9,z,9"), &datastore.LoadOptions{Mode: datastore.ModeReplace})
	require.NoError(t, err)
	require.Equal(t, map[int64]string{9: "z"}, byID(t, b.rows(t, "people")))
	b.noStaging(t)
}

// testRejectSinks: rejects go to a CSV file and to <table>__rejects with
// row, field, value, reason and raw cells.
func testRejectSinks(t *testing.T, b *bundle) {
	var buf bytes.Buffer
	sink := datastore.MultiRejects(datastore.NewCSVRejects(&buf), datastore.NewTableRejects(b.s, "people"))
	text := peopleCSV("1,ann,1", "two,bob,2", "3,cy,lots", "4,di,4", "1,dup,1")
	rep, err := b.load(t, "people", people(), text, &datastore.LoadOptions{Rejects: sink})
	require.NoError(t, err)
	require.EqualValues(t, 5, rep.Read)
	require.EqualValues(t, 2, rep.Written)
	require.EqualValues(t, 3, rep.Rejected)

	recs, err := csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"row", "line", "field", "value", "reason", "raw", "stage"}, recs[0])
	require.Len(t, recs, 4)
	byRow := map[string][]string{}
	for _, r := range recs[1:] {
		byRow[r[0]] = r
	}
	require.Equal(t, []string{"2", "3", "id", "two"}, byRow["2"][:4])
	require.Equal(t, `["two","bob","2"]`, byRow["2"][5])
	require.Equal(t, datastore.StageValidation, byRow["2"][6])
	require.Equal(t, []string{"3", "4", "score", "lots"}, byRow["3"][:4])
	require.Equal(t, datastore.StageDatabase, byRow["5"][6])
	require.Equal(t, "6", byRow["5"][1], "a database-stage reject keeps its source line")
	require.Contains(t, byRow["5"][5], "dup")

	rows := b.rows(t, datastore.RejectsTableName("people"))
	require.Len(t, rows, 3)
	desc, err := b.s.DescribeTable(b.ctx, datastore.RejectsTableName("people"))
	require.NoError(t, err)
	iField, iValue := desc.FieldIndex("field"), desc.FieldIndex("value")
	var fields []string
	for _, r := range rows {
		fields = append(fields, fmt.Sprint(r[iField], "=", r[iValue]))
	}
	require.Contains(t, fields, "id=two")
	require.Contains(t, fields, "score=lots")
}

// testDrift applies each drift policy; type changes always fail.
func testDrift(t *testing.T, b *bundle) {
	_, err := b.load(t, "people", people(), peopleCSV("1,ann,1"), nil)
	require.NoError(t, err)
	wider := people()
	wider.Fields = append(wider.Fields, frictionless.Field{Name: "age", Type: frictionless.TypeInteger})
	text := "id,name,score,age\n2,bob,2,42\n"

	_, err = b.load(t, "people", wider, text, nil)
	require.ErrorIs(t, err, datastore.ErrSchemaDrift)
	var de *datastore.DriftError
	require.ErrorAs(t, err, &de)
	require.Equal(t, []string{"age"}, de.Missing)

	rep, err := b.load(t, "people", wider, text, &datastore.LoadOptions{Drift: datastore.DriftIgnoreExtra})
	require.NoError(t, err)
	require.EqualValues(t, 1, rep.Written)
	desc, err := b.s.DescribeTable(b.ctx, "people")
	require.NoError(t, err)
	require.Equal(t, -1, desc.FieldIndex("age"))

	rep, err = b.load(t, "people", wider, "id,name,score,age\n3,cy,3,33\n", &datastore.LoadOptions{Drift: datastore.DriftEvolve})
	require.NoError(t, err)
	require.Equal(t, []string{"age"}, rep.AddedColumns)
	got := b.rows(t, "people")
	require.Len(t, got, 3)
	require.Nil(t, got[0][3])
	require.Equal(t, int64(33), got[2][3])

	// The table now has age; a schema without it differs.
	_, err = b.load(t, "people", people(), peopleCSV("4,di,4"), nil)
	require.ErrorIs(t, err, datastore.ErrSchemaDrift)
	_, err = b.load(t, "people", people(), peopleCSV("4,di,4"), &datastore.LoadOptions{Drift: datastore.DriftEvolve, Mode: datastore.ModeReplace})
	require.NoError(t, err)
	got = b.rows(t, "people")
	require.Len(t, got, 1)
	require.Len(t, got[0], 4, "replace under evolve keeps the table's columns")

	changed := people()
	changed.Fields[1].Type = frictionless.TypeInteger
	for _, p := range []datastore.DriftPolicy{datastore.DriftFail, datastore.DriftEvolve, datastore.DriftIgnoreExtra} {
		for _, mode := range []datastore.Mode{datastore.ModeAppend, datastore.ModeReplace} {
			_, err = b.load(t, "people", changed, peopleCSV("5,5,5"), &datastore.LoadOptions{Drift: p, Mode: mode})
			require.ErrorIs(t, err, datastore.ErrSchemaDrift, "policy %s mode %s", p, mode)
			require.ErrorContains(t, err, "name: table string, schema integer")
		}
	}
	require.Len(t, b.rows(t, "people"), 1)
}

// testErrors: sentinels for missing and existing tables and closed stores.
func testErrors(t *testing.T, b *bundle) {
	_, err := b.s.DescribeTable(b.ctx, "missing")
	require.ErrorIs(t, err, datastore.ErrNotFound)
	require.ErrorIs(t, b.s.DropTable(b.ctx, "missing"), datastore.ErrNotFound)
	_, err = b.s.ReadRows(b.ctx, "missing", func(frictionless.Row) error { return nil })
	require.ErrorIs(t, err, datastore.ErrNotFound)
	require.NoError(t, b.s.CreateTable(b.ctx, "t", people()))
	err = b.s.CreateTable(b.ctx, "t", people())
	require.ErrorIs(t, err, datastore.ErrExists)
	var de *datastore.Error
	require.ErrorAs(t, err, &de)
	require.Equal(t, "create", de.Op)
	require.NoError(t, b.s.DropTable(b.ctx, "t"))
	ok, err := b.s.TableExists(b.ctx, "t")
	require.NoError(t, err)
	require.False(t, ok)

	stop := errors.New("stop")
	_, err = b.load(t, "people", people(), peopleCSV("1,a,1", "2,b,2"), nil)
	require.NoError(t, err)
	_, err = b.s.ReadRows(b.ctx, "people", func(frictionless.Row) error { return stop })
	require.ErrorIs(t, err, stop)
	n, err := b.s.CountRows(b.ctx, "people")
	require.NoError(t, err)
	require.EqualValues(t, 2, n)
	_, err = b.s.CountRows(b.ctx, "missing")
	require.ErrorIs(t, err, datastore.ErrNotFound)

	_, err = b.load(t, "people", people(), peopleCSV("3,c,3"), &datastore.LoadOptions{BatchSize: -1})
	require.ErrorIs(t, err, datastore.ErrInvalidOptions)

	// A fatal read error fails the load and writes nothing.
	_, err = datastore.Load(b.ctx, b.s, "people", &failingReader{schema: people(), after: 3}, nil)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	require.Len(t, b.rows(t, "people"), 2)

	h2, err := b.h.MakeStore(b.ctx)
	require.NoError(t, err)
	require.NoError(t, h2.Close())
	require.ErrorIs(t, h2.Close(), datastore.ErrClosed)
	_, err = h2.TableExists(b.ctx, "people")
	require.ErrorIs(t, err, datastore.ErrClosed)
	_, err = datastore.Load(b.ctx, h2, "people", reader(t, people(), peopleCSV("1,a,1")), nil)
	require.ErrorIs(t, err, datastore.ErrClosed)
}

// failingReader yields rows and then a fatal error.
type failingReader struct {
	schema *frictionless.Schema
	after  int
	n      int
}

func (f *failingReader) Read() (frictionless.Row, error) {
	f.n++
	if f.n > f.after {
		return nil, io.ErrUnexpectedEOF
	}
	return frictionless.Row{int64(100 + f.n), "x", 1.0}, nil
}

func (f *failingReader) Schema() *frictionless.Schema { return f.schema }

// testProgress: the callback is rate-limited and ends with the totals.
func testProgress(t *testing.T, b *bundle) {
	var lines []string
	for i := 0; i < 500; i++ {
		lines = append(lines, fmt.Sprintf("%d,n,%d", i, i))
	}
	lines = append(lines, "bad,row,1")
	text := peopleCSV(lines...)
	var calls []datastore.Progress
	_, err := b.load(t, "people", people(), text, &datastore.LoadOptions{
		BatchSize: 50, ProgressInterval: time.Hour,
		Progress: func(p datastore.Progress) { calls = append(calls, p) },
	})
	require.NoError(t, err)
	require.Len(t, calls, 2, "one call at the start of the interval and the final one")
	last := calls[len(calls)-1]
	require.EqualValues(t, 501, last.Read)
	require.EqualValues(t, 500, last.Written)
	require.EqualValues(t, 1, last.Rejected)
	require.EqualValues(t, len(text), last.Bytes)

	calls = nil
	_, err = b.load(t, "people2", people(), text, &datastore.LoadOptions{BatchSize: 50, ProgressInterval: time.Nanosecond,
		Progress: func(p datastore.Progress) { calls = append(calls, p) }})
	require.NoError(t, err)
	require.Greater(t, len(calls), 5)
	for i := 1; i < len(calls); i++ {
		require.GreaterOrEqual(t, calls[i].Read, calls[i-1].Read)
	}
	require.GreaterOrEqual(t, last.Elapsed, time.Duration(0))
}

// failingSink refuses every reject.
type failingSink struct{ flushed bool }

func (f *failingSink) WriteRejects(context.Context, []datastore.Reject) error {
	return errors.New("sink is full")
}

func (f *failingSink) Flush(context.Context) error {
	f.flushed = true
	return nil
}

// testSinkFails: a reject sink that fails fails the load, which then
// writes nothing; the sink is still flushed.
func testSinkFails(t *testing.T, b *bundle) {
	_, err := b.load(t, "people", people(), peopleCSV("1,ann,1"), nil)
	require.NoError(t, err)
	sink := &failingSink{}
	_, err = b.load(t, "people", people(), peopleCSV("2,bob,2", "x,bad,1", "3,cy,3"), &datastore.LoadOptions{Rejects: sink, Mode: datastore.ModeReplace})
	require.ErrorContains(t, err, "sink is full")
	require.True(t, sink.flushed)
	require.Equal(t, map[int64]string{1: "ann"}, byID(t, b.rows(t, "people")))
	b.noStaging(t)
}
