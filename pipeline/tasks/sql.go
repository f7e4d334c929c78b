package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/datafactory/datafactory/connection"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/jmoiron/sqlx"
)

// SQLParams are the params of the "sql" task type.
type SQLParams struct {
	// DB names a database connection.
	DB string `json:"db"`
	// Statements run in one transaction, in order.
	Statements []string `json:"statements"`
}

const sqlParamsSchema = `{
  "type": "object",
  "required": ["db", "statements"],
  "additionalProperties": false,
  "properties": {
    "db": {"type": "string", "minLength": 1, "description": "name of a database connection"},
    "statements": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1},
      "description": "SQL run in one transaction, e.g. CREATE VIEW …"}
  }
}`

// errNoSQL: the store of a sql task is not a SQL database.
var errNoSQL = errors.New("sql task: the store has no SQL database")

func (t *types) newSQL(params json.RawMessage) (pipeline.Task, error) {
	var p SQLParams
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	if len(p.Statements) == 0 {
		return nil, errors.New("statements: at least one is required")
	}
	store, err := t.conns.Store(p.DB)
	if err != nil {
		return nil, fmt.Errorf("db: %w", err)
	}
	return pipeline.TaskFunc(func(ctx context.Context, _ *pipeline.TaskContext) error {
		return runSQL(ctx, store, p.Statements)
	}), nil
}

// runSQL runs statements in one transaction of store's database.
func runSQL(ctx context.Context, conn connection.Store, statements []string) error {
	store, err := conn.OpenStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	var db *sqlx.DB
	if !store.As(&db) {
		return pipeline.Permanent(errNoSQL)
	}
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
