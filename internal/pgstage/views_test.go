package pgstage_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// tempRole creates a role for the test and drops it (with its privileges
// in this database) at the end.
func tempRole(t *testing.T, c *pgx.Conn) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	role := "df_reader_" + hex.EncodeToString(b[:])
	exec(t, c, "CREATE ROLE "+role)
	t.Cleanup(func() {
		ctx := context.Background()
		_, _ = c.Exec(ctx, "DROP OWNED BY "+role)
		_, _ = c.Exec(ctx, "DROP ROLE "+role)
	})
	return role
}

// scalar reads one text value.
func scalar(t *testing.T, c *pgx.Conn, query string, args ...any) string {
	t.Helper()
	var s *string
	require.NoError(t, c.QueryRow(context.Background(), query, args...).Scan(&s), query)
	if s == nil {
		return "<null>"
	}
	return *s
}

// viewState is what the view swap must keep of one view.
func viewState(t *testing.T, c *pgx.Conn, view string) []string {
	t.Helper()
	return []string{
		scalar(t, c, "SELECT obj_description($1::regclass, 'pg_class')", view),
		scalar(t, c, "SELECT col_description($1::regclass, 1)", view),
		scalar(t, c, "SELECT relacl::text FROM pg_class WHERE oid = $1::regclass", view),
		scalar(t, c, "SELECT reloptions::text FROM pg_class WHERE oid = $1::regclass", view),
		scalar(t, c, "SELECT pg_get_userbyid(relowner)::text FROM pg_class WHERE oid = $1::regclass", view),
		scalar(t, c, "SELECT pg_get_viewdef($1::regclass)", view),
	}
}

// TestReplaceViewSwap: a table with two levels of dependent views (and a
// second view on the first level), each with a grant to a role, a comment,
// a column comment and options, is replaced ten times while a reader polls
// the top view: the table is swapped by rename (its oid changes, rows are
// not copied twice), the views show the new rows and keep everything, and
// the reader never gets an error or an empty result.
func TestReplaceViewSwap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := testutil.PostgresURL(t)
	c := connect(t, url)
	role := tempRole(t, c)
	exec(t, c, "CREATE TABLE items (id bigint PRIMARY KEY, name text)", "INSERT INTO items SELECT g, 'old' FROM generate_series(1, 10) g",
		"COMMENT ON TABLE items IS 'the items'", "GRANT SELECT ON items TO "+role,
		"CREATE VIEW items_v1 WITH (security_barrier = true) AS SELECT id, name FROM items WHERE id > 0",
		"CREATE VIEW items_v1b AS SELECT id FROM items_v1 WHERE id % 2 = 0 WITH LOCAL CHECK OPTION",
		"CREATE VIEW items_v2 AS SELECT v.id, upper(v.name) AS big FROM items_v1 v JOIN items i USING (id)",
		"CREATE VIEW items_v3 AS SELECT count(*) AS n, min(id) AS lo FROM items_v2")
	firstCol := map[string]string{"items_v1": "id", "items_v1b": "id", "items_v2": "id", "items_v3": "n"}
	views := []string{"items_v1", "items_v1b", "items_v2", "items_v3"}
	for _, v := range views {
		col := v + "." + firstCol[v]
		exec(t, c, "COMMENT ON VIEW "+v+" IS 'view "+v+"'", "COMMENT ON COLUMN "+col+" IS 'it''s "+col+"'",
			"GRANT SELECT ON "+v+" TO "+role, "GRANT UPDATE ("+firstCol[v]+") ON "+v+" TO "+role)
	}
	before := map[string][]string{}
	for _, v := range views {
		before[v] = viewState(t, c, v)
	}
	tableACL := scalar(t, c, "SELECT relacl::text FROM pg_class WHERE oid = 'items'::regclass")

	reader := connect(t, url)
	stop := make(chan struct{})
	var bad, reads atomic.Int64
	var lastErr atomic.Value
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			var n, lo int64
			err := reader.QueryRow(ctx, "SELECT n, lo FROM items_v3").Scan(&n, &lo)
			if err == nil && n != 10 {
				err = errors.New("the top view did not show ten rows")
			}
			if err != nil {
				bad.Add(1)
				lastErr.Store(err.Error())
			}
			reads.Add(1)
		}
	})
	var errs []error
	for i := range 10 {
		from := int64(100 * (i + 1))
		oid := scalar(t, c, "SELECT 'items'::regclass::oid::text")
		errs = append(errs, replace(ctx, c, itemOptions("items"), rowsFrom(from, from+9)))
		require.NotEqual(t, oid, scalar(t, c, "SELECT 'items'::regclass::oid::text"), "the table was refilled, not swapped")
		require.Equal(t, rowsFromIDs(from, from+9), idsOf(t, c, "items_v2"))
	}
	close(stop)
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	require.Positive(t, reads.Load())
	require.Zero(t, bad.Load(), "a reader of the top view got %d bad reads of %d: %v", bad.Load(), reads.Load(), lastErr.Load())
	for _, v := range views {
		require.Equal(t, before[v], viewState(t, c, v), v)
	}
	require.Equal(t, "the items", scalar(t, c, "SELECT obj_description('items'::regclass, 'pg_class')"))
	require.Equal(t, tableACL, scalar(t, c, "SELECT relacl::text FROM pg_class WHERE oid = 'items'::regclass"))
	require.Equal(t, "it's a name", scalar(t, c, "SELECT col_description('items'::regclass, 2)"), "the staged column comments are the table's")
	require.Equal(t, "1000", scalar(t, c, "SELECT lo::text FROM items_v3"))
	_, err := c.Exec(ctx, "INSERT INTO items_v1b VALUES (1011)")
	require.ErrorContains(t, err, "check option", "the check option is kept")
	require.Empty(t, stagingTables(t, c))
}

