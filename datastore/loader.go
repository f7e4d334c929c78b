package datastore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
)

// loader runs one load: a reader goroutine validates and batches while the
// calling goroutine writes, so casting and writing overlap.
type loader struct {
	store   *Store
	opts    *LoadOptions
	rep     *LoadReport
	project []int
	columns []frictionless.Field
	start   time.Time
	lastPrg time.Time
	w       driver.Writer
	pool    *batchPool
	join    *batch // where coalesce joins batches

	castBufs freeList[*castBuf] // free castBufs (parallel validation)
}

// statser is a source that reports bytes read.
type statser interface{ Stats() frictionless.ReadStats }

// run writes src through a writer opened for req and commits, or aborts on
// any failure. The reader starts first, so the first batches are validated
// while the writer connects and prepares its table (on PostgreSQL, 20–50
// ms of a 0.6 s load of 1M rows); what it read stays in memory until the
// writer takes it, so nothing is counted or rejected before then.
func (l *loader) run(ctx context.Context, src RowReader, req *driver.WriteRequest) (err error) {
	l.pool = newBatchPool(l.opts.BatchSize, len(src.Schema().Fields))
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan *batch, 2)
	done := make(chan error, 1)
	if rs, ok := parallelSource(src); ok {
		go func() { done <- l.readParallel(rctx, rs, ch) }()
	} else {
		go func() { done <- l.read(rctx, src, ch) }()
	}
	stopReader := func() error {
		cancel()
		for range ch { // let the reader finish
		}
		return <-done
	}
	w, err := l.store.drv.OpenWriter(ctx, req)
	if err != nil {
		_ = stopReader() // the writer's error is the load's
		return err
	}
	l.w = w
	flushed, committed := false, false
	defer func() {
		if err != nil && !committed {
			err = errors.Join(err, w.Abort())
			if !flushed {
				// Rejects are kept even when the load failed; use a fresh
				// context when the load's was cancelled.
				err = errors.Join(err, l.flushRejects(context.WithoutCancel(ctx)))
			}
			l.rep.Written = 0 // nothing was committed
		}
		l.progress(true)
	}()
	werr := l.consume(ctx, ch)
	rerr := stopReader()
	if werr != nil {
		return werr
	}
	if rerr != nil {
		return rerr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// The rejects are stored before the commit: a load whose rejects cannot
	// be kept fails with its target unchanged, never after committing. A
	// table sink on a single-writer database (SQLite) cannot write while
	// the load's session is open: it flushes after the commit (SQLite
	// stores any bytes and the rejects table is made in the same file, so
	// only an I/O error can fail it there).
	flushed = true
	if !l.flushAfterCommit() {
		if err := l.flushRejects(ctx); err != nil {
			return err
		}
		return w.Commit(ctx)
	}
	if err := w.Commit(ctx); err != nil {
		flushed = false
		return err
	}
	committed = true
	return l.flushRejects(ctx)
}

// flushAfterCommit reports whether the sink writes into the load's own
// single-writer store.
func (l *loader) flushAfterCommit() bool {
	sw, ok := l.store.drv.(driver.SingleWriter)
	if !ok || !sw.SingleWriter() {
		return false
	}
	a, ok := l.opts.Rejects.(interface{ writesInto(*Store) bool })
	return ok && a.writesInto(l.store)
}

// flushRejects flushes the reject sink, if any.
func (l *loader) flushRejects(ctx context.Context) error {
	if l.opts.Rejects == nil {
		return nil
	}
	if err := l.opts.Rejects.Flush(ctx); err != nil {
		return fmt.Errorf("flush rejects: %w", err)
	}
	return nil
}

// consume writes batches until the channel closes or a write fails. A
// batch counts as read before its rows are rejected or written, so the
// counts satisfy read >= written + rejected at every moment, also in the
// report and the last Progress call of a load that fails.
func (l *loader) consume(ctx context.Context, ch <-chan *batch) error {
	for b := range ch {
		b = l.coalesce(b, ch)
		l.rep.Read, l.rep.Bytes = b.read, b.bytes
		if err := l.reject(ctx, b.rejects); err != nil {
			return err
		}
		if len(b.rows) > 0 {
			if err := l.write(ctx, b.rows, b.nums); err != nil {
				return err
			}
		}
		l.pool.put(b)
		l.progress(false)
	}
	return nil
}

