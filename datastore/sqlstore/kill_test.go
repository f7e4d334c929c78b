package sqlstore_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// seedEmployees loads three employees into table emp.
func seedEmployees(t testing.TB, s *datastore.Store) {
	t.Helper()
	text := "1,Ann,2021-01-01T00:00:00Z,1,1\n2,Bob,2021-01-02T00:00:00Z,2,2\n3,Cy,2021-01-03T00:00:00Z,3,3\n"
	r, err := frictionless.NewReader(strings.NewReader(text), employeesSchema(), &frictionless.ReadOptions{Dialect: noHeader()})
	require.NoError(t, err)
	rep, err := datastore.Load(context.Background(), s, "emp", r, nil)
	require.NoError(t, err)
	require.EqualValues(t, 3, rep.Written)
}

// empIDs returns the employee ids in table emp.
func empIDs(t testing.TB, s *datastore.Store) []int64 {
	t.Helper()
	var ids []int64
	_, err := s.ReadRows(context.Background(), "emp", func(r frictionless.Row) error {
		ids = append(ids, r[0].(int64))
		return nil
	})
	require.NoError(t, err)
	return ids
}

// stagingTables lists tables that look like staging tables.
func stagingTables(t testing.TB, b backend, s *datastore.Store) []string {
	t.Helper()
	h := &harness{t: t, b: b}
	names, err := h.ListTables(context.Background(), s)
	require.NoError(t, err)
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, "_df") {
			out = append(out, n)
		}
	}
	return out
}

// genReader generates employees endlessly (or up to n rows).
type genReader struct {
	n, i    int
	unkeyed bool // no primary key: a PostgreSQL replace COPYs in parallel
}

func (g *genReader) Read() (frictionless.Row, error) {
	g.i++
	if g.n > 0 && g.i > g.n {
		return nil, io.EOF
	}
	ts := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(g.i) * time.Second)
	return frictionless.Row{int64(1000 + g.i), "Generated", ts, int64(1 + g.i%12), int64(1 + g.i%183)}, nil
}

func (g *genReader) Schema() *frictionless.Schema {
	s := employeesSchema()
	if g.unkeyed {
		s.PrimaryKey = nil
	}
	return s
}

// replaceSmall replaces emp with two new rows.
func replaceSmall(t testing.TB, s *datastore.Store) {
	t.Helper()
	rep, err := datastore.Load(context.Background(), s, "emp", &genReader{n: 2}, &datastore.LoadOptions{Mode: datastore.ModeReplace})
	require.NoError(t, err)
	require.EqualValues(t, 2, rep.Written)
	require.Equal(t, []int64{1001, 1002}, empIDs(t, s))
}

// TestReplaceCancelDuringCopy cancels the context while PostgreSQL's COPY
// into the staging table is running, on one stream and on three: the load
// fails and the target is unchanged; on one stream no staging table
// exists, on three the committed staging table is dropped by the abort or,
// when the cancel closed its connection, by the next load.
func TestReplaceCancelDuringCopy(t *testing.T) {
	t.Parallel()
	for _, streams := range []int{1, 3} {
		t.Run(fmt.Sprint("streams=", streams), func(t *testing.T) {
			t.Parallel()
			b := backends[1]
			s, err := sqlstore.Open(context.Background(), b.url(t), &sqlstore.Options{CopyStreams: streams})
			require.NoError(t, err)
			defer s.Close()
			seedEmployees(t, s)
			cancelDuringCopy(t, s)
			require.Equal(t, []int64{1, 2, 3}, empIDs(t, s))
			if streams == 1 {
				require.Empty(t, stagingTables(t, b, s))
			} else {
				require.LessOrEqual(t, len(stagingTables(t, b, s)), 1)
			}
			replaceSmall(t, s)
			require.Empty(t, stagingTables(t, b, s))
		})
	}
}

