package avrobak_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/datafactory/datafactory/avrobak"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"
)

// TestBackupIntoFileRereadsByKey: a PostgreSQL table whose last stored
// row has a low key (deleted and inserted again, which the statistics do
// not count as an update) is first read as stored; at that row the backup
// truncates its file back to where it started and reads the table again
// by its key. The file, after the bytes that were there before it, holds
// every row in key order with their count, and its report agrees.
func TestBackupIntoFileRereadsByKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := backends[1].open(t)
	loadRows(t, src, "employees", employeesSchema(), employeeRows(t, 1, 20000))
	var db *sqlx.DB
	require.True(t, src.As(&db))
	_, err := db.Exec(`WITH d AS (DELETE FROM employees WHERE id = 3 RETURNING *) INSERT INTO employees SELECT * FROM d`)
	require.NoError(t, err)
	_, want := tableRows(t, src, "employees")

	f, err := os.Create(filepath.Join(t.TempDir(), "b.avro"))
	require.NoError(t, err)
	defer f.Close()
	const prefix = "bytes before the backup"
	_, err = f.WriteString(prefix)
	require.NoError(t, err)
	var mu sync.Mutex
	var progress []int64
	opts := &avrobak.BackupOptions{Codec: avrobak.CodecZstandard, BlockSize: 4096, Progress: func(n int64) {
		mu.Lock()
		progress = append(progress, n)
		mu.Unlock()
	}}
	rep, file, err := backupInto(t, ctx, src, f, opts)
	require.NoError(t, err)
	require.EqualValues(t, 20000, rep.Rows)
	require.EqualValues(t, len(file), rep.Bytes)
	sum := sha256.Sum256(file)
	require.Equal(t, hex.EncodeToString(sum[:]), rep.SHA256)
	all, err := os.ReadFile(f.Name())
	require.NoError(t, err)
	require.Equal(t, prefix, string(all[:len(prefix)]))

	mu.Lock()
	require.Equal(t, []int64{10000, 10000, 20000}, progress, "the read as stored passed 10,000 rows, then the read by key started over")
	mu.Unlock()
	r, err := avrobak.NewReader(bytes.NewReader(file), nil)
	require.NoError(t, err)
	require.Equal(t, "0000000000000020000", string(r.Metadata()[avrobak.MetaRows]))
	var got []frictionless.Row
	for {
		row, err := r.Read()
		if err != nil {
			require.ErrorIs(t, err, errEOF)
			break
		}
		got = append(got, append(frictionless.Row(nil), row...))
	}
	require.Len(t, got, len(want))
	for i := range want {
		require.Equal(t, fmt.Sprint(want[i]), fmt.Sprint(got[i]), "row %d", i)
	}
}
