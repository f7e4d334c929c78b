package sqlstore_test

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/stretchr/testify/require"
)

// writeSpy wraps a driver: its writers record the row count of every
// Write and hold the first one until release is closed, so that the
// loader's batches wait behind it. A writer's CoalesceRows is the wrapped
// writer's.
type writeSpy struct {
	driver.Driver
	release chan struct{}
	mu      sync.Mutex
	writes  []int
}

func (d *writeSpy) OpenWriter(ctx context.Context, req *driver.WriteRequest) (driver.Writer, error) {
	w, err := d.Driver.OpenWriter(ctx, req)
	if err != nil {
		return nil, err
	}
	return &spyWriter{Writer: w, d: d}, nil
}

type spyWriter struct {
	driver.Writer
	d       *writeSpy
	started bool
}

func (w *spyWriter) CoalesceRows() int {
	if c, ok := w.Writer.(driver.Coalescer); ok {
		return c.CoalesceRows()
	}
	return 0
}

func (w *spyWriter) Write(ctx context.Context, rows []frictionless.Row) error {
	if !w.started {
		w.started = true
		<-w.d.release
	}
	w.d.mu.Lock()
	w.d.writes = append(w.d.writes, len(rows))
	w.d.mu.Unlock()
	return w.Writer.Write(ctx, rows)
}

// releasingRows reads rows and closes release once at rows have been read.
type releasingRows struct {
	rowSlice
	n, at   int
	release chan struct{}
}

func (r *releasingRows) Read() (frictionless.Row, error) {
	if r.n++; r.n == r.at {
		close(r.release)
	}
	return r.rowSlice.Read()
}

// TestMySQLLoadDataCoalesces: a MariaDB append asks the loader to join the
// batches waiting behind a slow LOAD DATA into longer ones (at most
// 50,000 rows), and a row the server refuses inside a joined write is
// still one reject with its row number; an upsert (INSERT … ON DUPLICATE
// KEY UPDATE) keeps the batches as they come. The first write is held
// until the reader has filled three batches more, two of which wait.
func TestMySQLLoadDataCoalesces(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	drv, err := sqlstore.OpenDriver(ctx, testutil.MySQLURL(t))
	require.NoError(t, err)
	schema := &frictionless.Schema{Fields: []frictionless.Field{{Name: "id", Type: frictionless.TypeInteger},
		{Name: "s", Type: frictionless.TypeString}}, PrimaryKey: []string{"id"}}
	rows := make([]frictionless.Row, 60_000)
	for i := range rows {
		rows[i] = frictionless.Row{int64(i + 1), "row " + strconv.Itoa(i+1)}
	}
	rows[24_999][0] = int64(5) // row 25,000 repeats a key: the server refuses it
	spy := &writeSpy{Driver: drv, release: make(chan struct{})}
	s := datastore.NewStore(spy)
	t.Cleanup(func() { s.Close() })
	src := &releasingRows{rowSlice: rowSlice{schema: schema, rows: rows}, at: 35_000, release: spy.release}
	rep, err := datastore.Load(ctx, s, "coalesced", src, nil)
	require.NoError(t, err)
	require.EqualValues(t, 59_999, rep.Written)
	require.EqualValues(t, 1, rep.Rejected)
	require.Equal(t, 25_000, rep.Rejects[0].Row)
	joined := slices.Max(spy.writes)
	require.Greater(t, joined, 10_000, "waiting batches are joined: writes %v", spy.writes)
	require.LessOrEqual(t, joined, 50_000)
	n, err := s.CountRows(ctx, "coalesced")
	require.NoError(t, err)
	require.EqualValues(t, 59_999, n)

	spy.release, spy.writes = make(chan struct{}), nil
	src = &releasingRows{rowSlice: rowSlice{schema: schema, rows: rows}, at: 35_000, release: spy.release}
	rep, err = datastore.Load(ctx, s, "coalesced", src, &datastore.LoadOptions{Mode: datastore.ModeUpsert})
	require.NoError(t, err)
	require.EqualValues(t, 60_000, rep.Written)
	require.LessOrEqual(t, slices.Max(spy.writes), 10_000, "an upsert's batches are not joined: writes %v", spy.writes)
}