// TestReplaceViewSwapFallsBack: what a rename cannot keep (a
// materialized view, a trigger on a dependent view, a function over a
// view's row type, the target's own CHECK, default, options, policies,
// children, a use of its row type, an extra index) takes the refill path: the table keeps its oid and the
// dependents stay and show the new rows.
func TestReplaceViewSwapFallsBack(t *testing.T) {
	t.Parallel()
	cases := map[string][]string{
		"matview": {"CREATE MATERIALIZED VIEW items_m AS SELECT id FROM items_v"},
		"trigger": {"CREATE FUNCTION no_ins() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END'",
			"CREATE TRIGGER t INSTEAD OF INSERT ON items_v FOR EACH ROW EXECUTE FUNCTION no_ins()"},
		"rowtype": {"CREATE FUNCTION first_item() RETURNS SETOF items_v LANGUAGE sql AS 'SELECT * FROM items_v'"},
		"index":   {"CREATE INDEX items_name ON items (name)"},
		"check":   {"ALTER TABLE items ADD CHECK (id < 100)"},
		"default": {"ALTER TABLE items ALTER COLUMN name SET DEFAULT 'x'"},
		"rowuse":  {"CREATE TABLE other (x items)"},
		"options": {"ALTER TABLE items SET (fillfactor = 90)"},
		"policy":  {"CREATE POLICY p ON items USING (true)"},
		"child":   {"CREATE TABLE kid () INHERITS (items)"},
	}
	for name, stmts := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			c := connect(t, testutil.PostgresURL(t))
			exec(t, c, "CREATE TABLE items (id bigint PRIMARY KEY, name text)", "INSERT INTO items VALUES (1, 'a')",
				"CREATE VIEW items_v AS SELECT id FROM items")
			exec(t, c, stmts...)
			oid := scalar(t, c, "SELECT 'items'::regclass::oid::text")
			require.NoError(t, replace(ctx, c, itemOptions("items"), rowsFrom(5, 6)))
			require.Equal(t, oid, scalar(t, c, "SELECT 'items'::regclass::oid::text"))
			require.Equal(t, []int64{5, 6}, idsOf(t, c, "items_v"))
			require.Empty(t, stagingTables(t, c))
		})
	}
}

// TestReplaceViewSwapOwnerRefused: when a view's owner cannot be given
// back (the replacing role is not a member of it), the target is refilled
// instead and the view stays its owner's.
func TestReplaceViewSwapOwnerRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := testutil.PostgresURL(t)
	c := connect(t, url)
	owner, loader := tempRole(t, c), tempRole(t, c)
	schema := scalar(t, c, "SELECT current_schema()")
	exec(t, c, "CREATE TABLE items (id bigint PRIMARY KEY, name text)", "INSERT INTO items VALUES (1, 'a')",
		"CREATE VIEW items_v AS SELECT id FROM items", "GRANT USAGE, CREATE ON SCHEMA "+schema+" TO "+owner+", "+loader,
		"GRANT SELECT ON items TO "+owner, "ALTER VIEW items_v OWNER TO "+owner, "ALTER TABLE items OWNER TO "+loader)
	exec(t, c, "SET ROLE "+loader)
	oid := scalar(t, c, "SELECT 'items'::regclass::oid::text")
	require.NoError(t, replace(ctx, c, itemOptions("items"), rowsFrom(5, 6)))
	exec(t, c, "RESET ROLE")
	require.Equal(t, oid, scalar(t, c, "SELECT 'items'::regclass::oid::text"))
	require.Equal(t, []int64{5, 6}, idsOf(t, c, "items_v"))
	require.Equal(t, owner, scalar(t, c, "SELECT pg_get_userbyid(relowner)::text FROM pg_class WHERE oid = 'items_v'::regclass"))
}
