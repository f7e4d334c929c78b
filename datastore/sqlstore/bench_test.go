package sqlstore_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/stretchr/testify/require"
)

// benchRows is the number of generated rows: DATAFACTORY_BENCH_ROWS, else
// 100k with -short, else 1M.
func benchRows(b *testing.B) int {
	if s := os.Getenv("DATAFACTORY_BENCH_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		require.NoError(b, err)
		return n
	}
	if testing.Short() {
		return 100_000
	}
	return 1_000_000
}

// writeEmployees writes n employees-like rows (no header, like the real
// file) to path.
// seed varies the values (not the keys).
func writeEmployees(tb testing.TB, path string, n int, seed uint64) int64 {
	f, err := os.Create(path)
	require.NoError(tb, err)
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(seed, 2))
	first := []string{"Harold", "Ty", "Lyman", "Lotti", "Gretna", "Ana", "José", "Zoë", "Mei", "Olu"}
	last := []string{"Vogt", "Hofer", "Hadye", "Crowthe", "Lording", "García", "Müller", "Nakamura", "Okafor", "Smith"}
	base := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 1; i <= n; i++ {
		ts := base.Add(time.Duration(rng.IntN(365*24*3600)) * time.Second)
		fmt.Fprintf(w, "%d,%s %s,%s,%d,%d\r\n", i, first[rng.IntN(len(first))], last[rng.IntN(len(last))],
			ts.Format(time.RFC3339), 1+rng.IntN(12), 1+rng.IntN(183))
	}
	require.NoError(tb, w.Flush())
	st, err := f.Stat()
	require.NoError(tb, err)
	require.NoError(tb, f.Close())
	return st.Size()
}

// benchFiles generates the CSV once per benchmark into b.TempDir, and a
// second file with the same keys and other values for the upserts.
func benchFiles(b *testing.B) (path, changed string, n int) {
	n = benchRows(b)
	dir := b.TempDir()
	path, changed = filepath.Join(dir, "employees.csv"), filepath.Join(dir, "changed.csv")
	writeEmployees(b, path, n, 1)
	writeEmployees(b, changed, n, 7)
	return path, changed, n
}

// loadFile loads the generated file with full validation.
func loadFile(b *testing.B, s *datastore.Store, path, table string, mode datastore.Mode) *datastore.LoadReport {
	f, err := os.Open(path)
	require.NoError(b, err)
	defer f.Close()
	r, err := frictionless.NewReader(f, employeesSchema(), &frictionless.ReadOptions{Dialect: noHeader(), SkipUniqueCheck: true})
	require.NoError(b, err)
	rep, err := datastore.Load(context.Background(), s, table, r, &datastore.LoadOptions{Mode: mode, MaxRejects: -1})
	require.NoError(b, err)
	return rep
}

// benchModes runs append (into an empty table), replace (of a full table)
// and upsert of every row into a full table.
func benchModes(b *testing.B, s *datastore.Store, path, changed string, n int, vacuum bool) {
	ctx := context.Background()
	run := func(name string, mode datastore.Mode, prepare func()) {
		file := path
		if mode == datastore.ModeUpsert {
			file = changed // every row updates a row with other values
		}
		b.Run(name, func(b *testing.B) {
			var rows int64
			var elapsed, cpu time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				prepare()
				b.StartTimer()
				start, cpu0 := time.Now(), cpuTime(syscall.RUSAGE_SELF)
				rep := loadFile(b, s, file, "bench", mode)
				elapsed += time.Since(start)
				cpu += cpuTime(syscall.RUSAGE_SELF) - cpu0
				rows += rep.Written
				require.EqualValues(b, n, rep.Written)
				b.StopTimer()
				requireContent(b, s, file)
				b.StartTimer()
			}
			b.ReportMetric(float64(rows)/elapsed.Seconds(), "rows/s")
			// CPU of this process only (for SQLite that is all the work;
			// for servers the server's share is not included).
			b.ReportMetric(float64(rows)/cpu.Seconds(), "rows/cpu-s")
		})
	}
	drop := func() {
		if ok, _ := s.TableExists(ctx, "bench"); ok {
			require.NoError(b, s.DropTable(ctx, "bench"))
		}
		if vacuum {
			// Start from a compact file, as sqlite3 .import does with its
			// fresh one (not from a free list of a million rows' pages).
			_, err := rawDB(b, s).Exec("VACUUM")
			require.NoError(b, err)
		}
		require.NoError(b, s.CreateTable(ctx, "bench", employeesSchema()))
	}
	full := func() {
		drop()
		loadFile(b, s, path, "bench", datastore.ModeAppend)
	}
	run("append", datastore.ModeAppend, drop)
	run("replace", datastore.ModeReplace, full)
	run("upsert-into-full-table", datastore.ModeUpsert, full)
}

