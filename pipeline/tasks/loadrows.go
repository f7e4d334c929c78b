package tasks

import (
	"context"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/pipeline"
)

// tableLoad is what the load and http_to_table tasks share: how rows land
// in a table, and who hears of the result.
type tableLoad struct {
	mode   datastore.Mode
	max    int
	loaded func(*datastore.LoadReport) // Options.Loaded, or nil
}

// loadTable loads rows into table, rejects kept in its rejects table, and
// reports what it did: the task's counts and "rejected" status, and the
// Loaded hook (also for a load that failed part-way with a report).
func (l *tableLoad) loadTable(ctx context.Context, tc *pipeline.TaskContext, store *datastore.Store, table string, rows datastore.RowReader, files int64) (*datastore.LoadReport, error) {
	rep, err := datastore.Load(ctx, store, table, rows, &datastore.LoadOptions{
		Mode: l.mode, MaxRejects: l.max, Rejects: datastore.NewTableRejects(store, table)})
	if rep != nil {
		tc.AddCounts(pipeline.Counts{RowsIn: rep.Read, RowsOut: rep.Written, FilesIn: files})
		tc.SetStatus("rejected", rep.Rejected)
		if l.loaded != nil {
			l.loaded(rep)
		}
	}
	return rep, err
}
