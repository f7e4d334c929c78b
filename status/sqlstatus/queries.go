package sqlstatus

import (
	"database/sql"
	"encoding/json"
	"time"

	"github.com/datafactory/datafactory/status/driver"
	"github.com/jmoiron/sqlx"
)

// queries holds the statements, rebound to the dialect's placeholders.
type queries struct {
	insertTrace, insertEvent, events, byPath string
	insertJob, getJob, updateJob, heartbeat  string
	listJobs                                 string
	firstFinished, lastEvent, traceErrors    string
	rebind                                   func(string) string
}

const eventCols = `trace_id, trace_event_id, domain, domain_id, start_time, end_time,
	trace_status, trace_event_status, username, component, operation, status_body,
	meta, s3_path, duration_ms, exception, errors`

const jobCols = `id, factory_id, job_type, dataset, resource, username, status, info,
	created, updated, heartbeat, version`

func newQueries(db *sqlx.DB, d Dialect) queries {
	rb := d.Rebind
	return queries{
		rebind:      rb,
		insertTrace: rb(`INSERT INTO status_traces (trace_id, created) VALUES (?, ?)`),
		insertEvent: rb(`INSERT INTO status_events (` + eventCols + `)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		events: rb(`SELECT ` + eventCols + ` FROM status_events WHERE trace_id = ?
			ORDER BY start_time, seq`),
		byPath:    rb(`SELECT trace_id FROM status_events WHERE s3_path = ? ORDER BY seq LIMIT ?`),
		insertJob: rb(`INSERT INTO status_jobs (` + jobCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		getJob:    rb(`SELECT ` + jobCols + ` FROM status_jobs WHERE id = ?`),
		updateJob: rb(`UPDATE status_jobs SET status = ?, info = ?, updated = ?, heartbeat = ?,
			version = version + 1 WHERE id = ? AND version = ?`),
		heartbeat: rb(`UPDATE status_jobs SET heartbeat = ?, version = version + 1
			WHERE id = ? AND status = 'RUNNING'`),
		listJobs: `SELECT ` + jobCols + ` FROM status_jobs`,
		firstFinished: rb(`SELECT ` + eventCols + ` FROM status_events
			WHERE trace_id = ? AND trace_status = 'FINISHED' ORDER BY start_time, seq LIMIT 1`),
		lastEvent: rb(`SELECT ` + eventCols + ` FROM status_events
			WHERE trace_id = ? ORDER BY start_time DESC, seq DESC LIMIT 1`),
		traceErrors: rb(`SELECT errors FROM status_events
			WHERE trace_id = ? AND errors IS NOT NULL ORDER BY start_time, seq`),
	}
}

// micros converts a time to microseconds since the epoch; zero → NULL.
func micros(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMicro(), Valid: true}
}

// fromMicros is the inverse of micros.
func fromMicros(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMicro(v.Int64).UTC()
}

// rawJSON stores JSON text; empty → NULL.
func rawJSON(b json.RawMessage) sql.NullString {
	if len(b) == 0 {
		return sql.NullString{}
	}
	return sql.NullString{String: string(b), Valid: true}
}

// marshalNullable stores v as JSON text; nil or empty → NULL.
func marshalNullable[T any](v []T) (sql.NullString, error) {
	if len(v) == 0 {
		return sql.NullString{}, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return sql.NullString{}, err
	}
	return sql.NullString{String: string(b), Valid: true}, nil
}

func eventArgs(ev *driver.Event) ([]any, error) {
	errs, err := marshalNullable(ev.Errors)
	if err != nil {
		return nil, err
	}
	var dur sql.NullFloat64
	if ev.Duration != 0 {
		dur = sql.NullFloat64{Float64: driver.DurationMillis(ev.Duration), Valid: true}
	}
	return []any{
		ev.TraceID, ev.TraceEventID, ev.Domain, ev.DomainID, micros(ev.StartTime), micros(ev.EndTime),
		string(ev.TraceStatus), string(ev.TraceEventStatus), ev.User, ev.Component, ev.Operation,
		rawJSON(ev.StatusBody), rawJSON(ev.Meta), ev.S3Path, dur, ev.Exception, errs,
	}, nil
}

// scanEvent reads one row of eventCols.
func scanEvent(sc interface{ Scan(...any) error }) (driver.Event, error) {
	var (
		ev               driver.Event
		start, end       sql.NullInt64
		ts, es           string
		body, meta, errs sql.NullString
		dur              sql.NullFloat64
	)
	err := sc.Scan(&ev.TraceID, &ev.TraceEventID, &ev.Domain, &ev.DomainID, &start, &end, &ts, &es,
		&ev.User, &ev.Component, &ev.Operation, &body, &meta, &ev.S3Path, &dur, &ev.Exception, &errs)
	if err != nil {
		return ev, err
	}
	ev.StartTime, ev.EndTime = fromMicros(start), fromMicros(end)
	ev.TraceStatus, ev.TraceEventStatus = driver.TraceStatus(ts), driver.EventStatus(es)
	if body.Valid {
		ev.StatusBody = json.RawMessage(body.String)
	}
	if meta.Valid {
		ev.Meta = json.RawMessage(meta.String)
	}
	if dur.Valid {
		ev.Duration = driver.MillisDuration(dur.Float64)
	}
	if errs.Valid {
		if err := json.Unmarshal([]byte(errs.String), &ev.Errors); err != nil {
			return ev, err
		}
	}
	return ev, nil
}

func jobArgs(j *driver.Job, version int64) ([]any, error) {
	info, err := infoJSON(j.Info)
	if err != nil {
		return nil, err
	}
	return []any{j.ID, j.FactoryID, string(j.Type), j.Dataset, j.Resource, j.User, string(j.Status),
		info, micros(j.Created), micros(j.Updated), micros(j.Heartbeat), version}, nil
}

func infoJSON(info map[string]any) (sql.NullString, error) {
	if len(info) == 0 {
		return sql.NullString{}, nil
	}
	b, err := json.Marshal(info)
	if err != nil {
		return sql.NullString{}, err
	}
	return sql.NullString{String: string(b), Valid: true}, nil
}

// scanJob reads one row of jobCols.
func scanJob(sc interface{ Scan(...any) error }) (driver.Job, int64, error) {
	var (
		j                           driver.Job
		typ, st                     string
		info                        sql.NullString
		created, updated, heartbeat sql.NullInt64
		version                     int64
	)
	err := sc.Scan(&j.ID, &j.FactoryID, &typ, &j.Dataset, &j.Resource, &j.User, &st, &info,
		&created, &updated, &heartbeat, &version)
	if err != nil {
		return j, 0, err
	}
	j.Type, j.Status = driver.JobType(typ), driver.JobStatus(st)
	j.Created, j.Updated, j.Heartbeat = fromMicros(created), fromMicros(updated), fromMicros(heartbeat)
	if info.Valid {
		if err := json.Unmarshal([]byte(info.String), &j.Info); err != nil {
			return j, 0, err
		}
	}
	return j, version, nil
}
