package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/datafactory/datafactory/avrobak"
	"github.com/datafactory/datafactory/storage"
	"github.com/spf13/cobra"
)

func (m *Main) restoreCmd() *cobra.Command {
	var (
		bucket     string
		appendRows bool
	)
	cmd := &cobra.Command{
		Use:   "restore SRC DB TABLE",
		Short: "Restore a table from an Avro file",
		Long: `Restore recreates TABLE in the database DB from the Avro file SRC (a path,
or an object key in --bucket). The row count must equal the file's; on any
failure the table is left as it was. By default the table's content is
replaced atomically; --append adds the rows instead.`,
		Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.restore(cmd.Context(), args[0], args[1], args[2], bucket, &avrobak.RestoreOptions{Append: appendRows})
		},
	}
	cmd.Flags().StringVar(&bucket, "bucket", "", "bucket URL; SRC is then an object key")
	cmd.Flags().BoolVar(&appendRows, "append", false, "append the rows instead of replacing the table's content")
	return cmd
}

func (m *Main) restore(ctx context.Context, src, db, table, bucketURL string, opts *avrobak.RestoreOptions) error {
	store, err := m.openStore(ctx, db)
	if err != nil {
		return err
	}
	defer store.Close()
	var rep *avrobak.RestoreReport
	if bucketURL != "" {
		b, err := storage.Open(ctx, bucketURL)
		if err != nil {
			return err
		}
		defer b.Close()
		if rep, err = avrobak.RestoreFromBucket(ctx, b, src, store, table, opts); err != nil {
			return err
		}
	} else {
		f, err := os.Open(src)
		if err != nil {
			return err
		}
		defer f.Close()
		if rep, err = avrobak.Restore(ctx, f, store, table, opts); err != nil {
			return err
		}
	}
	fmt.Fprintf(m.Stdout, "%s: %d rows restored from %s (%s) in %s\n",
		rep.Table, rep.Rows, src, rep.Codec, rep.Duration.Round(1e6))
	return nil
}