// coalesce joins the batches already waiting on ch to b while it holds
// fewer rows than the writer's CoalesceRows ([driver.Coalescer]), unless
// LoadOptions.BatchSize was set; rows and rejects keep their input order.
// The rows are joined in the loader's own join batch, whose memory serves
// every joined Write.
func (l *loader) coalesce(b *batch, ch <-chan *batch) *batch {
	c, ok := l.w.(driver.Coalescer)
	if !ok || !l.opts.coalesce {
		return b
	}
	j := b
	for limit := c.CoalesceRows(); len(j.rows) < limit; {
		select {
		case next, open := <-ch:
			if !open {
				return j
			}
			if j == b {
				j = l.joinFrom(b)
			}
			j.rows = append(j.rows, next.rows...)
			j.nums = append(j.nums, next.nums...)
			j.rejects = append(j.rejects, next.rejects...)
			j.read, j.bytes = next.read, next.bytes
			j.merged = append(j.merged, next)
		default:
			return j
		}
	}
	return j
}

// joinFrom starts the loader's join batch with b's rows.
func (l *loader) joinFrom(b *batch) *batch {
	if l.join == nil {
		l.join = &batch{joined: true}
	}
	j := l.join
	j.rows = append(j.rows[:0], b.rows...)
	j.nums = append(j.nums[:0], b.nums...)
	j.rejects = append([]Reject(nil), b.rejects...)
	j.read, j.bytes = b.read, b.bytes
	j.merged = append(j.merged[:0], b)
	return j
}

// rowReaderInto is a source that casts into memory the caller gives
// (*frictionless.Reader).
type rowReaderInto interface {
	ReadInto(dst frictionless.Row) (frictionless.Row, error)
}

