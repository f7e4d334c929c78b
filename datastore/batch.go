package datastore

import "github.com/datafactory/datafactory/frictionless"

// batch is a group of rows on its way from the reader to the writer, with
// the validation rejects met while reading them.
type batch struct {
	rows    []frictionless.Row
	nums    []rowPos // where each row comes from
	rejects []Reject
	read    int64 // rows read so far, after this batch
	bytes   int64 // source bytes read so far

	vals   []any    // the rows' values, when cast into slots
	width  int      // values per slot
	merged []*batch // batches coalesced into this one, recycled with it
	joined bool     // the loader's join batch: not recycled itself
}

// rowPos is where a row comes from: its row number and, for a source
// that counts lines (a CSV reader), the line it starts on (else 0).
type rowPos struct{ num, line int }

// slot is the memory for the batch's next row, in one backing array for
// the whole batch: a row fewer to allocate and, once the batch is
// recycled, none at all.
func (b *batch) slot() frictionless.Row {
	k := len(b.rows)
	if (k+1)*b.width > len(b.vals) {
		b.vals = make([]any, max(cap(b.rows), k+1)*b.width)
	}
	return b.vals[k*b.width : (k+1)*b.width : (k+1)*b.width]
}

// freeList keeps up to cap(f) values for reuse. It is safe for
// concurrent use.
type freeList[T any] chan T

// get returns a kept value, else fresh().
func (f freeList[T]) get(fresh func() T) T {
	select {
	case v := <-f:
		return v
	default:
		return fresh()
	}
}

// put keeps v when there is room, else drops it.
func (f freeList[T]) put(v T) {
	select {
	case f <- v:
	default:
	}
}

// batchPool recycles batches once the writer is done with them, so that a
// load allocates the batches' slices and row slots only while its first
// batches are in flight. Writers do not keep rows after Write returns
// (driver.Writer), so a written batch's memory is free to reuse.
type batchPool struct {
	free  freeList[*batch]
	size  int // rows per batch
	width int // values per row
}

// batchesKept bounds the free batches kept: the writer's channel, the
// batch being filled, the one being written and those coalesced into it.
const batchesKept = 8

func newBatchPool(size, width int) *batchPool {
	return &batchPool{free: make(freeList[*batch], batchesKept), size: size, width: width}
}

// get returns an empty batch, recycled when one is free.
func (p *batchPool) get() *batch {
	return p.free.get(func() *batch {
		return &batch{rows: make([]frictionless.Row, 0, p.size), nums: make([]rowPos, 0, p.size), width: p.width}
	})
}

// put recycles a written batch and the batches coalesced into it.
func (p *batchPool) put(b *batch) {
	for _, m := range b.merged {
		p.put(m)
	}
	if b.joined {
		clear(b.rows) // the rows are in the merged batches' memory
		b.merged = b.merged[:0]
		return
	}
	clear(b.vals) // the written values are garbage now, not live heap
	*b = batch{rows: b.rows[:0], nums: b.nums[:0], vals: b.vals, width: b.width}
	p.free.put(b)
}
