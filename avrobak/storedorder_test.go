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
	got := fileRows(t, file)
	require.Len(t, got, len(want))
	for i := range want {
		require.Equal(t, fmt.Sprint(want[i]), got[i], "row %d", i)
	}
}

// TestBackupIntoFileAsStoredMatchesBuffer: a table stored in key order,
// backed up into a file (read as stored) and into a buffer (read by the
// key), gives the same rows and count both ways.
func TestBackupIntoFileAsStoredMatchesBuffer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := backends[1].open(t)
	loadRows(t, src, "employees", employeesSchema(), employeeRows(t, 1, 12345))
	f, err := os.Create(filepath.Join(t.TempDir(), "b.avro"))
	require.NoError(t, err)
	defer f.Close()
	opts := &avrobak.BackupOptions{Codec: avrobak.CodecSnappy, BlockSize: 4096}
	frep, file, err := backupInto(t, ctx, src, f, opts)
	require.NoError(t, err)
	var buf bytes.Buffer
	brep, err := avrobak.Backup(ctx, src, "employees", &buf, opts)
	require.NoError(t, err)
	require.EqualValues(t, 12345, frep.Rows)
	require.Equal(t, brep.Rows, frep.Rows)
	require.Equal(t, fileRows(t, buf.Bytes()), fileRows(t, file))
}

// fileRows decodes every row of a backup, printed.
func fileRows(t *testing.T, file []byte) []string {
	t.Helper()
	r, err := avrobak.NewReader(bytes.NewReader(file), nil)
	require.NoError(t, err)
	var rows []string
	for {
		row, err := r.Read()
		if err != nil {
			require.ErrorIs(t, err, errEOF)
			return rows
		}
		rows = append(rows, fmt.Sprint(row))
	}
}
