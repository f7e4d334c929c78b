package pgstage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/jackc/pgx/v5"
)

// A replace with Options.Streams COPYs each large enough Write over
// 1+len(Streams) connections at once, the rows cut into contiguous runs
// (the binary encoding runs on as many goroutines). Other connections can
// only see a committed table, so the staging table is then created outside
// the replace's transaction (right after the replace lock is taken) and
// each stream writes in a transaction of its own that lasts the load, each
// Write under a savepoint on every stream: a run a stream fails makes the
// others roll theirs back, so a failed Write leaves nothing, as with one
// stream. Commit commits the streams, then swaps in the replace's
// transaction as before (still one short transaction). Abort and a failed
// Commit drop the staging table; a killed process leaves it, and the next
// replace of the table drops it (StalePrefix, which parallel streams
// require).
//
// A key written by one stream and again by another would make the second
// wait for the first's transaction, which ends only at Commit: a keyed
// staging table takes parallel streams only when its rows can be dealt to
// the streams by key (partition.go), else it loads on one stream. The
// physical order of the
// staged rows is then that of the runs as the streams wrote them, not the
// input order (SQL tables have none; a reader that needs one orders).

// cleanupTimeout bounds the cleanup after a failure.
const cleanupTimeout = 30 * time.Second

// minParallelRows is the smallest Write cut into runs: below it one stream
// writes (the round trips would cost more than they save).
const minParallelRows = 2000

// stream is one extra COPY connection.
type stream struct {
	sess   Session
	copier *Copier
	open   bool // its transaction is open
}

// parallelOK reports whether o allows parallel streams, and for a keyed
// table returns the dealer of its rows (partition.go).
func parallelOK(o *Options) (bool, *keyHasher) {
	if len(o.Streams) == 0 || !CanStream(o) {
		return false, nil
	}
	key, _ := partitionKey(o)
	if key == nil {
		return true, nil
	}
	return true, newKeyHasher(key, o.Fields)
}

// CanStream reports whether a replace with o (Streams aside) can take
// parallel COPY streams: its staging table is dropped by the next replace
// when left behind (StalePrefix) and it has no unique key, or exactly one
// whose rows can be dealt by hash (partition.go).
func CanStream(o *Options) bool {
	if o.StalePrefix == "" || !strings.HasPrefix(o.Staging, o.StalePrefix) {
		return false
	}
	_, ok := partitionKey(o)
	return ok
}

// beginStreams creates the staging table on the first stream (committed)
// and opens a transaction on every stream.
func (r *Replace) beginStreams(ctx context.Context) error {
	for i, sess := range r.o.Streams {
		s := &stream{sess: sess}
		r.streams = append(r.streams, s)
		err := sess(func(c *pgx.Conn) error {
			if i == 0 {
				if err := r.createStaging(ctx, c); err != nil {
					return err
				}
				r.created = true
			}
			if _, err := c.Exec(ctx, "BEGIN"); err != nil {
				return err
			}
			s.open = true
			return nil
		})
		if err != nil {
			return fmt.Errorf("pgstage: open copy stream: %w", err)
		}
	}
	return nil
}

// writeParallel writes rows in contiguous runs, one per connection, each
// under a savepoint; when one fails, every run is rolled back.
func (r *Replace) writeParallel(ctx context.Context, rows []frictionless.Row) error {
	n := 1 + len(r.streams)
	errs := make([]error, n)
	var wg sync.WaitGroup
	runs := make([][]frictionless.Row, n)
	if r.dealer != nil {
		runs = r.dealer.deal(rows, n)
	} else {
		for i := range n {
			runs[i] = rows[len(rows)*i/n : len(rows)*(i+1)/n]
		}
	}
	for i := range n {
		wg.Go(func() { errs[i] = r.runOn(i, func(c *pgx.Conn) error { return r.copyRun(ctx, c, i, runs[i]) }) })
	}
	wg.Wait()
	first := firstError(errs)
	end := "RELEASE SAVEPOINT df_stage"
	if first != nil {
		if ctx.Err() != nil {
			return first
		}
		end = "ROLLBACK TO SAVEPOINT df_stage"
	}
	for i := range n {
		err := r.runOn(i, func(c *pgx.Conn) error {
			_, err := c.Exec(ctx, end)
			return err
		})
		if err != nil {
			return errors.Join(first, err)
		}
	}
	return first
}

// firstError is the first error that is not a cancellation caused by
// another's failure, else the first error.
func firstError(errs []error) error {
	var first error
	for _, err := range errs {
		if err == nil {
			continue
		}
		if !errors.Is(err, context.Canceled) {
			return err
		}
		if first == nil {
			first = err
		}
	}
	return first
}

// runOn runs f on connection i (0: the replace's own, then the streams).
func (r *Replace) runOn(i int, f func(c *pgx.Conn) error) error {
	if i == 0 {
		return r.sess(f)
	}
	return r.streams[i-1].sess(f)
}

// copyRun copies one run on connection i under a savepoint.
func (r *Replace) copyRun(ctx context.Context, c *pgx.Conn, i int, rows []frictionless.Row) error {
	if _, err := c.Exec(ctx, "SAVEPOINT df_stage"); err != nil {
		return err
	}
	if len(rows) == 0 {
		return nil
	}
	if i == 0 {
		return r.copyRows(ctx, c, rows)
	}
	s := r.streams[i-1]
	if s.copier == nil {
		cp, err := NewCopier(ctx, c, r.staging, r.o.Fields)
		if err != nil {
			return err
		}
		s.copier = cp
	}
	return s.copier.Copy(ctx, c, rows)
}

// commitStreams commits the streams' transactions.
func (r *Replace) commitStreams(ctx context.Context) error {
	for _, s := range r.streams {
		err := s.sess(func(c *pgx.Conn) error {
			_, err := c.Exec(ctx, "COMMIT")
			return err
		})
		s.open = false
		if err != nil {
			return fmt.Errorf("pgstage: commit copy stream: %w", err)
		}
	}
	return nil
}

// closeStreams rolls back the streams' open transactions and drops the
// staging table when this replace created it outside its transaction (the
// replace's own transaction must have ended: it may hold the table's
// lock).
func (r *Replace) closeStreams() error {
	var errs []error
	for _, s := range r.streams {
		if s.open {
			s.open = false
			errs = append(errs, s.sess(rollback))
		}
	}
	if r.created && len(r.streams) > 0 {
		r.created = false
		errs = append(errs, r.streams[0].sess(func(c *pgx.Conn) error {
			if c.IsClosed() {
				return nil // the next replace drops it (StalePrefix)
			}
			ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
			defer cancel()
			if _, err := c.Exec(ctx, "DROP TABLE IF EXISTS "+r.staging.Sanitize()); err != nil {
				return fmt.Errorf("pgstage: drop staging table: %w", err)
			}
			return nil
		}))
	}
	return errors.Join(errs...)
}
