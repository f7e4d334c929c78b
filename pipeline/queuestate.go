package pipeline

import (
	"fmt"
	"strconv"
)

// QueueOwner is the attempt that puts into or claims from a queue: one
// attempt of one instance of a task. Attempt numbers only grow: an owner
// with a higher Attempt supersedes the earlier attempts of its instance
// (they died or ended), whose claims go back into the queue.
type QueueOwner struct {
	Task     string
	Instance int
	Attempt  int
}

// QueueState is the state of one queue of a run, without locking or
// waiting: the building block of the in-process [Queue] and of executors
// that hold a run's queues elsewhere (temporalexec keeps them in the run's
// workflow). Every method is deterministic, so a replayed sequence of calls
// yields the same state.
//
// Items are put by producers (an item a producer instance already put is
// not put again, so a retried producer does not duplicate its items),
// claimed by consumer attempts, and acknowledged: by [QueueState.Ack], or
// all at once when the attempt ends well ([QueueState.End] with ok). The
// claims of an attempt that fails, or that a later attempt of its instance
// supersedes, go back to the front of the queue for another claimer.
type QueueState struct {
	name   string
	items  []string
	put    map[string]bool
	claims map[instanceKey]*claimSet
	closed bool
	err    error
}

type instanceKey struct {
	task string
	inst int
}

// claimSet is the unacknowledged claims of an instance's latest attempt.
type claimSet struct {
	attempt int
	items   []string
}

// NewQueueState returns the empty, open queue name.
func NewQueueState(name string) *QueueState {
	return &QueueState{name: name, put: map[string]bool{}, claims: map[instanceKey]*claimSet{}}
}

// current returns o's claim set, releasing those of the attempts o
// supersedes; an error when a later attempt superseded o.
func (q *QueueState) current(o QueueOwner) (*claimSet, error) {
	k := instanceKey{o.Task, o.Instance}
	cs := q.claims[k]
	switch {
	case cs == nil:
		cs = &claimSet{attempt: o.Attempt}
		q.claims[k] = cs
	case cs.attempt > o.Attempt:
		return nil, fmt.Errorf("queue %s: attempt %d of %s[%d] was superseded by attempt %d", q.name, o.Attempt, o.Task, o.Instance, cs.attempt)
	case cs.attempt < o.Attempt:
		q.release(cs)
		cs.attempt = o.Attempt
	}
	return cs, nil
}

func (q *QueueState) release(cs *claimSet) {
	if len(cs.items) > 0 && q.err == nil {
		q.items = append(append([]string(nil), cs.items...), q.items...)
	}
	cs.items = nil
}

// Put adds the items o did not put yet. It fails once the queue is
// closed, with the producer's error when it was closed with one.
func (q *QueueState) Put(o QueueOwner, items []string) error {
	if _, err := q.current(o); err != nil {
		return err
	}
	if q.err != nil {
		return q.err
	}
	if q.closed {
		return fmt.Errorf("queue %s: put: %w", q.name, ErrQueueClosed)
	}
	prefix := o.Task + "\x00" + strconv.Itoa(o.Instance) + "\x00"
	for _, it := range items {
		if !q.put[prefix+it] {
			q.put[prefix+it] = true
			q.items = append(q.items, it)
		}
	}
	return nil
}

// Claim takes the next item for o: ok false with a nil error means none
// is waiting yet (try again when the queue changed). The error is
// [ErrQueueClosed] once the queue is closed and empty, or the producer's
// error when it was closed with one.
func (q *QueueState) Claim(o QueueOwner) (item string, ok bool, err error) {
	cs, err := q.current(o)
	if err != nil {
		return "", false, err
	}
	if q.err != nil {
		return "", false, q.err
	}
	if len(q.items) > 0 {
		item = q.items[0]
		q.items = q.items[1:]
		cs.items = append(cs.items, item)
		return item, true, nil
	}
	if q.closed {
		return "", false, ErrQueueClosed
	}
	return "", false, nil
}

// Ack acknowledges an item o claimed: it is done and never claimed again.
func (q *QueueState) Ack(o QueueOwner, item string) error {
	cs, err := q.current(o)
	if err != nil {
		return err
	}
	for i, it := range cs.items {
		if it == item {
			cs.items = append(cs.items[:i], cs.items[i+1:]...)
			return nil
		}
	}
	return fmt.Errorf("queue %s: ack %q: not claimed by attempt %d of %s[%d]", q.name, item, o.Attempt, o.Task, o.Instance)
}

// End ends o's claims: acknowledged when ok (the attempt succeeded), back
// in the queue otherwise. Ending an attempt that holds no claims, or that
// was superseded, does nothing.
func (q *QueueState) End(o QueueOwner, ok bool) {
	cs := q.claims[instanceKey{o.Task, o.Instance}]
	if cs == nil || cs.attempt > o.Attempt {
		return
	}
	if ok {
		cs.items = nil
		return
	}
	q.release(cs)
}

// Close marks the end of the input: claimers drain what is left, then get
// [ErrQueueClosed]. Close(err) with a non-nil err makes claimers get err
// instead, at once, dropping what is left (a failed producer). Closing
// twice keeps the first state.
func (q *QueueState) Close(err error) {
	if q.closed {
		return
	}
	q.closed = true
	if err != nil {
		q.err = fmt.Errorf("queue %s: producer failed: %w", q.name, err)
		q.items = nil
	}
}

// Closed reports whether the queue is closed.
func (q *QueueState) Closed() bool { return q.closed }
