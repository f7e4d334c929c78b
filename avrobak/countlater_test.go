package avrobak_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/datafactory/datafactory/avrobak"
	"github.com/datafactory/datafactory/datastore"
	"github.com/stretchr/testify/require"
)

// backupInto backs the employees table of s up into f and returns the
// report and the backup's bytes (from where f stood).
func backupInto(t *testing.T, ctx context.Context, s *datastore.Store, f *os.File, opts *avrobak.BackupOptions) (*avrobak.Report, []byte, error) {
	t.Helper()
	base, err := f.Seek(0, 1)
	require.NoError(t, err)
	rep, err := avrobak.Backup(ctx, s, "employees", f, opts)
	all, rerr := os.ReadFile(f.Name())
	require.NoError(t, rerr)
	return rep, all[base:], err
}

// TestBackupIntoFileCountsAfterRows: into a file it can rewrite, a backup
// records the count of the rows it read once they are written (zero-padded,
// the file's SHA-256 read back), from any offset of the file; into an
// append-only or write-only file it counts first, as into any writer.
func TestBackupIntoFileCountsAfterRows(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			src := b.open(t)
			loadRows(t, src, "employees", employeesSchema(), employeeRows(t, 1, 2500))
			dir := t.TempDir()
			cases := []struct {
				name   string
				open   func(path string) (*os.File, error)
				prefix string
				count  string
			}{
				{"new file", func(p string) (*os.File, error) { return os.Create(p) }, "", "0000000000000002500"},
				{"after a prefix", func(p string) (*os.File, error) { return os.Create(p) }, "some bytes first", "0000000000000002500"},
				{"append-only", func(p string) (*os.File, error) {
					return os.OpenFile(p, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o600)
				}, "", "2500"},
				{"write-only", func(p string) (*os.File, error) { return os.OpenFile(p, os.O_CREATE|os.O_WRONLY, 0o600) }, "", "2500"},
			}
			for _, c := range cases {
				f, err := c.open(filepath.Join(dir, c.name+".avro"))
				require.NoError(t, err)
				_, err = f.WriteString(c.prefix)
				require.NoError(t, err)
				rep, file, err := backupInto(t, ctx, src, f, &avrobak.BackupOptions{Codec: avrobak.CodecZstandard, BlockSize: 8192})
				require.NoError(t, err, c.name)
				require.NoError(t, f.Close())
				sum := sha256.Sum256(file)
				require.Equal(t, hex.EncodeToString(sum[:]), rep.SHA256, c.name)
				require.EqualValues(t, len(file), rep.Bytes, c.name)
				require.EqualValues(t, 2500, rep.Rows, c.name)
				vrep, err := avrobak.Verify(bytes.NewReader(file), nil)
				require.NoError(t, err, c.name)
				require.EqualValues(t, 2500, vrep.Rows, c.name)
				r, err := avrobak.NewReader(bytes.NewReader(file), nil)
				require.NoError(t, err, c.name)
				require.Equal(t, c.count, string(r.Metadata()[avrobak.MetaRows]), c.name)
			}
		})
	}
}

// TestBackupIntoFileCutShortIsRefused: a backup into a file that fails
// midway leaves a file whose count was never written, which no reader
// takes for a backup.
func TestBackupIntoFileCutShortIsRefused(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			src := b.open(t)
			loadRows(t, src, "employees", employeesSchema(), employeeRows(t, 1, 25000))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			f, err := os.Create(filepath.Join(t.TempDir(), "cut.avro"))
			require.NoError(t, err)
			defer f.Close()
			opts := &avrobak.BackupOptions{BlockSize: 4096, Progress: func(int64) { cancel() }}
			_, file, err := backupInto(t, ctx, src, f, opts)
			require.ErrorIs(t, err, context.Canceled)
			require.Greater(t, len(file), 20000, "blocks were written before the failure")
			_, err = avrobak.Verify(bytes.NewReader(file), nil)
			require.ErrorIs(t, err, avrobak.ErrCorrupt)
			require.ErrorContains(t, err, avrobak.MetaRows)
		})
	}
}
