package cli

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/datafactory/datafactory/status"
	"github.com/spf13/cobra"
)

func (m *Main) jobsCmd() *cobra.Command {
	var (
		store, format string
		q             status.JobQuery
		st            string
	)
	cmd := &cobra.Command{
		Use:   "jobs",
		Short: "List jobs by dataset or resource, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "json" {
				return fmt.Errorf("--format %q: want table or json", format)
			}
			q.Status = status.JobStatus(st)
			s, err := m.openStatus(cmd.Context(), store)
			if err != nil {
				return err
			}
			defer s.Close()
			jobs, err := s.ListJobs(cmd.Context(), &q)
			if err != nil {
				return err
			}
			if format == "json" {
				return json.NewEncoder(m.Stdout).Encode(jobs)
			}
			tw := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tType\tDataset\tResource\tStatus\tRun\tUpdated")
			for _, j := range jobs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", j.ID, j.Type, orNA(j.Dataset), orNA(j.Resource),
					j.Status, orNA(j.FactoryID), j.Updated.Local().Format(time.DateTime))
			}
			return tw.Flush()
		},
	}
	statusFlag(cmd, &store)
	fl := cmd.Flags()
	fl.StringVar(&q.Dataset, "dataset", "", "only jobs on this dataset")
	fl.StringVar(&q.Resource, "resource", "", "only jobs on this resource")
	fl.StringVar(&st, "state", "", "only jobs in this status (WAITING, RUNNING, DONE, FAILED, CANCELLED)")
	fl.IntVar(&q.Limit, "limit", 0, "page size (default 50)")
	fl.IntVar(&q.Offset, "offset", 0, "jobs to skip")
	fl.StringVar(&format, "format", "table", "output format: table or json")
	return cmd
}

func orNA(s string) string {
	if s == "" {
		return "N/A"
	}
	return s
}
