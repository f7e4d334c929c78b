package datastoretest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// RunDataPathTests runs the data-path suite against the backend: loads
// that run together (two replaces of one table end with exactly one
// input, with and without a view over it; rejects tables created by many
// sinks at once) and hostile bytes (NUL, invalid UTF-8, malformed quoting
// and over-long rows end as rejects that keep their source, or the load
// fails with the target unchanged and a report of 0 written).
func RunDataPathTests(t *testing.T, newHarness HarnessMaker) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, b *bundle)
	}{
		{"ConcurrentReplacesOneWins", func(t *testing.T, b *bundle) { testConcurrentReplaces(t, b, false) }},
		{"ConcurrentReplacesOneWinsWithView", func(t *testing.T, b *bundle) { testConcurrentReplaces(t, b, true) }},
		{"DescribeDuringReplaces", testDescribeDuringReplaces},
		{"ConcurrentRejectsTables", testConcurrentRejectsTables},
		{"HostileBytesBecomeRejects", testHostileBytes},
		{"FailedFlushLeavesTargetUnchanged", testFailedFlush},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, setup(t, newHarness))
		})
	}
}

// idRows renders people rows with ids from..to.
func idRows(from, to int) []string {
	var rows []string
	for i := from; i <= to; i++ {
		rows = append(rows, fmt.Sprintf("%d,n%d,%d", i, i, i))
	}
	return rows
}

// testConcurrentReplaces starts two replaces of one table together, ten
// times: each time the table ends with exactly one input's rows.
func testConcurrentReplaces(t *testing.T, b *bundle, view bool) {
	_, err := b.load(t, "people", people(), peopleCSV(idRows(1, 5)...), nil)
	require.NoError(t, err)
	if view {
		if err := b.h.CreateView(b.ctx, b.s, "people_view", "people"); errors.Is(err, errors.ErrUnsupported) {
			t.Skip("backend has no views")
		} else {
			require.NoError(t, err)
		}
	}
	inputs := [][]string{idRows(1, 1000), idRows(501, 1300)} // overlapping keys
	for trial := range 10 {
		var wg sync.WaitGroup
		errs := make([]error, len(inputs))
		for i, in := range inputs {
			wg.Go(func() {
				_, errs[i] = datastore.Load(b.ctx, b.s, "people", reader(t, people(), peopleCSV(in...)),
					&datastore.LoadOptions{Mode: datastore.ModeReplace, BatchSize: 100})
			})
		}
		wg.Wait()
		require.NoError(t, errors.Join(errs...), "trial %d", trial)
		got := byID(t, b.rows(t, "people"))
		switch len(got) {
		case 1000:
			require.Contains(t, got, int64(1), "trial %d", trial)
			require.NotContains(t, got, int64(1001), "trial %d: inputs mixed", trial)
		case 800:
			require.Contains(t, got, int64(1300), "trial %d", trial)
			require.NotContains(t, got, int64(500), "trial %d: inputs mixed", trial)
		default:
			t.Fatalf("trial %d: %d rows: not exactly one input", trial, len(got))
		}
		if view {
			n, err := b.h.CountRows(b.ctx, b.s, "people_view")
			require.NoError(t, err)
			require.Equal(t, len(got), n)
		}
	}
	b.noStaging(t)
}

// testDescribeDuringReplaces: while a table is replaced again and again,
// every DescribeTable and Load of it sees the table, old or new, never
// "no such table" (a describe that resolved the name and read the
// columns under two different snapshots saw a swap's new table without
// its columns).
func testDescribeDuringReplaces(t *testing.T, b *bundle) {
	_, err := b.load(t, "people", people(), peopleCSV(idRows(1, 5)...), nil)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(b.ctx)
	defer cancel()
	replaced := make(chan error, 1)
	go func() {
		var err error
		for i := 0; i < 30 && err == nil; i++ {
			_, err = datastore.Load(ctx, b.s, "people", reader(t, people(), peopleCSV(idRows(1, 5+i)...)),
				&datastore.LoadOptions{Mode: datastore.ModeReplace})
		}
		replaced <- err
	}()
	describes := 0
	for {
		select {
		case err := <-replaced:
			require.NoError(t, err)
			require.Positive(t, describes)
			return
		default:
		}
		got, err := b.s.DescribeTable(ctx, "people")
		require.NoError(t, err, "describe %d", describes)
		require.Equal(t, []string{"id"}, got.PrimaryKey, "describe %d", describes)
		require.Len(t, got.Fields, 3, "describe %d", describes)
		describes++
	}
}

