package pgstage

import (
	"math"
	"testing"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// keyRows makes one-column rows of keys.
func keyRows(keys ...any) []frictionless.Row {
	rows := make([]frictionless.Row, len(keys))
	for i, k := range keys {
		rows[i] = frictionless.Row{k}
	}
	return rows
}

func TestKeySet(t *testing.T) {
	t.Parallel()
	s := &keySet{blocks: map[int64]*keyBlock{}}
	edges := keyRows(int64(math.MinInt64), int64(math.MaxInt64), int64(-1), int64(0), int64(1), int64(63), int64(64),
		int64(65535), int64(65536), int64(-65536), int64(-65537))
	dup, ok := s.add(edges)
	require.True(t, ok)
	require.Equal(t, -1, dup, "distinct keys, also across block and word edges")
	for i := range edges {
		dup, ok := s.add(append(keyRows(int64(7)), edges[i]))
		require.True(t, ok)
		require.Equal(t, 1, dup, "key %v again", edges[i][0])
	}
	dup, ok = s.add(keyRows(int64(7), int64(8), int64(7)))
	require.True(t, ok)
	require.Equal(t, 2, dup, "a key repeated within rows")
	dup, ok = s.add(keyRows(int64(7), int64(8)))
	require.True(t, ok)
	require.Equal(t, -1, dup, "a refused call recorded nothing")
	dup, ok = s.add(keyRows(int64(9), "9"))
	require.False(t, ok, "a key that is not an int64")
	require.Equal(t, -1, dup)
	dup, _ = s.add(keyRows(int64(9)))
	require.Equal(t, -1, dup, "nor did one with a key the set cannot hold")
	s.remove(keyRows(int64(9), int64(-65537)))
	dup, _ = s.add(keyRows(int64(9), int64(-65537)))
	require.Equal(t, -1, dup, "removed keys can be added again")
}

func TestKeySetBounded(t *testing.T) {
	t.Parallel()
	s := &keySet{blocks: map[int64]*keyBlock{}}
	var keys []any
	for i := range maxKeyBlocks {
		keys = append(keys, int64(i)*keyBlockBits)
	}
	dup, ok := s.add(keyRows(keys...))
	require.True(t, ok)
	require.Equal(t, -1, dup)
	_, ok = s.add(keyRows(int64(-1)))
	require.False(t, ok, "one block more than maxKeyBlocks")
	dup, ok = s.add(keyRows(int64(1), int64(keyBlockBits)))
	require.True(t, ok, "keys in the blocks there are")
	require.Equal(t, 1, dup)
}
