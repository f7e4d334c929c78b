package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/datafactory/datafactory/avrobak"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/storage"
	"github.com/spf13/cobra"

	_ "gocloud.dev/blob/gcsblob" // gs:// buckets
	_ "gocloud.dev/blob/s3blob"  // s3:// buckets
)

func (m *Main) backupCmd() *cobra.Command {
	var bucket, codec string
	cmd := &cobra.Command{
		Use:   "backup DB TABLE DEST",
		Short: "Back a table up to an Avro file",
		Long: `Backup writes TABLE of the database DB to DEST as an Avro object container
file carrying the table's Table Schema. DEST is a file path, or an object key
in --bucket (file:///dir, s3://bucket?region=…, gs://bucket, mem://). The file
appears only when the backup is complete.`,
		Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := avrobak.ParseCodec(codec)
			if err != nil {
				return err
			}
			return m.backup(cmd.Context(), args[0], args[1], args[2], bucket, &avrobak.BackupOptions{Codec: c})
		},
	}
	cmd.Flags().StringVar(&bucket, "bucket", "", "bucket URL; DEST is then an object key")
	cmd.Flags().StringVar(&codec, "codec", string(avrobak.DefaultCodec), "block codec: null, deflate, snappy or zstandard")
	return cmd
}

func (m *Main) backup(ctx context.Context, db, table, dest, bucketURL string, opts *avrobak.BackupOptions) error {
	store, err := m.openStore(ctx, db)
	if err != nil {
		return err
	}
	defer store.Close()
	var rep *avrobak.Report
	if bucketURL != "" {
		b, err := storage.Open(ctx, bucketURL)
		if err != nil {
			return err
		}
		defer b.Close()
		rep, err = avrobak.BackupToBucket(ctx, store, table, b, dest, opts)
		if err != nil {
			return err
		}
	} else if rep, err = backupFile(ctx, store, table, dest, opts); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%s: %d rows, %d bytes (%s) to %s in %s, sha256 %s\n",
		rep.Table, rep.Rows, rep.Bytes, rep.Codec, dest, rep.Duration.Round(1e6), rep.SHA256)
	return nil
}

// backupFile writes the backup to a temporary file next to path and renames
// it into place, so path only ever holds a complete backup.
func backupFile(ctx context.Context, store *datastore.Store, table, path string, opts *avrobak.BackupOptions) (*avrobak.Report, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".datafactory-backup-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	rep, err := avrobak.Backup(ctx, store, table, tmp, opts)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	return rep, os.Rename(tmp.Name(), path)
}
