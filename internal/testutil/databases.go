package testutil

import (
	"path/filepath"
	"testing"
)

// SQLURLs returns, by dialect ("sqlite", "postgres", "mysql"), a function
// giving a test a database of its own: a SQLite file in its temporary
// directory, a PostgreSQL schema ([PostgresURL]) or a MySQL database
// ([MySQLURL]); the last two skip the test when their variable is unset.
func SQLURLs() map[string]func(testing.TB) string {
	return map[string]func(testing.TB) string{
		"sqlite": func(tb testing.TB) string {
			return "sqlite://" + filepath.ToSlash(filepath.Join(tb.TempDir(), "test.db"))
		},
		"postgres": PostgresURL,
		"mysql":    MySQLURL,
	}
}

// OnEachSQL runs fn in a parallel subtest per dialect of [SQLURLs], with
// that subtest's database URL.
func OnEachSQL(t *testing.T, fn func(t *testing.T, url string)) {
	t.Helper()
	for name, mk := range SQLURLs() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, mk(t))
		})
	}
}
