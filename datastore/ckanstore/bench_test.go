package ckanstore_test

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/ckanstore"
	"github.com/datafactory/datafactory/datastore/ckanstore/ckantest"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/testutil"
)

const benchRows = 100_000

// genReader serves n generated employee-like rows.
type genReader struct {
	schema *frictionless.Schema
	n, i   int
	start  time.Time
}

func (g *genReader) Read() (frictionless.Row, error) {
	if g.i >= g.n {
		return nil, io.EOF
	}
	g.i++
	return frictionless.Row{int64(g.i), fmt.Sprintf("employee %d", g.i), g.start.Add(time.Duration(g.i) * time.Minute), int64(g.i % 50), int64(g.i % 300)}, nil
}

func (g *genReader) Schema() *frictionless.Schema { return g.schema }

// BenchmarkLoadAPI loads 100k rows into ckantest through datastore.Load
// and the action API (append: dry-run per batch, then chunked inserts of
// 250 rows; replace: inserts into a staging resource and an alias swap).
func BenchmarkLoadAPI(b *testing.B) {
	for _, be := range backends() {
		for _, mode := range []datastore.Mode{datastore.ModeAppend, datastore.ModeReplace} {
			b.Run(be.name+"/"+mode.String(), func(b *testing.B) {
				dsn := ""
				if be.name == "postgres" {
					dsn = testutil.PostgresURL(b)
				}
				srv, err := ckantest.New(&ckantest.Options{DSN: dsn})
				if err != nil {
					b.Fatal(err)
				}
				defer srv.Close()
				d, _ := srv.AddDataset(ckantest.Dataset{Name: "bench"})
				c, _ := ckanstore.NewClient(srv.URL(), &ckanstore.ClientOptions{Token: ckanstore.Secret(srv.SysadminToken())})
				store, _ := ckanstore.Open(c, &ckanstore.StoreOptions{PackageID: d.ID})
				ctx := context.Background()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					table := fmt.Sprintf("employees%d", i)
					src := &genReader{schema: employeesSchema(), n: benchRows, start: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
					rep, err := datastore.Load(ctx, store, table, src, &datastore.LoadOptions{Mode: mode, BatchSize: 1000})
					if err != nil {
						b.Fatal(err)
					}
					if rep.Written != benchRows {
						b.Fatalf("wrote %d rows", rep.Written)
					}
				}
				b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
			})
		}
	}
}
