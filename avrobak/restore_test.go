package avrobak_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/datafactory/datafactory/avrobak"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// goodFile is a snappy backup of 40 employees, about one row per block.
func goodFile(t testing.TB) []byte {
	p, _ := writeFile(t, employeesSchema(), employeeRows(t, 100, 40),
		&avrobak.WriterOptions{Codec: avrobak.CodecSnappy, BlockSize: 100, Table: "employees"})
	return p
}

// previousSync returns the offset just after the second-to-last sync
// marker: cutting there drops the last block whole.
func previousSync(p []byte) int {
	sync := p[len(p)-16:]
	return bytes.LastIndex(p[:len(p)-16], sync) + 16
}

func corrupt(p []byte, at int, xor byte) []byte {
	q := bytes.Clone(p)
	q[at] ^= xor
	return q
}

func TestRestoreDamagedFileChangesNothing(t *testing.T) {
	t.Parallel()
	good := goodFile(t)
	cases := []struct {
		name string
		file []byte
		want error
	}{
		{"empty", nil, avrobak.ErrTruncated},
		{"not avro", []byte("id,name\n1,x\n"), avrobak.ErrCorrupt},
		{"truncated header", good[:20], avrobak.ErrTruncated},
		{"truncated block", good[:len(good)-30], avrobak.ErrTruncated},
		{"truncated sync", good[:len(good)-5], avrobak.ErrTruncated},
		{"last block missing", good[:previousSync(good)], avrobak.ErrCountMismatch},
		{"wrong sync marker", corrupt(good, len(good)-3, 0x40), avrobak.ErrCorrupt},
		{"corrupt block data", corrupt(good, len(good)-40, 0x01), avrobak.ErrCorrupt},
		{"trailing garbage", append(bytes.Clone(good), 0x02, 0x04, 0x00), avrobak.ErrTruncated},
		{"bad magic", corrupt(good, 1, 0xff), avrobak.ErrCorrupt},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			store := b.open(t)
			loadRows(t, store, "employees", employeesSchema(), employeeRows(t, 1, 3))
			_, before := tableRows(t, store, "employees")
			for _, tc := range cases {
				for _, appendMode := range []bool{false, true} {
					_, err := avrobak.Restore(context.Background(), bytes.NewReader(tc.file), store, "employees",
						&avrobak.RestoreOptions{Append: appendMode, BatchSize: 7})
					require.ErrorIs(t, err, tc.want, "%s (append %v): %v", tc.name, appendMode, err)
					_, after := tableRows(t, store, "employees")
					requireRowsEqual(t, before, after)
				}
			}
			exists, err := store.TableExists(context.Background(), "fresh")
			require.NoError(t, err)
			require.False(t, exists)
			_, err = avrobak.Restore(context.Background(), bytes.NewReader(good[:previousSync(good)]), store, "fresh", nil)
			require.ErrorIs(t, err, avrobak.ErrCountMismatch)
			exists, err = store.TableExists(context.Background(), "fresh")
			require.NoError(t, err)
			require.False(t, exists, "a failed restore must not leave a new table behind")
		})
	}
}

func TestRestoreSchemaMismatchChangesNothing(t *testing.T) {
	t.Parallel()
	good := goodFile(t)
	otherType := employeesSchema()
	otherType.Fields[4].Type = frictionless.TypeInteger // department
	extraRequired := employeesSchema()
	extraRequired.Fields = append(extraRequired.Fields, frictionless.Field{
		Name: "badge", Type: frictionless.TypeInteger, Constraints: frictionless.Constraints{Required: true}})
	cases := []struct {
		name   string
		schema *frictionless.Schema
		row    frictionless.Row
		append bool
	}{
		{"type differs, replace", otherType, nil, false},
		{"type differs, append", otherType, nil, true},
		{"extra required column, replace", extraRequired, frictionless.Row{int64(7)}, false},
		{"extra required column, append", extraRequired, frictionless.Row{int64(7)}, true},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			store := b.open(t)
			for _, tc := range cases {
				row := employeeRow(t, 1)
				if tc.schema == otherType {
					row[4] = int64(12)
				}
				loadRows(t, store, "employees", tc.schema, []frictionless.Row{append(row, tc.row...)})
				_, before := tableRows(t, store, "employees")
				_, err := avrobak.Restore(context.Background(), bytes.NewReader(good), store, "employees",
					&avrobak.RestoreOptions{Append: tc.append})
				require.ErrorIs(t, err, avrobak.ErrSchemaMismatch, tc.name)
				require.ErrorIs(t, err, datastore.ErrSchemaDrift, tc.name)
				_, after := tableRows(t, store, "employees")
				requireRowsEqual(t, before, after)
				require.NoError(t, store.DropTable(context.Background(), "employees"))
			}
		})
	}
}

func TestRestoreAppend(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			store := b.open(t)
			loadRows(t, store, "employees", employeesSchema(), employeeRows(t, 1, 5))
			rep, err := avrobak.Restore(ctx, bytes.NewReader(goodFile(t)), store, "employees", &avrobak.RestoreOptions{Append: true})
			require.NoError(t, err)
			require.Equal(t, datastore.ModeAppend, rep.Mode)
			require.Equal(t, int64(40), rep.Rows)
			_, got := tableRows(t, store, "employees")
			requireRowsEqual(t, append(employeeRows(t, 1, 5), employeeRows(t, 100, 40)...), got)

			// Appending the same rows again collides on the key: refused whole.
			_, err = avrobak.Restore(ctx, bytes.NewReader(goodFile(t)), store, "employees", &avrobak.RestoreOptions{Append: true})
			require.Error(t, err)
			_, again := tableRows(t, store, "employees")
			requireRowsEqual(t, got, again)
		})
	}
}