// read validates src into batches and closes ch at the end. A fatal read
// error is returned; the writer sees the closed channel.
func (l *loader) read(ctx context.Context, src RowReader, ch chan<- *batch) error {
	defer close(ch)
	st, _ := src.(statser)
	liner, _ := src.(interface{ Line() int })
	into, _ := src.(rowReaderInto)
	size := l.opts.BatchSize
	var n int64
	b := l.pool.get()
	send := func() error {
		b.read = n
		if st != nil {
			b.bytes = st.Stats().Bytes
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		select {
		case ch <- b:
		case <-ctx.Done():
			return ctx.Err()
		}
		b = l.pool.get()
		return nil
	}
	for {
		var row frictionless.Row
		var err error
		if into != nil {
			row, err = into.ReadInto(b.slot())
		} else {
			row, err = src.Read()
		}
		if err == nil {
			n++
			b.rows = append(b.rows, l.projectRow(row))
			pos := rowPos{num: int(n)}
			if liner != nil {
				pos.line = liner.Line()
			}
			b.nums = append(b.nums, pos)
			if len(b.rows) >= size {
				if err := send(); err != nil {
					return err
				}
			}
			continue
		}
		if err == io.EOF {
			return send()
		}
		var re *RowError
		switch {
		case errors.As(err, &re) && re.Row == 0:
			return fmt.Errorf("header: %w", re)
		case errors.As(err, &re):
			n++
			b.rejects = append(b.rejects, rejectFromRowError(re, n))
			if len(b.rejects) >= size {
				if err := send(); err != nil {
					return err
				}
			}
			continue
		default:
			return fmt.Errorf("read: %w", err)
		}
	}
}

// projectRow keeps only the written columns (DriftIgnoreExtra).
func (l *loader) projectRow(row frictionless.Row) frictionless.Row {
	if l.project == nil {
		return row
	}
	out := make(frictionless.Row, len(l.project))
	for k, i := range l.project {
		out[k] = row[i]
	}
	return out
}

// rejectFromRowError converts a validation error; n is the row counter.
func rejectFromRowError(re *RowError, n int64) Reject {
	row := re.Row
	if row == 0 {
		row = int(n)
	}
	raw := make([]string, len(re.Raw))
	copy(raw, re.Raw)
	return Reject{Row: row, Line: re.Line, Field: re.Field, Value: re.Value, Reason: re.Reason, Raw: raw, Stage: StageValidation}
}

// write writes rows; when the database refuses them it splits the group in
// halves until each refused row is isolated and rejected.
func (l *loader) write(ctx context.Context, rows []frictionless.Row, nums []rowPos) error {
	err := l.w.Write(ctx, rows)
	if err == nil {
		l.rep.Written += int64(len(rows))
		return nil
	}
	info := l.store.drv.Classify(err)
	if info.Kind != driver.KindData {
		if ctx.Err() != nil {
			return errors.Join(ctx.Err(), err)
		}
		return err
	}
	if len(rows) == 1 {
		return l.reject(ctx, []Reject{l.dbReject(rows[0], nums[0], info, err)})
	}
	mid := len(rows) / 2
	if err := l.write(ctx, rows[:mid], nums[:mid]); err != nil {
		return err
	}
	return l.write(ctx, rows[mid:], nums[mid:])
}

// dbReject describes a row the database refused.
func (l *loader) dbReject(row frictionless.Row, pos rowPos, info driver.ErrorInfo, err error) Reject {
	r := Reject{Row: pos.num, Line: pos.line, Field: info.Field, Reason: err.Error(), Stage: StageDatabase}
	r.Raw = formatRow(l.columns, row)
	for i := range l.columns {
		if l.columns[i].Name == info.Field {
			r.Value = r.Raw[i]
		}
	}
	return r
}

// formatRow renders typed values as text (best effort, for reports).
func formatRow(columns []frictionless.Field, row frictionless.Row) []string {
	out := make([]string, len(row))
	for i, v := range row {
		if v == nil || i >= len(columns) {
			continue
		}
		s, err := columns[i].FormatValue(v)
		if err != nil {
			s = fmt.Sprint(v)
		}
		out[i] = s
	}
	return out
}

// reject counts rejects, keeps the first ones in the report, sends them to
// the sink and enforces MaxRejects.
func (l *loader) reject(ctx context.Context, rejects []Reject) error {
	if len(rejects) == 0 {
		return nil
	}
	l.rep.Rejected += int64(len(rejects))
	for i := 0; i < len(rejects) && len(l.rep.Rejects) < maxReportRejects; i++ {
		l.rep.Rejects = append(l.rep.Rejects, rejects[i])
	}
	if l.opts.Rejects != nil {
		if err := l.opts.Rejects.WriteRejects(ctx, rejects); err != nil {
			return fmt.Errorf("write rejects: %w", err)
		}
	}
	max := int64(l.opts.MaxRejects)
	if max != 0 && (max < 0 || l.rep.Rejected > max) {
		return fmt.Errorf("%w: %d rejected (%s)", ErrTooManyRejects, l.rep.Rejected, describeReject(&rejects[len(rejects)-1]))
	}
	return nil
}

// describeReject renders a reject for an error message.
func describeReject(r *Reject) string {
	if r.Field == "" {
		return fmt.Sprintf("row %d: %s", r.Row, r.Reason)
	}
	return fmt.Sprintf("row %d: field %q: %s", r.Row, r.Field, r.Reason)
}

// progress calls the Progress callback, rate-limited unless final.
func (l *loader) progress(final bool) {
	if l.opts.Progress == nil {
		return
	}
	now := time.Now()
	if !final && now.Sub(l.lastPrg) < l.opts.ProgressInterval {
		return
	}
	l.lastPrg = now
	l.opts.Progress(Progress{Read: l.rep.Read, Written: l.rep.Written, Rejected: l.rep.Rejected, Bytes: l.rep.Bytes, Elapsed: now.Sub(l.start)})
}
