package ckanstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/ckan/ckantest"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/ckanstore"
	"github.com/datafactory/datafactory/datastore/datastoretest"
)

// notApplicable lists conformance tests that check what the CKAN
// DataStore cannot do, with the reason.
var notApplicable = map[string]string{
	"ColumnNames": `CKAN refuses field names with '"' or a leading "_" (is_valid_field_name)`,
}

// harness runs a ckantest server per test.
type harness struct {
	srv *ckantest.Server
	pkg string
	pg  string // PostgresURL for the direct replace path, or ""
}

func (h *harness) MakeStore(ctx context.Context) (*datastore.Store, error) {
	c, err := ckan.NewClient(h.srv.URL(), &ckan.ClientOptions{Token: ckan.Secret(h.srv.SysadminToken())})
	if err != nil {
		return nil, err
	}
	return ckanstore.Open(c, &ckanstore.StoreOptions{PackageID: h.pkg, PostgresURL: h.pg})
}

// ListTables lists tables by alias (the table name), else resource id.
func (h *harness) ListTables(ctx context.Context, _ *datastore.Store) ([]string, error) {
	tables, err := h.srv.Tables(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	if h.pg != "" { // every table of the schema, staging tables included
		rows, err := h.srv.DB().QueryContext(ctx, `SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_name NOT LIKE '\_ckantest%'`)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				return nil, err
			}
			if strings.HasPrefix(n, "_df") {
				out = append(out, n)
			}
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	for _, t := range tables {
		if len(t.Aliases) > 0 {
			out = append(out, t.Aliases...)
		} else {
			out = append(out, t.ResourceID)
		}
	}
	return out, nil
}

func (h *harness) CreateView(context.Context, *datastore.Store, string, string) error {
	return errors.ErrUnsupported
}

func (h *harness) CountRows(ctx context.Context, s *datastore.Store, name string) (int, error) {
	var c *ckan.Client
	s.As(&c)
	res, err := c.DatastoreSearch(ctx, &ckan.SearchRequest{ResourceID: name, Limit: new(0)})
	if err != nil {
		return 0, err
	}
	return int(*res.Total), nil
}

func (h *harness) Close() { h.srv.Close() }

func TestConformance(t *testing.T) {
	t.Parallel()
	type variant struct {
		name   string
		be     ckantest.Backend
		direct bool
	}
	var variants []variant
	for _, be := range ckantest.Backends() {
		variants = append(variants, variant{be.Name, be, false})
		if be.Name == "postgres" {
			variants = append(variants, variant{"postgres-direct", be, true})
		}
	}
	for _, v := range variants {
		be := v.be
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			datastoretest.RunConformanceTests(t, func(ctx context.Context, t *testing.T) (datastoretest.Harness, error) {
				for name, why := range notApplicable {
					if strings.HasSuffix(t.Name(), "/"+name) {
						t.Skip("not applicable to the CKAN DataStore: " + why)
					}
				}
				dsn := be.DSN(t)
				srv, err := ckantest.New(&ckantest.Options{DSN: dsn})
				if err != nil {
					return nil, err
				}
				d, err := srv.AddDataset(ckantest.Dataset{Name: "tables"})
				if err != nil {
					srv.Close()
					return nil, err
				}
				h := &harness{srv: srv, pkg: d.ID}
				if v.direct {
					h.pg = dsn
				}
				return h, nil
			})
		})
	}
}
