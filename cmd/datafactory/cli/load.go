package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/pipeline/tasks"
	"github.com/spf13/cobra"
)

// loadFlags are the flags of load.
type loadFlags struct {
	src          sourceFlags
	table        string
	mode         string
	drift        string
	rejects      string
	rejectsTable bool
	maxRejects   int
	batchSize    int
	interval     time.Duration
}

func (m *Main) loadCmd() *cobra.Command {
	var f loadFlags
	cmd := &cobra.Command{
		Use:   "load SOURCE TARGET",
		Short: "Load a CSV (.gz, .zip, XLSX) source, resource.json or datapackage.json into a table",
		Long: `Load streams SOURCE (a CSV, gzipped CSV, zipped CSV or XLSX file, detected
by content, as a path or a file://, http(s)://, s3:// or gs:// URL; or a local
resource.json or datapackage.json) into TARGET, a database URL (sqlite:file.db, postgres://user@host/db,
mysql://user@host/db; the password comes from ` + EnvDBPassword + `) or a
CKAN site, ckan+https://ckan.example.org/?package_id=DATASET[&resources=table:resource_id][&chunk_bytes=N]
(the token comes from ` + EnvCKANAPIKey + `).
Rows failing the Table Schema are rejected, never written, and kept in
--rejects. Exit code 1 when more rows were rejected than --max-rejects.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.load(cmd, args[0], args[1], &f)
		},
	}
	f.src.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&f.table, "table", "", "target table (default: the resource or file name)")
	fl.StringVar(&f.mode, "mode", "append", "write mode: append, upsert or replace")
	fl.StringVar(&f.drift, "drift", "fail", "when the table differs from the schema: fail, evolve or ignore-extra")
	fl.StringVar(&f.rejects, "rejects", "", "write rejected rows to this CSV file")
	fl.BoolVar(&f.rejectsTable, "rejects-table", false, "also keep rejected rows in the table <table>__rejects")
	fl.IntVar(&f.maxRejects, "max-rejects", 0, "fail (exit 1, nothing written) when more rows are rejected (0: no limit, -1: none allowed)")
	fl.IntVar(&f.batchSize, "batch-size", 0, "rows per batch (default 10000)")
	fl.DurationVar(&f.interval, "progress-interval", 2*time.Second, "time between progress lines when not on a terminal")
	return cmd
}

func parseDrift(s string) (datastore.DriftPolicy, error) {
	for _, p := range []datastore.DriftPolicy{datastore.DriftFail, datastore.DriftEvolve, datastore.DriftIgnoreExtra} {
		if p.String() == s {
			return p, nil
		}
	}
	return 0, fmt.Errorf("--drift %q: want fail, evolve or ignore-extra", s)
}

func (m *Main) load(cmd *cobra.Command, src, target string, f *loadFlags) error {
	ctx := cmd.Context()
	mode, err := tasks.ParseMode(f.mode)
	if err != nil {
		return fmt.Errorf("--%w", err)
	}
	drift, err := parseDrift(f.drift)
	if err != nil {
		return err
	}
	sources, err := f.src.openSources(cmd, src)
	if err != nil {
		return err
	}
	if f.table != "" && len(sources) > 1 {
		return errors.New("--table needs a single resource: use --resource")
	}
	store, err := m.openStore(ctx, target)
	if err != nil {
		return err
	}
	defer store.Close()
	var rejectsFile *os.File
	if f.rejects != "" {
		if rejectsFile, err = os.Create(f.rejects); err != nil {
			return err
		}
		defer rejectsFile.Close()
	}
	var total datastore.LoadReport
	for i := range sources {
		s := &sources[i]
		table := s.Name
		if f.table != "" {
			table = f.table
		}
		opts := &datastore.LoadOptions{Mode: mode, Drift: drift, MaxRejects: f.maxRejects, BatchSize: f.batchSize,
			Waiting: func(table string) {
				fmt.Fprintf(m.Stderr, "%s: waiting for another load of the table to finish\n", table)
			}}
		rep, err := m.loadOne(ctx, store, table, s, opts, f, rejectsFile)
		if rep != nil {
			total.Read += rep.Read
			total.Written += rep.Written
			total.Rejected += rep.Rejected
		}
		if errors.Is(err, datastore.ErrTooManyRejects) {
			return refused(err)
		}
		if err != nil {
			return err
		}
	}
	if len(sources) > 1 {
		fmt.Fprintf(m.Stdout, "total: %d rows read, %d written, %d rejected\n", total.Read, total.Written, total.Rejected)
	}
	return nil
}

// loadOne loads one source into table and prints its summary.
func (m *Main) loadOne(ctx context.Context, store *datastore.Store, table string, s *tasks.Source,
	opts *datastore.LoadOptions, f *loadFlags, rejectsFile *os.File) (*datastore.LoadReport, error) {
	r, err := s.Open(ctx, &frictionless.ReadOptions{SkipUniqueCheck: true})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var sinks []datastore.RejectSink
	if rejectsFile != nil {
		sinks = append(sinks, datastore.NewCSVRejects(rejectsFile))
	}
	if f.rejectsTable {
		sinks = append(sinks, datastore.NewTableRejects(store, table))
	}
	if len(sinks) > 0 {
		opts.Rejects = datastore.MultiRejects(sinks...)
	}
	progress, finish := m.progressFunc(table, s.Size)
	opts.Progress = progress
	opts.ProgressInterval = f.interval
	if m.Terminal {
		opts.ProgressInterval = 100 * time.Millisecond
	}
	rep, err := datastore.Load(ctx, store, table, r, opts)
	finish()
	if rep != nil {
		m.printLoadReport(rep, f.rejects)
	}
	return rep, err
}

func (m *Main) printLoadReport(rep *datastore.LoadReport, rejects string) {
	fmt.Fprintf(m.Stdout, "%s: %d rows read, %d written, %d rejected, %.1f MB in %s (%.0f rows/s)\n",
		rep.Table, rep.Read, rep.Written, rep.Rejected, float64(rep.Bytes)/1e6,
		rep.Duration.Round(time.Millisecond), rep.RowsPerSecond)
	if rep.Rejected > 0 && rejects != "" {
		fmt.Fprintf(m.Stdout, "%s: rejected rows written to %s\n", rep.Table, rejects)
	}
	for i, rj := range rep.Rejects {
		if i == 5 {
			fmt.Fprintf(m.Stdout, "  … %d more\n", rep.Rejected-5)
			break
		}
		fmt.Fprintf(m.Stdout, "  row %d: field %q: %s\n", rj.Row, rj.Field, rj.Reason)
	}
}
