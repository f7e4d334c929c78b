package storage

import "context"

// Queue is the durable state of one subscriber: the [Cursor] plus the
// [Backlog] of elements not yet consumed (its methods and its Elements
// field are the Queue's). It is a JSON-serialisable value: the caller
// persists it (for example with [Bucket.PutJSON], or in its own database)
// after each change and restores it after a restart. A Queue is not safe for
// concurrent use; serialise changes (one scheduler owns it).
//
// Typical use: [Subscription.Refresh] adds new objects as UNCONSUMED;
// [Backlog.Reserve] takes the smallest key-ordered run of UNCONSUMED
// elements whose sizes reach a threshold and marks them RESERVED under a
// batch id; [Backlog.Assign] hands the batch to the task that processes it
// (ASSIGNED), which ends with [Backlog.Consume] (success) or
// [Backlog.Release] (failure, the elements become UNCONSUMED again).
// [Backlog.Compact] drops CONSUMED elements, which the cursor already keeps
// from being delivered again, so the queue holds only the backlog.
type Queue struct {
	// Cursor is the subscription cursor.
	Cursor Cursor `json:"cursor"`
	Backlog
}

// Refresh polls the subscription with q.Cursor, adds the new objects to q as
// UNCONSUMED, advances q.Cursor and returns the new objects.
func (s *Subscription) Refresh(ctx context.Context, q *Queue) ([]Object, error) {
	fresh, next, err := s.Poll(ctx, q.Cursor)
	if err != nil {
		return nil, err
	}
	q.Add(fresh...)
	q.Cursor = next
	return fresh, nil
}
