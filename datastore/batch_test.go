package datastore_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// pacedReader is a *frictionless.Reader (ReadInto included, so the loader
// casts into its batches' memory) that counts the rows it has read and,
// from the third batch of size rows on, reads the last row of a batch only
// once the writer has started one more Write: the reader asks for its next
// batch right after the writer has taken one, not before.
type pacedReader struct {
	*frictionless.Reader
	size int64
	gate chan struct{}
	read atomic.Int64
	eof  atomic.Bool
}

func (p *pacedReader) ReadInto(dst frictionless.Row) (frictionless.Row, error) {
	if next := p.read.Load() + 1; next%p.size == 0 && next >= 3*p.size {
		select {
		case <-p.gate:
		case <-time.After(5 * time.Second):
		}
	}
	row, err := p.Reader.ReadInto(dst)
	if err == io.EOF {
		p.eof.Store(true)
	}
	p.read.Add(1)
	return row, err
}

// slowDriver wraps a real driver: each Write copies what it was given,
// lets the reader finish one more batch, waits until it has read ahead rows
// past the Write's last row (row numbers are the ids), or to the end, and
// checks its rows are still what they were before writing them (else
// the Write fails, and the load).
type slowDriver struct {
	driver.Driver
	src     *pacedReader
	ahead   int64
	stalled atomic.Int64
}

func (d *slowDriver) OpenWriter(ctx context.Context, req *driver.WriteRequest) (driver.Writer, error) {
	w, err := d.Driver.OpenWriter(ctx, req)
	if err != nil {
		return nil, err
	}
	return &slowWriter{Writer: w, d: d}, nil
}

type slowWriter struct {
	driver.Writer
	d *slowDriver
}

func (w *slowWriter) Write(ctx context.Context, rows []frictionless.Row) error {
	before := make([]string, len(rows))
	for i, r := range rows {
		before[i] = fmt.Sprint(r...)
	}
	w.d.src.gate <- struct{}{}
	target := rows[len(rows)-1][0].(int64) + w.d.ahead
	for deadline := time.Now().Add(2 * time.Second); w.d.src.read.Load() < target && !w.d.src.eof.Load() && time.Now().Before(deadline); {
		time.Sleep(100 * time.Microsecond)
	}
	if w.d.src.read.Load() < target && !w.d.src.eof.Load() {
		w.d.stalled.Add(1)
	}
	for i, r := range rows {
		if fmt.Sprint(r...) != before[i] {
			return fmt.Errorf("row %d changed while being written: %q, then %q", i, before[i], fmt.Sprint(r...))
		}
	}
	return w.Writer.Write(ctx, rows)
}

// TestLoadReusesBatchesOnlyOnceWritten: the loader casts rows into its
// batches' memory and recycles a batch once it is written; while a Write
// runs the reader fills the writer's channel and all but the last row of
// the next batch (three batches past the Write), and none of the rows
// being written changes under the writer. The table holds every row, in order.
func TestLoadReusesBatchesOnlyOnceWritten(t *testing.T) {
	t.Parallel()
	const rows, size = 3000, 50
	s := openCities(t)
	r, err := frictionless.NewReader(strings.NewReader(numberedCities(rows)), cities, nil)
	require.NoError(t, err)
	src := &pacedReader{Reader: r, size: size, gate: make(chan struct{}, rows/size)}
	d := &slowDriver{Driver: datastore.DriverOf(s), src: src, ahead: 3*size - 1}
	rep, err := datastore.Load(context.Background(), datastore.NewStore(d), "cities", src, &datastore.LoadOptions{BatchSize: size})
	require.NoError(t, err)
	require.EqualValues(t, rows, rep.Written)
	require.Zero(t, d.stalled.Load(), "the reader did not get three batches ahead")
	i := 0
	_, err = s.ReadRows(context.Background(), "cities", func(row frictionless.Row) error {
		i++
		require.Equal(t, frictionless.Row{int64(i), fmt.Sprintf("city%d", i), int64(i * 10)}, row)
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, rows, i)
}
