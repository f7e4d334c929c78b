package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"text/tabwriter"
	"time"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/spf13/cobra"
)

// runFlags are the flags of run.
type runFlags struct {
	conf        string
	runID       string
	store       string
	bucket      string
	concurrency int
	verbose     bool
	executor    string
}

func (m *Main) runCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run PIPELINE",
		Short: "Run a built-in pipeline or a pipeline spec file",
		Long: `Run runs PIPELINE once, in this process: a built-in pipeline ("load", or
"ckan_load", AirCan's CKAN DataStore load, configured by
` + EnvCKANSiteURL + ` and ` + EnvCKANAPIKey + `) or a
spec file (JSON or YAML) of registered task types (see "datafactory tasks").
--conf gives the run's conf as JSON or @file; it is validated against the
pipeline's JSON Schema first. With a status store (--status or
` + EnvStatusURL + `) the run is recorded as a trace and a job, whose id is the
run id; with a bucket (--bucket or ` + EnvBucketURL + `) task files and outputs are
kept there.
Exit code 1 when the run failed.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.run(cmd.Context(), args[0], &f)
		},
	}
	statusFlag(cmd, &f.store)
	bucketFlag(cmd, &f.bucket)
	fl := cmd.Flags()
	fl.StringVar(&f.conf, "conf", "", "the run's conf: JSON, or @file")
	fl.StringVar(&f.runID, "run-id", "", "the run id (default: generated)")
	fl.IntVar(&f.concurrency, "concurrency", 0, "task instances running at once (default 16)")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "log task transitions")
	fl.StringVar(&f.executor, "executor", "", `where the run executes: "inprocess" (default) or temporal://host:port?namespace=…&task_queue=… (needs --bucket; run "datafactory worker" with the same --status and --bucket)`)
	return cmd
}

func (m *Main) run(ctx context.Context, name string, f *runFlags) error {
	d, err := m.resolvePipeline(name)
	if err != nil {
		return err
	}
	p := d.Pipeline
	conf, err := readConf(f.conf)
	if err != nil {
		return err
	}
	if err := p.ValidateConf(conf); err != nil {
		return err
	}
	opts := &pipeline.RunOptions{RunID: f.runID, Concurrency: f.concurrency}
	if opts.RunID == "" {
		opts.RunID = fmt.Sprintf("%s-%s", p.Name(), time.Now().UTC().Format("20060102T150405.000000"))
	}
	labelRun(d, conf, opts)
	if f.verbose {
		opts.Logger = slog.New(slog.NewTextHandler(m.Stderr, nil))
	}
	be, closeBE, err := m.backend(ctx, f.store, f.bucket)
	if err != nil {
		return err
	}
	defer closeBE()
	opts.Backend = be
	exec, closeExec, err := executor(f.executor)
	if err != nil {
		return err
	}
	defer closeExec()
	opts.Executor = exec
	fmt.Fprintf(m.Stdout, "run %s of %s\n", opts.RunID, p.Name())
	sum, runErr := pipeline.Run(ctx, p, conf, opts)
	if sum != nil {
		printRunSummary(m, sum)
		if sum.State == pipeline.StateCancelled {
			m.reportCancelled(d, conf, sum)
		}
	}
	if errors.Is(runErr, pipeline.ErrRunFailed) {
		return refused(runErr)
	}
	return runErr
}

func printRunSummary(m *Main, sum *pipeline.Summary) {
	tw := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "Task\tState\tAttempts\tDuration\tError")
	for _, t := range sum.Tasks {
		msg := ""
		if t.Err != nil {
			msg = t.Err.Error()
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", t.Name, t.State, t.Attempts, t.Duration.Round(time.Millisecond), msg)
	}
	_ = tw.Flush()
	fmt.Fprintf(m.Stdout, "run %s: %s in %s\n", sum.RunID, sum.State, sum.End.Sub(sum.Start).Round(time.Millisecond))
}

func (m *Main) tasksCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "tasks",
		Short: "List the registered task types with their JSON Schemas",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			reg, err := m.registry()
			if err != nil {
				return err
			}
			types := reg.Types()
			switch format {
			case "json":
				enc := json.NewEncoder(m.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(types)
			case "text":
				for _, t := range types {
					fmt.Fprintf(m.Stdout, "%s\t%s\n  params: %s\n", t.Name, t.Description, compactJSON(t.ParamsSchema))
				}
				return nil
			}
			return fmt.Errorf("--format %q: want text or json", format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

func compactJSON(raw json.RawMessage) string {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return string(raw)
	}
	out, _ := json.Marshal(v)
	return string(out)
}