// cancelDuringCopy runs a replace of emp and cancels it once a COPY into
// a staging table is seen running.
func cancelDuringCopy(t *testing.T, s *datastore.Store) {
	t.Helper()
	db := rawDB(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	saw := make(chan bool, 1)
	go func() {
		defer close(saw)
		for ctx.Err() == nil {
			var n int
			if err := db.Get(&n, copyStreamsQuery); err == nil && n > 0 {
				saw <- true
				cancel()
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	_, err := datastore.Load(ctx, s, "emp", &genReader{n: 2_000_000}, &datastore.LoadOptions{Mode: datastore.ModeReplace, BatchSize: 500_000})
	require.ErrorIs(t, err, context.Canceled)
	require.True(t, <-saw, "the COPY was seen running when the context was cancelled")
}

// TestReplaceSwapFails makes the swap statement fail (a lock held by a
// reader past SwapTimeout, or a constraint or trigger on the target that
// refuses the new rows): the target is unchanged and no staging table is
// left, and the next load works.
func TestReplaceSwapFails(t *testing.T) {
	t.Parallel()
	type sabotage func(t *testing.T, db *sql.DB) (undo func())
	holdLock := func(query string) sabotage {
		return func(t *testing.T, db *sql.DB) func() {
			conn, err := db.Conn(context.Background())
			require.NoError(t, err)
			tx, err := conn.BeginTx(context.Background(), nil)
			require.NoError(t, err)
			_, err = tx.Exec(query)
			require.NoError(t, err)
			return func() { tx.Rollback(); conn.Close() }
		}
	}
	exec := func(do, undo string) sabotage {
		return func(t *testing.T, db *sql.DB) func() {
			_, err := db.Exec(do)
			require.NoError(t, err)
			return func() { _, err := db.Exec(undo); require.NoError(t, err) }
		}
	}
	cases := []struct {
		backend int
		name    string
		break_  sabotage
	}{
		{0, "trigger", exec(`CREATE TRIGGER no_big BEFORE INSERT ON emp WHEN NEW.employee_id >= 1000 BEGIN SELECT RAISE(ABORT, 'refused'); END`, `DROP TRIGGER no_big`)},
		{1, "lock", holdLock(`SELECT * FROM emp`)},
		{1, "check-with-view", exec(`CREATE VIEW emp_v AS SELECT * FROM emp; ALTER TABLE emp ADD CONSTRAINT small CHECK (employee_id < 1000)`,
			`ALTER TABLE emp DROP CONSTRAINT small`)},
		{2, "lock", holdLock(`SELECT * FROM emp`)},
		{2, "trigger", exec("CREATE TRIGGER no_big BEFORE INSERT ON emp FOR EACH ROW IF NEW.employee_id >= 1000 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused'; END IF", "DROP TRIGGER no_big")},
	}
	for _, tc := range cases {
		b := backends[tc.backend]
		t.Run(b.name+"/"+tc.name, func(t *testing.T) {
			t.Parallel()
			s := open(t, b)
			seedEmployees(t, s)
			undo := tc.break_(t, rawDB(t, s).DB)
			_, err := datastore.Load(context.Background(), s, "emp", &genReader{n: 5000},
				&datastore.LoadOptions{Mode: datastore.ModeReplace, SwapTimeout: time.Second, BatchSize: 1000})
			require.ErrorContains(t, err, "swap")
			undo()
			require.Equal(t, []int64{1, 2, 3}, empIDs(t, s))
			require.Empty(t, stagingTables(t, b, s))
			replaceSmall(t, s)
			require.Empty(t, stagingTables(t, b, s))
		})
	}
}

// TestStaleStagingDropped: a staging table left by a killed load (as MySQL,
// whose DDL is not transactional, can leave one) is dropped by the next
// replace of the same table, and only that table's.
func TestStaleStagingDropped(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := open(t, b)
			seedEmployees(t, s)
			stale := sqlstore.StagingName("emp")
			other := sqlstore.StagingName("other")
			for _, n := range []string{stale, other} {
				_, err := rawDB(t, s).Exec("CREATE TABLE " + n + " (x integer)")
				require.NoError(t, err)
			}
			replaceSmall(t, s)
			require.Equal(t, []string{other}, stagingTables(t, b, s))
		})
	}
}

// killChild runs TestKilledReplaceChild with the extra environment env,
// waits until it has written rows and, when ready is set, until ready
// returns true, then kills it (SIGKILL: no cleanup code runs).
func killChild(t *testing.T, env []string, ready func() bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledReplaceChild$", "-test.v")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	sc := bufio.NewScanner(out)
	started := false
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "written ") {
			started = true
			break
		}
	}
	require.True(t, started, "the child started writing")
	go func() { _, _ = io.Copy(io.Discard, out) }() // keep the child's progress lines flowing
	if ready != nil {
		require.Eventually(t, ready, 60*time.Second, 10*time.Millisecond)
	}
	require.NoError(t, cmd.Process.Kill())
}

