package sqlstore

import (
	"context"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/jmoiron/sqlx"
)

// ReadRowsDatabaseSQL reads table of a PostgreSQL database through
// database/sql (the path MySQL and SQLite use), for comparison with the
// pgx fast path that ReadRows takes on PostgreSQL.
func ReadRowsDatabaseSQL(ctx context.Context, db *sqlx.DB, table string, schema *frictionless.Schema, fn func(frictionless.Row) error) error {
	var current string
	if err := db.GetContext(ctx, &current, "SELECT current_schema()"); err != nil {
		return err
	}
	return readRows(ctx, db, pgDialect{schema: current}, table, schema, fn)
}
