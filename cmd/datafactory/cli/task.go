package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/pipelinehttp"
	"github.com/spf13/cobra"
)

// taskFlags are the flags of the task subcommands.
type taskFlags struct {
	runID, name, conf, store, bucket string
}

// taskCmd is "task create | run | finish": a run driven one task at a time
// by an orchestrator, each task possibly in its own container.
func (m *Main) taskCmd() *cobra.Command {
	task := &cobra.Command{
		Use:   "task",
		Short: "Run a pipeline one task at a time (for orchestrators)",
		Long: `An orchestrator (Airflow, Kubernetes jobs) runs a pipeline one task per
process: "task create" stores the run (conf, logical date) and prints its id,
"task run" runs one task of it, reading the conf and upstream outputs from
the bucket, and "task finish" writes the run's summary and ends its job.
All three need the same bucket (--bucket or ` + EnvBucketURL + `).`,
	}
	task.AddCommand(m.taskCreateCmd(), m.taskRunCmd(), m.taskFinishCmd())
	return task
}

func taskCommonFlags(cmd *cobra.Command, f *taskFlags) {
	statusFlag(cmd, &f.store)
	bucketFlag(cmd, &f.bucket)
}

func (m *Main) taskCreateCmd() *cobra.Command {
	var f taskFlags
	cmd := &cobra.Command{
		Use:   "create PIPELINE",
		Short: "Create a run and print its id",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, opts, closeBE, err := m.taskSetup(cmd, args[0], &f)
			if err != nil {
				return err
			}
			defer closeBE()
			conf, err := readConf(f.conf)
			if err != nil {
				return err
			}
			opts.RunID = f.runID
			labelRun(d, conf, opts)
			id, err := pipeline.CreateRun(cmd.Context(), d.Pipeline, conf, opts)
			if err != nil {
				return err
			}
			fmt.Fprintln(m.Stdout, id)
			return nil
		},
	}
	taskCommonFlags(cmd, &f)
	cmd.Flags().StringVar(&f.conf, "conf", "", "the run's conf: JSON, or @file")
	cmd.Flags().StringVar(&f.runID, "run", "", "the run id (default: generated)")
	return cmd
}

func (m *Main) taskRunCmd() *cobra.Command {
	var f taskFlags
	cmd := &cobra.Command{
		Use:   "run PIPELINE --run ID --task NAME",
		Short: "Run one task of a run",
		Long: `Run runs one task of a run made by "task create". Exit code 1 when the
task failed, 2 when it could not run (an upstream task has not ended, an
unknown task or run).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.runID == "" || f.name == "" {
				return errors.New("--run and --task are required")
			}
			d, opts, closeBE, err := m.taskSetup(cmd, args[0], &f)
			if err != nil {
				return err
			}
			defer closeBE()
			ts, err := pipeline.RunTask(cmd.Context(), d.Pipeline, f.runID, f.name, opts)
			if ts != nil {
				fmt.Fprintf(m.Stdout, "task %s of run %s: %s after %d attempt(s) in %s\n",
					ts.Name, f.runID, ts.State, ts.Attempts, ts.Duration.Round(time.Millisecond))
			}
			var te *pipeline.TaskError
			if errors.As(err, &te) {
				return refused(err)
			}
			return err
		},
	}
	taskCommonFlags(cmd, &f)
	cmd.Flags().StringVar(&f.runID, "run", "", "the run id")
	cmd.Flags().StringVar(&f.name, "task", "", "the task name")
	return cmd
}

func (m *Main) taskFinishCmd() *cobra.Command {
	var f taskFlags
	cmd := &cobra.Command{
		Use:   "finish PIPELINE --run ID",
		Short: "End a run: summary, FINISHED status event, job state",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.runID == "" {
				return errors.New("--run is required")
			}
			d, opts, closeBE, err := m.taskSetup(cmd, args[0], &f)
			if err != nil {
				return err
			}
			defer closeBE()
			sum, err := pipeline.FinishRun(cmd.Context(), d.Pipeline, f.runID, opts)
			if sum != nil {
				printRunSummary(m, sum)
			}
			if errors.Is(err, pipeline.ErrRunFailed) {
				return refused(err)
			}
			return err
		},
	}
	taskCommonFlags(cmd, &f)
	cmd.Flags().StringVar(&f.runID, "run", "", "the run id")
	return cmd
}

// taskSetup resolves the pipeline and the backend, which must have a bucket.
func (m *Main) taskSetup(cmd *cobra.Command, name string, f *taskFlags) (pipelinehttp.DAG, *pipeline.RunOptions, func(), error) {
	d, err := m.resolvePipeline(name)
	if err != nil {
		return d, nil, nil, err
	}
	if f.bucket == "" && m.Getenv(EnvBucketURL) == "" {
		return d, nil, nil, errors.New("a bucket is required: pass --bucket or set " + EnvBucketURL)
	}
	be, closeBE, err := m.backend(cmd.Context(), f.store, f.bucket)
	if err != nil {
		return d, nil, nil, err
	}
	return d, &pipeline.RunOptions{Backend: be}, closeBE, nil
}
