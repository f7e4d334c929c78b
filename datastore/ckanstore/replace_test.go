package ckanstore_test

import (
	"context"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/ckan/ckantest"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/ckanstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// peekReader serves n rows and, after half of them, runs peek once.
type peekReader struct {
	schema *frictionless.Schema
	n, i   int
	peek   func()
}

func (p *peekReader) Read() (frictionless.Row, error) {
	if p.i >= p.n {
		return nil, io.EOF
	}
	if p.i == p.n/2 && p.peek != nil {
		p.peek()
	}
	p.i++
	return frictionless.Row{int64(p.i), fmt.Sprintf("new %d", p.i)}, nil
}

func (p *peekReader) Schema() *frictionless.Schema { return p.schema }

// TestReplaceKeepsOldTableReadable: while a replace loads, readers of the
// alias see the old table whole; afterwards they see the new one, and the
// old resource is gone.
func TestReplaceKeepsOldTableReadable(t *testing.T) {
	t.Parallel()
	for _, be := range ckantest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			b := ckantest.NewFixture(t, be, nil)
			store, err := ckanstore.Open(b.Editor, &ckanstore.StoreOptions{PackageID: b.DatasetID})
			require.NoError(t, err)
			schema := &frictionless.Schema{Fields: []frictionless.Field{{Name: "id", Type: frictionless.TypeInteger}, {Name: "name", Type: frictionless.TypeString}}, PrimaryKey: []string{"id"}}
			_, err = datastore.Load(ctx, store, "people", &peekReader{schema: schema, n: 3}, nil)
			require.NoError(t, err)
			total := func() int64 {
				res, err := b.Anon.DatastoreSearch(ctx, &ckan.SearchRequest{ResourceID: "people", Limit: new(0)})
				require.NoError(t, err)
				return *res.Total
			}
			var during int64
			src := &peekReader{schema: schema, n: 2000, peek: func() { during = total() }}
			rep, err := datastore.Load(ctx, store, "people", src, &datastore.LoadOptions{Mode: datastore.ModeReplace, BatchSize: 300})
			require.NoError(t, err)
			require.EqualValues(t, 2000, rep.Written)
			require.EqualValues(t, 3, during, "mid-load readers see the old table")
			require.EqualValues(t, 2000, total())
			p, err := b.Anon.PackageShow(ctx, b.DatasetID)
			require.NoError(t, err)
			require.Len(t, p.Resources, 3, "the two fixtures and the table: old table and staging are gone")
		})
	}
}

// TestConcurrentWriters: several clients write to one table at once.
func TestConcurrentWriters(t *testing.T) {
	t.Parallel()
	for _, be := range ckantest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			b := ckantest.NewFixture(t, be, nil)
			_, err := b.Editor.DatastoreCreate(ctx, &ckan.CreateRequest{ResourceID: b.DatastoreID, Fields: []ckan.Field{{ID: "w", Type: "int"}, {ID: "i", Type: "int"}}, PrimaryKey: ckan.StringList{"w", "i"}})
			require.NoError(t, err)
			const writers, each = 6, 300
			var wg sync.WaitGroup
			errs := make(chan error, writers)
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					recs := make([]ckan.Record, each)
					for i := range recs {
						recs[i] = ckan.Record{"w": w, "i": i}
					}
					_, err := b.Editor.UpsertChunked(ctx, &ckan.UpsertRequest{ResourceID: b.DatastoreID, Records: recs}, &ckan.ChunkOptions{Rows: 50})
					errs <- err
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}
			res, err := b.Anon.DatastoreSearch(ctx, &ckan.SearchRequest{ResourceID: b.DatastoreID, Limit: new(0)})
			require.NoError(t, err)
			require.EqualValues(t, writers*each, *res.Total)
		})
	}
}
