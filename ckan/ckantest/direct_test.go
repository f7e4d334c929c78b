package ckantest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDirectWrites checks the table layout a direct (COPY) loader relies
// on: the table is named by the resource id, has _id and _full_text, the
// full-text trigger fills _full_text for rows written with SQL, and such
// rows are visible through datastore_search.
func TestDirectWrites(t *testing.T) {
	t.Parallel()
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			b := setup(t, be)
			b.create(t, map[string]any{"fields": []any{field("name", "text"), field("n", "int")}, "records": []any{map[string]any{"name": "api row", "n": 1}}})
			db := b.s.DB()
			q := `INSERT INTO "` + b.datastoreID + `" (name, n) VALUES ($1, $2)`
			if be.name == "sqlite" {
				q = `INSERT INTO "` + b.datastoreID + `" (name, n) VALUES (?, ?)`
			}
			_, err := db.ExecContext(ctx, q, "Direct Writer", 2)
			require.NoError(t, err)
			var ids []int64
			var fullTextSet int
			rows, err := db.QueryContext(ctx, `SELECT _id, CASE WHEN _full_text IS NULL THEN 0 ELSE 1 END FROM "`+b.datastoreID+`" ORDER BY _id`)
			require.NoError(t, err)
			for rows.Next() {
				var id int64
				var ft int
				require.NoError(t, rows.Scan(&id, &ft))
				ids = append(ids, id)
				fullTextSet += ft
			}
			require.NoError(t, rows.Err())
			require.NoError(t, rows.Close())
			require.Len(t, ids, 2)
			require.Less(t, ids[0], ids[1], "_id is a serial")
			require.Equal(t, 2, fullTextSet, "the trigger fills _full_text")

			r := b.search(t, map[string]any{"resource_id": b.datastoreID, "q": "writer"})
			require.Equal(t, []any{map[string]any{"_id": jsonNumber(ids[1]), "name": "Direct Writer", "n": num("2")}}, r["records"])
			// Calling datastore_create with the same fields refreshes nothing
			// and breaks nothing.
			b.create(t, map[string]any{"fields": []any{field("name", "text"), field("n", "int")}})
			require.Equal(t, num("2"), b.search(t, map[string]any{"resource_id": b.datastoreID})["total"])
		})
	}
}

func jsonNumber(n int64) any { return num(jsonText(n)) }
