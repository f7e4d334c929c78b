package avrobak

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"
)

// pgValuesTable creates in a fresh PostgreSQL schema the table "vals":
// every column type a backup maps, NULLs in every nullable column, edge
// values, and 3,000 generated rows; extra SQL runs after.
func pgValuesTable(t *testing.T, extra string) *datastore.Store {
	t.Helper()
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, testutil.PostgresURL(t), nil)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	var db *sqlx.DB
	require.True(t, s.As(&db))
	_, err = db.ExecContext(ctx, `CREATE TABLE vals (
		id bigint PRIMARY KEY, i2 smallint, y integer, f4 real, f8 double precision, b boolean,
		d date, ts timestamp, tz timestamptz NOT NULL, n numeric(20,6), fl numeric, t text, j jsonb,
		tm time, u uuid, ar integer[]);
	COMMENT ON COLUMN vals.y IS 'year';
	INSERT INTO vals VALUES
		(-9223372036854775808, -32768, 1, 1.5, -0.0, true, '1900-02-28', '1969-12-31 23:59:59.999999',
		 '1999-12-31 23:59:59.000001+00', -12345678901234.000001, 1e-30, 'ünïcode', '{"a":[1,"b"]}', '23:59:59.999999',
		 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{1,2}'),
		(0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '2000-01-01 00:00:00+00', NULL, NULL, NULL, NULL, NULL, NULL, NULL),
		(9223372036854775807, 32767, 2024, 3.4e38, 1e308, false, '0001-01-01', '0001-01-01 00:00:00',
		 '2262-04-11 23:47:16.854775+00', 99999999999999.999999, 123456789012345678901234567890, '', '{}', '00:00:00', NULL, '{}');
	INSERT INTO vals SELECT g, g % 30000, 1900 + g % 200, g / 7.0, g * 1.25, g % 3 = 0, date '1970-01-01' + g,
		timestamp '1960-01-01' + g * interval '1 hour 1 second', timestamptz '1990-01-01 00:00:00+00' + g * interval '1 minute',
		g / 1000.0, g, 'row ' || g, jsonb_build_object('g', g), time '00:00:00' + g * interval '1 second',
		NULL, ARRAY[g] FROM generate_series(1, 3000) g;`+extra)
	require.NoError(t, err)
	return s
}

// backupBothWays encodes table through the value path and through the
// row path, each from a snapshot of its own (a failed read closes its
// connection), with the same sync marker, and returns both files and
// errors.
func backupBothWays(t *testing.T, s *datastore.Store, codec Codec) (values, rows []byte, verr, rerr error) {
	t.Helper()
	values, verr = encodeOnce(t, s, codec, true)
	rows, rerr = encodeOnce(t, s, codec, false)
	return values, rows, verr, rerr
}

