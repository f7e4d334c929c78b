package datastore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/datafactory/datafactory/frictionless"
)

// A source that splits reading from casting (a frictionless.Reader without
// unique checks) is validated in parallel on machines with 4 processors or
// more (castWorkers): the reader goroutine only parses
// CSV records into jobs of BatchSize records, castWorkers goroutines cast
// and check them, and the reader hands the finished batches to the writer
// in input order. Row numbers, lines and rejects are those of the serial
// path (each record carries its own), so rows read = written + rejected
// holds as before; memory stays bounded by the jobs in flight (at most
// castWorkers+1 batches besides the writer's channel).

// recordSource is a source whose records can be cast apart from reading.
type recordSource interface {
	ReadRecord() (frictionless.Record, error)
	CastRecord(rec frictionless.Record, dst frictionless.Row) (frictionless.Row, *RowError)
	ConcurrentCast() bool
	Schema() *frictionless.Schema
}

// castWorkers is how many goroutines cast records: half the processors,
// the other half left to the database and the writer's encoders. Measured
// on 2 cores shared with PostgreSQL (1M rows into a new table, CLI, three
// runs each): casting on 2 goroutines took 1.52–1.86 s and 1.14–1.45 s of
// our CPU, on one 1.36–1.65 s and 1.14–1.34 s (handoffs, the records
// copied); the database's COPY backend needs the second core, so 2
// processors validate on one goroutine.
func castWorkers() int {
	if n := castWorkersOverride.Load(); n > 0 {
		return int(n)
	}
	return runtime.GOMAXPROCS(0) / 2
}

// castWorkersOverride replaces castWorkers when positive (tests).
var castWorkersOverride atomic.Int32

// parallelSource returns src as a recordSource when casting it in parallel
// pays off.
func parallelSource(src RowReader) (recordSource, bool) {
	rs, ok := src.(recordSource)
	if !ok || !rs.ConcurrentCast() || castWorkers() < 2 {
		return nil, false
	}
	return rs, true
}

// castItem is one record of a job, or the error that made it malformed.
type castItem struct {
	rec frictionless.Record
	err *RowError
}

// castJob is one batch to cast; done closes when b is filled.
type castJob struct {
	*castBuf
	b    *batch
	done chan struct{}
}

// castBuf holds a job's records: their cells in one slice. Once the job
// is cast, its castBuf is recycled (castBufs): the records the reader
// copies for the next jobs go to memory already there.
type castBuf struct {
	items []castItem
	cells []string
}

// readParallel reads records, has them cast by castWorkers goroutines and
// sends the batches to ch in order, closing it at the end.
func (l *loader) readParallel(ctx context.Context, src recordSource, ch chan<- *batch) error {
	defer close(ch)
	jobs := make(chan *castJob, castWorkers())
	l.castBufs = make(freeList[*castBuf], 2*castWorkers()+1)
	var wg sync.WaitGroup
	for range castWorkers() {
		wg.Go(func() {
			for j := range jobs {
				l.cast(src, j)
				close(j.done)
			}
		})
	}
	defer wg.Wait()
	defer close(jobs)
	st, _ := src.(statser)
	var queue []*castJob
	send := func(keep int) error {
		for len(queue) > keep {
			j := queue[0]
			queue = queue[1:]
			select {
			case <-j.done:
			case <-ctx.Done():
				return ctx.Err()
			}
			select {
			case ch <- j.b:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}
	var n int64
	for {
		j, err := l.readJob(src, &n)
		if j != nil {
			if st != nil {
				j.b.bytes = st.Stats().Bytes
			}
			select {
			case jobs <- j:
			case <-ctx.Done():
				return ctx.Err()
			}
			queue = append(queue, j)
			if serr := send(castWorkers()); serr != nil {
				return serr
			}
		}
		if err == io.EOF {
			return send(0)
		}
		if err != nil {
			// Batches before a fatal error are still written, as on the
			// serial path; the load fails after them.
			return errors.Join(send(0), err)
		}
	}
}

// castBuf returns a recycled castBuf, or a new one sized for a batch of
// src's records.
func (l *loader) castBuf(src recordSource) *castBuf {
	return l.castBufs.get(func() *castBuf {
		size := l.opts.BatchSize
		return &castBuf{items: make([]castItem, 0, size), cells: make([]string, 0, size*len(src.Schema().Fields))}
	})
}

// readJob reads up to BatchSize records into a job; n counts rows. It
// returns io.EOF at the end, with the last (maybe empty) job.
func (l *loader) readJob(src recordSource, n *int64) (*castJob, error) {
	size := l.opts.BatchSize
	j := &castJob{castBuf: l.castBuf(src), b: l.pool.get(), done: make(chan struct{})}
	for len(j.items) < size {
		rec, err := src.ReadRecord()
		var re *RowError
		switch {
		case err == nil:
			at := len(j.cells)
			j.cells = append(j.cells, rec.Cells...)
			rec.Cells = j.cells[at:len(j.cells):len(j.cells)]
			j.items = append(j.items, castItem{rec: rec})
		case err == io.EOF:
			j.b.read = *n
			return j, io.EOF
		case errors.As(err, &re) && re.Row == 0:
			return nil, fmt.Errorf("header: %w", re)
		case errors.As(err, &re):
			j.items = append(j.items, castItem{rec: frictionless.Record{Row: int(*n + 1)}, err: re})
		default:
			return nil, fmt.Errorf("read: %w", err)
		}
		*n++
	}
	j.b.read = *n
	return j, nil
}

// cast casts a job's records into its batch.
func (l *loader) cast(src recordSource, j *castJob) {
	b := j.b
	for _, it := range j.items {
		re := it.err
		if re == nil {
			var row frictionless.Row
			row, re = src.CastRecord(it.rec, b.slot())
			if re == nil {
				b.rows = append(b.rows, l.projectRow(row))
				b.nums = append(b.nums, rowPos{num: it.rec.Row, line: it.rec.Line})
				continue
			}
		}
		b.rejects = append(b.rejects, rejectFromRowError(re, int64(it.rec.Row)))
	}
	// The records' cells are no longer needed (rows keep what they use).
	clear(j.items)
	clear(j.cells)
	j.items, j.cells = j.items[:0], j.cells[:0]
	l.castBufs.put(j.castBuf)
	j.castBuf = nil
}
