package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/datafactory/datafactory/connection"
	"github.com/datafactory/datafactory/internal/sqldialect"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/schedule"
	"github.com/jmoiron/sqlx"
)

// SQLParams are the params of the "sql" task type.
type SQLParams struct {
	// DB names a database connection.
	DB string `json:"db"`
	// Statements run in one transaction, in order. Each is a text/template
	// executed with the run's [SQLDates] (see [RenderSQL]).
	Statements []string `json:"statements"`
	// Schedule is the fallback interval of runs that carry none (runs not
	// fired by a cron trigger): a cron expression or descriptor (e.g.
	// "@monthly") whose next activation after the logical date is
	// DataIntervalEnd. A run fired by a cron trigger uses the trigger's
	// interval instead. Default "": such runs have an empty interval (end =
	// start).
	Schedule string `json:"schedule,omitempty"`
}

const sqlParamsSchema = `{
  "type": "object",
  "required": ["db", "statements"],
  "additionalProperties": false,
  "properties": {
    "db": {"type": "string", "minLength": 1, "description": "name of a database connection"},
    "statements": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1},
      "description": "SQL run in one transaction, e.g. CREATE VIEW …; Go templates over .LogicalDate, .DataIntervalStart, .DataIntervalEnd with ident and literal"},
    "schedule": {"type": "string", "maxLength": 256,
      "description": "cron expression or descriptor (@monthly) of the interval of runs not fired by a cron trigger (those use the trigger's interval); default: empty interval"}
  }
}`

// errNoSQL: the store of a sql task is not a SQL database.
var errNoSQL = errors.New("sql task: the store has no SQL database")

// sqlTask is a sql task whose templates and references are checked.
type sqlTask struct {
	store    connection.Store
	tmpl     []*sqlTemplate
	schedule schedule.Schedule
}

func (t *types) newSQL(params json.RawMessage) (pipeline.Task, error) {
	var p SQLParams
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	if len(p.Statements) == 0 {
		return nil, errors.New("statements: at least one is required")
	}
	st := &sqlTask{}
	var err error
	if p.Schedule != "" {
		if st.schedule, err = schedule.ParseSchedule(p.Schedule); err != nil {
			return nil, fmt.Errorf("schedule: %w", err)
		}
	}
	for i, s := range p.Statements {
		tm, err := parseSQLTemplate(s)
		if err != nil {
			return nil, fmt.Errorf("statement %d: %w", i+1, err)
		}
		st.tmpl = append(st.tmpl, tm)
	}
	if st.store, err = t.conns.Store(p.DB); err != nil {
		return nil, fmt.Errorf("db: %w", err)
	}
	return pipeline.TaskFunc(st.run), nil
}

// run renders the statements for the run's dates and the database's
// dialect and runs them in one transaction.
func (st *sqlTask) run(ctx context.Context, tc *pipeline.TaskContext) error {
	store, err := st.store.OpenStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	var db *sqlx.DB
	if !store.As(&db) {
		return pipeline.Permanent(errNoSQL)
	}
	d, err := sqldialect.ForDriver(db.DriverName())
	if err != nil {
		return pipeline.Permanent(err)
	}
	dates := runSQLDates(tc, st.schedule)
	stmts := make([]string, len(st.tmpl))
	for i, tm := range st.tmpl {
		if stmts[i], err = tm.render(d, dates); err != nil {
			return pipeline.Permanent(fmt.Errorf("statement %d: %w", i+1, err))
		}
	}
	return runSQL(ctx, db, stmts)
}

// runSQL runs statements in one transaction.
func runSQL(ctx context.Context, db *sqlx.DB, statements []string) error {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	for i, stmt := range statements {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("statement %d: %w", i+1, err)
		}
	}
	return tx.Commit()
}