// benchUpsertWithView upserts every row into a full table that a view
// depends on: the table cannot be swapped, so the batches are merged in
// place (the path of every table that a rewrite would not keep whole).
func benchUpsertWithView(b *testing.B, s *datastore.Store, path, changed string, n int) {
	ctx := context.Background()
	b.Run("upsert-into-full-table-with-view", func(b *testing.B) {
		var elapsed time.Duration
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			_, err := rawDB(b, s).Exec("DROP VIEW IF EXISTS bench_v; DROP TABLE IF EXISTS bench")
			require.NoError(b, err)
			require.NoError(b, s.CreateTable(ctx, "bench", employeesSchema()))
			loadFile(b, s, path, "bench", datastore.ModeAppend)
			_, err = rawDB(b, s).Exec("CREATE VIEW bench_v AS SELECT * FROM bench")
			require.NoError(b, err)
			b.StartTimer()
			start := time.Now()
			rep := loadFile(b, s, changed, "bench", datastore.ModeUpsert)
			elapsed += time.Since(start)
			require.EqualValues(b, n, rep.Written)
			b.StopTimer()
			requireContent(b, s, changed)
			b.StartTimer()
		}
		b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "rows/s")
	})
}

// contentSums are the row count and the sums of every column of a
// generated file or of the bench table (names by length).
type contentSums [6]int64

// add adds one row.
func (c *contentSums) add(id int64, name string, hired time.Time, dept, job int64) {
	c[0]++
	c[1] += id
	c[2] += int64(len(name))
	c[3] += hired.Unix()
	c[4] += dept
	c[5] += job
}

// requireContent checks that table bench holds exactly the rows of the
// generated file at path (by count and column sums): every row written,
// and every upserted row really updated.
func requireContent(b *testing.B, s *datastore.Store, path string) {
	var want, got contentSums
	data, err := os.ReadFile(path)
	require.NoError(b, err)
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\r\n") {
		f := strings.Split(line, ",")
		id, _ := strconv.ParseInt(f[0], 10, 64)
		hired, err := time.Parse(time.RFC3339, f[2])
		require.NoError(b, err)
		dept, _ := strconv.ParseInt(f[3], 10, 64)
		job, _ := strconv.ParseInt(f[4], 10, 64)
		want.add(id, f[1], hired, dept, job)
	}
	_, err = s.ReadRows(context.Background(), "bench", func(r frictionless.Row) error {
		got.add(r[0].(int64), r[1].(string), r[2].(time.Time), r[3].(int64), r[4].(int64))
		return nil
	})
	require.NoError(b, err)
	require.Equal(b, want, got)
}

// cpuTime returns the user+system CPU time used so far.
func cpuTime(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// runTool times an external command over the same file; it reports rows/s.
func runTool(b *testing.B, n int, prepare func(), name string, args ...string) {
	if _, err := exec.LookPath(name); err != nil {
		b.Skipf("%s not installed", name)
	}
	var elapsed, cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		prepare()
		b.StartTimer()
		start := time.Now()
		cmd := exec.Command(name, args...)
		out, err := cmd.CombinedOutput()
		require.NoError(b, err, "%s", out)
		elapsed += time.Since(start)
		cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "rows/s")
	b.ReportMetric(float64(n*b.N)/cpu.Seconds(), "rows/cpu-s")
}

// BenchmarkLoadPostgres loads generated employees into PostgreSQL, side by
// side with psql's \copy of the same file into the same table layout.
func BenchmarkLoadPostgres(b *testing.B) {
	pgURL := testutil.PostgresURL(b)
	path, changed, n := benchFiles(b)
	s := open(b, backend{"postgres", func(testing.TB) string { return pgURL }})
	benchModes(b, s, path, changed, n, false)
	benchUpsertWithView(b, s, path, changed, n)
	b.Run("psql-copy", func(b *testing.B) {
		db := rawDB(b, s)
		var schema string
		require.NoError(b, db.Get(&schema, "SELECT current_schema()"))
		prepare := func() {
			_, err := db.Exec(`DROP TABLE IF EXISTS bench_psql; CREATE TABLE bench_psql (employee_id bigint NOT NULL PRIMARY KEY,
				employee_name text NOT NULL, hiring_date timestamptz NOT NULL, department_id bigint NOT NULL, job_id bigint NOT NULL)`)
			require.NoError(b, err)
		}
		base := testutil.PostgresBaseURL(b)
		runTool(b, n, prepare, "psql", base, "-c", fmt.Sprintf(`\copy "%s".bench_psql from '%s' csv`, schema, path))
	})
}

