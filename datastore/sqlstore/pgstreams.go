package sqlstore

import (
	"context"
	"errors"
	"runtime"
	"time"

	"github.com/datafactory/datafactory/internal/pgstage"
)

// streamWait bounds the wait for each extra COPY connection: a pool at
// its MaxOpenConns limit makes the load go on with fewer streams instead
// of waiting (two loads each holding one connection and waiting for more
// would never end).
const streamWait = 2 * time.Second

// minStreamCPUs is the fewest processors on which a PostgreSQL replace
// COPYs over several streams by default. Below it the validating process
// and the server's COPY backends share too few cores: on 2 cores a 1M-row
// load into a new table took 1.64–1.69 s over two streams and 1.39–1.56 s
// over one (the two backends spent 1.38–1.45 s of CPU, one 1.04–1.14 s),
// and a keyed replace 3.49–4.33 s over two hash-dealt streams against
// 3.14–3.58 s over one (both streams' index inserts share the cores too).
const minStreamCPUs = 4

// copyStreams is how many COPY streams a PostgreSQL replace uses.
func (o *Options) copyStreams() int {
	n := o.CopyStreams
	if n <= 0 {
		n = runtime.NumCPU()
		if n < minStreamCPUs {
			n = 1
		}
	}
	if o.MaxOpenConns > 0 {
		n = min(n, max(1, o.MaxOpenConns/2))
	}
	return n
}

// openStreams takes up to n-1 extra connections from the pool for a
// replace whose staging table can take parallel streams (unkeyed, or with
// one key its rows are dealt by: see internal/pgstage) and returns their
// sessions.
func (w *pgWriter) openStreams(ctx context.Context, s *sqlDriver, o *pgstage.Options) []pgstage.Session {
	if s.streams <= 1 || w.req.TableSchema == nil || !pgstage.CanStream(o) {
		return nil
	}
	var sessions []pgstage.Session
	for range s.streams - 1 {
		cctx, cancel := context.WithTimeout(ctx, streamWait)
		conn, err := s.db.Connx(cctx)
		cancel()
		if err != nil {
			break // fewer streams; a real failure shows on the main connection
		}
		w.extra = append(w.extra, conn)
		sessions = append(sessions, rawSession(conn))
	}
	return sessions
}

// closeStreams returns the extra connections to the pool.
func (w *pgWriter) closeStreams() error {
	var errs []error
	for _, c := range w.extra {
		errs = append(errs, c.Close())
	}
	w.extra = nil
	return errors.Join(errs...)
}
