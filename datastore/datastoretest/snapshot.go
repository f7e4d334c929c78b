package datastoretest

import (
	"context"
	"errors"
	"testing"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// testSnapshot: a snapshot keeps seeing the table as it was at its first
// read while another connection appends and commits a row with a lower
// key, through ReadRows and, where the backend has them,
// ReadValuesAsStored (which the invisible row does not put out of key
// order, though a load in parallel streams may have) and ReadValues; a
// backend without snapshots says so with errors.ErrUnsupported.
func testSnapshot(t *testing.T, b *bundle) {
	_, err := b.load(t, "people", people(), peopleCSV("2,ann,1", "3,bob,2"), nil)
	require.NoError(t, err)
	snap, err := b.s.Snapshot(b.ctx)
	if errors.Is(err, errors.ErrUnsupported) {
		return // the backend has no snapshots, and says so
	}
	require.NoError(t, err)
	defer snap.Close()
	n, err := snap.CountRows(b.ctx, "people")
	require.NoError(t, err)
	require.EqualValues(t, 2, n)

	// Committed by another connection after the snapshot's first read.
	_, err = b.load(t, "people", people(), peopleCSV("1,cy,3"), nil)
	require.NoError(t, err)
	require.Len(t, b.rows(t, "people"), 3, "the store sees the new row")

	n, err = snap.CountRows(b.ctx, "people")
	require.NoError(t, err)
	require.EqualValues(t, 2, n, "the snapshot does not see the new row")
	var seen []frictionless.Row
	schema, err := snap.ReadRows(b.ctx, "people", func(r frictionless.Row) error {
		seen = append(seen, append(frictionless.Row(nil), r...))
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, []string{"id"}, schema.PrimaryKey)
	require.Equal(t, map[int64]string{2: "ann", 3: "bob"}, byID(t, seen))
	require.Equal(t, []any{int64(2), int64(3)}, []any{seen[0][0], seen[1][0]}, "in key order")
	// As stored first: a load split among parallel streams (sqlstore's
	// CopyStreams) may store its rows out of key order, which the read
	// reports, and the snapshot goes on to read by the key.
	reads := []struct {
		name string
		read func(context.Context, string, datastore.ValueSink) (*frictionless.Schema, error)
	}{{"ReadValuesAsStored", snap.ReadValuesAsStored}, {"ReadValues", snap.ReadValues}}
	for _, r := range reads {
		var values []frictionless.Row
		_, err := r.read(b.ctx, "people", driver.NewRowSink(3, func(row frictionless.Row) error {
			values = append(values, append(frictionless.Row(nil), row...))
			return nil
		}))
		if errors.Is(err, errors.ErrUnsupported) {
			continue
		}
		if r.name == "ReadValuesAsStored" && errors.Is(err, datastore.ErrNotInKeyOrder) {
			require.Less(t, len(values), len(seen), "rows are given only before the first out of order")
			continue
		}
		require.NoError(t, err, r.name)
		require.Equal(t, seen, values, r.name)
	}

	_, err = snap.CountRows(b.ctx, "missing")
	require.ErrorIs(t, err, datastore.ErrNotFound)
	_, err = snap.DescribeTable(b.ctx, "missing")
	require.ErrorIs(t, err, datastore.ErrNotFound)
	_, err = snap.CountRows(b.ctx, "bad;name")
	require.ErrorIs(t, err, datastore.ErrInvalidName)

	require.NoError(t, snap.Close())
	require.NoError(t, snap.Close(), "a second Close is harmless")
}
