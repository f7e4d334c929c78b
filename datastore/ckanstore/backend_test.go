package ckanstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/ckanstore"
	"github.com/datafactory/datafactory/datastore/ckanstore/ckantest"
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
}

func (h *harness) MakeStore(ctx context.Context) (*datastore.Store, error) {
	c, err := ckanstore.NewClient(h.srv.URL(), &ckanstore.ClientOptions{Token: ckanstore.Secret(h.srv.SysadminToken())})
	if err != nil {
		return nil, err
	}
	return ckanstore.Open(c, &ckanstore.StoreOptions{PackageID: h.pkg})
}

// ListTables lists tables by alias (the table name), else resource id.
func (h *harness) ListTables(ctx context.Context, _ *datastore.Store) ([]string, error) {
	tables, err := h.srv.Tables(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
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
	var c *ckanstore.Client
	s.As(&c)
	res, err := c.DatastoreSearch(ctx, &ckanstore.SearchRequest{ResourceID: name, Limit: new(0)})
	if err != nil {
		return 0, err
	}
	return int(*res.Total), nil
}

func (h *harness) Close() { h.srv.Close() }

func TestConformance(t *testing.T) {
	t.Parallel()
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			datastoretest.RunConformanceTests(t, func(ctx context.Context, t *testing.T) (datastoretest.Harness, error) {
				for name, why := range notApplicable {
					if strings.HasSuffix(t.Name(), "/"+name) {
						t.Skip("not applicable to the CKAN DataStore: " + why)
					}
				}
				srv, err := ckantest.New(&ckantest.Options{DSN: be.dsn(t)})
				if err != nil {
					return nil, err
				}
				d, err := srv.AddDataset(ckantest.Dataset{Name: "tables"})
				if err != nil {
					srv.Close()
					return nil, err
				}
				return &harness{srv: srv, pkg: d.ID}, nil
			})
		})
	}
}