// TestKilledReplace kills a process in the middle of a replace load
// (SIGKILL, no cleanup code runs): the target is unchanged, and after the
// next load no staging table is left.
func TestKilledReplace(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			u := b.url(t)
			if b.name == "sqlite" {
				u = "sqlite://" + filepath.Join(t.TempDir(), "kill.db")
			}
			s, err := sqlstore.Open(context.Background(), u, nil)
			require.NoError(t, err)
			defer s.Close()
			seedEmployees(t, s)
			killChild(t, []string{"DATAFACTORY_KILL_CHILD_URL=" + u}, nil)

			require.Eventually(t, func() bool { return len(empIDs(t, s)) == 3 }, 10*time.Second, 50*time.Millisecond)
			require.Equal(t, []int64{1, 2, 3}, empIDs(t, s))
			if b.name == "mysql" {
				// MySQL DDL is not transactional: the killed load's staging
				// table is still there until the next replace drops it.
				require.Len(t, stagingTables(t, b, s), 1)
			} else {
				// The staging table died with the killed transaction.
				require.Empty(t, stagingTables(t, b, s))
			}
			replaceSmall(t, s)
			require.Empty(t, stagingTables(t, b, s))
		})
	}
}

// copyStreamsQuery counts the COPY statements into this schema's staging
// tables running now.
const copyStreamsQuery = `SELECT count(*) FROM pg_stat_activity WHERE query ILIKE 'copy %' AND query LIKE '%' || current_schema() || '%_dfstg_%'`

// TestKilledParallelReplace kills a process in the middle of a
// PostgreSQL replace of an unkeyed table that COPYs over three connections
// (its staging table is committed, outside the replace's transaction): the
// target is unchanged, and the next replace drops the staging table.
func TestKilledParallelReplace(t *testing.T) {
	t.Parallel()
	b := backends[1]
	u := b.url(t)
	s, err := sqlstore.Open(context.Background(), u, &sqlstore.Options{CopyStreams: 3})
	require.NoError(t, err)
	defer s.Close()
	replaceUnkeyed(t, s, 3)
	db := rawDB(t, s)
	killChild(t, []string{"DATAFACTORY_KILL_CHILD_URL=" + u, "DATAFACTORY_KILL_CHILD_UNKEYED=1"}, func() bool {
		var streams int
		require.NoError(t, db.Get(&streams, copyStreamsQuery))
		return streams > 1 // the child COPYs over several connections
	})
	require.Eventually(t, func() bool { return len(empIDs(t, s)) == 3 }, 10*time.Second, 50*time.Millisecond)
	require.Equal(t, []int64{1001, 1002, 1003}, empIDs(t, s))
	require.Len(t, stagingTables(t, b, s), 1, "the committed staging table stays until the next replace")
	replaceUnkeyed(t, s, 2)
	require.Equal(t, []int64{1001, 1002}, empIDs(t, s))
	require.Empty(t, stagingTables(t, b, s))
}

// replaceUnkeyed replaces emp with n generated rows of the unkeyed schema.
func replaceUnkeyed(t *testing.T, s *datastore.Store, n int) {
	t.Helper()
	rep, err := datastore.Load(context.Background(), s, "emp", &genReader{n: n, unkeyed: true}, &datastore.LoadOptions{Mode: datastore.ModeReplace})
	require.NoError(t, err)
	require.EqualValues(t, n, rep.Written)
}

// TestKilledDuringSwap kills a PostgreSQL replace (a keyed table on one
// stream, an unkeyed one on three) inside its swap transaction: a reader holds the target, so the swap waits for its lock
// with the staging table full; the child is killed there, then the reader
// lets go. The target keeps its old rows; a single-stream replace's
// staging table dies with the transaction, a parallel one's (committed)
// stays until the next replace drops it.
func TestKilledDuringSwap(t *testing.T) {
	t.Parallel()
	for _, unkeyed := range []bool{false, true} {
		t.Run(fmt.Sprintf("unkeyed=%v", unkeyed), func(t *testing.T) {
			t.Parallel()
			b := backends[1]
			u := b.url(t)
			s, err := sqlstore.Open(context.Background(), u, &sqlstore.Options{CopyStreams: 3})
			require.NoError(t, err)
			defer s.Close()
			want := []int64{1, 2, 3}
			if unkeyed {
				replaceUnkeyed(t, s, 3)
				want = []int64{1001, 1002, 1003}
			} else {
				seedEmployees(t, s)
			}
			db := rawDB(t, s)
			reader, err := db.BeginTxx(context.Background(), nil)
			require.NoError(t, err)
			defer reader.Rollback()
			var n int
			require.NoError(t, reader.Get(&n, "SELECT count(*) FROM emp"))
			env := []string{"DATAFACTORY_KILL_CHILD_URL=" + u, "DATAFACTORY_KILL_CHILD_ROWS=100000"}
			if unkeyed {
				env = append(env, "DATAFACTORY_KILL_CHILD_UNKEYED=1")
			}
			killChild(t, env, func() bool {
				var waiting int
				require.NoError(t, db.Get(&waiting, `SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'
					AND query LIKE 'LOCK TABLE %' || current_schema() || '%'`))
				return waiting > 0
			})
			require.NoError(t, reader.Rollback())
			require.Eventually(t, func() bool { return len(empIDs(t, s)) == 3 }, 10*time.Second, 50*time.Millisecond)
			require.Equal(t, want, empIDs(t, s))
			if unkeyed {
				require.Len(t, stagingTables(t, b, s), 1, "the committed staging table stays until the next replace")
			} else {
				require.Empty(t, stagingTables(t, b, s))
			}
			replaceSmall(t, s)
			require.Empty(t, stagingTables(t, b, s))
		})
	}
}

