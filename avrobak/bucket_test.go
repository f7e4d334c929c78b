package avrobak_test

import (
	"context"
	"errors"
	"testing"

	"github.com/datafactory/datafactory/avrobak"
	"github.com/datafactory/datafactory/storage"
	"github.com/stretchr/testify/require"
)

func openBucket(t *testing.T) *storage.Bucket {
	t.Helper()
	b, err := storage.Open(context.Background(), "file://"+t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	return b
}

func TestBackupToBucket(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bucket := openBucket(t)
	store := backends[0].open(t)
	loadRows(t, store, "employees", employeesSchema(), employeeRows(t, 1, 2500))

	rep, err := avrobak.BackupToBucket(ctx, store, "employees", bucket, "backups/employees.avro", nil)
	require.NoError(t, err)
	require.Equal(t, int64(2500), rep.Rows)
	p, err := bucket.ReadAll(ctx, "backups/employees.avro")
	require.NoError(t, err)
	require.Equal(t, rep.SHA256, sha256Hex(p))
	require.Equal(t, rep.Bytes, int64(len(p)))

	target := backends[0].open(t)
	rrep, err := avrobak.RestoreFromBucket(ctx, bucket, "backups/employees.avro", target, "employees", nil)
	require.NoError(t, err)
	require.Equal(t, rep.SHA256, rrep.SHA256)
	_, got := tableRows(t, target, "employees")
	requireRowsEqual(t, employeeRows(t, 1, 2500), got)
}

func TestBackupToBucketAppearsOnlyWhenComplete(t *testing.T) {
	t.Parallel()
	bucket := openBucket(t)
	store := backends[0].open(t)
	loadRows(t, store, "employees", employeesSchema(), employeeRows(t, 1, 3*avrobak.ProgressEvery))
	ctx := context.Background()
	_, err := avrobak.BackupToBucket(ctx, store, "employees", bucket, "old.avro", nil)
	require.NoError(t, err)
	old, err := bucket.ReadAll(ctx, "old.avro")
	require.NoError(t, err)

	for _, key := range []string{"new.avro", "old.avro"} {
		cctx, cancel := context.WithCancel(ctx)
		calls := 0
		_, err = avrobak.BackupToBucket(cctx, store, "employees", bucket, key, &avrobak.BackupOptions{
			Progress: func(int64) { calls++; cancel() }, // fail in the middle of the table
		})
		cancel()
		require.ErrorIs(t, err, context.Canceled)
		require.Equal(t, 1, calls)
	}
	exists, err := bucket.Exists(ctx, "new.avro")
	require.NoError(t, err)
	require.False(t, exists, "a failed backup must leave no object")
	after, err := bucket.ReadAll(ctx, "old.avro")
	require.NoError(t, err)
	require.Equal(t, old, after, "a failed backup must keep the earlier object")

	_, err = avrobak.BackupToBucket(ctx, store, "missing", bucket, "missing.avro", nil)
	require.Error(t, err)
	exists, err = bucket.Exists(ctx, "missing.avro")
	require.NoError(t, err)
	require.False(t, exists)
}

// failWriter fails after n bytes.
type failWriter struct{ n int }

var errDiskFull = errors.New("disk full")

func (f *failWriter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		k := f.n
		f.n = 0
		return k, errDiskFull
	}
	f.n -= len(p)
	return len(p), nil
}

func TestBackupWriteError(t *testing.T) {
	t.Parallel()
	store := backends[0].open(t)
	loadRows(t, store, "employees", employeesSchema(), employeeRows(t, 1, 100))
	for _, n := range []int{0, 10, 2000} {
		_, err := avrobak.Backup(context.Background(), store, "employees", &failWriter{n: n}, nil)
		require.ErrorIs(t, err, errDiskFull, "after %d bytes", n)
	}
}
