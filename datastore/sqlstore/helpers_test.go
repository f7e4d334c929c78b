package sqlstore_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"
)

// backend names a database and how to get a fresh, empty store on it.
type backend struct {
	name string
	url  func(t testing.TB) string
}

// backends lists SQLite (always) and PostgreSQL and MariaDB (skipped, with a
// message, when their environment variables are unset).
var backends = []backend{
	{"sqlite", sqliteURL},
	{"postgres", testutil.PostgresURL},
	{"mysql", testutil.MySQLURL},
}

// sqliteURL is a fresh database file in the test's temp dir.
func sqliteURL(t testing.TB) string {
	return "sqlite://" + filepath.Join(t.TempDir(), "test.db")
}

// open opens a store on a fresh database of b, closed when the test ends.
func open(t testing.TB, b backend) *datastore.Store {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), b.url(t), nil)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// rawDB reaches the store's *sqlx.DB.
func rawDB(t testing.TB, s *datastore.Store) *sqlx.DB {
	var db *sqlx.DB
	require.True(t, s.As(&db))
	return db
}
