package datastore

import (
	"testing"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// TestBatchPoolRecycles: a written batch comes back empty with its memory
// (values cleared), the batches joined into the loader's join batch come
// back with it, and the join batch itself never does.
func TestBatchPoolRecycles(t *testing.T) {
	t.Parallel()
	p := newBatchPool(2, 3)
	a, b := p.get(), p.get()
	for _, x := range []*batch{a, b} {
		for k := range 2 {
			row := x.slot()
			row[0], row[1], row[2] = int64(k), "v", nil
			x.rows = append(x.rows, row)
			x.nums = append(x.nums, rowPos{num: k + 1})
		}
	}
	require.Same(t, &a.vals[3], &a.rows[1][0], "rows share the batch's memory")
	j := &batch{joined: true, rows: append(append([]frictionless.Row(nil), a.rows...), b.rows...), merged: []*batch{a, b}}
	p.put(j)
	require.Empty(t, j.merged)
	got := []*batch{p.get(), p.get(), p.get()}
	require.Same(t, a, got[0])
	require.Same(t, b, got[1])
	require.NotSame(t, j, got[2])
	require.Empty(t, a.rows)
	require.Empty(t, a.nums)
	require.Equal(t, make([]any, 6), a.vals, "written values are cleared")
	require.Equal(t, 2, cap(a.rows))
	require.Same(t, &a.vals[0], &a.slot()[0], "the memory is reused")
}
