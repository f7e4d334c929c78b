package datastore_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// slowOpenDriver wraps a real driver: OpenWriter waits until the source
// has returned a row (failing after 10 s), then fails with fail when set.
type slowOpenDriver struct {
	driver.Driver
	read chan struct{}
	fail error
}

func (d *slowOpenDriver) OpenWriter(ctx context.Context, req *driver.WriteRequest) (driver.Writer, error) {
	select {
	case <-d.read:
	case <-time.After(10 * time.Second):
		return nil, errors.New("the source was not read while the writer opened")
	}
	if d.fail != nil {
		return nil, d.fail
	}
	return d.Driver.OpenWriter(ctx, req)
}

// firstReadSource closes read at its first row and counts the rows it
// returns.
type firstReadSource struct {
	*frictionless.Reader
	read  chan struct{}
	once  sync.Once
	count atomic.Int64
}

func (s *firstReadSource) seen(row frictionless.Row, err error) (frictionless.Row, error) {
	if err == nil {
		s.once.Do(func() { close(s.read) })
		s.count.Add(1)
	}
	return row, err
}

func (s *firstReadSource) Read() (frictionless.Row, error) { return s.seen(s.Reader.Read()) }

func (s *firstReadSource) ReadInto(dst frictionless.Row) (frictionless.Row, error) {
	return s.seen(s.Reader.ReadInto(dst))
}

// openSlowly loads rows numbered cities through a slowOpenDriver over a
// fresh store.
func openSlowly(t *testing.T, rows int, fail error) (*firstReadSource, *datastore.LoadReport, error) {
	t.Helper()
	read := make(chan struct{})
	d := &slowOpenDriver{Driver: datastore.DriverOf(openCities(t)), read: read, fail: fail}
	r, err := frictionless.NewReader(strings.NewReader(numberedCities(rows)), cities, nil)
	require.NoError(t, err)
	src := &firstReadSource{Reader: r, read: read}
	rep, err := datastore.Load(context.Background(), datastore.NewStore(d), "cities", src, nil)
	return src, rep, err
}

// TestLoadReadsWhileWriterOpens: the loader validates the first rows while
// the writer connects and prepares its table (here a writer that opens
// only once a row was read), and the load is whole.
func TestLoadReadsWhileWriterOpens(t *testing.T) {
	t.Parallel()
	_, rep, err := openSlowly(t, 100, nil)
	require.NoError(t, err)
	require.EqualValues(t, 100, rep.Read)
	require.EqualValues(t, 100, rep.Written)
}

// TestLoadWriterOpenFails: when the writer cannot open, the load returns
// its error with nothing counted, the reader (blocked on a full channel of
// batches) is stopped, and the source is not read any further.
func TestLoadWriterOpenFails(t *testing.T) {
	t.Parallel()
	errOpen := errors.New("cannot open")
	src, rep, err := openSlowly(t, 60_000, errOpen)
	require.ErrorIs(t, err, errOpen)
	require.Zero(t, rep.Read)
	require.Zero(t, rep.Written)
	require.Zero(t, rep.Rejected)
	n := src.count.Load()
	require.Less(t, n, int64(60_000), "the reader stopped")
	time.Sleep(50 * time.Millisecond)
	require.Equal(t, n, src.count.Load(), "nothing reads the source after Load returned")
}
