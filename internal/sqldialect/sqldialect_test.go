package sqldialect_test

import (
	"testing"

	"github.com/datafactory/datafactory/internal/sqldialect"
	"github.com/stretchr/testify/require"
)

func TestForDriver(t *testing.T) {
	t.Parallel()
	tests := []struct {
		driver string
		want   sqldialect.Dialect
	}{
		{"sqlite", sqldialect.SQLite}, {"sqlite3", sqldialect.SQLite},
		{"pgx", sqldialect.Postgres}, {"postgres", sqldialect.Postgres},
		{"mysql", sqldialect.MySQL},
	}
	for _, tc := range tests {
		got, err := sqldialect.ForDriver(tc.driver)
		require.NoError(t, err, tc.driver)
		require.Equal(t, tc.want, got, tc.driver)
	}
	_, err := sqldialect.ForDriver("oracle")
	require.ErrorContains(t, err, `unsupported driver "oracle"`)
}

func TestDriverNameRoundTrip(t *testing.T) {
	t.Parallel()
	for _, d := range []sqldialect.Dialect{sqldialect.SQLite, sqldialect.Postgres, sqldialect.MySQL} {
		got, err := sqldialect.ForDriver(d.DriverName())
		require.NoError(t, err)
		require.Equal(t, d, got)
	}
}

func TestQuote(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d        sqldialect.Dialect
		id, want string
	}{
		{sqldialect.SQLite, `a"b`, `"a""b"`},
		{sqldialect.Postgres, `x`, `"x"`},
		{sqldialect.Postgres, "a`b", "\"a`b\""},
		{sqldialect.MySQL, "a`b", "`a``b`"},
		{sqldialect.MySQL, `a"b`, "`a\"b`"},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, tc.d.Quote(tc.id), "%s %s", tc.d, tc.id)
	}
}

func TestPlaceholders(t *testing.T) {
	t.Parallel()
	require.Equal(t, "SELECT $1, $2", sqldialect.Postgres.Rebind("SELECT ?, ?"))
	require.Equal(t, "SELECT ?, ?", sqldialect.MySQL.Rebind("SELECT ?, ?"))
}