// BenchmarkLoadSQLite loads generated employees into a SQLite file, side
// by side with the sqlite3 shell's .import of the same file.
func BenchmarkLoadSQLite(b *testing.B) {
	path, changed, n := benchFiles(b)
	dir := b.TempDir()
	s := open(b, backend{"sqlite", func(testing.TB) string { return "sqlite://" + filepath.Join(dir, "bench.db") }})
	benchModes(b, s, path, changed, n, true)
	b.Run("sqlite3-import", func(b *testing.B) {
		dbPath := filepath.Join(dir, "import.db")
		prepare := func() {
			os.Remove(dbPath)
			out, err := exec.Command("sqlite3", dbPath, `PRAGMA journal_mode=WAL; CREATE TABLE bench (employee_id INTEGER NOT NULL PRIMARY KEY,
				employee_name TEXT NOT NULL, hiring_date DATETIME NOT NULL, department_id INTEGER NOT NULL, job_id INTEGER NOT NULL)`).CombinedOutput()
			require.NoError(b, err, "%s", out)
		}
		runTool(b, n, prepare, "sqlite3", dbPath, ".import --csv "+path+" bench")
	})
}

// BenchmarkLoadMySQL loads generated employees into MariaDB/MySQL.
func BenchmarkLoadMySQL(b *testing.B) {
	u := testutil.MySQLURL(b)
	path, changed, n := benchFiles(b)
	s := open(b, backend{"mysql", func(testing.TB) string { return u }})
	benchModes(b, s, path, changed, n, false)
}

// BenchmarkLoadPostgresStreams loads the generated file into a new
// unkeyed PostgreSQL table over one COPY stream and over CopyStreams'
// default (runtime.NumCPU), interleaved in each iteration, and reports
// both rates and their ratio (parallel / one stream).
func BenchmarkLoadPostgresStreams(b *testing.B) {
	pgURL := testutil.PostgresURL(b)
	path, _, n := benchFiles(b)
	unkeyed := employeesSchema()
	unkeyed.PrimaryKey = nil
	var took [2]time.Duration
	var stores [2]*datastore.Store
	for i, streams := range []int{1, 0} {
		s, err := sqlstore.Open(context.Background(), pgURL, &sqlstore.Options{CopyStreams: streams})
		require.NoError(b, err)
		defer s.Close()
		stores[i] = s
	}
	b.ResetTimer()
	for range b.N {
		for i, s := range stores {
			if ok, _ := s.TableExists(context.Background(), "bench_streams"); ok {
				require.NoError(b, s.DropTable(context.Background(), "bench_streams"))
			}
			f, err := os.Open(path)
			require.NoError(b, err)
			r, err := frictionless.NewReader(f, unkeyed, &frictionless.ReadOptions{Dialect: noHeader(), SkipUniqueCheck: true})
			require.NoError(b, err)
			start := time.Now()
			rep, err := datastore.Load(context.Background(), s, "bench_streams", r, &datastore.LoadOptions{MaxRejects: -1})
			took[i] += time.Since(start)
			f.Close()
			require.NoError(b, err)
			require.EqualValues(b, n, rep.Written)
		}
	}
	b.ReportMetric(float64(n*b.N)/took[0].Seconds(), "rows/s-1stream")
	b.ReportMetric(float64(n*b.N)/took[1].Seconds(), "rows/s-parallel")
	b.ReportMetric(took[0].Seconds()/took[1].Seconds(), "parallel/1stream")
}

// BenchmarkLoadMySQLPaths loads the generated file into a new MariaDB/MySQL
// table with LOAD DATA and with multi-row INSERTs, interleaved in each
// iteration, and reports both rates and their ratio (LOAD DATA / INSERT).
func BenchmarkLoadMySQLPaths(b *testing.B) {
	u := testutil.MySQLURL(b)
	path, _, n := benchFiles(b)
	s := open(b, backend{"mysql", func(testing.TB) string { return u }})
	var took [2]time.Duration
	insertOnly := []int{1 << 62, sqlstore.SetMinLoadRows(0)}
	sqlstore.SetMinLoadRows(insertOnly[1])
	b.ResetTimer()
	for range b.N {
		for i, min := range insertOnly {
			if ok, _ := s.TableExists(context.Background(), "bench_paths"); ok {
				require.NoError(b, s.DropTable(context.Background(), "bench_paths"))
			}
			old := sqlstore.SetMinLoadRows(min)
			start := time.Now()
			rep := loadFile(b, s, path, "bench_paths", datastore.ModeAppend)
			took[i] += time.Since(start)
			sqlstore.SetMinLoadRows(old)
			require.EqualValues(b, n, rep.Written)
		}
	}
	b.ReportMetric(float64(n*b.N)/took[0].Seconds(), "rows/s-insert")
	b.ReportMetric(float64(n*b.N)/took[1].Seconds(), "rows/s-loaddata")
	b.ReportMetric(took[0].Seconds()/took[1].Seconds(), "loaddata/insert")
}
