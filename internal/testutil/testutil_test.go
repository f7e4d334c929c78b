package testutil

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestUniqueNameIsIdentifier(t *testing.T) {
	t.Parallel()
	a, b := uniqueName("x"), uniqueName("x")
	require.NotEqual(t, a, b)
	require.Regexp(t, `^x_[0-9a-f]{16}$`, a)
}

func TestWithSearchPath(t *testing.T) {
	t.Parallel()
	got, err := withSearchPath("postgres://u:secret@h:5432/db?sslmode=disable", "s1")
	require.NoError(t, err)
	require.Contains(t, got, "search_path=s1")
	require.Contains(t, got, "sslmode=disable")

	got, err = withSearchPath("host=h dbname=db", "s2")
	require.NoError(t, err)
	require.Equal(t, "host=h dbname=db search_path=s2", got)

	_, err = withSearchPath("postgres://u:secret@h:bad/db", "s")
	require.Error(t, err)
	require.NotContains(t, err.Error(), "secret")
}

func TestPostgresURLIsolated(t *testing.T) {
	t.Parallel()
	u := PostgresURL(t)
	db, err := sql.Open("pgx", u)
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	_, err = db.ExecContext(ctx, "CREATE TABLE t (a int)")
	require.NoError(t, err)
	var schema string
	require.NoError(t, db.QueryRowContext(ctx, "SELECT table_schema FROM information_schema.tables WHERE table_name = 't' AND table_schema = current_schema()").Scan(&schema))
	require.True(t, strings.HasPrefix(schema, "dft_"), schema)
}

func TestMySQLDSNIsolated(t *testing.T) {
	t.Parallel()
	d := MySQLDSN(t)
	db, err := sql.Open("mysql", d)
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	_, err = db.ExecContext(ctx, "CREATE TABLE t (a int)")
	require.NoError(t, err)
	var name string
	require.NoError(t, db.QueryRowContext(ctx, "SELECT DATABASE()").Scan(&name))
	require.True(t, strings.HasPrefix(name, "dft_"), name)
}
