package pipeline

import (
	"context"
	"fmt"
	"sync"
)

// Queue is a run's work queue: producer tasks put string items (page keys,
// file names) and fan-out instances claim them. Every item is claimed by
// exactly one claimer. It lives in the run's process.
//
// Producers name the queue in [TaskOptions].Feeds and consumers in
// [TaskOptions].Consumes; a consumer must not depend on its producers, so
// that it claims while they produce ([Builder.Build] refuses the
// dependency when the consumer declares the queue). A consumer that does
// depend on a producer without declaring the queue starts only after the
// queue is closed: it claims the items left (all of them when every
// producer succeeded) and then gets [ErrQueueClosed].
type Queue struct {
	name    string
	mu      sync.Mutex
	items   []string
	closed  bool
	err     error
	notify  chan struct{} // closed and replaced whenever the queue changes
	claimed int
}

func newQueue(name string) *Queue {
	return &Queue{name: name, notify: make(chan struct{})}
}

// wake wakes every waiting claimer. Callers hold q.mu.
func (q *Queue) wake() {
	close(q.notify)
	q.notify = make(chan struct{})
}

// Put adds items. It fails once the queue is closed, with the producer's
// error when it was closed with one.
func (q *Queue) Put(items ...string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.err != nil {
		return q.err
	}
	if q.closed {
		return fmt.Errorf("queue %s: put: %w", q.name, ErrQueueClosed)
	}
	q.items = append(q.items, items...)
	q.wake()
	return nil
}

// Close marks the end of the input: claimers drain what is left, then get
// [ErrQueueClosed]. Close(err) with a non-nil err makes claimers get err
// instead, at once, dropping what is left (a failed producer). Closing
// twice keeps the first state.
func (q *Queue) Close(err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	q.closed = true
	if err != nil {
		q.err = fmt.Errorf("queue %s: producer failed: %w", q.name, err)
		q.items = nil
	}
	q.wake()
}

// Claim takes the next item, waiting until one is available. It returns
// [ErrQueueClosed] when the queue is closed and empty, the producer's error
// when it was closed with one, and ctx.Err() when ctx is done.
func (q *Queue) Claim(ctx context.Context) (string, error) {
	for {
		q.mu.Lock()
		if q.err != nil {
			err := q.err
			q.mu.Unlock()
			return "", err
		}
		if len(q.items) > 0 {
			item := q.items[0]
			q.items = q.items[1:]
			q.claimed++
			q.mu.Unlock()
			return item, nil
		}
		if q.closed {
			q.mu.Unlock()
			return "", ErrQueueClosed
		}
		wait := q.notify
		q.mu.Unlock()
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-wait:
		}
	}
}

// Len returns the number of items waiting.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}
