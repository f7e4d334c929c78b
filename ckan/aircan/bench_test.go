package aircan_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/ckan/aircan"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/datafactory/datafactory/pipeline"
)

const benchRows = 100_000

// writeBenchCSV writes n employee rows without a header.
func writeBenchCSV(b *testing.B, path string, n int) {
	b.Helper()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	start := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(w, "%d,employee %d,%s,%d,%d\n", i, i, start.Add(time.Duration(i)*time.Minute).Format(time.RFC3339), i%50, i%300)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkPipeline runs the whole ckan_load pipeline (download, validate
// to JSON lines, create the table, load, report) on 100k rows into
// ckantest: through the API (SQLite- and PostgreSQL-backed ckantest) and
// through the direct-PostgreSQL path.
func BenchmarkPipeline(b *testing.B) {
	type variant struct {
		name     string
		postgres bool
		direct   bool
	}
	variants := []variant{{"sqlite/api", false, false}}
	if os.Getenv(testutil.PostgresEnv) != "" {
		variants = append(variants, variant{"postgres/api", true, false}, variant{"postgres/direct", true, true})
	}
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			dsn := ""
			if v.postgres {
				dsn = testutil.PostgresURL(b)
			}
			bd := setup(b, dsn)
			bd.cfg.FileRoot = b.TempDir()
			writeBenchCSV(b, filepath.Join(bd.cfg.FileRoot, "employees.csv"), benchRows)
			if v.direct {
				bd.cfg.PostgresURL = ckan.Secret(dsn)
			}
			p, err := aircan.New(bd.cfg)
			if err != nil {
				b.Fatal(err)
			}
			conf := bd.conf(b, func(_, ckan map[string]any) { ckan["aircan_load_with_postgres_copy"] = v.direct })
			b.ResetTimer()
			for range b.N {
				sum, err := pipeline.Run(context.Background(), p, conf, &pipeline.RunOptions{Backend: bd.backend()})
				if err != nil {
					b.Fatal(err)
				}
				if sum.State != pipeline.StateSuccess {
					b.Fatal(sum.State)
				}
			}
			b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
