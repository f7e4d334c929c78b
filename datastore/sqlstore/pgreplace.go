package sqlstore

import (
	"context"
	"slices"

	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/internal/pgstage"
)

// session runs pgx work on the writer's database/sql connection.
func (w *pgWriter) session() pgstage.Session {
	return rawSession(w.conn)
}

// replaceOptions describes the replace for pgstage: the staging table is
// the request's table schema (types, NOT NULL, UNIQUE, the primary key and
// the type-marker comments, as CreateTable makes them).
func (w *pgWriter) replaceOptions(ctx context.Context) pgstage.Options {
	s := w.req.TableSchema
	cols := make([]pgstage.Column, len(s.Fields))
	for i := range s.Fields {
		f := &s.Fields[i]
		pk := slices.Contains(s.PrimaryKey, f.Name)
		cols[i] = pgstage.Column{
			Name:    f.Name,
			Type:    w.d.columnType(f, pk || f.Constraints.Unique),
			NotNull: f.Constraints.Required || pk,
			Unique:  f.Constraints.Unique && !slices.Equal(s.PrimaryKey, []string{f.Name}),
			Comment: typeComment(f),
		}
	}
	return pgstage.Options{
		Schema:      w.d.schema,
		Table:       w.req.Table,
		Staging:     stagingName(w.req.Table),
		StalePrefix: stagingPrefix(w.req.Table),
		Columns:     cols,
		PrimaryKey:  s.PrimaryKey,
		Fields:      w.req.Columns,
		SwapTimeout: w.req.SwapTimeout,
		Waiting:     driver.Waiting(ctx, w.req.Table),
	}
}
