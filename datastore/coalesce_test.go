package datastore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// errRefused is the data error coalescingDriver's writer returns for a
// write holding a refused id.
var errRefused = errors.New("refused id")

// coalescingDriver wraps a real driver: its writers ask the loader to
// join waiting batches (driver.Coalescer), record the size of every
// Write, refuse (as a data error) any Write holding an id in refuse, and
// hold the first Write until release is closed, so batches pile up.
type coalescingDriver struct {
	driver.Driver
	limit   int
	refuse  map[int64]bool
	release chan struct{}
	mu      sync.Mutex
	writes  []int
}

func (d *coalescingDriver) OpenWriter(ctx context.Context, req *driver.WriteRequest) (driver.Writer, error) {
	w, err := d.Driver.OpenWriter(ctx, req)
	if err != nil {
		return nil, err
	}
	return &coalescingWriter{Writer: w, d: d}, nil
}

func (d *coalescingDriver) Classify(err error) driver.ErrorInfo {
	if errors.Is(err, errRefused) {
		return driver.ErrorInfo{Kind: driver.KindData}
	}
	return d.Driver.Classify(err)
}

type coalescingWriter struct {
	driver.Writer
	d     *coalescingDriver
	first atomic.Bool
}

func (w *coalescingWriter) CoalesceRows() int { return w.d.limit }

func (w *coalescingWriter) Write(ctx context.Context, rows []frictionless.Row) error {
	if w.first.CompareAndSwap(false, true) {
		<-w.d.release
	}
	w.d.mu.Lock()
	w.d.writes = append(w.d.writes, len(rows))
	w.d.mu.Unlock()
	for _, r := range rows {
		if w.d.refuse[r[0].(int64)] {
			return errRefused
		}
	}
	return w.Writer.Write(ctx, rows)
}

// countingReader signals on full once it has returned n rows. It casts
// into the loader's memory (ReadInto), as a *frictionless.Reader does.
type countingReader struct {
	*frictionless.Reader
	n, read int
	full    chan struct{}
}

func (c *countingReader) Read() (frictionless.Row, error) {
	return c.ReadInto(nil)
}

func (c *countingReader) ReadInto(dst frictionless.Row) (frictionless.Row, error) {
	row, err := c.Reader.ReadInto(dst)
	if c.read++; c.read == c.n {
		close(c.full)
	}
	return row, err
}

// TestLoadCoalescesWaitingBatches: while the writer is held, batches pile
// up; the next Write joins those waiting (up to about the writer's
// CoalesceRows), rows keep their order and numbers, a refused row in a
// joined Write is isolated and rejected alone, and read = written +
// rejected.
func TestLoadCoalescesWaitingBatches(t *testing.T) {
	t.Parallel()
	const batch, rows = 10_000, 60_000 // batch: LoadOptions' default
	s := openCities(t)
	d, rep := loadHeld(t, s, rows, batch, nil)
	require.EqualValues(t, rows, rep.Read)
	require.EqualValues(t, rows-1, rep.Written)
	require.EqualValues(t, 1, rep.Rejected)
	require.Len(t, rep.Rejects, 1)
	require.Equal(t, 37, rep.Rejects[0].Row)
	require.Equal(t, datastore.StageDatabase, rep.Rejects[0].Stage)
	joined := 0
	for _, n := range d.writes {
		require.LessOrEqual(t, n, d.limit-1+batch, "a Write stops joining at the limit")
		if n > batch {
			joined++
		}
	}
	require.Positive(t, joined, "some Write joined waiting batches: %v", d.writes)
	var ids []int64
	_, err := s.ReadRows(context.Background(), "cities", func(row frictionless.Row) error {
		ids = append(ids, row[0].(int64))
		return nil
	})
	require.NoError(t, err)
	require.Len(t, ids, rows-1)
	for i, id := range ids {
		want := int64(i + 1)
		if want >= 37 {
			want++
		}
		require.Equal(t, want, id)
	}
}

// loadHeld loads rows numbered cities through a coalescingDriver over s
// (limit 25,000, id 37 refused) whose first Write waits until batches
// of batch rows fill the loader's channel.
func loadHeld(t *testing.T, s *datastore.Store, rows, batch int, opts *datastore.LoadOptions) (*coalescingDriver, *datastore.LoadReport) {
	t.Helper()
	d := &coalescingDriver{Driver: datastore.DriverOf(s), limit: 25_000, refuse: map[int64]bool{37: true},
		release: make(chan struct{})}
	r, err := frictionless.NewReader(strings.NewReader(numberedCities(rows)), cities, nil)
	require.NoError(t, err)
	// The reader has filled the channel when it has read the rows of the
	// first batch, two waiting ones and the one it is blocked sending.
	src := &countingReader{Reader: r, n: 4 * batch, full: make(chan struct{})}
	go func() {
		<-src.full
		close(d.release)
	}()
	rep, err := datastore.Load(context.Background(), datastore.NewStore(d), "cities", src, opts)
	require.NoError(t, err)
	return d, rep
}

// TestLoadBatchSizeIsTheWriteSize: a BatchSize the caller sets is the size
// of every Write, even for a Coalescer with batches waiting.
func TestLoadBatchSizeIsTheWriteSize(t *testing.T) {
	t.Parallel()
	d, rep := loadHeld(t, openCities(t), 200, 10, &datastore.LoadOptions{BatchSize: 10})
	require.EqualValues(t, 199, rep.Written)
	require.NotEmpty(t, d.writes)
	for _, n := range d.writes {
		require.LessOrEqual(t, n, 10)
	}
}

// numberedCities is n valid rows with ids 1…n.
func numberedCities(n int) string {
	var b strings.Builder
	b.WriteString("id,name,population\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%d,city%d,%d\n", i, i, i*10)
	}
	return b.String()
}
