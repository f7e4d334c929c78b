package sqlstatus

import (
	"context"
	"strings"
	"sync"

	"github.com/datafactory/datafactory/status/driver"
)

// maxBatch is the most events one INSERT carries (17 placeholders each,
// well under every database's limit).
const maxBatch = 256

// pendingEvent is one AppendEvent call waiting for its batch.
type pendingEvent struct {
	ctx  context.Context
	args []any
	done chan error
}

// batcher combines concurrent AppendEvent calls into multi-row INSERTs
// (group commit): callers that arrive while a batch is being written wait
// and go together in the next one. Each call returns once its own event
// is committed. If a batch fails (an unknown trace, a duplicate ID), its
// events are retried one by one so each caller gets its own error.
type batcher struct {
	d        *sqlDriver
	queue    chan *pendingEvent
	stop     chan struct{}
	finished chan struct{} // closed once the flushers have exited
	wg       sync.WaitGroup
}

func newBatcher(d *sqlDriver, flushers int) *batcher {
	b := &batcher{d: d, queue: make(chan *pendingEvent, maxBatch*flushers),
		stop: make(chan struct{}), finished: make(chan struct{})}
	for range flushers {
		b.wg.Go(b.run)
	}
	return b
}

// close stops the flushers after they drained the queue.
func (b *batcher) close() {
	close(b.stop)
	b.wg.Wait()
	close(b.finished)
}

// add queues one event and waits for its batch to commit.
func (b *batcher) add(ctx context.Context, args []any) error {
	p := &pendingEvent{ctx: ctx, args: args, done: make(chan error, 1)}
	select {
	case b.queue <- p:
	case <-b.stop:
		return driver.ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-p.done:
		return err
	case <-ctx.Done():
		return ctx.Err() // the event may still be stored
	case <-b.finished: // queued after the flushers drained the queue
		select {
		case err := <-p.done:
			return err
		default:
			return driver.ErrClosed
		}
	}
}

func (b *batcher) run() {
	batch := make([]*pendingEvent, 0, maxBatch)
	for {
		select {
		case p := <-b.queue:
			batch = append(batch[:0], p)
		case <-b.stop:
			b.drain()
			return
		}
	fill:
		for len(batch) < maxBatch {
			select {
			case p := <-b.queue:
				batch = append(batch, p)
			default:
				break fill
			}
		}
		b.flush(batch)
	}
}

// drain fails whatever is still queued at close.
func (b *batcher) drain() {
	for {
		select {
		case p := <-b.queue:
			p.done <- driver.ErrClosed
		default:
			return
		}
	}
}

// flush writes a batch; on failure each event is written alone.
func (b *batcher) flush(batch []*pendingEvent) {
	live := batch[:0:0]
	for _, p := range batch {
		if err := p.ctx.Err(); err != nil {
			p.done <- err
			continue
		}
		live = append(live, p)
	}
	if len(live) == 0 {
		return
	}
	ctx := context.WithoutCancel(live[0].ctx)
	if len(live) > 1 {
		args := make([]any, 0, len(live)*len(live[0].args))
		for _, p := range live {
			args = append(args, p.args...)
		}
		if _, err := b.d.db.ExecContext(ctx, b.d.q.insertEvents(len(live)), args...); err == nil {
			for _, p := range live {
				p.done <- nil
			}
			return
		}
	}
	for _, p := range live {
		_, err := b.d.db.ExecContext(p.ctx, b.d.q.insertEvent, p.args...)
		p.done <- err
	}
}

// insertEvents returns an INSERT of n events.
func (q *queries) insertEvents(n int) string {
	if n == 1 {
		return q.insertEvent
	}
	row := "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	var sb strings.Builder
	sb.Grow(len(eventCols) + 40 + n*(len(row)+2))
	sb.WriteString("INSERT INTO status_events (" + eventCols + ") VALUES ")
	for i := range n {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(row)
	}
	return q.rebind(sb.String())
}
