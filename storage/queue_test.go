package storage_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/storage"
)

func obj(key string, size int64) storage.Object {
	return storage.Object{Key: key, Size: size, ModTime: time.Unix(1000, 0)}
}

func TestQueueReserve(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		sizes     []int64 // keys k0, k1, ... in order
		threshold int64
		want      []string
	}{
		{"below threshold", []int64{10, 20}, 31, nil},
		{"exactly reached", []int64{10, 20, 5}, 30, []string{"k0", "k1"}},
		{"crossing element included", []int64{10, 20, 5}, 11, []string{"k0", "k1"}},
		{"first alone", []int64{50, 1}, 40, []string{"k0"}},
		{"zero threshold takes all", []int64{1, 2, 3}, 0, []string{"k0", "k1", "k2"}},
		{"empty", nil, 0, nil},
		{"zero-size files count", []int64{0, 0, 7}, 7, []string{"k0", "k1", "k2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var q storage.Queue
			for i := len(tc.sizes) - 1; i >= 0; i-- { // added out of order
				q.Add(obj("k"+string(rune('0'+i)), tc.sizes[i]))
			}
			got := q.Reserve("b", tc.threshold)
			var keys []string
			for _, e := range got {
				keys = append(keys, e.Key)
				require.Equal(t, storage.Reserved, e.State)
				require.Equal(t, "b", e.Batch)
			}
			require.Equal(t, tc.want, keys)
			require.Equal(t, len(tc.want), len(q.Batch("b")))
		})
	}
}

func TestQueueLifecycle(t *testing.T) {
	t.Parallel()
	var q storage.Queue
	q.Add(obj("a", 10), obj("b", 10), obj("c", 10))
	require.Len(t, q.Reserve("b1", 15), 2)
	// A re-upload of a reserved key is added beside it; of an unconsumed key, replaces it.
	q.Add(obj("a", 99), obj("c", 11))
	require.Len(t, q.Elements, 4)
	require.Equal(t, int64(99+11), q.UnconsumedBytes())
	require.Equal(t, 2, q.Consume("b1"))
	require.Zero(t, q.Consume("b1"), "a batch is settled once")
	require.Zero(t, q.Release("unknown"))
	// A CONSUMED key uploaded again replaces the consumed element.
	q.Add(obj("b", 5))
	require.Equal(t, []storage.StateStats{
		{State: storage.Unconsumed, Count: 3, Bytes: 99 + 11 + 5},
		{State: storage.Reserved},
		{State: storage.Assigned},
		{State: storage.Consumed, Count: 1, Bytes: 10},
	}, q.Stats())
	require.Equal(t, 1, q.Compact())
	batch := q.Reserve("b2", 1000)
	require.Nil(t, batch)
	batch = q.Reserve("b2", 99)
	require.Len(t, batch, 1)
	require.Equal(t, "a", batch[0].Key)
	require.Equal(t, 1, q.Release("b2"))
	require.Empty(t, q.Elements[0].Batch)
	require.Equal(t, storage.Unconsumed, q.Elements[0].State)
}

func TestBacklogAssign(t *testing.T) {
	t.Parallel()
	var b storage.Backlog
	b.Add(obj("a", 10), obj("b", 20), obj("c", 30))
	require.Len(t, b.Reserve("b1", 25), 2)
	require.Empty(t, b.Assign("other", "run-0"), "only the batch's elements")
	got := b.Assign("b1", "run-1")
	require.Len(t, got, 2)
	for _, e := range got {
		require.Equal(t, storage.Assigned, e.State)
		require.Equal(t, "b1", e.Batch)
		require.Equal(t, "run-1", e.Assignee)
	}
	require.Empty(t, b.Assign("b1", "run-2"), "an assigned batch is not assigned again")
	require.Len(t, b.Batch("b1"), 2, "ASSIGNED elements still belong to their batch")
	// A re-upload of an assigned key is kept beside it.
	b.Add(obj("a", 11))
	require.Equal(t, []storage.StateStats{
		{State: storage.Unconsumed, Count: 2, Bytes: 11 + 30},
		{State: storage.Reserved},
		{State: storage.Assigned, Count: 2, Bytes: 30},
		{State: storage.Consumed},
	}, b.Stats())
	require.Equal(t, 2, b.Consume("b1"))
	require.Equal(t, "run-1", b.Elements[0].Assignee, "the consumer is kept once CONSUMED")
	// Without a batch trigger, a consumer takes every UNCONSUMED element.
	got = b.AssignUnconsumed("b2", "run-3")
	require.Len(t, got, 2)
	require.Zero(t, b.UnconsumedBytes())
	require.Equal(t, 2, b.ReleaseAll(), "recovery returns in-flight elements")
	require.Equal(t, int64(41), b.UnconsumedBytes())
	for _, e := range b.Elements {
		if e.State == storage.Unconsumed {
			require.Empty(t, e.Batch)
			require.Empty(t, e.Assignee)
		}
	}
}

func TestElementStateCanMove(t *testing.T) {
	t.Parallel()
	U, R, A, C := storage.Unconsumed, storage.Reserved, storage.Assigned, storage.Consumed
	tests := []struct {
		from, to storage.ElementState
		want     bool
	}{
		{U, R, true}, {U, A, true}, {U, C, false}, {U, U, false},
		{R, A, true}, {R, C, true}, {R, U, true}, {R, R, false},
		{A, C, true}, {A, U, true}, {A, R, false},
		{C, U, false}, {C, R, false}, {C, A, false},
		{"BOGUS", U, false},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, tc.from.CanMove(tc.to), "%s → %s", tc.from, tc.to)
	}
}

func TestQueueJSON(t *testing.T) {
	t.Parallel()
	var q storage.Queue
	q.Add(storage.Object{Key: "a", Size: 1})
	q.Reserve("b1", 0)
	data, err := json.Marshal(q)
	require.NoError(t, err)
	require.JSONEq(t, `{"cursor":{},"elements":[{"key":"a","size":1,"state":"RESERVED","batch":"b1"}]}`, string(data))
	var back storage.Queue
	require.NoError(t, json.Unmarshal(data, &back))
	require.Equal(t, q, back)
}
