package aircan

import (
	"context"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/storage"
)

// loadResult is the load task's output.
type loadResult struct {
	Read     int64  `json:"read"`
	Written  int64  `json:"written"`
	Rejected int64  `json:"rejected"` // refused by the DataStore (in load/rejects.csv)
	Mode     string `json:"mode"`
	Copy     bool   `json:"copy"`
}

// load writes validate's JSON lines into the DataStore table with
// datastore.Load on the ckanstore backend: chunked datastore_upsert
// (insert, or upsert on the unique keys) into the table create_table
// prepared, or, on the direct path, COPY into a staging table swapped in
// atomically. Rows the DataStore refuses go to load/rejects.csv, numbered
// by their line in validate/data.jsonl.
func (l *loader) load(ctx context.Context, r *run) error {
	if err := r.upstream(ctx); err != nil {
		return err
	}
	var tbl tableResult
	if err := r.tc.Output(ctx, TaskCreateTable, outTable, &tbl); err != nil {
		return err
	}
	var v validation
	if err := r.tc.Output(ctx, TaskValidate, outValidation, &v); err != nil {
		return err
	}
	in, err := r.tc.TaskDir(TaskValidate).NewReader(ctx, ValidFile)
	if err != nil {
		return err
	}
	defer in.Close()
	store, err := r.store(tbl.Copy)
	if err != nil {
		return err
	}
	defer store.Close()
	rejects, err := r.dir.NewWriter(ctx, RejectsFile, &storage.WriteOptions{ContentType: "text/csv"})
	if err != nil {
		return err
	}
	rep, err := datastore.Load(ctx, store, tableName, newJSONLReader(in, r.schema), r.loadOptions(ctx, &tbl, &v, rejects))
	// Rejects are kept even when the load failed: they say why.
	if cerr := rejects.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return permanentIf4xx(err)
	}
	res := loadResult{Read: rep.Read, Written: rep.Written, Rejected: rep.Rejected, Mode: tbl.Mode, Copy: tbl.Copy}
	r.meta["rows_written"], r.meta["rows_rejected"], r.meta["mode"], r.meta["copy"] = res.Written, res.Rejected, res.Mode, res.Copy
	r.meta["rejects"] = RejectsFile
	r.tc.AddCounts(pipeline.Counts{RowsIn: rep.Read, RowsOut: rep.Written, FilesIn: 1})
	r.tc.SetStatus("rejected", rep.Rejected)
	r.tc.SetStatus("rows_per_second", int64(rep.RowsPerSecond))
	r.tc.Logger().InfoContext(ctx, "loaded", "written", rep.Written, "rejected", rep.Rejected, "mode", tbl.Mode, "copy", tbl.Copy)
	return r.tc.SetOutput(ctx, outLoad, res)
}

// loadOptions are the datastore.Load options of the load task.
func (r *run) loadOptions(ctx context.Context, tbl *tableResult, v *validation, rejects *storage.Writer) *datastore.LoadOptions {
	o := &datastore.LoadOptions{Mode: datastore.ModeAppend, Rejects: datastore.NewCSVRejects(rejects),
		BatchSize: 10 * r.conf.chunkRows(), ProgressInterval: 5 * time.Second,
		Progress: func(p datastore.Progress) {
			r.tc.Logger().InfoContext(ctx, "loading", "read", p.Read, "rejected", p.Rejected)
		}}
	switch {
	case tbl.Copy:
		o.Mode, o.BatchSize = datastore.ModeReplace, 0
	case tbl.Mode == "upsert":
		o.Mode = datastore.ModeUpsert
	}
	if max := int64(r.conf.MaxRejects); max > 0 {
		o.MaxRejects = int(max - v.Rejected)
		if o.MaxRejects <= 0 {
			o.MaxRejects = -1 // no rejects left: fail on the first
		}
	}
	return o
}
