package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// funcReader serves employees rows made by row(i) for i in [0, n).
type funcReader struct {
	n, i int
	row  func(i int) frictionless.Row
}

func (f *funcReader) Read() (frictionless.Row, error) {
	if f.i >= f.n {
		return nil, io.EOF
	}
	f.i++
	return f.row(f.i - 1), nil
}

func (f *funcReader) Schema() *frictionless.Schema { return employeesSchema() }

// employee makes an employees row with key id whose values depend on tag.
func employee(id int64, tag string) frictionless.Row {
	ts := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(id) * time.Second)
	return frictionless.Row{id, fmt.Sprint(tag, id), ts, 1 + id%12, 1 + id%183}
}

// upsertRows upserts rows into emp and returns the report.
func upsertRows(t *testing.T, s *datastore.Store, r datastore.RowReader, opts *datastore.LoadOptions) (*datastore.LoadReport, error) {
	t.Helper()
	if opts == nil {
		opts = &datastore.LoadOptions{}
	}
	opts.Mode = datastore.ModeUpsert
	return datastore.Load(context.Background(), s, "emp", r, opts)
}

// seedMany loads employees 1..n tagged "old" into emp.
func seedMany(t *testing.T, s *datastore.Store, n int) {
	t.Helper()
	rep, err := datastore.Load(context.Background(), s, "emp", &funcReader{n: n, row: func(i int) frictionless.Row {
		return employee(int64(i+1), "old")
	}}, nil)
	require.NoError(t, err)
	require.EqualValues(t, n, rep.Written)
}

// empNames returns employee_name by id for the given ids.
func empNames(t *testing.T, db *sql.DB, ids ...int64) map[int64]string {
	t.Helper()
	out := map[int64]string{}
	for _, id := range ids {
		var name string
		require.NoError(t, db.QueryRow("SELECT employee_name FROM emp WHERE employee_id = $1", id).Scan(&name))
		out[id] = name
	}
	return out
}

// relOID returns the oid of table emp (it changes when a rewrite swaps it).
func relOID(t *testing.T, db *sql.DB) int64 {
	t.Helper()
	var oid int64
	require.NoError(t, db.QueryRow("SELECT 'emp'::regclass::oid::bigint").Scan(&oid))
	return oid
}

// TestPgUpsertRewrite upserts more than half of a table: the target is
// rewritten and swapped (its oid changes) with every update, insert and
// reject right, and keeps its primary-key name, CHECK constraint, column
// comment and privileges.
func TestPgUpsertRewrite(t *testing.T) {
	t.Parallel()
	b := backends[1]
	s := open(t, b)
	db := rawDB(t, s).DB
	seedMany(t, s, 150_000)
	_, err := db.Exec(`ALTER TABLE emp ADD CONSTRAINT job_positive CHECK (job_id > 0);
		COMMENT ON COLUMN emp.employee_name IS 'full name';
		GRANT SELECT, INSERT ON emp TO PUBLIC`)
	require.NoError(t, err)
	var acl, pk0 string
	require.NoError(t, db.QueryRow(`SELECT relacl::text, (SELECT conname FROM pg_constraint WHERE conrelid = 'emp'::regclass AND contype = 'p')
		FROM pg_class WHERE oid = 'emp'::regclass`).Scan(&acl, &pk0))
	before := relOID(t, db)
	// Keys 50_001..200_000, key 60_000 twice (the last wins) and one row
	// the CHECK constraint refuses.
	rep, err := upsertRows(t, s, &funcReader{n: 150_002, row: func(i int) frictionless.Row {
		switch i {
		case 150_000:
			return employee(60_000, "again")
		case 150_001:
			r := employee(70_000, "bad")
			r[4] = int64(-1)
			return r
		}
		return employee(int64(50_001+i), "new")
	}}, &datastore.LoadOptions{BatchSize: 20_000})
	require.NoError(t, err)
	require.EqualValues(t, 150_001, rep.Written)
	require.EqualValues(t, 1, rep.Rejected)
	require.Equal(t, 150_002, rep.Rejects[0].Row)
	require.Contains(t, rep.Rejects[0].Reason, "job_positive")
	require.NotEqual(t, before, relOID(t, db), "rewritten")
	var n int
	require.NoError(t, db.QueryRow("SELECT count(*) FROM emp").Scan(&n))
	require.Equal(t, 200_000, n)
	require.Equal(t, map[int64]string{1: "old1", 50_000: "old50000", 50_001: "new50001", 60_000: "again60000",
		70_000: "new70000", 200_000: "new200000"}, empNames(t, db, 1, 50_000, 50_001, 60_000, 70_000, 200_000))
	var pk, comment, acl2 string
	var checks int
	require.NoError(t, db.QueryRow(`SELECT (SELECT conname FROM pg_constraint WHERE conrelid = 'emp'::regclass AND contype = 'p'),
		col_description('emp'::regclass, 2), (SELECT relacl::text FROM pg_class WHERE oid = 'emp'::regclass),
		(SELECT count(*) FROM pg_constraint WHERE conrelid = 'emp'::regclass AND conname = 'job_positive')`).Scan(&pk, &comment, &acl2, &checks))
	require.Equal(t, pk0, pk)
	require.Equal(t, "full name", comment)
	require.Equal(t, acl, acl2)
	require.Equal(t, 1, checks)
	require.Equal(t, float64(200_000), relTuples(t, db), "the swapped-in table has planner statistics")
	require.Empty(t, stagingTables(t, b, s))
}

