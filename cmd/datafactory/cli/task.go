package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

func (m *Main) taskCmd() *cobra.Command {
	task := &cobra.Command{Use: "task", Short: "Work with single tasks of a run"}
	var runID, name, conf, store string
	run := &cobra.Command{
		Use:   "run PIPELINE --run ID --task NAME",
		Short: "Run one task of a run (for orchestrators: one task per container)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runID == "" || name == "" {
				return errors.New("--run and --task are required")
			}
			p, err := m.resolvePipeline(args[0])
			if err != nil {
				return err
			}
			if _, err := p.Upstream(name); err != nil {
				return fmt.Errorf("task %q: %w", name, err)
			}
			return errors.Join(errTaskRunUnavailable, errors.ErrUnsupported)
		},
	}
	statusFlag(run, &store)
	run.Flags().StringVar(&runID, "run", "", "the run id")
	run.Flags().StringVar(&name, "task", "", "the task name")
	run.Flags().StringVar(&conf, "conf", "", "the run's conf (JSON or @file) when the run is new")
	task.AddCommand(run)
	return task
}

// errTaskRunUnavailable: the pipeline package does not offer RunTask yet.
var errTaskRunUnavailable = errors.New("task run: this build's pipeline package cannot run a single task of a run (pipeline.RunTask is missing)")
