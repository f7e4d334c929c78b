package cli

import (
	"errors"
	"fmt"

	"github.com/datafactory/datafactory/status/statuscli"
	"github.com/spf13/cobra"
)

func (m *Main) statusCmd() *cobra.Command {
	var (
		store  string
		format string
		opts   statuscli.Options
	)
	cmd := &cobra.Command{
		Use:   "status TRACE_ID",
		Short: "Show a trace's status (a run, an upload)",
		Long: `Status prints the summary of a trace: Done | Trace ID | Status | Event status |
Error(s), as okdata's CLI does; --history prints one row per event instead.
--watch polls until the trace is finished. The store is a status database
or a datafactory service (http(s) URL, token from ` + EnvToken + `).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = statuscli.Format(format)
			switch opts.Format {
			case statuscli.Table, statuscli.JSON, statuscli.CSV:
			default:
				return fmt.Errorf("--format %q: want table, json or csv", format)
			}
			st, err := m.openStatus(cmd.Context(), store)
			if err != nil {
				return err
			}
			defer st.Close()
			err = statuscli.Run(cmd.Context(), m.Stdout, st, args[0], &opts)
			if errors.Is(err, statuscli.ErrNoEvents) {
				return refused(err)
			}
			return err
		},
	}
	statusFlag(cmd, &store)
	fl := cmd.Flags()
	fl.BoolVar(&opts.History, "history", false, "print every event of the trace")
	fl.StringVar(&format, "format", "table", "output format: table, json or csv")
	fl.BoolVar(&opts.Watch, "watch", false, "poll until the trace is finished")
	fl.DurationVar(&opts.Interval, "watch-interval", statuscli.DefaultInterval, "time between polls with --watch")
	fl.IntVar(&opts.MaxPolls, "watch-polls", statuscli.DefaultMaxPolls, "most polls with --watch")
	return cmd
}
