package aircan

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/storage"
)

// Files the validate task writes.
const (
	// ValidFile holds the valid rows as JSON lines.
	ValidFile = "data.jsonl"
	// RejectsFile holds the rejected rows as CSV: row, line, field, value,
	// reason, raw (the row's cells as a JSON array), stage.
	RejectsFile = "rejects.csv"
)

// maxListedRejects is how many rejects the validation output describes.
const maxListedRejects = 5

// validation is the validate task's output.
type validation struct {
	Read     int64    `json:"read"`
	Valid    int64    `json:"valid"`
	Rejected int64    `json:"rejected"`
	First    []string `json:"first_rejects,omitempty"`
}

// validate checks every row of the downloaded file against the schema
// (streaming, constant memory): valid rows go to data.jsonl, rejected ones
// with their row, field, reason and cells to rejects.csv.
func (l *loader) validate(ctx context.Context, r *run) error {
	if err := r.upstream(ctx); err != nil {
		return err
	}
	var file fileInfo
	if err := r.tc.Output(ctx, TaskDownload, outFile, &file); err != nil {
		return err
	}
	in, err := r.tc.TaskDir(TaskDownload).NewReader(ctx, file.Name)
	if err != nil {
		return err
	}
	defer in.Close()
	fr, err := frictionless.NewReader(in, r.schema, &frictionless.ReadOptions{Dialect: r.dialect(), Encoding: r.conf.Resource.Encoding,
		SkipUniqueCheck: true})
	if err != nil {
		return pipeline.Permanent(err)
	}
	defer fr.Close()
	v, err := r.validateRows(ctx, fr)
	if err != nil {
		return err
	}
	r.metaPath, r.metaFormat = ValidFile, "jsonl"
	r.meta["rows_read"], r.meta["rows_valid"], r.meta["rows_rejected"], r.meta["rejects"] = v.Read, v.Valid, v.Rejected, RejectsFile
	r.tc.AddCounts(pipeline.Counts{RowsIn: v.Read, RowsOut: v.Valid, FilesIn: 1, FilesOut: 2})
	r.tc.SetStatus("rejected", v.Rejected)
	r.tc.Logger().InfoContext(ctx, "validated", "read", v.Read, "valid", v.Valid, "rejected", v.Rejected)
	if max := int64(r.conf.MaxRejects); max > 0 && v.Rejected > max {
		return pipeline.Permanent(fmt.Errorf("%w: %d rows rejected, over max_rejects %d (%s; all in %s%s)",
			datastore.ErrTooManyRejects, v.Rejected, max, v.First[0], r.dir.Prefix(), RejectsFile))
	}
	if ratio := r.conf.rejectRatio(); v.Read > 0 && float64(v.Rejected) > ratio*float64(v.Read) {
		return pipeline.Permanent(fmt.Errorf("%w: %d of %d rows rejected, over max_reject_ratio %g; nothing loaded (%s; all in %s%s)",
			datastore.ErrTooManyRejects, v.Rejected, v.Read, ratio, v.First[0], r.dir.Prefix(), RejectsFile))
	}
	return r.tc.SetOutput(ctx, outValidation, v)
}

// dialect is the conf's dialect, else tab-separated for TSV, else the
// defaults.
func (r *run) dialect() *frictionless.Dialect {
	if d := r.conf.Resource.Dialect; d != nil {
		return d
	}
	if fileExt(r.format()) == "tsv" {
		return &frictionless.Dialect{Delimiter: "\t"}
	}
	return nil
}

// validateRows streams the rows into the two files. Both become visible
// only when complete; on a fatal error neither is written.
func (r *run) validateRows(ctx context.Context, fr *frictionless.Reader) (*validation, error) {
	out, err := r.dir.NewWriter(ctx, ValidFile, &storage.WriteOptions{ContentType: "application/x-ndjson"})
	if err != nil {
		return nil, err
	}
	rej, err := r.dir.NewWriter(ctx, RejectsFile, &storage.WriteOptions{ContentType: "text/csv"})
	if err != nil {
		_ = out.Abort()
		return nil, err
	}
	v, err := splitRows(ctx, fr, newJSONLWriter(out, r.schema), datastore.NewCSVRejects(rej))
	if err != nil {
		return nil, errors.Join(err, out.Abort(), rej.Abort())
	}
	if err := errors.Join(out.Close(), rej.Close()); err != nil {
		return nil, err
	}
	return v, nil
}

// splitRows reads every row: valid ones to jw, rejects to sink.
func splitRows(ctx context.Context, fr *frictionless.Reader, jw *jsonlWriter, sink *datastore.CSVRejects) (*validation, error) {
	v := &validation{}
	var batch []datastore.Reject
	flush := func() error {
		err := sink.WriteRejects(ctx, batch)
		batch = batch[:0]
		return err
	}
	for {
		row, err := fr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var re *frictionless.RowError
		switch {
		case err == nil:
			v.Read++
			v.Valid++
			if err := jw.Write(row); err != nil {
				return nil, err
			}
			continue
		case errors.As(err, &re) && re.Row == 0:
			return nil, pipeline.Permanent(fmt.Errorf("the file does not match the schema: header: %w", re))
		case !errors.As(err, &re):
			return nil, pipeline.Permanent(err)
		}
		v.Read++
		v.Rejected++
		rj := datastore.Reject{Row: re.Row, Line: re.Line, Field: re.Field, Value: re.Value, Reason: re.Reason,
			Raw: append([]string(nil), re.Raw...), Stage: datastore.StageValidation}
		if len(v.First) < maxListedRejects {
			v.First = append(v.First, re.Error())
		}
		if batch = append(batch, rj); len(batch) >= 1000 {
			if err := flush(); err != nil {
				return nil, err
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	if err := errors.Join(flush(), jw.Flush(), sink.Flush(ctx)); err != nil {
		return nil, err
	}
	return v, nil
}
