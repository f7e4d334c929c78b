package storage

import (
	"cmp"
	"context"
	"slices"
)

// ElementState is the processing state of a subscribed object, as in dart.
type ElementState string

// Element states. An element moves UNCONSUMED → RESERVED (in a batch) →
// CONSUMED when its batch succeeds, or back to UNCONSUMED when it fails.
const (
	// Unconsumed: delivered, waiting for a batch.
	Unconsumed ElementState = "UNCONSUMED"
	// Reserved: taken by a batch that is being processed.
	Reserved ElementState = "RESERVED"
	// Consumed: processed successfully.
	Consumed ElementState = "CONSUMED"
)

// Element is one delivered object and its processing state.
type Element struct {
	Object
	// State is the processing state.
	State ElementState `json:"state"`
	// Batch names the batch that reserved the element ("" while UNCONSUMED).
	Batch string `json:"batch,omitempty"`
}

// Queue is the durable state of one subscriber: the [Cursor] plus the
// elements not yet consumed. It is a JSON-serialisable value: the caller
// persists it (for example with [Bucket.PutJSON], or in its own database)
// after each change and restores it after a restart. A Queue is not safe for
// concurrent use; serialise changes (one scheduler owns it).
//
// Typical use: [Subscription.Refresh] adds new objects as UNCONSUMED;
// [Queue.Reserve] takes the smallest key-ordered run of UNCONSUMED elements
// whose sizes reach a threshold and marks them RESERVED under a batch id; the
// task that handles the batch ends with [Queue.Consume] (success) or
// [Queue.Release] (failure, the elements become UNCONSUMED again).
// [Queue.Compact] drops CONSUMED elements, which the cursor already keeps
// from being delivered again, so the queue holds only the backlog.
type Queue struct {
	// Cursor is the subscription cursor.
	Cursor Cursor `json:"cursor"`
	// Elements are kept in key order.
	Elements []Element `json:"elements,omitempty"`
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

// Add records objects as UNCONSUMED. A key already UNCONSUMED is updated to
// the new object (a re-upload replaces the pending version); a CONSUMED one
// is replaced; a RESERVED one is kept for its batch and the new version is
// added beside it.
func (q *Queue) Add(objs ...Object) {
	for _, o := range objs {
		i := slices.IndexFunc(q.Elements, func(e Element) bool {
			return e.Key == o.Key && e.State != Reserved
		})
		if i >= 0 {
			q.Elements[i] = Element{Object: o, State: Unconsumed}
			continue
		}
		q.Elements = append(q.Elements, Element{Object: o, State: Unconsumed})
	}
	slices.SortStableFunc(q.Elements, func(a, b Element) int {
		return cmp.Or(cmp.Compare(a.Key, b.Key), a.ModTime.Compare(b.ModTime))
	})
}

// StateStats counts the elements in one state.
type StateStats struct {
	// State is the element state counted.
	State ElementState `json:"state"`
	// Count is the number of elements in State.
	Count int `json:"count"`
	// Bytes is their total size.
	Bytes int64 `json:"bytes"`
}

// Stats returns the count and total size of the elements per state, in the
// order UNCONSUMED, RESERVED, CONSUMED (states without elements included).
func (q *Queue) Stats() []StateStats {
	out := []StateStats{{State: Unconsumed}, {State: Reserved}, {State: Consumed}}
	for _, e := range q.Elements {
		for i := range out {
			if out[i].State == e.State {
				out[i].Count++
				out[i].Bytes += e.Size
			}
		}
	}
	return out
}

// UnconsumedBytes returns the total size of the UNCONSUMED elements.
func (q *Queue) UnconsumedBytes() int64 { return q.Stats()[0].Bytes }

// Reserve marks as RESERVED under batch the smallest key-ordered run of
// UNCONSUMED elements whose sizes reach threshold bytes (the element that
// crosses the threshold included) and returns copies of them. It returns
// nil and changes nothing while the UNCONSUMED bytes are below threshold.
// A threshold ≤ 0 reserves every UNCONSUMED element (none: nil).
func (q *Queue) Reserve(batch string, threshold int64) []Element {
	var (
		idx []int
		sum int64
	)
	for i, e := range q.Elements {
		if e.State != Unconsumed {
			continue
		}
		idx = append(idx, i)
		sum += e.Size
		if threshold > 0 && sum >= threshold {
			break
		}
	}
	if len(idx) == 0 || (threshold > 0 && sum < threshold) {
		return nil
	}
	out := make([]Element, 0, len(idx))
	for _, i := range idx {
		q.Elements[i].State = Reserved
		q.Elements[i].Batch = batch
		out = append(out, q.Elements[i])
	}
	return out
}

// Batch returns copies of the elements of batch, in key order.
func (q *Queue) Batch(batch string) []Element {
	var out []Element
	for _, e := range q.Elements {
		if e.Batch == batch && e.State == Reserved {
			out = append(out, e)
		}
	}
	return out
}

// Consume marks the RESERVED elements of batch CONSUMED and returns how many.
func (q *Queue) Consume(batch string) int {
	return q.settle(batch, Consumed)
}

// Release returns the RESERVED elements of batch to UNCONSUMED (their batch
// is cleared) and returns how many.
func (q *Queue) Release(batch string) int {
	return q.settle(batch, Unconsumed)
}

func (q *Queue) settle(batch string, to ElementState) int {
	n := 0
	for i := range q.Elements {
		e := &q.Elements[i]
		if e.State != Reserved || e.Batch != batch {
			continue
		}
		e.State = to
		if to == Unconsumed {
			e.Batch = ""
		}
		n++
	}
	return n
}

// Compact removes the CONSUMED elements and returns how many it removed.
func (q *Queue) Compact() int {
	before := len(q.Elements)
	q.Elements = slices.DeleteFunc(q.Elements, func(e Element) bool { return e.State == Consumed })
	return before - len(q.Elements)
}
