package sqlstore

import (
	"math"
	"testing"

	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// TestKeySpanDense: the staged keys are dense only when the rows, all of
// them distinct integers, fill the range from the least to the greatest.
func TestKeySpanDense(t *testing.T) {
	req := &driver.WriteRequest{Key: []string{"id"}, Columns: []frictionless.Field{
		{Name: "name", Type: frictionless.TypeString}, {Name: "id", Type: frictionless.TypeInteger}}}
	rows := func(keys ...any) []frictionless.Row {
		out := make([]frictionless.Row, len(keys))
		for i, k := range keys {
			out[i] = frictionless.Row{"x", k}
		}
		return out
	}
	k := newKeySpan(req)
	_, _, ok := k.dense(0)
	require.False(t, ok, "nothing staged")
	k.add(rows(int64(7), int64(5)))
	k.add(rows(int64(9), int64(6), int64(8)))
	lo, hi, ok := k.dense(5)
	require.True(t, ok)
	require.Equal(t, [2]int64{5, 9}, [2]int64{lo, hi})
	_, _, ok = k.dense(4)
	require.False(t, ok, "a key missing")
	k.merged = true
	_, _, ok = k.dense(5)
	require.False(t, ok, "a repeated key was merged")

	ext := newKeySpan(req)
	ext.add(rows(int64(math.MaxInt64), int64(math.MinInt64)))
	_, _, ok = ext.dense(2)
	require.False(t, ok, "the whole int64 range: no overflow into a false match")
	low := newKeySpan(req)
	low.add(rows(int64(math.MinInt64), int64(math.MinInt64+1)))
	_, _, ok = low.dense(2)
	require.True(t, ok)

	mixed := newKeySpan(req)
	mixed.add(rows(int64(1), "2"))
	_, _, ok = mixed.dense(2)
	require.False(t, ok, "a key that is not an int64")

	for _, r := range []*driver.WriteRequest{
		{Key: []string{"id", "name"}, Columns: req.Columns},
		{Key: []string{"name"}, Columns: req.Columns},
	} {
		ks := newKeySpan(r)
		ks.add(rows(int64(1)))
		_, _, ok = ks.dense(1)
		require.False(t, ok, "key %v", r.Key)
	}
}
