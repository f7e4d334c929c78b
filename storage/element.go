package storage

import (
	"cmp"
	"slices"
)

// ElementState is the processing state of a subscribed object, as in dart.
type ElementState string

// Element states. An element moves
//
//	UNCONSUMED → RESERVED (in a batch) → ASSIGNED (to its consumer) → CONSUMED
//
// or back to UNCONSUMED when its consumer fails. A consumer may also take
// UNCONSUMED elements directly (UNCONSUMED → ASSIGNED) when no batch
// reserved them. A CONSUMED element whose object is uploaded again becomes
// UNCONSUMED again (see [Backlog.Add]).
const (
	// Unconsumed: delivered, waiting for a batch or a consumer.
	Unconsumed ElementState = "UNCONSUMED"
	// Reserved: taken by a batch that has not reached its consumer yet.
	Reserved ElementState = "RESERVED"
	// Assigned: handed to the consumer (a run) that is processing it.
	Assigned ElementState = "ASSIGNED"
	// Consumed: processed successfully.
	Consumed ElementState = "CONSUMED"
)

// ElementStates lists the states in lifecycle order (the order of
// [Backlog.Stats]).
var ElementStates = []ElementState{Unconsumed, Reserved, Assigned, Consumed}

// transitions are the moves of the machine other than a re-upload (which
// replaces an UNCONSUMED or CONSUMED element, see [Backlog.Add]).
var transitions = map[ElementState][]ElementState{
	Unconsumed: {Reserved, Assigned},
	Reserved:   {Assigned, Consumed, Unconsumed},
	Assigned:   {Consumed, Unconsumed},
}

// CanMove reports whether an element in state s may move to state to.
func (s ElementState) CanMove(to ElementState) bool {
	return slices.Contains(transitions[s], to)
}

// inFlight reports whether an element belongs to a batch not yet settled.
func (s ElementState) inFlight() bool { return s == Reserved || s == Assigned }