// testConcurrentRejectsTables: sinks flushing together into a rejects
// table that does not exist yet all succeed and keep every reject.
func testConcurrentRejectsTables(t *testing.T, b *bundle) {
	const sinks, each = 12, 5
	var wg sync.WaitGroup
	errs := make([]error, sinks)
	for i := range sinks {
		wg.Go(func() {
			sink := datastore.NewTableRejects(b.s, "events")
			rejects := make([]datastore.Reject, each)
			for k := range rejects {
				rejects[k] = datastore.Reject{Row: k + 1, Line: k + 2, Field: "id", Value: "x", Reason: "bad", Raw: []string{"x"}, Stage: datastore.StageValidation}
			}
			errs[i] = errors.Join(sink.WriteRejects(b.ctx, rejects), sink.Flush(b.ctx))
		})
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	n, err := b.h.CountRows(b.ctx, b.s, datastore.RejectsTableName("events"))
	require.NoError(t, err)
	require.Equal(t, sinks*each, n)
}

// hostileCSV has valid rows and one of each hostile kind; the unterminated
// quote comes last (it swallows the rest of the file).
const hostileCSV = "id,name,score\n" +
	"1,ann,1\n" +
	"2,n\x00ul,2\n" + // NUL
	"3,\xff\xfe,3\n" + // invalid UTF-8
	"4,di,4,extra,more\n" + // over-long row
	"5,e\"d,5\n" + // bare quote
	"6,fay,6\r\n" +
	"7,\"multi\r\nline\",7\n" + // CRLF inside a quoted field is data
	"8,\"open,8\n9,gus,9\n" // unterminated quote

// testHostileBytes loads hostileCSV in every mode with a table sink: the
// load succeeds, the valid rows are written, every bad row is in the
// rejects table with its line, field and raw source.
func testHostileBytes(t *testing.T, b *bundle) {
	for _, mode := range []datastore.Mode{datastore.ModeReplace, datastore.ModeAppend} {
		table := "hostile_" + map[datastore.Mode]string{datastore.ModeReplace: "replace", datastore.ModeAppend: "append"}[mode]
		if mode == datastore.ModeAppend {
			_, err := b.load(t, table, people(), peopleCSV("100,seed,1"), nil)
			require.NoError(t, err)
		}
		sink := datastore.NewTableRejects(b.s, table)
		rep, err := b.load(t, table, people(), hostileCSV, &datastore.LoadOptions{Mode: mode, Rejects: sink})
		require.NoError(t, err)
		require.EqualValues(t, 3, rep.Written, "rows 1, 6 and 7")
		require.EqualValues(t, 5, rep.Rejected)
		got := byID(t, b.rows(t, table))
		require.Equal(t, "multi\r\nline", got[7], "CRLF inside a quoted field is kept")
		require.Equal(t, "fay", got[6])

		rows := b.rows(t, datastore.RejectsTableName(table))
		require.Len(t, rows, 5)
		desc, err := b.s.DescribeTable(b.ctx, datastore.RejectsTableName(table))
		require.NoError(t, err)
		col := func(r frictionless.Row, name string) string {
			v := r[desc.FieldIndex(name)]
			if v == nil {
				return ""
			}
			return fmt.Sprint(v)
		}
		byLine := map[string]frictionless.Row{}
		for _, r := range rows {
			byLine[col(r, "line")] = r
		}
		require.Equal(t, "name", col(byLine["3"], "field"), "NUL names its field")
		require.Contains(t, col(byLine["3"], "value"), `\x00`, "NUL kept, escaped")
		require.Equal(t, "name", col(byLine["4"], "field"), "invalid UTF-8 names its field")
		require.Contains(t, col(byLine["4"], "value"), `\xff\xfe`, "invalid UTF-8 kept, escaped")
		require.Contains(t, col(byLine["5"], "reason"), "row has 5 cells")
		require.Contains(t, col(byLine["6"], "raw"), `e\"d`, "a bare quote keeps its source line")
		require.Contains(t, col(byLine["10"], "raw"), "9,gus,9", "an unterminated quote keeps the lines it swallowed")
		require.Equal(t, map[datastore.Mode]int{datastore.ModeReplace: 3, datastore.ModeAppend: 4}[mode], len(got))
	}
	b.noStaging(t)
}

// flushFailSink accepts rejects and fails to store them.
type flushFailSink struct{}

func (flushFailSink) WriteRejects(context.Context, []datastore.Reject) error { return nil }

func (flushFailSink) Flush(context.Context) error { return errors.New("rejects store is down") }

// testFailedFlush: rejects that cannot be stored fail the load before it
// commits: the target is unchanged and the report says 0 written.
func testFailedFlush(t *testing.T, b *bundle) {
	_, err := b.load(t, "people", people(), peopleCSV("1,ann,1"), nil)
	require.NoError(t, err)
	for _, mode := range []datastore.Mode{datastore.ModeReplace, datastore.ModeAppend, datastore.ModeUpsert} {
		rep, err := b.load(t, "people", people(), peopleCSV("2,bob,2", "x,bad,1", "3,cy,3"), &datastore.LoadOptions{Rejects: flushFailSink{}, Mode: mode})
		require.ErrorContains(t, err, "rejects store is down")
		require.Zero(t, rep.Written, "a failed load reports 0 written")
		require.EqualValues(t, 3, rep.Read)
		require.Equal(t, map[int64]string{1: "ann"}, byID(t, b.rows(t, "people")))
	}
	b.noStaging(t)
}
