package sqlstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/datastoretest"
	"github.com/datafactory/datafactory/datastore/sqlstore"
)

// harness runs the conformance suite on one database.
type harness struct {
	t      testing.TB
	b      backend
	opts   *sqlstore.Options // nil: the defaults
	stores []*datastore.Store
}

func (h *harness) MakeStore(ctx context.Context) (*datastore.Store, error) {
	s, err := sqlstore.Open(ctx, h.b.url(h.t), h.opts)
	if err != nil {
		return nil, err
	}
	h.stores = append(h.stores, s)
	return s, nil
}

func (h *harness) ListTables(ctx context.Context, s *datastore.Store) ([]string, error) {
	q := map[string]string{
		"sqlite":   "SELECT name FROM sqlite_schema WHERE type = 'table'",
		"postgres": "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()",
		"mysql":    "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()",
	}[h.b.name]
	var names []string
	err := rawDB(h.t, s).SelectContext(ctx, &names, q)
	return names, err
}

// quote quotes an identifier for the harness's own SQL.
func (h *harness) quote(id string) string {
	if h.b.name == "mysql" {
		return "`" + strings.ReplaceAll(id, "`", "``") + "`"
	}
	return `"` + strings.ReplaceAll(id, `"`, `""`) + `"`
}

func (h *harness) CreateView(ctx context.Context, s *datastore.Store, view, table string) error {
	_, err := rawDB(h.t, s).ExecContext(ctx, "CREATE VIEW "+h.quote(view)+" AS SELECT * FROM "+h.quote(table))
	return err
}

func (h *harness) CountRows(ctx context.Context, s *datastore.Store, name string) (int, error) {
	var n int
	err := rawDB(h.t, s).GetContext(ctx, &n, "SELECT count(*) FROM "+h.quote(name))
	return n, err
}

func (h *harness) Close() {
	for _, s := range h.stores {
		_ = s.Close() // a test may have closed it already
	}
}

// TestConformance runs datastoretest on SQLite always, and on PostgreSQL
// and MariaDB when DATAFACTORY_TEST_POSTGRES_URL / DATAFACTORY_TEST_MYSQL_DSN
// are set.
func TestConformance(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			datastoretest.RunConformanceTests(t, func(ctx context.Context, t *testing.T) (datastoretest.Harness, error) {
				b.url(t) // skips now when the database is not configured
				return &harness{t: t, b: b}, nil
			})
		})
	}
}

// TestConformanceCopyStreams runs datastoretest on PostgreSQL with three
// COPY streams, the parallel path a machine with fewer than 4 CPUs does
// not take by default.
func TestConformanceCopyStreams(t *testing.T) {
	t.Parallel()
	b := backends[1]
	datastoretest.RunConformanceTests(t, func(ctx context.Context, t *testing.T) (datastoretest.Harness, error) {
		b.url(t)
		return &harness{t: t, b: b, opts: &sqlstore.Options{CopyStreams: 3}}, nil
	})
}

// TestDataPath runs datastoretest's data-path suite (concurrency and
// hostile bytes) on every configured database.
func TestDataPath(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			datastoretest.RunDataPathTests(t, func(ctx context.Context, t *testing.T) (datastoretest.Harness, error) {
				b.url(t)
				return &harness{t: t, b: b}, nil
			})
		})
	}
}
