package sqlstore

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// PgStageable runs the staged-upsert eligibility check on table in the
// connection's current schema.
func PgStageable(ctx context.Context, db *sqlx.DB, table string, ncols int, key []string) (bool, error) {
	var schema string
	if err := db.GetContext(ctx, &schema, "SELECT current_schema()"); err != nil {
		return false, err
	}
	var ok bool
	err := db.GetContext(ctx, &ok, pgStageable, schema, table, ncols, key)
	return ok, err
}