// TestKilledReplaceChild is the process the kill tests kill: it replaces
// emp with generated rows (endless, or DATAFACTORY_KILL_CHILD_ROWS) and
// reports progress on stdout.
func TestKilledReplaceChild(t *testing.T) {
	u := os.Getenv("DATAFACTORY_KILL_CHILD_URL")
	if u == "" {
		t.Skip("only run as a kill test's child process")
	}
	unkeyed := os.Getenv("DATAFACTORY_KILL_CHILD_UNKEYED") != ""
	rows, _ := strconv.Atoi(os.Getenv("DATAFACTORY_KILL_CHILD_ROWS"))
	opts := &sqlstore.Options{CopyStreams: 1} // a keyed table on one stream
	batch := 1000
	if unkeyed {
		opts.CopyStreams, batch = 3, 30_000
	}
	s, err := sqlstore.Open(context.Background(), u, opts)
	require.NoError(t, err)
	_, err = datastore.Load(context.Background(), s, "emp", &genReader{n: rows, unkeyed: unkeyed}, &datastore.LoadOptions{
		Mode: datastore.ModeReplace, BatchSize: batch, ProgressInterval: time.Nanosecond,
		Progress: func(p datastore.Progress) {
			if p.Written > 5000 {
				fmt.Printf("written %d\n", p.Written)
			}
		},
	})
	t.Fatalf("the load should have been killed: %v", err)
}

// TestReplaceKeepsUserIndexes: an index added by hand to the target
// survives a replace (the swap inserts from staging instead of renaming).
func TestReplaceKeepsUserIndexes(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := open(t, b)
			seedEmployees(t, s)
			db := rawDB(t, s)
			_, err := db.Exec("CREATE INDEX emp_dept ON emp (department_id)")
			require.NoError(t, err)
			replaceSmall(t, s)
			q := map[string]string{
				"sqlite":   "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'emp_dept'",
				"postgres": "SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'emp_dept'",
				"mysql":    "SELECT count(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME = 'emp_dept'",
			}[b.name]
			var n int
			require.NoError(t, db.Get(&n, q))
			require.Equal(t, 1, n)
			require.Empty(t, stagingTables(t, b, s))
		})
	}
}

// TestLargeValues loads rows whose values together exceed MySQL's default
// packet size (statements are also cut by size there): every row arrives
// intact.
func TestLargeValues(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := open(t, b)
			big := strings.Repeat("x", 300_000)
			schema := &frictionless.Schema{Fields: []frictionless.Field{
				{Name: "id", Type: frictionless.TypeInteger}, {Name: "body", Type: frictionless.TypeString},
			}, PrimaryKey: []string{"id"}}
			var rows []frictionless.Row
			for i := 0; i < 120; i++ { // 36 MB in all
				rows = append(rows, frictionless.Row{int64(i), fmt.Sprint(i, big)})
			}
			rep, err := datastore.Load(context.Background(), s, "big", &rowSlice{schema: schema, rows: rows}, nil)
			require.NoError(t, err)
			require.EqualValues(t, 120, rep.Written)
			n := 0
			_, err = s.ReadRows(context.Background(), "big", func(r frictionless.Row) error {
				require.Equal(t, fmt.Sprint(n, big), r[1])
				n++
				return nil
			})
			require.NoError(t, err)
			require.Equal(t, 120, n)
		})
	}
}

// rowSlice serves typed rows.
type rowSlice struct {
	schema *frictionless.Schema
	rows   []frictionless.Row
}

func (r *rowSlice) Read() (frictionless.Row, error) {
	if len(r.rows) == 0 {
		return nil, io.EOF
	}
	row := r.rows[0]
	r.rows = r.rows[1:]
	return row, nil
}

func (r *rowSlice) Schema() *frictionless.Schema { return r.schema }