func encodeOnce(t *testing.T, s *datastore.Store, codec Codec, values bool) ([]byte, error) {
	t.Helper()
	ctx := context.Background()
	snap, err := s.Snapshot(ctx)
	require.NoError(t, err)
	defer snap.Close()
	schema, err := snap.DescribeTable(ctx, "vals")
	require.NoError(t, err)
	n, err := snap.CountRows(ctx, "vals")
	require.NoError(t, err)
	sync := [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	var out bytes.Buffer
	w, err := newWriter(&out, schema, n, &WriterOptions{Codec: codec, Table: "vals", BlockSize: 4096}, &sync)
	require.NoError(t, err)
	if values {
		var streamed bool
		streamed, err = encodeValues(ctx, w, schema, "vals", snap.ReadValues, nil)
		require.True(t, streamed, "PostgreSQL streams values")
	} else {
		read := func(ctx context.Context, fn func(frictionless.Row) error) (*frictionless.Schema, error) {
			return snap.ReadRows(ctx, "vals", fn)
		}
		err = encodeRows(ctx, w, schema, "vals", read, nil)
	}
	return out.Bytes(), err
}

// TestValuePathWritesWhatRowsWrite: a backup through ReadValues (each value
// encoded straight into the block) is byte for byte the file the row path
// writes, for every column type, NULLs and edge values, over many blocks.
func TestValuePathWritesWhatRowsWrite(t *testing.T) {
	t.Parallel()
	s := pgValuesTable(t, "")
	for _, codec := range []Codec{CodecNull, CodecZstandard} {
		values, rows, verr, rerr := backupBothWays(t, s, codec)
		require.NoError(t, verr)
		require.NoError(t, rerr)
		require.Greater(t, len(rows), 100_000/8, "many blocks")
		require.True(t, bytes.Equal(rows, values), "%s: the value path's file differs from the row path's", codec)
		r, err := NewReader(bytes.NewReader(values), nil)
		require.NoError(t, err)
		got := 0
		for {
			if _, err := r.Read(); err != nil {
				require.ErrorIs(t, err, io.EOF)
				break
			}
			got++
		}
		require.Equal(t, 3003, got)
	}
}

// TestValuePathFailsAsRowsFail: a value the file cannot hold (a timestamp
// beyond year 290,000) fails the value path with the row path's
// *ValueError: same row, field and reason.
func TestValuePathFailsAsRowsFail(t *testing.T) {
	t.Parallel()
	s := pgValuesTable(t, `; UPDATE vals SET tz = '294000-01-01 00:00:00+00' WHERE id = 1500`)
	_, _, verr, rerr := backupBothWays(t, s, CodecNull)
	var ve, re *ValueError
	require.ErrorAs(t, verr, &ve)
	require.ErrorAs(t, rerr, &re)
	require.Equal(t, re.Error(), ve.Error())
	require.Equal(t, "tz", ve.Field)
	require.EqualValues(t, 1502, ve.Row, "the 1,502nd row in key order")
}

// TestValueEncoderRowErrors: a row with a value its column cannot hold, a
// missing value or values out of order is taken back whole with a
// *ValueError, and the encoder goes on with the next row, as Write does.
func TestValueEncoderRowErrors(t *testing.T) {
	t.Parallel()
	schema := &frictionless.Schema{Fields: []frictionless.Field{
		{Name: "id", Type: frictionless.TypeInteger, Constraints: frictionless.Constraints{Required: true}},
		{Name: "name", Type: frictionless.TypeString}}}
	var out bytes.Buffer
	w, err := NewWriter(&out, schema, 3, nil)
	require.NoError(t, err)
	e := newValueEncoder(w, nil)
	e.Int(0, 1)
	e.Text(1, "one")
	require.NoError(t, e.EndRow())

	e.Null(0) // required
	e.Text(1, "lost")
	var ve *ValueError
	require.ErrorAs(t, e.EndRow(), &ve)
	require.Equal(t, "id", ve.Field)
	require.EqualValues(t, 2, ve.Row)

	e.Int(0, 9)
	require.ErrorAs(t, e.EndRow(), &ve, "a missing value")
	e.Text(1, "x")
	require.ErrorAs(t, e.EndRow(), &ve, "a value out of order")

	e.Int(0, 2)
	e.Null(1)
	require.NoError(t, e.EndRow())
	e.Int(0, 3)
	text := []byte("three")
	e.TextBytes(1, text)
	copy(text, "xxxxx") // the encoder keeps no view of the bytes
	require.NoError(t, e.EndRow())
	require.NoError(t, w.Close())

	r, err := NewReader(bytes.NewReader(out.Bytes()), nil)
	require.NoError(t, err)
	var got []frictionless.Row
	for {
		row, err := r.Read()
		if err != nil {
			require.ErrorIs(t, err, io.EOF)
			break
		}
		got = append(got, row)
	}
	require.Equal(t, []frictionless.Row{{int64(1), "one"}, {int64(2), nil}, {int64(3), "three"}}, got)
}
