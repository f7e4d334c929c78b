package cli_test

import (
	"bufio"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/datafactory/datafactory/cmd/datafactory/cli"
	"github.com/datafactory/datafactory/internal/testutil"
)

// benchRows is the size of the benchmark file: DATAFACTORY_BENCH_ROWS, else
// one million rows.
func benchRows(b *testing.B) int {
	if v := os.Getenv("DATAFACTORY_BENCH_ROWS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("DATAFACTORY_BENCH_ROWS=%q", v)
		}
		return n
	}
	return 1_000_000
}

// writeBenchCSV writes an employees-like CSV with a header: id, name,
// hiring_date (datetime), department_id, job_id.
func writeBenchCSV(b *testing.B, path string, n int) int64 {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "employee_id,employee_name,hiring_date,department_id,job_id")
	t0 := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(w, "%d,Employee number %d,%s,%d,%d\n", i, i,
			t0.Add(time.Duration(i)*time.Minute).Format(time.RFC3339), i%12+1, i%183+1)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	st, _ := f.Stat()
	f.Close()
	return st.Size()
}

const benchSchema = `{"fields": [
  {"name": "employee_id", "type": "integer", "constraints": {"required": true}},
  {"name": "employee_name", "type": "string", "constraints": {"required": true}},
  {"name": "hiring_date", "type": "datetime", "constraints": {"required": true}},
  {"name": "department_id", "type": "integer", "constraints": {"required": true}},
  {"name": "job_id", "type": "integer", "constraints": {"required": true}}
], "primaryKey": ["employee_id"]}`

// BenchmarkLoadVsCopyPostgres measures `datafactory load` of a CSV file
// (1M rows by default) into PostgreSQL next to `psql \copy` of the same file
// into a table of the same definition (primary key included). Each iteration
// loads into a fresh schema. It needs DATAFACTORY_TEST_POSTGRES_URL and psql;
// run it alone, once:
//
//	go test -run '^$' -bench LoadVsCopyPostgres -benchtime 1x ./cmd/datafactory/cli
func BenchmarkLoadVsCopyPostgres(b *testing.B) {
	if _, err := exec.LookPath("psql"); err != nil {
		b.Skip("psql not found")
	}
	n := benchRows(b)
	dir := b.TempDir()
	csvPath := filepath.Join(dir, "employees.csv")
	size := writeBenchCSV(b, csvPath, n)
	schemaPath := filepath.Join(dir, "schema.json")
	if err := os.WriteFile(schemaPath, []byte(benchSchema), 0o644); err != nil {
		b.Fatal(err)
	}
	b.Run("datafactory", func(b *testing.B) {
		b.SetBytes(size)
		var total time.Duration
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			u := testutil.PostgresURL(b)
			m := &cli.Main{Getenv: func(k string) string {
				if k == "DB" {
					return u
				}
				return ""
			}}
			b.StartTimer()
			start := time.Now()
			if code := m.Run(context.Background(), []string{"load", csvPath, "env:DB", "--schema", schemaPath, "--table", "employees"}); code != 0 {
				b.Fatalf("load exit %d", code)
			}
			total += time.Since(start)
		}
		b.ReportMetric(float64(n)*float64(b.N)/total.Seconds(), "rows/s")
	})
	// psql \copy into a table with its primary key, and into a bare table
	// whose key is added after the copy (as datafactory does for a new table).
	for _, keyAfter := range []bool{false, true} {
		name := "psql_copy"
		if keyAfter {
			name = "psql_copy_key_after"
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(size)
			var total time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				u := libpqURL(b, testutil.PostgresURL(b))
				pk := " PRIMARY KEY"
				if keyAfter {
					pk = ""
				}
				psql(b, u, "CREATE TABLE employees (employee_id bigint NOT NULL"+pk+", employee_name text NOT NULL, "+
					"hiring_date timestamptz NOT NULL, department_id bigint NOT NULL, job_id bigint NOT NULL)")
				b.StartTimer()
				start := time.Now()
				psql(b, u, fmt.Sprintf(`\copy employees FROM '%s' WITH (FORMAT csv, HEADER true)`, csvPath))
				if keyAfter {
					psql(b, u, "ALTER TABLE employees ADD PRIMARY KEY (employee_id)")
				}
				total += time.Since(start)
			}
			b.ReportMetric(float64(n)*float64(b.N)/total.Seconds(), "rows/s")
		})
	}
}

// libpqURL turns testutil's URL (search_path as a query parameter, which
// pgx understands) into one psql understands (options=-csearch_path=…).
func libpqURL(b *testing.B, raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		b.Fatal(err)
	}
	q := u.Query()
	if sp := q.Get("search_path"); sp != "" {
		q.Del("search_path")
		q.Set("options", "-csearch_path="+sp)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func psql(b *testing.B, u, cmd string) {
	out, err := exec.Command("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", u, "-c", cmd).CombinedOutput()
	if err != nil {
		b.Fatalf("psql: %v: %s", err, strings.TrimSpace(string(out)))
	}
}
