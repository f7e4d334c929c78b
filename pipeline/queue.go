package pipeline

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
)

// Queue is a run's work queue as one attempt sees it: producer tasks put
// string items (page keys, file names) and fan-out instances claim them.
// Every item put is processed exactly once: an attempt claims it, and it
// is acknowledged by [Queue.Ack] or when the attempt succeeds; the
// unacknowledged claims of an attempt that fails (or whose process dies)
// go back to the queue, for its next attempt or another instance. An item
// a producer instance already put is not put again, so a retried producer
// does not duplicate its items. See [QueueState] for the rules.
//
// The queue lives in the run's process with the in-process executor, and
// in the run's workflow with temporalexec (attempts on any worker reach it
// through a [QueueBroker]). Tasks run one by one by [RunTask] cannot reach
// one: their queue operations fail with [ErrQueueSplit].
//
// Producers name the queue in [TaskOptions].Feeds and consumers in
// [TaskOptions].Consumes; a consumer must not depend on its producers, so
// that it claims while they produce ([Builder.Build] refuses the
// dependency when the consumer declares the queue). A consumer that does
// depend on a producer without declaring the queue starts only after the
// queue is closed: it claims the items left (all of them when every
// producer succeeded) and then gets [ErrQueueClosed].
type Queue struct {
	name string
	aq   *attemptQueues
}

// QueueBroker carries one attempt's queue operations to where its run's
// queues live (see [Attempt].Queues). Its methods follow [QueueState]'s,
// for the attempt the broker was made for; Claim waits until an item is
// available, the queue is closed, or ctx is done.
type QueueBroker interface {
	Put(ctx context.Context, queue string, items []string) error
	Claim(ctx context.Context, queue string) (string, error)
	Ack(ctx context.Context, queue, item string) error
	// End ends the attempt's claims in every queue: acknowledged when ok,
	// back in their queues otherwise.
	End(ctx context.Context, ok bool) error
}

// attemptQueues is an attempt's access to its run's queues.
type attemptQueues struct {
	broker QueueBroker
	used   atomic.Bool // a queue operation ran: End must run
}

// end ends the attempt's claims, when it used a queue.
func (aq *attemptQueues) end(ctx context.Context, ok bool) error {
	if aq == nil || !aq.used.Load() {
		return nil
	}
	return aq.broker.End(context.WithoutCancel(ctx), ok)
}

// Put adds items. It fails once the queue is closed, with the producer's
// error when it was closed with one.
func (q *Queue) Put(ctx context.Context, items ...string) error {
	q.aq.used.Store(true)
	return q.aq.broker.Put(ctx, q.name, items)
}

// Claim takes the next item, waiting until one is available. It returns
// [ErrQueueClosed] when the queue is closed and empty, the producer's error
// when it was closed with one, and ctx.Err() when ctx is done. The item is
// the attempt's until it is acknowledged or the attempt ends.
func (q *Queue) Claim(ctx context.Context) (string, error) {
	q.aq.used.Store(true)
	return q.aq.broker.Claim(ctx, q.name)
}

// Ack acknowledges a claimed item whose processing is durable: it is not
// claimed again even if this attempt fails later. Items not acknowledged
// are acknowledged when the attempt succeeds.
func (q *Queue) Ack(ctx context.Context, item string) error {
	q.aq.used.Store(true)
	return q.aq.broker.Ack(ctx, q.name, item)
}

// memQueue is a queue held in this process.
type memQueue struct {
	mu     sync.Mutex
	s      *QueueState
	notify chan struct{} // closed and replaced whenever the queue changes
}

func newMemQueue(name string) *memQueue {
	return &memQueue{s: NewQueueState(name), notify: make(chan struct{})}
}

// update applies f under the lock and wakes waiting claimers.
func (q *memQueue) update(f func(s *QueueState) error) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	err := f(q.s)
	close(q.notify)
	q.notify = make(chan struct{})
	return err
}

func (q *memQueue) close(err error) {
	_ = q.update(func(s *QueueState) error { s.Close(err); return nil })
}

func (q *memQueue) claim(ctx context.Context, o QueueOwner) (string, error) {
	for {
		q.mu.Lock()
		item, ok, err := q.s.Claim(o)
		wait := q.notify
		q.mu.Unlock()
		if ok || err != nil {
			return item, err
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-wait:
		}
	}
}

// memBroker is an attempt's broker to the queues of a run in this process.
type memBroker struct {
	r *runState
	o QueueOwner
}

func (b memBroker) Put(_ context.Context, queue string, items []string) error {
	return b.r.queue(queue).update(func(s *QueueState) error { return s.Put(b.o, items) })
}

func (b memBroker) Claim(ctx context.Context, queue string) (string, error) {
	return b.r.queue(queue).claim(ctx, b.o)
}

func (b memBroker) Ack(_ context.Context, queue, item string) error {
	return b.r.queue(queue).update(func(s *QueueState) error { return s.Ack(b.o, item) })
}

func (b memBroker) End(_ context.Context, ok bool) error {
	b.r.qmu.Lock()
	names := make([]string, 0, len(b.r.queues))
	for name := range b.r.queues {
		names = append(names, name)
	}
	b.r.qmu.Unlock()
	sort.Strings(names)
	for _, name := range names {
		_ = b.r.queue(name).update(func(s *QueueState) error { s.End(b.o, ok); return nil })
	}
	return nil
}

// splitBroker is the broker of an attempt that cannot reach its run's
// queues.
type splitBroker struct{ why string }

func (b splitBroker) err() error { return fmt.Errorf("%w: %s", ErrQueueSplit, b.why) }

func (b splitBroker) Put(context.Context, string, []string) error   { return b.err() }
func (b splitBroker) Claim(context.Context, string) (string, error) { return "", b.err() }
func (b splitBroker) Ack(context.Context, string, string) error     { return b.err() }
func (b splitBroker) End(context.Context, bool) error               { return nil }