// Element is one delivered object and its processing state.
type Element struct {
	Object
	// State is the processing state.
	State ElementState `json:"state"`
	// Batch names the batch that took the element ("" while UNCONSUMED).
	Batch string `json:"batch,omitempty"`
	// Assignee names the consumer the element was assigned to (a run id),
	// "" until ASSIGNED. It is kept once the element is CONSUMED.
	Assignee string `json:"assignee,omitempty"`
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

// Backlog is dart's file-element state machine: the elements of one
// subscriber, in key order, each UNCONSUMED, RESERVED, ASSIGNED or
// CONSUMED (see [ElementState]). It is the one implementation of these
// states: [Queue] pairs it with a subscription [Cursor], and the
// scheduler's files trigger (package pipeline/schedule) persists it with
// its source's cursor. A Backlog is a JSON-serialisable value that the
// caller persists after each change; it is not safe for concurrent use.
type Backlog struct {
	// Elements are kept in key order (then modification time).
	Elements []Element `json:"elements,omitempty"`
}

// Add records objects as UNCONSUMED. A key already UNCONSUMED is updated to
// the new object (a re-upload replaces the pending version); a CONSUMED one
// is replaced; a RESERVED or ASSIGNED one is kept for its batch and the new
// version is added beside it, so no upload is lost.
func (b *Backlog) Add(objs ...Object) {
	for _, o := range objs {
		i := slices.IndexFunc(b.Elements, func(e Element) bool {
			return e.Key == o.Key && !e.State.inFlight()
		})
		if i >= 0 {
			b.Elements[i] = Element{Object: o, State: Unconsumed}
			continue
		}
		b.Elements = append(b.Elements, Element{Object: o, State: Unconsumed})
	}
	slices.SortStableFunc(b.Elements, func(x, y Element) int {
		return cmp.Or(cmp.Compare(x.Key, y.Key), x.ModTime.Compare(y.ModTime))
	})
}

// Stats returns the count and total size of the elements per state, in the
// order of [ElementStates] (states without elements included).
func (b *Backlog) Stats() []StateStats {
	out := make([]StateStats, len(ElementStates))
	for i, s := range ElementStates {
		out[i].State = s
	}
	for _, e := range b.Elements {
		if i := slices.Index(ElementStates, e.State); i >= 0 {
			out[i].Count++
			out[i].Bytes += e.Size
		}
	}
	return out
}

// UnconsumedBytes returns the total size of the UNCONSUMED elements.
func (b *Backlog) UnconsumedBytes() int64 { return b.Stats()[0].Bytes }

// Reserve marks as RESERVED under batch the smallest key-ordered run of
// UNCONSUMED elements whose sizes reach threshold bytes (the element that
// crosses the threshold included) and returns copies of them. It returns
// nil and changes nothing while the UNCONSUMED bytes are below threshold.
// A threshold ≤ 0 reserves every UNCONSUMED element (none: nil).
func (b *Backlog) Reserve(batch string, threshold int64) []Element {
	var (
		idx []int
		sum int64
	)
	for i, e := range b.Elements {
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
	return b.move(idx, Reserved, batch, "")
}

// Assign hands the RESERVED elements of batch to assignee (ASSIGNED) and
// returns copies of them (dart assigns a reserved batch when the consuming
// action starts).
func (b *Backlog) Assign(batch, assignee string) []Element {
	return b.move(b.match(func(e Element) bool { return e.State == Reserved && e.Batch == batch }), Assigned, batch, assignee)
}

// AssignUnconsumed hands every UNCONSUMED element to assignee under batch
// (ASSIGNED) and returns copies of them (dart's assignment when no batch
// trigger reserved the elements).
func (b *Backlog) AssignUnconsumed(batch, assignee string) []Element {
	return b.move(b.match(func(e Element) bool { return e.State == Unconsumed }), Assigned, batch, assignee)
}

// Batch returns copies of the RESERVED or ASSIGNED elements of batch, in
// key order.
func (b *Backlog) Batch(batch string) []Element {
	var out []Element
	for _, e := range b.Elements {
		if e.Batch == batch && e.State.inFlight() {
			out = append(out, e)
		}
	}
	return out
}

// Consume marks the RESERVED or ASSIGNED elements of batch CONSUMED and
// returns how many.
func (b *Backlog) Consume(batch string) int {
	return len(b.move(b.inBatch(batch), Consumed, batch, ""))
}

// Release returns the RESERVED or ASSIGNED elements of batch to UNCONSUMED
// (their batch and assignee are cleared) and returns how many.
func (b *Backlog) Release(batch string) int {
	return len(b.move(b.inBatch(batch), Unconsumed, "", ""))
}

// ReleaseAll returns every RESERVED or ASSIGNED element to UNCONSUMED and
// returns how many: after a restart, for batches whose consumers died with
// the previous process.
func (b *Backlog) ReleaseAll() int {
	return len(b.move(b.match(func(e Element) bool { return e.State.inFlight() }), Unconsumed, "", ""))
}

// Compact removes the CONSUMED elements and returns how many it removed.
func (b *Backlog) Compact() int {
	before := len(b.Elements)
	b.Elements = slices.DeleteFunc(b.Elements, func(e Element) bool { return e.State == Consumed })
	return before - len(b.Elements)
}

func (b *Backlog) inBatch(batch string) []int {
	return b.match(func(e Element) bool { return e.Batch == batch && e.State.inFlight() })
}

func (b *Backlog) match(f func(Element) bool) []int {
	var idx []int
	for i, e := range b.Elements {
		if f(e) {
			idx = append(idx, i)
		}
	}
	return idx
}

// move is the one place elements change state: each element at idx moves
// to state to (a move the machine does not allow is skipped). Moving to
// UNCONSUMED clears batch and assignee; other moves set batch, and
// assignee when it is not "". It returns copies of the moved elements.
func (b *Backlog) move(idx []int, to ElementState, batch, assignee string) []Element {
	var out []Element
	for _, i := range idx {
		e := &b.Elements[i]
		if !e.State.CanMove(to) {
			continue
		}
		e.State = to
		if to == Unconsumed {
			e.Batch, e.Assignee = "", ""
		} else {
			e.Batch = batch
		}
		if assignee != "" {
			e.Assignee = assignee
		}
		out = append(out, *e)
	}
	return out
}