// relTuples is the planner's row estimate for emp (-1: never analyzed).
func relTuples(t *testing.T, db *sql.DB) float64 {
	t.Helper()
	var n float64
	require.NoError(t, db.QueryRow("SELECT reltuples FROM pg_class WHERE oid = 'emp'::regclass").Scan(&n))
	return n
}

// TestPgReplaceAnalyzes: a replace swaps in a table the planner already has
// statistics for.
func TestPgReplaceAnalyzes(t *testing.T) {
	t.Parallel()
	s := open(t, backends[1])
	db := rawDB(t, s).DB
	seedMany(t, s, 10)
	rep, err := datastore.Load(context.Background(), s, "emp", &funcReader{n: 5000, row: func(i int) frictionless.Row {
		return employee(int64(i+1), "new")
	}}, &datastore.LoadOptions{Mode: datastore.ModeReplace})
	require.NoError(t, err)
	require.EqualValues(t, 5000, rep.Written)
	require.Equal(t, float64(5000), relTuples(t, db))
}

// TestPgUpsertMergesInPlace: a small upsert into a large table, and a
// large one into a table a view depends on, update the table in place (its
// oid stays) and the view keeps working.
func TestPgUpsertMergesInPlace(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		setup string
		n     int
	}{
		{"small", "", 1000},
		{"view", "CREATE VIEW emp_v AS SELECT * FROM emp", 150_000},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := backends[1]
			s := open(t, b)
			db := rawDB(t, s).DB
			seedMany(t, s, 150_000)
			if tc.setup != "" {
				_, err := db.Exec(tc.setup)
				require.NoError(t, err)
			}
			before := relOID(t, db)
			rep, err := upsertRows(t, s, &funcReader{n: tc.n, row: func(i int) frictionless.Row {
				return employee(int64(100_001+i), "new")
			}}, nil)
			require.NoError(t, err)
			require.EqualValues(t, tc.n, rep.Written)
			require.Equal(t, before, relOID(t, db), "updated in place")
			last := int64(100_000 + tc.n)
			require.Equal(t, map[int64]string{1: "old1", 100_001: "new100001", last: fmt.Sprint("new", last)},
				empNames(t, db, 1, 100_001, last))
			var n int
			require.NoError(t, db.QueryRow("SELECT count(*) FROM emp").Scan(&n))
			require.Equal(t, max(150_000, 100_000+tc.n), n)
			if tc.setup != "" {
				require.NoError(t, db.QueryRow("SELECT count(*) FROM emp_v").Scan(&n))
				require.Equal(t, max(150_000, 100_000+tc.n), n)
			}
			require.Empty(t, stagingTables(t, b, s))
		})
	}
}

// TestPgUpsertViewDuringLoad: a view created on the target while a large
// upsert is loading makes it merge in place at commit instead of swapping
// the table (which would break the view).
func TestPgUpsertViewDuringLoad(t *testing.T) {
	t.Parallel()
	b := backends[1]
	s := open(t, b)
	db := rawDB(t, s).DB
	seedMany(t, s, 100_000)
	before := relOID(t, db)
	rep, err := upsertRows(t, s, &funcReader{n: 120_000, row: func(i int) frictionless.Row {
		if i == 60_000 {
			_, err := db.Exec("CREATE VIEW emp_v AS SELECT * FROM emp")
			require.NoError(t, err)
		}
		return employee(int64(i+1), "new")
	}}, &datastore.LoadOptions{BatchSize: 20_000})
	require.NoError(t, err)
	require.EqualValues(t, 120_000, rep.Written)
	require.Equal(t, before, relOID(t, db), "merged in place")
	var n int
	require.NoError(t, db.QueryRow("SELECT count(*) FROM emp_v WHERE employee_name LIKE 'new%'").Scan(&n))
	require.Equal(t, 120_000, n)
	require.Empty(t, stagingTables(t, b, s))
}

