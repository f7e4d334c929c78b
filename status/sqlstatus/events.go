package sqlstatus

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/datafactory/datafactory/status/driver"
	"github.com/jmoiron/sqlx"
)

// CreateTrace inserts the trace row and its first event in one transaction.
func (d *sqlDriver) CreateTrace(ctx context.Context, ev driver.Event) (driver.Event, error) {
	tx, err := d.db.BeginTxx(ctx, nil)
	if err != nil {
		return driver.Event{}, err
	}
	defer func() { _ = tx.Rollback() }()
	if err := d.createTrace(ctx, tx, &ev); err != nil {
		return driver.Event{}, err
	}
	return ev, tx.Commit()
}

// CreateTraceTx is CreateTrace in the caller's transaction.
func (d *sqlDriver) CreateTraceTx(ctx context.Context, tx any, ev driver.Event) (driver.Event, error) {
	ext, err := asExt(tx)
	if err != nil {
		return driver.Event{}, err
	}
	return ev, d.createTrace(ctx, ext, &ev)
}

func (d *sqlDriver) createTrace(ctx context.Context, ext sqlx.ExecerContext, ev *driver.Event) error {
	args, err := eventArgs(ev)
	if err != nil {
		return err
	}
	if _, err := ext.ExecContext(ctx, d.q.insertTrace, ev.TraceID, micros(ev.StartTime)); err != nil {
		return err
	}
	_, err = ext.ExecContext(ctx, d.q.insertEvent, args...)
	return err
}

// AppendEventTx inserts one event in the caller's transaction.
func (d *sqlDriver) AppendEventTx(ctx context.Context, tx any, ev driver.Event) (driver.Event, error) {
	ext, err := asExt(tx)
	if err != nil {
		return driver.Event{}, err
	}
	args, err := eventArgs(&ev)
	if err != nil {
		return driver.Event{}, err
	}
	_, err = ext.ExecContext(ctx, d.q.insertEvent, args...)
	return ev, err
}

// asExt accepts the transactions the …Tx methods take.
func asExt(tx any) (sqlx.ExtContext, error) {
	ext, ok := tx.(sqlx.ExtContext)
	if !ok {
		return nil, fmt.Errorf("%w: transaction is a %T, want an sqlx.ExtContext such as *sqlx.Tx", errBadTx, tx)
	}
	return ext, nil
}

// AppendEvent inserts one event, batched with concurrent calls (see
// batcher); the foreign key on trace_id makes an unknown trace fail (kind
// NotFound) in the same statement.
func (d *sqlDriver) AppendEvent(ctx context.Context, ev driver.Event) (driver.Event, error) {
	args, err := eventArgs(&ev)
	if err != nil {
		return driver.Event{}, err
	}
	if err := d.batch.add(ctx, args); err != nil {
		return driver.Event{}, err
	}
	return ev, nil
}

// Events returns a trace's events, oldest first.
func (d *sqlDriver) Events(ctx context.Context, traceID string) ([]driver.Event, error) {
	rows, err := d.db.QueryContext(ctx, d.q.events, traceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []driver.Event
	for rows.Next() {
		ev, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}

// TraceIDsByPath returns the trace IDs of up to limit events with s3_path = path.
func (d *sqlDriver) TraceIDsByPath(ctx context.Context, path string, limit int) ([]string, error) {
	var ids []string
	if err := d.db.SelectContext(ctx, &ids, d.q.byPath, path, limit); err != nil {
		return nil, err
	}
	return ids, nil
}

var (
	_ driver.TraceSummarizer = (*sqlDriver)(nil)
	_ driver.TxDriver        = (*sqlDriver)(nil)
)

// SummaryEvents reads the latest event (first FINISHED, else last) and the
// errors of the trace with indexed queries instead of reading every event.
func (d *sqlDriver) SummaryEvents(ctx context.Context, traceID string) (driver.Event, [][]driver.ErrorEntry, bool, error) {
	latest, err := scanEvent(d.db.QueryRowContext(ctx, d.q.firstFinished, traceID))
	if errors.Is(err, sql.ErrNoRows) {
		latest, err = scanEvent(d.db.QueryRowContext(ctx, d.q.lastEvent, traceID))
	}
	if errors.Is(err, sql.ErrNoRows) {
		return driver.Event{}, nil, false, nil
	}
	if err != nil {
		return driver.Event{}, nil, false, err
	}
	rows, err := d.db.QueryContext(ctx, d.q.traceErrors, traceID)
	if err != nil {
		return driver.Event{}, nil, false, err
	}
	defer rows.Close()
	var errs [][]driver.ErrorEntry
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return driver.Event{}, nil, false, err
		}
		var e []driver.ErrorEntry
		if err := json.Unmarshal([]byte(raw), &e); err != nil {
			return driver.Event{}, nil, false, err
		}
		errs = append(errs, e)
	}
	return latest, errs, true, rows.Err()
}
