package ckanstore_test

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/ckan/ckantest"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/ckanstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/testutil"
)

const benchRows = 100_000

var testStart = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

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
// 250 rows; replace: inserts into a staging resource and an alias swap),
// and through the direct-PostgreSQL path (COPY into staging, swap, refresh).
func BenchmarkLoadAPI(b *testing.B) {
	type variant struct {
		name   string
		be     ckantest.Backend
		mode   datastore.Mode
		direct bool
	}
	var variants []variant
	for _, be := range ckantest.Backends() {
		for _, mode := range []datastore.Mode{datastore.ModeAppend, datastore.ModeReplace} {
			variants = append(variants, variant{be.Name + "/" + mode.String(), be, mode, false})
		}
		if be.Name == "postgres" {
			variants = append(variants, variant{"postgres-direct/replace", be, datastore.ModeReplace, true})
		}
	}
	for _, v := range variants {
		be, mode := v.be, v.mode
		b.Run(v.name, func(b *testing.B) {
			dsn := ""
			if be.Name == "postgres" {
				dsn = testutil.PostgresURL(b)
			}
			srv, err := ckantest.New(&ckantest.Options{DSN: dsn})
			if err != nil {
				b.Fatal(err)
			}
			defer srv.Close()
			d, _ := srv.AddDataset(ckantest.Dataset{Name: "bench"})
			c, _ := ckan.NewClient(srv.URL(), &ckan.ClientOptions{Token: ckan.Secret(srv.SysadminToken())})
			opts := &ckanstore.StoreOptions{PackageID: d.ID}
			if v.direct {
				opts.PostgresURL = dsn
			}
			store, _ := ckanstore.Open(c, opts)
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				table := fmt.Sprintf("employees%d", i)
				src := &genReader{schema: employeesSchema(), n: benchRows, start: testStart}
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