// TestPgUpsertRewriteLockTimeout: a large upsert whose rewrite cannot lock
// the target within SwapTimeout (another session is writing it) fails and
// leaves the target as it was, with no staging table.
func TestPgUpsertRewriteLockTimeout(t *testing.T) {
	t.Parallel()
	b := backends[1]
	s := open(t, b)
	db := rawDB(t, s).DB
	seedMany(t, s, 100_000)
	conn, err := db.Conn(context.Background())
	require.NoError(t, err)
	defer conn.Close()
	tx, err := conn.BeginTx(context.Background(), nil)
	require.NoError(t, err)
	_, err = tx.Exec("UPDATE emp SET job_id = 7 WHERE employee_id = 1")
	require.NoError(t, err)
	_, err = upsertRows(t, s, &funcReader{n: 120_000, row: func(i int) frictionless.Row {
		return employee(int64(i+1), "new")
	}}, &datastore.LoadOptions{SwapTimeout: 200 * time.Millisecond})
	require.ErrorContains(t, err, "lock timeout")
	require.NoError(t, tx.Rollback())
	require.Equal(t, map[int64]string{1: "old1", 100_000: "old100000"}, empNames(t, db, 1, 100_000))
	require.Empty(t, stagingTables(t, b, s))
}

// TestPgStageable: only plain tables that a swap keeps whole are staged.
func TestPgStageable(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		ddl  string
		want bool
	}{
		{"plain", "", true},
		{"check", "ALTER TABLE t ADD CHECK (v <> 'x')", true},
		{"default", "ALTER TABLE t ALTER COLUMN n SET DEFAULT 7", true},
		{"grant", "GRANT SELECT ON t TO PUBLIC", true},
		{"column-comment", "COMMENT ON COLUMN t.v IS 'c'", true},
		{"not-valid-check", "ALTER TABLE t ADD CHECK (v <> 'x') NOT VALID", false},
		{"table-comment", "COMMENT ON TABLE t IS 'c'", false},
		{"unique", "ALTER TABLE t ADD UNIQUE (v)", false},
		{"index", "CREATE INDEX ON t (v)", false},
		{"view", "CREATE VIEW t_v AS SELECT * FROM t", false},
		{"row-type", "CREATE TABLE u (x t)", false},
		{"fk-in", "CREATE TABLE u (x bigint REFERENCES t)", false},
		{"fk-out", "CREATE TABLE u (x bigint PRIMARY KEY); ALTER TABLE t ADD FOREIGN KEY (n) REFERENCES u", false},
		{"trigger", "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'; CREATE TRIGGER g BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()", false},
		{"policy", "CREATE POLICY p ON t USING (true)", false},
		{"rule", "CREATE RULE r AS ON DELETE TO t DO INSTEAD NOTHING", false},
		{"identity", "ALTER TABLE t ADD COLUMN w bigint GENERATED ALWAYS AS IDENTITY", false},
		{"serial", "CREATE SEQUENCE q OWNED BY t.n", false},
		{"options", "ALTER TABLE t SET (fillfactor = 90)", false},
		{"stats", "ALTER TABLE t ALTER COLUMN v SET STATISTICS 500", false},
		{"child", "CREATE TABLE u () INHERITS (t)", false},
		{"publication", "CREATE PUBLICATION pub_%s FOR TABLE t", false},
	}
	b := backends[1]
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := open(t, b)
			db := rawDB(t, s)
			_, err := db.Exec("CREATE TABLE t (k bigint PRIMARY KEY, v text NOT NULL, n bigint)")
			require.NoError(t, err)
			if tc.ddl != "" {
				ddl := tc.ddl
				if tc.name == "publication" {
					var schema string
					require.NoError(t, db.Get(&schema, "SELECT current_schema()"))
					ddl = fmt.Sprintf(ddl, schema)
					t.Cleanup(func() { db.Exec("DROP PUBLICATION pub_" + schema) })
				}
				_, err = db.Exec(ddl)
				require.NoError(t, err)
			}
			ok, err := sqlstore.PgStageable(context.Background(), db, "t", 3, []string{"k"})
			require.NoError(t, err)
			require.Equal(t, tc.want, ok)
			if tc.want {
				ok, err = sqlstore.PgStageable(context.Background(), db, "t", 2, []string{"k"})
				require.NoError(t, err)
				require.False(t, ok, "not every column written")
				ok, err = sqlstore.PgStageable(context.Background(), db, "t", 3, []string{"v"})
				require.NoError(t, err)
				require.False(t, ok, "another key")
			}
		})
	}
}
